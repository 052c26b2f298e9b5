package rastir

import "github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"

// Kind is the Rastir span type of a span the SDK starts.
type Kind uint8

// The Rastir span types.
const (
	// KindTrace is a plain span grouping other work (Rastir's @trace); its
	// canonical span type is system.
	KindTrace Kind = iota
	// KindAgent is an agent invocation: it names the agent of every span
	// below it.
	KindAgent
	// KindLLM is a model call.
	KindLLM
	// KindTool is a tool call.
	KindTool
	// KindRetrieval is a retrieval (vector store, search index).
	KindRetrieval
	// KindEvaluation is an evaluation of a model output.
	KindEvaluation
	// KindInfra is any other client call (database, HTTP service).
	KindInfra
)

// SpanType returns the canonical rastir.span_type value of the kind.
func (k Kind) SpanType() string {
	switch k {
	case KindAgent:
		return vocabulary.SpanTypeAgent
	case KindLLM:
		return vocabulary.SpanTypeLLM
	case KindTool:
		return vocabulary.SpanTypeTool
	case KindRetrieval:
		return vocabulary.SpanTypeRetrieval
	case KindEvaluation:
		return vocabulary.SpanTypeEvaluation
	case KindInfra:
		return vocabulary.SpanTypeInfra
	}
	return vocabulary.SpanTypeSystem
}

// Operation returns the default gen_ai.operation.name of the kind, or ""
// for the kinds the conventions have no operation for.
func (k Kind) Operation() string {
	switch k {
	case KindAgent:
		return vocabulary.OperationInvokeAgent
	case KindLLM:
		return vocabulary.OperationChat
	case KindTool:
		return vocabulary.OperationExecuteTool
	case KindRetrieval:
		return vocabulary.OperationRetrieval
	}
	return ""
}

// String returns the span type.
func (k Kind) String() string { return k.SpanType() }
