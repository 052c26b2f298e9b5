package vocabulary

// OpenLLMetry (Traceloop) span attribute keys: the OpenLLMetry dialect,
// which llmenrichprocessor reads and maps to the canonical keys. Spelled as
// in the Python package opentelemetry-semantic-conventions-ai
// (opentelemetry/semconv_ai, SpanAttributes, 0.4.x and 0.5.x) and in go-openllmetry's
// semconv-ai/attributes.go. OpenLLMetry 0.4.x also sends deprecated gen_ai.*
// keys (gen_ai.system, gen_ai.usage.prompt_tokens, ...), which are in
// genai.go.
const (
	// OpenLLMetryRequestType is the kind of LLM call on an LLM span (one of
	// the OpenLLMetryRequestType* values).
	OpenLLMetryRequestType = "llm.request.type"
	// OpenLLMetryVendor is the provider of the model (go-openllmetry, and
	// OpenLLMetry before gen_ai.system): "openai", "OpenAI", "Anthropic", ...
	OpenLLMetryVendor = "llm.vendor"
	// OpenLLMetryRequestModel is the model as requested (go-openllmetry).
	OpenLLMetryRequestModel = "llm.request.model"
	// OpenLLMetryResponseModel is the model that answered (go-openllmetry).
	OpenLLMetryResponseModel = "llm.response.model"
	// OpenLLMetryUsagePrefix starts the token counts of the llm namespace.
	OpenLLMetryUsagePrefix = "llm.usage."
	// OpenLLMetryUsagePromptTokens counts the prompt tokens (go-openllmetry).
	OpenLLMetryUsagePromptTokens = "llm.usage.prompt_tokens"
	// OpenLLMetryUsageCompletionTokens counts the completion tokens
	// (go-openllmetry).
	OpenLLMetryUsageCompletionTokens = "llm.usage.completion_tokens"
	// OpenLLMetryUsageTotalTokens counts prompt plus completion tokens;
	// semconv has no total, so it is not mapped.
	OpenLLMetryUsageTotalTokens = "llm.usage.total_tokens"
	// OpenLLMetryIsStreaming is true when the response was streamed.
	OpenLLMetryIsStreaming = "llm.is_streaming"
	// OpenLLMetryGenAIIsStreaming is the same flag as OpenLLMetry 0.5 and
	// later spell it (GEN_AI_IS_STREAMING).
	OpenLLMetryGenAIIsStreaming = "gen_ai.is_streaming"
	// OpenLLMetryUsageReasoningTokens counts the output tokens spent on
	// reasoning, OpenLLMetry 0.5 and later (GEN_AI_USAGE_REASONING_TOKENS;
	// OpenLIT writes the same key).
	OpenLLMetryUsageReasoningTokens = "gen_ai.usage.reasoning_tokens"
	// OpenLLMetryLLMUsageReasoningTokens is the same count as OpenLLMetry
	// 0.4 spelled it (LLM_USAGE_REASONING_TOKENS).
	OpenLLMetryLLMUsageReasoningTokens = "llm.usage.reasoning_tokens"
	// OpenLLMetryResponseFinishReason is why the model stopped, one string
	// for the call.
	OpenLLMetryResponseFinishReason = "llm.response.finish_reason"
	// OpenLLMetryResponseStopReason is the same under Anthropic's name.
	OpenLLMetryResponseStopReason = "llm.response.stop_reason"
	// OpenLLMetryAgentName names the agent a call ran for (go-openllmetry).
	OpenLLMetryAgentName = "llm.agent.name"

	// TraceloopSpanKind is the kind of a span the Traceloop SDK's
	// decorators or workflow API created (one of the TraceloopSpanKind*
	// values). LLM call spans do not have it; they have
	// OpenLLMetryRequestType.
	TraceloopSpanKind = "traceloop.span.kind"
	// TraceloopWorkflowName names the workflow a span belongs to; the SDK
	// copies it onto every span of the workflow, LLM calls included. It has
	// no canonical counterpart.
	TraceloopWorkflowName = "traceloop.workflow.name"
	// TraceloopEntityName names the workflow, task, agent or tool a
	// decorated span runs.
	TraceloopEntityName = "traceloop.entity.name"
	// TraceloopEntityPath is the dotted path of the entity within its
	// workflow.
	TraceloopEntityPath = "traceloop.entity.path"
)

// OpenLLMetry keys and key prefixes that carry content (prompts,
// completions, the inputs and outputs of decorated functions): they may
// hold personal data and dominate span size. Messages are flattened into
// indexed keys ("gen_ai.prompt.0.role", "gen_ai.prompt.0.content",
// "llm.completions.0.content", ...), so they are matched by prefix.
const (
	// TraceloopEntityInput is the JSON-encoded input of a decorated
	// workflow, task, agent or tool.
	TraceloopEntityInput = "traceloop.entity.input"
	// TraceloopEntityOutput is the JSON-encoded output of a decorated
	// workflow, task, agent or tool.
	TraceloopEntityOutput = "traceloop.entity.output"
	// OpenLLMetryIndexedPromptPrefix starts the flattened prompt messages of
	// Python OpenLLMetry (gen_ai.prompt.<i>.role / .content).
	OpenLLMetryIndexedPromptPrefix = "gen_ai.prompt."
	// OpenLLMetryIndexedCompletionPrefix starts the flattened completion
	// choices of Python OpenLLMetry (gen_ai.completion.<i>.role / .content /
	// .finish_reason / .tool_calls.<j>.*).
	OpenLLMetryIndexedCompletionPrefix = "gen_ai.completion."
	// OpenLLMetryIndexedFinishReasonSuffix ends the finish reason of one
	// flattened completion choice (gen_ai.completion.<i>.finish_reason).
	OpenLLMetryIndexedFinishReasonSuffix = ".finish_reason"
	// OpenLLMetryPromptsPrefix starts go-openllmetry's flattened prompt
	// messages (llm.prompts.<i>.content / .role). The same string as
	// OpenInferencePromptsPrefix.
	OpenLLMetryPromptsPrefix = "llm.prompts."
	// OpenLLMetryCompletionsPrefix starts go-openllmetry's flattened
	// completion messages (llm.completions.<i>.content / .role).
	OpenLLMetryCompletionsPrefix = "llm.completions."
)

// llm.request.type values (LLMRequestTypeValues).
const (
	OpenLLMetryRequestTypeCompletion = "completion"
	OpenLLMetryRequestTypeChat       = "chat"
	OpenLLMetryRequestTypeRerank     = "rerank"
	OpenLLMetryRequestTypeEmbedding  = "embedding"
	OpenLLMetryRequestTypeUnknown    = "unknown"
)

// traceloop.span.kind values (TraceloopSpanKindValues).
const (
	TraceloopSpanKindWorkflow = "workflow"
	TraceloopSpanKindTask     = "task"
	TraceloopSpanKindAgent    = "agent"
	TraceloopSpanKindTool     = "tool"
	TraceloopSpanKindUnknown  = "unknown"
)
