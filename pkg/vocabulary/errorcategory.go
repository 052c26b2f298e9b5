package vocabulary

import "strings"

// RastirErrorCategoryKey holds the error category of an ERROR span: exactly
// one of the six ErrorCategory values. semconv's error.type is open-ended;
// this bounded key is what dashboards group by.
const RastirErrorCategoryKey = "rastir.error.category"

// The six error categories of Rastir.
const (
	ErrorTimeout    = "timeout"
	ErrorRateLimit  = "rate_limit"
	ErrorValidation = "validation_error"
	ErrorProvider   = "provider_error"
	ErrorInternal   = "internal_error"
	ErrorUnknown    = "unknown"
)

// rastirExactErrorTypes is Rastir's exact, case-sensitive table (collector
// spec §3.2.4), kept first so that every type Rastir categorised keeps its
// category.
var rastirExactErrorTypes = map[string]string{
	"TimeoutError":                    ErrorTimeout,
	"asyncio.TimeoutError":            ErrorTimeout,
	"httpx.TimeoutException":          ErrorTimeout,
	"httpx.ReadTimeout":               ErrorTimeout,
	"httpx.ConnectTimeout":            ErrorTimeout,
	"requests.exceptions.Timeout":     ErrorTimeout,
	"openai.APITimeoutError":          ErrorTimeout,
	"RateLimitError":                  ErrorRateLimit,
	"openai.RateLimitError":           ErrorRateLimit,
	"anthropic.RateLimitError":        ErrorRateLimit,
	"ValueError":                      ErrorValidation,
	"TypeError":                       ErrorValidation,
	"ValidationError":                 ErrorValidation,
	"pydantic.ValidationError":        ErrorValidation,
	"openai.APIError":                 ErrorProvider,
	"openai.APIConnectionError":       ErrorProvider,
	"openai.APIStatusError":           ErrorProvider,
	"anthropic.APIError":              ErrorProvider,
	"anthropic.APIConnectionError":    ErrorProvider,
	"anthropic.APIStatusError":        ErrorProvider,
	"botocore.exceptions.ClientError": ErrorProvider,
	"RuntimeError":                    ErrorInternal,
	"Exception":                       ErrorInternal,
}

// sdkErrorNames fixes Rastir's gap: real SDKs report unqualified class names
// (the Python client records __qualname__), which Rastir's module-qualified
// keys never match. Matched on the name after the last '.', so that
// "openai.InternalServerError" and "InternalServerError" agree.
var sdkErrorNames = map[string]string{
	// openai / anthropic Python SDKs (shared hierarchy).
	"APIError":                   ErrorProvider,
	"APIStatusError":             ErrorProvider,
	"APIConnectionError":         ErrorProvider,
	"APIResponseValidationError": ErrorProvider,
	"InternalServerError":        ErrorProvider,
	"ServiceUnavailableError":    ErrorProvider,
	"OverloadedError":            ErrorProvider,
	"AuthenticationError":        ErrorProvider,
	"PermissionDeniedError":      ErrorProvider,
	"NotFoundError":              ErrorProvider,
	"ConflictError":              ErrorProvider,
	"BadRequestError":            ErrorValidation,
	"UnprocessableEntityError":   ErrorValidation,
	"APITimeoutError":            ErrorTimeout,
	// botocore / Bedrock.
	"ClientError":                   ErrorProvider,
	"ThrottlingException":           ErrorRateLimit,
	"ServiceQuotaExceededException": ErrorRateLimit,
	"TooManyRequestsException":      ErrorRateLimit,
	"ServiceUnavailableException":   ErrorProvider,
	"InternalServerException":       ErrorProvider,
	"ModelErrorException":           ErrorProvider,
	"ModelNotReadyException":        ErrorProvider,
	"AccessDeniedException":         ErrorProvider,
	"ResourceNotFoundException":     ErrorProvider,
	// google-genai / google-api-core.
	"ServerError":       ErrorProvider,
	"ResourceExhausted": ErrorRateLimit,
	"DeadlineExceeded":  ErrorTimeout,
	// Go: context errors and the Go SDKs' API error types (by %T).
	"deadlineExceededError": ErrorTimeout,
	"Error":                 ErrorProvider, // *apierror.Error (openai-go, anthropic-sdk-go: their Error types are aliases of it); refined by HTTP status
	"OperationError":        ErrorProvider, // smithy (AWS SDK for Go v2)
	// smithy: a required parameter missing, refused before any request.
	"InvalidParamsError": ErrorValidation,
}

// CategorizeErrorType maps an exception or error type name (Python
// "openai.RateLimitError", "RateLimitError"; Go "*apierror.Error",
// "context.deadlineExceededError") to one of the six categories:
//  1. Rastir's exact table;
//  2. the unqualified name in the table of real SDK error types;
//  3. Rastir's substring rules (timeout, rate limit, validation), plus
//     throttling and deadlines;
//  4. otherwise unknown. An empty name is unknown.
func CategorizeErrorType(name string) string {
	if name == "" {
		return ErrorUnknown
	}
	if c, ok := rastirExactErrorTypes[name]; ok {
		return c
	}
	short := strings.TrimLeft(name[strings.LastIndexByte(name, '.')+1:], "*")
	if c, ok := sdkErrorNames[short]; ok {
		return c
	}
	return substringCategory(strings.ToLower(name), true)
}

// RastirServerErrorCategory is the category the Rastir server itself gives
// an exception type (collector spec §3.2.4): its exact table, then its
// substring rules, else unknown. It lacks the SDK names CategorizeErrorType
// adds, so what a client sends for a Rastir server is checked against it.
func RastirServerErrorCategory(name string) string {
	if c, ok := rastirExactErrorTypes[name]; ok {
		return c
	}
	return substringCategory(strings.ToLower(name), false)
}

// substringCategory is Rastir's substring rules on a lower-cased type name
// (timeout, then rate limit, then validation) and, with goNames, the words
// of Go and the AWS SDK in the same places: deadline and throttling.
func substringCategory(lower string, goNames bool) string {
	switch {
	case strings.Contains(lower, "timeout"), goNames && strings.Contains(lower, "deadline"):
		return ErrorTimeout
	case strings.Contains(lower, "ratelimit"), strings.Contains(lower, "rate_limit"),
		goNames && strings.Contains(lower, "throttl"):
		return ErrorRateLimit
	case strings.Contains(lower, "validation"):
		return ErrorValidation
	}
	return ErrorUnknown
}

// RastirExceptionType names, for a Rastir server, an exception type of
// category: one of its exact table that it maps to category, for
// provider_error the one of the provider (a gen_ai.provider.name value;
// openai's for the others, which Rastir's table does not name). It is ""
// for unknown and for anything that is not a category.
func RastirExceptionType(category, provider string) string {
	switch category {
	case ErrorTimeout:
		return "TimeoutError"
	case ErrorRateLimit:
		return "RateLimitError"
	case ErrorValidation:
		return "ValidationError"
	case ErrorInternal:
		return "RuntimeError"
	case ErrorProvider:
		switch provider {
		case ProviderAnthropic:
			return "anthropic.APIError"
		case ProviderAWSBedrock:
			return "botocore.exceptions.ClientError"
		}
		return "openai.APIError"
	}
	return ""
}

// CategorizeHTTPStatus maps an HTTP status code of a failed provider call:
// 408 and 504 timeout, 429 rate_limit, 400 and 422 validation_error, any
// other 4xx or 5xx provider_error; anything else is unknown.
func CategorizeHTTPStatus(code int) string {
	switch {
	case code == 408 || code == 504:
		return ErrorTimeout
	case code == 429:
		return ErrorRateLimit
	case code == 400 || code == 422:
		return ErrorValidation
	case code >= 400 && code <= 599:
		return ErrorProvider
	}
	return ErrorUnknown
}
