package vocabulary

// Label names of the rastir_* metric families (Rastir collector spec §3.4).
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
