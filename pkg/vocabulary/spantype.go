package vocabulary

// RastirSpanTypeKey is the canonical span type (one of the SpanType values),
// which semconv lacks: llmenrichprocessor writes it from whatever the
// dialect says, and the connector labels metrics with it.
const RastirSpanTypeKey = "rastir.span_type"

// SpanType values: Rastir's canonical set.
const (
	SpanTypeAgent      = "agent"
	SpanTypeLLM        = "llm"
	SpanTypeTool       = "tool"
	SpanTypeRetrieval  = "retrieval"
	SpanTypeEvaluation = "evaluation"
	SpanTypeSystem     = "system"
	SpanTypeInfra      = "infra"
)

// NormalizeRastirSpanType applies Rastir's rule to a client span type: a
// value of the canonical set is kept as it is (case-sensitive); anything
// else, the client's "trace" and "metric" included, becomes "system".
func NormalizeRastirSpanType(raw string) string {
	switch raw {
	case SpanTypeAgent, SpanTypeLLM, SpanTypeTool, SpanTypeRetrieval,
		SpanTypeEvaluation, SpanTypeSystem, SpanTypeInfra:
		return raw
	}
	return SpanTypeSystem
}
