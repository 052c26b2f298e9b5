// Package rastiropenai traces the calls of an openai-go (v3) client as
// Rastir LLM spans, through the client's middleware option:
//
//	client := openai.NewClient(rastiropenai.WithTracing())
//
// Chat completions, responses (compactions too), completions and
// embeddings calls, streaming or not, each get an LLM span per HTTP
// attempt with the GenAI semantic conventions' request and response
// fields, token usage and, for streams, the time to the first chunk of
// model output. Other endpoints pass through untouched.
package rastiropenai
