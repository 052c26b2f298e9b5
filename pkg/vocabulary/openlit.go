package vocabulary

// OpenLIT span attribute keys that are not (or no longer) GenAI semantic
// conventions: the OpenLIT dialect, which llmenrichprocessor reads and maps
// to the canonical keys. Spelled as in openlit/openlit
// sdk/python/src/openlit/semcov/__init__.py (SemanticConvention, current
// and earlier releases) and sdk/go/semconv/genai.go. OpenLIT otherwise
// writes semconv keys, and the deprecated gen_ai.system (see genai.go).
const (
	// OpenLITUsageCost is the cost of the call in US dollars as OpenLIT
	// priced it (its own pricing table, or a custom one). OpenLIT writes 0
	// when it has no price for the model.
	OpenLITUsageCost = "gen_ai.usage.cost"
	// OpenLITRequestIsStream is true when the response was streamed
	// (OpenLIT before it adopted gen_ai.request.stream, and the Go SDK).
	OpenLITRequestIsStream = "gen_ai.request.is_stream"
	// OpenLITServerTimeToFirstToken is the time to the first streamed
	// chunk in seconds, recorded on the span under the name of the semconv
	// metric; 0 for calls that were not streamed.
	OpenLITServerTimeToFirstToken = "gen_ai.server.time_to_first_token"
	// OpenLITServerTimePerOutputToken is the mean time between streamed
	// chunks in seconds, on the span; no canonical counterpart.
	OpenLITServerTimePerOutputToken = "gen_ai.server.time_per_output_token"
	// OpenLITClientTokenUsage is input plus output tokens, recorded on the
	// span under the name of the semconv metric (Python SDK); no canonical
	// counterpart.
	OpenLITClientTokenUsage = "gen_ai.client.token.usage"
	// OpenLITUsageTotalTokens is input plus output tokens (Go SDK, earlier
	// Python SDK releases; OpenLLMetry writes the same key); no canonical
	// counterpart.
	OpenLITUsageTotalTokens = "gen_ai.usage.total_tokens"
	// OpenLITUsageReasoningTokens counts the output tokens spent on
	// reasoning (Python, TypeScript and Go SDKs; OpenLLMetry writes the
	// same key, OpenLLMetryUsageReasoningTokens).
	OpenLITUsageReasoningTokens = "gen_ai.usage.reasoning_tokens"
	// OpenLITUsageReasoningTokensDetail is the Go SDK's OpenAI-shaped
	// spelling of the reasoning token count.
	OpenLITUsageReasoningTokensDetail = "gen_ai.usage.completion_tokens_details.reasoning"
	// OpenLITUsageReasoningTokensDetailPython is the Python SDK's
	// OpenAI-shaped spelling of it (Google ADK instrumentation, the
	// LangChain callback handler of 2025 releases).
	OpenLITUsageReasoningTokensDetailPython = "gen_ai.usage.completion_tokens_details.reasoning_tokens"
	// OpenLITUsageCacheReadTokensDetail counts the input tokens read from
	// the provider's prompt cache (Go SDK).
	OpenLITUsageCacheReadTokensDetail = "gen_ai.usage.prompt_tokens_details.cache_read"
	// OpenLITUsageCacheWriteTokensDetail counts the input tokens written to
	// the provider's prompt cache (Go SDK).
	OpenLITUsageCacheWriteTokensDetail = "gen_ai.usage.prompt_tokens_details.cache_write"
	// OpenLITUsageCacheReadTokensDetailPython and
	// OpenLITUsageCacheWriteTokensDetailPython are the Python SDK's
	// spellings of the two (the LangChain callback handler of 2025
	// releases).
	OpenLITUsageCacheReadTokensDetailPython  = "gen_ai.usage.prompt_tokens_details.cached_tokens"
	OpenLITUsageCacheWriteTokensDetailPython = "gen_ai.usage.prompt_tokens_details.cache_creation_tokens"
	// OpenLITSDKVersion is the OpenLIT SDK version, on every span of the
	// Python SDK.
	OpenLITSDKVersion = "gen_ai.sdk.version"
	// OpenLITGoSDKVersion is the OpenLIT SDK version as the Go SDK's vLLM
	// instrumentation writes it.
	OpenLITGoSDKVersion = "openlit.sdk.version"
	// OpenLITEnvironment and OpenLITApplicationName are the deployment
	// environment and application name, on the spans of earlier Python
	// SDK releases.
	OpenLITEnvironment     = "gen_ai.environment"
	OpenLITApplicationName = "gen_ai.application_name"
	// OpenLITEndpoint is the API endpoint an earlier Python SDK release
	// called ("openai.chat.completions").
	OpenLITEndpoint = "gen_ai.endpoint"
	// OpenLITTelemetrySDKName is the semconv resource key telemetry.sdk.name,
	// which the OpenLIT Python SDK also writes on every span it creates,
	// with the value OpenLITSDKName.
	OpenLITTelemetrySDKName = "telemetry.sdk.name"
	// OpenLITSDKName is OpenLIT's telemetry.sdk.name.
	OpenLITSDKName = "openlit"
)

// gen_ai.operation.name values that OpenLIT writes and the GenAI semantic
// conventions do not define (earlier releases, the Go SDK, vector database
// and framework instrumentations).
const (
	OpenLITOperationCompletion  = "completion"
	OpenLITOperationEmbedding   = "embedding"
	OpenLITOperationImage       = "image"
	OpenLITOperationAudio       = "audio"
	OpenLITOperationVectorDB    = "vectordb"
	OpenLITOperationFramework   = "framework"
	OpenLITOperationAgent       = "agent"
	OpenLITOperationExecuteTask = "execute_task"
)

// PricingProfileOpenLIT is the rastir.pricing.profile of a cost taken from
// an OpenLIT span's own gen_ai.usage.cost.
const PricingProfileOpenLIT = "openlit"
