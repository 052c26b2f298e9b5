package vocabulary

// OpenInference (Arize) span attribute keys: the OpenInference dialect,
// which llmenrichprocessor reads and maps to the canonical keys. Spelled as
// in Arize-ai/openinference spec/semantic_conventions.md and the Python
// package openinference-semantic-conventions (SpanAttributes,
// ToolCallAttributes).
const (
	// OpenInferenceSpanKind is the OpenInference span kind, required on
	// every OpenInference span (one of the OpenInferenceKind* values); its
	// presence is what marks a span as OpenInference.
	OpenInferenceSpanKind = "openinference.span.kind"

	// OpenInferenceLLMModelName is the model of an LLM span; the spec says
	// it should be the response model when that is known.
	OpenInferenceLLMModelName = "llm.model_name"
	// OpenInferenceLLMRequestModelName is the model as sent in the request.
	OpenInferenceLLMRequestModelName = "llm.request.model_name"
	// OpenInferenceLLMResponseModelName is the model that generated the
	// response, as the provider reported it.
	OpenInferenceLLMResponseModelName = "llm.response.model_name"
	// OpenInferenceEmbeddingModelName is the model of an EMBEDDING span.
	OpenInferenceEmbeddingModelName = "embedding.model_name"
	// OpenInferenceRerankerModelName is the model of a RERANKER span.
	OpenInferenceRerankerModelName = "reranker.model_name"
	// OpenInferenceLLMProvider is the hosting provider of the model
	// ("openai", "azure", "google", "aws", "groq", "fireworks", ...).
	OpenInferenceLLMProvider = "llm.provider"
	// OpenInferenceLLMSystem is the AI product as identified by the client
	// ("openai", "anthropic", "vertexai", "mistralai", "amazon", ...).
	OpenInferenceLLMSystem = "llm.system"

	// OpenInferenceTokenCountPrompt counts the prompt tokens, cache reads
	// and writes included (the same rule as gen_ai.usage.input_tokens).
	OpenInferenceTokenCountPrompt = "llm.token_count.prompt"
	// OpenInferenceTokenCountCompletion counts the completion tokens,
	// reasoning included.
	OpenInferenceTokenCountCompletion = "llm.token_count.completion"
	// OpenInferenceTokenCountTotal counts prompt plus completion tokens.
	OpenInferenceTokenCountTotal = "llm.token_count.total"
	// OpenInferenceTokenCountCacheRead counts the prompt tokens read from
	// the provider's cache.
	OpenInferenceTokenCountCacheRead = "llm.token_count.prompt_details.cache_read"
	// OpenInferenceTokenCountCacheWrite counts the prompt tokens written to
	// the provider's cache.
	OpenInferenceTokenCountCacheWrite = "llm.token_count.prompt_details.cache_write"
	// OpenInferenceTokenCountReasoning counts the completion tokens spent
	// on reasoning.
	OpenInferenceTokenCountReasoning = "llm.token_count.completion_details.reasoning"

	// OpenInferenceCostTotal is the cost of the call in US dollars (prompt
	// plus completion), computed by the instrumentation or its backend.
	OpenInferenceCostTotal = "llm.cost.total"
	// OpenInferenceCostPrompt is the cost of the prompt tokens in US dollars.
	OpenInferenceCostPrompt = "llm.cost.prompt"
	// OpenInferenceCostCompletion is the cost of the completion tokens in
	// US dollars.
	OpenInferenceCostCompletion = "llm.cost.completion"

	// OpenInferenceToolName names the tool a TOOL span runs.
	OpenInferenceToolName = "tool.name"
	// OpenInferenceToolID is the id of the tool call whose result a TOOL
	// span produces (it corresponds to tool_call.id).
	OpenInferenceToolID = "tool.id"
	// OpenInferenceToolCallID is the id of a tool call.
	OpenInferenceToolCallID = "tool_call.id"
	// OpenInferenceAgentName names the agent; agents that do the same
	// work share a name.
	OpenInferenceAgentName = "agent.name"
	// OpenInferenceSessionID is the id of the session (conversation).
	OpenInferenceSessionID = "session.id"
)

// OpenInference keys and key prefixes that carry content (prompts,
// completions, documents, embedded text): they may hold personal data and
// dominate span size. Messages, prompts, choices, documents and embeddings
// are flattened into indexed keys ("llm.input_messages.0.message.role",
// "llm.input_messages.0.message.content", ...), so they are matched by
// prefix.
const (
	// OpenInferenceInputValue is the input of a span (text or JSON).
	OpenInferenceInputValue = "input.value"
	// OpenInferenceOutputValue is the output of a span (text or JSON).
	OpenInferenceOutputValue = "output.value"
	// OpenInferenceRerankerQuery is the query a reranker scores against.
	OpenInferenceRerankerQuery = "reranker.query"
	// OpenInferencePromptTemplateVariables are the values filled into a
	// prompt template (JSON).
	OpenInferencePromptTemplateVariables = "llm.prompt_template.variables"

	// OpenInferenceInputMessagesPrefix starts the flattened chat input
	// messages (llm.input_messages.<i>.message.*).
	OpenInferenceInputMessagesPrefix = "llm.input_messages."
	// OpenInferenceOutputMessagesPrefix starts the flattened chat output
	// messages (llm.output_messages.<i>.message.*).
	OpenInferenceOutputMessagesPrefix = "llm.output_messages."
	// OpenInferencePromptsPrefix starts the flattened completions-API
	// prompts (llm.prompts.<i>.prompt.text).
	OpenInferencePromptsPrefix = "llm.prompts."
	// OpenInferenceChoicesPrefix starts the flattened completions-API
	// choices (llm.choices.<i>.completion.text).
	OpenInferenceChoicesPrefix = "llm.choices."
	// OpenInferenceEmbeddingsPrefix starts the flattened embedded texts and
	// vectors (embedding.embeddings.<i>.embedding.text / .vector).
	OpenInferenceEmbeddingsPrefix = "embedding.embeddings."
	// OpenInferenceRetrievalDocumentsPrefix starts the flattened retrieved
	// documents (retrieval.documents.<i>.document.content, ...).
	OpenInferenceRetrievalDocumentsPrefix = "retrieval.documents."
	// OpenInferenceRerankerInputDocumentsPrefix starts the flattened
	// documents a reranker receives.
	OpenInferenceRerankerInputDocumentsPrefix = "reranker.input_documents."
	// OpenInferenceRerankerOutputDocumentsPrefix starts the flattened
	// documents a reranker returns.
	OpenInferenceRerankerOutputDocumentsPrefix = "reranker.output_documents."
)

// openinference.span.kind values (OpenInferenceSpanKindValues). Readers
// should compare them ignoring case.
const (
	OpenInferenceKindLLM       = "LLM"
	OpenInferenceKindEmbedding = "EMBEDDING"
	OpenInferenceKindChain     = "CHAIN"
	OpenInferenceKindRetriever = "RETRIEVER"
	OpenInferenceKindReranker  = "RERANKER"
	OpenInferenceKindTool      = "TOOL"
	OpenInferenceKindAgent     = "AGENT"
	OpenInferenceKindGuardrail = "GUARDRAIL"
	OpenInferenceKindEvaluator = "EVALUATOR"
	OpenInferenceKindPrompt    = "PROMPT"
	OpenInferenceKindUnknown   = "UNKNOWN"
)

// PricingProfileOpenInference is the rastir.pricing.profile of a cost taken
// from an OpenInference span's own llm.cost.* attributes.
const PricingProfileOpenInference = "openinference"
