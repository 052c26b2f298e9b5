package vocabulary

import "strings"

// OpenTelemetry GenAI semantic conventions (v1.41.0) span attribute keys:
// the canonical vocabulary every component writes and reads.
const (
	GenAIOperationName = "gen_ai.operation.name"
	GenAIProviderName  = "gen_ai.provider.name"
	GenAIRequestModel  = "gen_ai.request.model"
	GenAIResponseModel = "gen_ai.response.model"
	GenAIRequestStream = "gen_ai.request.stream"
	// The request's sampling parameters (int for max_tokens, seed and
	// choice.count, double for the others, string[] for stop_sequences).
	GenAIRequestMaxTokens        = "gen_ai.request.max_tokens"
	GenAIRequestTemperature      = "gen_ai.request.temperature"
	GenAIRequestTopP             = "gen_ai.request.top_p"
	GenAIRequestTopK             = "gen_ai.request.top_k"
	GenAIRequestFrequencyPenalty = "gen_ai.request.frequency_penalty"
	GenAIRequestPresencePenalty  = "gen_ai.request.presence_penalty"
	GenAIRequestSeed             = "gen_ai.request.seed"
	GenAIRequestChoiceCount      = "gen_ai.request.choice.count"
	GenAIRequestStopSequences    = "gen_ai.request.stop_sequences"
	// GenAIOutputType is the output type the request asked for
	// (OutputType*).
	GenAIOutputType               = "gen_ai.output.type"
	GenAIResponseFinishReasons    = "gen_ai.response.finish_reasons"
	GenAIResponseID               = "gen_ai.response.id"
	GenAIUsageInputTokens         = "gen_ai.usage.input_tokens"
	GenAIUsageOutputTokens        = "gen_ai.usage.output_tokens"
	GenAIUsageCacheReadTokens     = "gen_ai.usage.cache_read.input_tokens"
	GenAIUsageCacheCreationTokens = "gen_ai.usage.cache_creation.input_tokens"
	GenAIUsageReasoningTokens     = "gen_ai.usage.reasoning.output_tokens"
	GenAIAgentName                = "gen_ai.agent.name"
	GenAIAgentID                  = "gen_ai.agent.id"
	GenAIToolName                 = "gen_ai.tool.name"
	GenAIToolCallID               = "gen_ai.tool.call.id"
	GenAIConversationID           = "gen_ai.conversation.id"
	GenAIDataSourceID             = "gen_ai.data_source.id"
	// GenAIResponseTimeToFirstChunk is the time to the first streamed
	// chunk, in seconds.
	GenAIResponseTimeToFirstChunk = "gen_ai.response.time_to_first_chunk"
	GenAIInputMessages            = "gen_ai.input.messages"
	GenAIOutputMessages           = "gen_ai.output.messages"
	GenAISystemInstructions       = "gen_ai.system_instructions"
	GenAITokenType                = "gen_ai.token.type"

	// Opt-in content of tool and retrieval spans: what a tool was called
	// with and returned, what was searched for and what was found.
	GenAIToolCallArguments  = "gen_ai.tool.call.arguments"
	GenAIToolCallResult     = "gen_ai.tool.call.result"
	GenAIRetrievalQueryText = "gen_ai.retrieval.query.text"
	GenAIRetrievalDocuments = "gen_ai.retrieval.documents"

	// ErrorType is the general semconv error key (low-cardinality error
	// identifier, e.g. an exception class name).
	ErrorType     = "error.type"
	ServerAddress = "server.address"
	ServerPort    = "server.port"
)

// gen_ai.output.type values.
const (
	OutputTypeText   = "text"
	OutputTypeJSON   = "json"
	OutputTypeImage  = "image"
	OutputTypeSpeech = "speech"
)

// OutputTypeOfMIME is the gen_ai.output.type of the response MIME type a
// request asks for (Gemini's responseMimeType, which langchaingo passes
// on): json for application/json, text for text/plain and text/x.enum
// (Gemini's enum answers), "" for any other or none. Parameters and case
// do not matter.
func OutputTypeOfMIME(mime string) string {
	if i := strings.IndexByte(mime, ';'); i >= 0 {
		mime = mime[:i]
	}
	mime = strings.TrimSpace(mime)
	switch {
	case strings.EqualFold(mime, "application/json"):
		return OutputTypeJSON
	case strings.EqualFold(mime, "text/plain"), strings.EqualFold(mime, "text/x.enum"):
		return OutputTypeText
	}
	return ""
}

// Deprecated GenAI keys that instrumentations on older semconv releases
// still send; normalisers read them and write the keys above.
const (
	GenAISystemDeprecated                = "gen_ai.system"
	GenAIUsagePromptTokensDeprecated     = "gen_ai.usage.prompt_tokens"
	GenAIUsageCompletionTokensDeprecated = "gen_ai.usage.completion_tokens"
	GenAIPromptDeprecated                = "gen_ai.prompt"
	GenAICompletionDeprecated            = "gen_ai.completion"
	// OpenLLMetry 0.4.x spellings of the cache token counts.
	GenAIUsageCacheReadTokensDeprecated     = "gen_ai.usage.cache_read_input_tokens"
	GenAIUsageCacheCreationTokensDeprecated = "gen_ai.usage.cache_creation_input_tokens"
)

// GenAIKeyPrefix starts every GenAI semantic-convention key.
const GenAIKeyPrefix = "gen_ai."

// Well-known gen_ai.operation.name values.
const (
	OperationChat            = "chat"
	OperationCreateAgent     = "create_agent"
	OperationEmbeddings      = "embeddings"
	OperationExecuteTool     = "execute_tool"
	OperationGenerateContent = "generate_content"
	OperationInvokeAgent     = "invoke_agent"
	OperationInvokeWorkflow  = "invoke_workflow"
	OperationRetrieval       = "retrieval"
	OperationTextCompletion  = "text_completion"
)

// Well-known gen_ai.provider.name values.
const (
	ProviderAnthropic        = "anthropic"
	ProviderAWSBedrock       = "aws.bedrock"
	ProviderAzureAIInference = "azure.ai.inference"
	ProviderAzureAIOpenAI    = "azure.ai.openai"
	ProviderCohere           = "cohere"
	ProviderDeepSeek         = "deepseek"
	ProviderGCPGemini        = "gcp.gemini"
	ProviderGCPGenAI         = "gcp.gen_ai"
	ProviderGCPVertexAI      = "gcp.vertex_ai"
	ProviderGroq             = "groq"
	ProviderIBMWatsonxAI     = "ibm.watsonx.ai"
	ProviderMistralAI        = "mistral_ai"
	ProviderOpenAI           = "openai"
	ProviderPerplexity       = "perplexity"
	ProviderXAI              = "x_ai"
)
