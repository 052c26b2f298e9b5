// Package rastiranthropic traces the Messages API calls of an
// anthropic-sdk-go client as Rastir LLM spans, through the client's
// middleware option:
//
//	client := anthropic.NewClient(rastiranthropic.WithTracing())
//
// Each call (streaming or not) gets an LLM span per HTTP attempt with the
// GenAI semantic conventions' request and response fields, token usage
// including the prompt cache's reads and writes and, for streams, the time
// to the first chunk. Other endpoints pass through untouched.
package rastiranthropic
