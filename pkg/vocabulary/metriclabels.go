package vocabulary

// Label names of Rastir's rastir_* metric families (collector spec §3.3),
// written by the span metrics connector and bounded by the cardinality
// processor. They are Prometheus label names, not attribute keys of spans.
const (
	LabelService           = "service"
	LabelEnv               = "env"
	LabelSpanType          = "span_type"
	LabelStatus            = "status"
	LabelModel             = "model"
	LabelProvider          = "provider"
	LabelAgent             = "agent"
	LabelErrorType         = "error_type"
	LabelToolName          = "tool_name"
	LabelPricingProfile    = "pricing_profile"
	LabelGuardrailID       = "guardrail_id"
	LabelGuardrailVersion  = "guardrail_version"
	LabelGuardrailAction   = "guardrail_action"
	LabelGuardrailCategory = "guardrail_category"
	LabelDimension         = "dimension"
)
