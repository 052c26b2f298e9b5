package vocabulary

import "testing"

func TestCategorizeErrorType(t *testing.T) {
	tests := map[string]string{
		// Rastir's verified examples (collector spec §3.2.4 and §8).
		"RateLimitError":                  ErrorRateLimit,
		"openai.RateLimitError":           ErrorRateLimit,
		"TimeoutError":                    ErrorTimeout,
		"ValueError":                      ErrorValidation,
		"RuntimeError":                    ErrorInternal,
		"Exception":                       ErrorInternal,
		"MyCustomError":                   ErrorUnknown,
		"ConnectTimeoutError":             ErrorTimeout,
		"ValidationTimeout":               ErrorTimeout,
		"MyRateLimitException":            ErrorRateLimit,
		"pydantic_core.ValidationError":   ErrorValidation,
		"KeyError":                        ErrorUnknown,
		"openai.APIError":                 ErrorProvider,
		"botocore.exceptions.ClientError": ErrorProvider,
		"":                                ErrorUnknown,
		// The real Rastir client's errors in testdata/rastir-client/0011.json,
		// with the categories the Rastir server gave them.
		"ConnectionError":       ErrorUnknown,
		"ConnectionResetError":  ErrorUnknown,
		"ReadTimeout":           ErrorTimeout,
		"SchemaValidationError": ErrorValidation,
		// Rastir's gap, fixed: what real SDKs send.
		"APIConnectionError":            ErrorProvider,
		"APIStatusError":                ErrorProvider,
		"InternalServerError":           ErrorProvider,
		"anthropic.InternalServerError": ErrorProvider,
		"ClientError":                   ErrorProvider,
		"ThrottlingException":           ErrorRateLimit,
		"BadRequestError":               ErrorValidation,
		"ResourceExhausted":             ErrorRateLimit,
		// Go error types as %T prints them.
		"context.deadlineExceededError": ErrorTimeout,
		"*openai.Error":                 ErrorProvider,
		"*smithy.OperationError":        ErrorProvider,
		"smithy.InvalidParamsError":     ErrorValidation,
		"*smithy.InvalidParamsError":    ErrorValidation,
		"*types.ThrottlingException":    ErrorRateLimit,
	}
	for name, want := range tests {
		if got := CategorizeErrorType(name); got != want {
			t.Errorf("%q: %s, want %s", name, got, want)
		}
	}
}

// TestRastirServerErrorCategory: the Rastir server's own reading, which
// misses the SDK names (collector spec §3.2.4, its verified examples).
func TestRastirServerErrorCategory(t *testing.T) {
	tests := map[string]string{
		"openai.RateLimitError":         ErrorRateLimit,
		"ConnectTimeoutError":           ErrorTimeout,
		"ValidationTimeout":             ErrorTimeout,
		"MyRateLimitException":          ErrorRateLimit,
		"pydantic_core.ValidationError": ErrorValidation,
		"APIConnectionError":            ErrorUnknown,
		"ClientError":                   ErrorUnknown,
		"*openai.Error":                 ErrorUnknown,
		"context.deadlineExceededError": ErrorUnknown,
		"Exception":                     ErrorInternal,
		"":                              ErrorUnknown,
	}
	for name, want := range tests {
		if got := RastirServerErrorCategory(name); got != want {
			t.Errorf("%q: %s, want %s", name, got, want)
		}
	}
}

// TestRastirExceptionType: each named type reads back, on a Rastir server
// and here, as the category it was chosen for.
func TestRastirExceptionType(t *testing.T) {
	for _, category := range []string{ErrorTimeout, ErrorRateLimit, ErrorValidation, ErrorProvider, ErrorInternal} {
		for _, provider := range []string{ProviderOpenAI, ProviderAnthropic, ProviderAWSBedrock, ProviderGCPGemini, ""} {
			name := RastirExceptionType(category, provider)
			if got := RastirServerErrorCategory(name); got != category {
				t.Errorf("%s/%s: %q reads as %s on a Rastir server", category, provider, name, got)
			}
			if got := CategorizeErrorType(name); got != category {
				t.Errorf("%s/%s: %q reads as %s here", category, provider, name, got)
			}
		}
	}
	for _, provider := range []string{ProviderAnthropic, ProviderAWSBedrock} {
		if name := RastirExceptionType(ErrorProvider, provider); name == RastirExceptionType(ErrorProvider, ProviderOpenAI) {
			t.Errorf("%s: provider errors named as openai's", provider)
		}
	}
	for _, c := range []string{ErrorUnknown, "", "rate-limit"} {
		if name := RastirExceptionType(c, ProviderOpenAI); name != "" {
			t.Errorf("%q: %q, want none", c, name)
		}
	}
}

func TestCategorizeHTTPStatus(t *testing.T) {
	tests := map[int]string{
		408: ErrorTimeout, 504: ErrorTimeout, 429: ErrorRateLimit, 400: ErrorValidation,
		422: ErrorValidation, 401: ErrorProvider, 500: ErrorProvider, 503: ErrorProvider,
		200: ErrorUnknown, 0: ErrorUnknown,
	}
	for code, want := range tests {
		if got := CategorizeHTTPStatus(code); got != want {
			t.Errorf("%d: %s, want %s", code, got, want)
		}
	}
}

func TestNormalizeRastirSpanType(t *testing.T) {
	tests := map[string]string{
		"llm": SpanTypeLLM, "tool": SpanTypeTool, "agent": SpanTypeAgent, "retrieval": SpanTypeRetrieval,
		"evaluation": SpanTypeEvaluation, "infra": SpanTypeInfra, "system": SpanTypeSystem,
		"trace": SpanTypeSystem, "metric": SpanTypeSystem, "LLM": SpanTypeSystem, "custom_thing": SpanTypeSystem, "": SpanTypeSystem,
	}
	for raw, want := range tests {
		if got := NormalizeRastirSpanType(raw); got != want {
			t.Errorf("%q: %s, want %s", raw, got, want)
		}
	}
}

func TestBoundGuardrail(t *testing.T) {
	if BoundGuardrailAction("GUARDRAIL_INTERVENED") != GuardrailActionIntervened || BoundGuardrailAction("INJECTED_ACTION_VALUE") != OverflowValue {
		t.Error("action bound")
	}
	if BoundGuardrailCategory("DENIED_TOPIC") != GuardrailCategoryDeniedTopic || BoundGuardrailCategory("TOTALLY_MADE_UP_CATEGORY") != OverflowValue {
		t.Error("category bound")
	}
}
