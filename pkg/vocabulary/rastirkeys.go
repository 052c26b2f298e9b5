package vocabulary

// Canonical keys in the rastir.* namespace for what the GenAI semantic
// conventions lack (besides RastirSpanTypeKey and RastirErrorCategoryKey).
const (
	// RastirCostUSD is the cost of an LLM call in US dollars: the client's
	// own figure when it sent one, else computed from the pricing table.
	RastirCostUSD = "rastir.cost.usd"
	// RastirPricingProfile names the price table the cost came from.
	RastirPricingProfile = "rastir.pricing.profile"
	// RastirPricingMissing is true when no price was known for the model,
	// so no cost was recorded (never a zero cost).
	RastirPricingMissing = "rastir.pricing.missing"
	// RastirProviderLabelKey is the provider word a Rastir client sent when
	// it is not the Rastir word of gen_ai.provider.name (ADK's "google",
	// LlamaIndex's "azure", which read as gcp.gen_ai and azure.ai.openai):
	// the Rastir server labels its metrics with the client's word, and so
	// does the span-metrics connector.
	RastirProviderLabelKey = "rastir.provider.label"
	// Guardrail configuration and outcome, with bounded action and category
	// values (see GuardrailAction* and GuardrailCategory*).
	RastirGuardrailID       = "rastir.guardrail.id"
	RastirGuardrailVersion  = "rastir.guardrail.version"
	RastirGuardrailAction   = "rastir.guardrail.action"
	RastirGuardrailCategory = "rastir.guardrail.category"
	// RastirRemote marks a tool span as the client (true) or server (false)
	// side of a remote (MCP) tool call.
	RastirRemote = "rastir.remote"
)

// ScopeRastir is the instrumentation scope of spans received in Rastir's
// wire format: the Rastir client is their instrumentation, and the scope
// tells llmenrichprocessor to read them in the Rastir dialect.
const ScopeRastir = "rastir"

// OverflowValue replaces a label value over a cardinality cap, and a value
// outside a bounded enum (Rastir's sentinel).
const OverflowValue = "__cardinality_overflow__"

// Bounded guardrail values (Rastir's enums; Bedrock's names).
const (
	GuardrailActionIntervened = "GUARDRAIL_INTERVENED"
	GuardrailActionNone       = "NONE"

	GuardrailCategoryContentPolicy        = "CONTENT_POLICY"
	GuardrailCategorySensitiveInformation = "SENSITIVE_INFORMATION_POLICY"
	GuardrailCategoryWordPolicy           = "WORD_POLICY"
	GuardrailCategoryTopicPolicy          = "TOPIC_POLICY"
	GuardrailCategoryContextualGrounding  = "CONTEXTUAL_GROUNDING_POLICY"
	GuardrailCategoryDeniedTopic          = "DENIED_TOPIC"
)

// BoundGuardrailAction returns the action if it is one of the bounded
// values, else OverflowValue.
func BoundGuardrailAction(v string) string {
	switch v {
	case GuardrailActionIntervened, GuardrailActionNone:
		return v
	}
	return OverflowValue
}

// BoundGuardrailCategory returns the category if it is one of the bounded
// values, else OverflowValue.
func BoundGuardrailCategory(v string) string {
	switch v {
	case GuardrailCategoryContentPolicy, GuardrailCategorySensitiveInformation, GuardrailCategoryWordPolicy,
		GuardrailCategoryTopicPolicy, GuardrailCategoryContextualGrounding, GuardrailCategoryDeniedTopic:
		return v
	}
	return OverflowValue
}

// HTTP client attributes (OpenTelemetry semantic conventions) that the SDK's
// HTTP transport writes on infra spans and error categorisation reads.
const (
	HTTPRequestMethod      = "http.request.method"
	HTTPResponseStatusCode = "http.response.status_code"
)

// Error identifiers the Go SDK writes in error.type (and exception.type) for
// Go errors whose type name says nothing: a Go error reporting Timeout()
// (net, net/http) is a "timeout" (semconv's example identifier, categorised
// timeout), and a cancelled context.Context is "context.Canceled"
// (categorised unknown: the caller gave up, nothing failed).
// context.DeadlineExceeded keeps its type name, context.deadlineExceededError.
const (
	ErrorTypeTimeout         = "timeout"
	ErrorTypeContextCanceled = "context.Canceled"
)
