package vocabulary

// Field names of Rastir's POST /v1/telemetry body (spec §1.2, §1.3, §1.5).
const (
	WireService = "service"
	WireEnv     = "env"
	WireVersion = "version"
	WireSpans   = "spans"

	WireType         = "type"
	WireTraceID      = "trace_id"
	WireSpanID       = "span_id"
	WireParentSpanID = "parent_span_id"
	WireParentID     = "parent_id"
	WireSpanType     = "span_type"
	WireName         = "name"
	WireStartTime    = "start_time"
	WireEndTime      = "end_time"
	WireDurationMs   = "duration_ms"
	WireStatus       = "status"
	WireAttributes   = "attributes"
	WireEvents       = "events"

	WireEventName       = "name"
	WireEventTimestamp  = "timestamp"
	WireEventAttributes = "attributes"

	// WireTypeSpan is the only value the client sends in a span's "type".
	WireTypeSpan = "span"
	// WireStatusOK and WireStatusError are the two status strings clients send.
	WireStatusOK    = "OK"
	WireStatusError = "ERROR"
	// WireUnknownName is the span name Rastir uses when a span has none.
	WireUnknownName = "unknown"
)

// Rastir span attribute keys (the Rastir dialect, spec §1.4). The receiver
// keeps them verbatim; llmenrichprocessor maps them to the canonical keys.
const (
	RastirAttrModel            = "model"
	RastirAttrProvider         = "provider"
	RastirAttrAgent            = "agent"
	RastirAttrTokensInput      = "tokens_input"
	RastirAttrTokensOutput     = "tokens_output"
	RastirAttrCostUSD          = "cost_usd"
	RastirAttrPricingProfile   = "pricing_profile"
	RastirAttrPricingMissing   = "pricing_missing"
	RastirAttrTTFTMs           = "ttft_ms"
	RastirAttrGuardrailID      = "guardrail_id"
	RastirAttrGuardrailVersion = "guardrail_version"
	RastirAttrGuardrailAction  = "guardrail_action"
	RastirAttrGuardrailCat     = "guardrail_category"
	RastirAttrPromptText       = "prompt_text"
	RastirAttrCompletionText   = "completion_text"
	RastirAttrErrorMessage     = "error.message"
	RastirAttrTenant           = "tenant"
	RastirAttrFinishReason     = "finish_reason"
	RastirAttrToolName         = "tool_name"
	RastirAttrRemote           = "remote"
	RastirAttrStreaming        = "streaming"
)

// Rastir's values of the string attribute remote.
const (
	RastirRemoteTrue  = "true"
	RastirRemoteFalse = "false"
)

// WireSpanTypeTrace is the span type the Rastir client sends for a plain
// trace span (canonically system).
const WireSpanTypeTrace = "trace"

// Exception events (OpenTelemetry semantic conventions; the Rastir client
// uses the same names).
const (
	EventException          = "exception"
	AttrExceptionType       = "exception.type"
	AttrExceptionMessage    = "exception.message"
	AttrExceptionStacktrace = "exception.stacktrace"
)

// NonNegativeRastirNumbers lists the Rastir attributes that are counts,
// money or durations: a negative or non-finite value is a client bug.
var NonNegativeRastirNumbers = [...]string{
	RastirAttrTokensInput,
	RastirAttrTokensOutput,
	RastirAttrCostUSD,
	RastirAttrTTFTMs,
}
