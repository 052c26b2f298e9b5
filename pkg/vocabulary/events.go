package vocabulary

// Span event names that instrumentations record when the first streamed
// chunk of a completion arrives; the time of the first one, minus the span's
// start, is the time to first chunk. There is no semantic convention for
// such an event, so these are the names seen in the wild.
const (
	// EventOpenInferenceFirstToken is OpenInference's (LangChain
	// instrumentation) first-token event.
	EventOpenInferenceFirstToken = "First Token Stream Event"
	// EventOpenLLMetryCompletionChunk is recorded by OpenLLMetry for every
	// streamed chunk; the first one marks the first token.
	EventOpenLLMetryCompletionChunk = "llm.content.completion.chunk"
	// EventGenAICompletionChunk is the gen_ai-namespaced form of the same.
	EventGenAICompletionChunk = "gen_ai.content.completion.chunk"
)
