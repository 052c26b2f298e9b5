// Package inference derives the GenAI provider of a span from whatever the
// instrumentation left on it, and maps it back to Rastir's metric labels.
//
// A normaliser fills [vocabulary.GenAIProviderName] in this order and stops
// at the first step that gives a value:
//
//  1. An explicit provider attribute (gen_ai.provider.name, the deprecated
//     gen_ai.system, OpenInference llm.provider / llm.system, Rastir's
//     provider), passed through [NormalizeProvider]. When it says ok=false
//     the value is kept as it is: the instrumentation named a provider this
//     package does not know, which beats a guess. A framework's name
//     ([IsFramework]: agno, langchain, crewai, ...) is no provider and is
//     skipped (Rastir's own provider word excepted: the Rastir server labels
//     what its client sends).
//  2. The server.address attribute, passed through
//     [vocabulary.ProviderFromServerAddress]: the endpoint says where the call went,
//     which a model name cannot (gpt-4o may be served by OpenAI or Azure).
//  3. The request model, then the response model, passed through
//     [ProviderFromModel]: the weakest signal, a naming convention.
//
// [BedrockModelName] turns a Bedrock model id into the model name Rastir's
// client reports (vocabulary.RastirProviderLabel turns a canonical provider
// into the word Rastir's dashboards expect).
//
// All functions are pure and do not allocate, because they run once or more
// per span on the collector's hot path. Matching is ASCII case-insensitive.
package inference

import (
	"maps"
	"strings"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// providerAliases maps lower-case provider values of every dialect to the
// semconv v1.41 gen_ai.provider.name value; the Rastir client adapters' own
// words (ADK's google, LlamaIndex's azure, LangChain's ls_provider values)
// come from the vocabulary, which the cardinality processor's provider
// slots read too.
var providerAliases = withClientWords(map[string]string{
	// Canonical values pass through.
	vocabulary.ProviderAnthropic:        vocabulary.ProviderAnthropic,
	vocabulary.ProviderAWSBedrock:       vocabulary.ProviderAWSBedrock,
	vocabulary.ProviderAzureAIInference: vocabulary.ProviderAzureAIInference,
	vocabulary.ProviderAzureAIOpenAI:    vocabulary.ProviderAzureAIOpenAI,
	vocabulary.ProviderCohere:           vocabulary.ProviderCohere,
	vocabulary.ProviderDeepSeek:         vocabulary.ProviderDeepSeek,
	vocabulary.ProviderGCPGemini:        vocabulary.ProviderGCPGemini,
	vocabulary.ProviderGCPGenAI:         vocabulary.ProviderGCPGenAI,
	vocabulary.ProviderGCPVertexAI:      vocabulary.ProviderGCPVertexAI,
	vocabulary.ProviderGroq:             vocabulary.ProviderGroq,
	vocabulary.ProviderIBMWatsonxAI:     vocabulary.ProviderIBMWatsonxAI,
	vocabulary.ProviderMistralAI:        vocabulary.ProviderMistralAI,
	vocabulary.ProviderOpenAI:           vocabulary.ProviderOpenAI,
	vocabulary.ProviderPerplexity:       vocabulary.ProviderPerplexity,
	vocabulary.ProviderXAI:              vocabulary.ProviderXAI,
	// Rastir client labels ("gemini" is also the deprecated semconv value).
	vocabulary.RastirProviderAzureOpenAI: vocabulary.ProviderAzureAIOpenAI,
	vocabulary.RastirProviderBedrock:     vocabulary.ProviderAWSBedrock,
	vocabulary.RastirProviderGemini:      vocabulary.ProviderGCPGemini,
	vocabulary.RastirProviderMistral:     vocabulary.ProviderMistralAI,
	// Deprecated gen_ai.system values (semconv before v1.37).
	"vertex_ai":       vocabulary.ProviderGCPVertexAI,
	"az.ai.inference": vocabulary.ProviderAzureAIInference,
	"az.ai.openai":    vocabulary.ProviderAzureAIOpenAI,
	"xai":             vocabulary.ProviderXAI,
	// OpenInference llm.system / llm.provider and OpenLLMetry's old
	// GenAISystem (Anthropic, MistralAI, Watsonx, AWS, Azure, Google; matched
	// lower-cased; mistralai, amazon, azure and google are also Rastir client
	// words, below).
	"vertexai": vocabulary.ProviderGCPVertexAI,
	"aws":      vocabulary.ProviderAWSBedrock,
	"watsonx":  vocabulary.ProviderIBMWatsonxAI,
})

// withClientWords adds the Rastir client adapters' provider words to m.
func withClientWords(m map[string]string) map[string]string {
	maps.Copy(m, vocabulary.RastirClientProviderWords())
	return m
}

// maxAliasLen bounds the stack buffer used to lower-case a value; longer
// values cannot be aliases.
const maxAliasLen = 32

// NormalizeProvider maps a provider value of any dialect (semconv, its
// deprecated gen_ai.system values, OpenInference, OpenLLMetry, Rastir,
// LangChain) to the semconv v1.41 gen_ai.provider.name value, ignoring case
// and surrounding space, so that every dialect's spans group under one
// provider. ok is false for an unknown or empty value.
func NormalizeProvider(v string) (canonical string, ok bool) {
	return lookupFold(providerAliases, strings.TrimSpace(v))
}

// lookupFold looks v up in m, whose keys are lower case, ignoring ASCII
// case and without allocating; a value longer than maxAliasLen is no key.
func lookupFold[V any](m map[string]V, v string) (V, bool) {
	if r, ok := m[v]; ok {
		return r, true
	}
	var zero V
	if len(v) > maxAliasLen {
		return zero, false
	}
	var buf [maxAliasLen]byte
	lowered := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
			lowered = true
		}
		buf[i] = c
	}
	if !lowered {
		return zero, false
	}
	// A map index with a string(bytes) key does not allocate.
	r, ok := m[string(buf[:len(v)])]
	return r, ok
}

// frameworks are the lower-case names agent frameworks and libraries give
// themselves in gen_ai.system or gen_ai.provider.name: OpenLIT's framework
// instrumentations (its GEN_AI_SYSTEM_* values, current and earlier
// releases), OpenLLMetry's Agno, CrewAI, LangChain and LangGraph ones. None
// serves a model, so none is a provider. Model servers and local runtimes
// (ollama, vLLM, gpt4all, huggingface) are providers and are not listed.
var frameworks = map[string]struct{}{
	"ag2": {}, "agent_framework": {}, "agno": {}, "browser_use": {}, "claude_agent_sdk": {},
	"controlflow": {}, "crawl4ai": {}, "crewai": {}, "dynamiq": {}, "embedchain": {}, "firecrawl": {},
	"google_adk": {}, "haystack": {}, "julep": {}, "langchain": {}, "langgraph": {}, "letta": {},
	"litellm": {}, "llama_index": {}, "llamaindex": {}, "mcp": {}, "mem0": {}, "multion": {},
	"openai_agents": {}, "phidata": {}, "pydantic_ai": {}, "smolagents": {}, "strands_agents": {},
}

// IsFramework reports whether a gen_ai.system or gen_ai.provider.name value
// names an agent framework or library rather than a model provider,
// ignoring case and surrounding space.
func IsFramework(v string) bool {
	_, ok := lookupFold(frameworks, strings.TrimSpace(v))
	return ok
}

type prefixRule struct{ prefix, provider string }

// modelPrefixes extends the Rastir client's request-phase table (§2.8.2:
// gpt-, o1-, o3-, chatgpt-, claude-, gemini-, models/gemini, command,
// mistral-, open-mistral, codestral) with current model families. Llama,
// Gemma, Qwen and the like are served by many providers and are left out.
var modelPrefixes = [...]prefixRule{
	{"gpt-", vocabulary.ProviderOpenAI},
	{"chatgpt-", vocabulary.ProviderOpenAI},
	{"text-embedding-3-", vocabulary.ProviderOpenAI},
	{"text-embedding-ada-", vocabulary.ProviderOpenAI},
	{"dall-e", vocabulary.ProviderOpenAI},
	{"whisper-", vocabulary.ProviderOpenAI},
	{"tts-", vocabulary.ProviderOpenAI},
	{"omni-moderation-", vocabulary.ProviderOpenAI},
	{"claude-", vocabulary.ProviderAnthropic},
	{"gemini-", vocabulary.ProviderGCPGemini},
	{"command", vocabulary.ProviderCohere},
	{"embed-", vocabulary.ProviderCohere},
	{"rerank-", vocabulary.ProviderCohere},
	{"mistral-", vocabulary.ProviderMistralAI},
	{"open-mistral", vocabulary.ProviderMistralAI},
	{"open-mixtral", vocabulary.ProviderMistralAI},
	{"open-codestral", vocabulary.ProviderMistralAI},
	{"mixtral-", vocabulary.ProviderMistralAI},
	{"codestral", vocabulary.ProviderMistralAI},
	{"ministral-", vocabulary.ProviderMistralAI},
	{"pixtral-", vocabulary.ProviderMistralAI},
	{"magistral-", vocabulary.ProviderMistralAI},
	{"devstral-", vocabulary.ProviderMistralAI},
	{"grok-", vocabulary.ProviderXAI},
	{"deepseek-", vocabulary.ProviderDeepSeek},
}

// bedrockRegionPrefixes are the geography prefixes of Bedrock cross-region
// inference profile ids ("us.anthropic.claude-…").
var bedrockRegionPrefixes = [...]string{"us.", "us-gov.", "eu.", "apac.", "jp.", "au.", "global."}

// bedrockVendors are the "<vendor>." prefixes of Bedrock model ids. Names
// of this form appear only on Bedrock (elsewhere the vendor is a separate
// field or a "vendor/" path), so such an id means the call went to Bedrock.
var bedrockVendors = [...]string{
	"ai21", "amazon", "anthropic", "cohere", "deepseek", "meta", "mistral",
	"openai", "qwen", "stability", "writer",
}

// ProviderFromModel infers the provider from a model name, for spans that
// name a model but no provider or endpoint. A Bedrock model id or ARN gives
// aws.bedrock whatever its vendor, since it says where the call went. A
// family served by several providers (llama-…) gives ok=false.
func ProviderFromModel(model string) (canonical string, ok bool) {
	model = strings.TrimSpace(model)
	if isBedrockModelID(model) {
		return vocabulary.ProviderAWSBedrock, true
	}
	model = trimPrefixFold(model, "models/") // Gemini API resource names
	if isOpenAIReasoningModel(model) {
		return vocabulary.ProviderOpenAI, true
	}
	for _, r := range modelPrefixes {
		if hasPrefixFold(model, r.prefix) {
			return r.provider, true
		}
	}
	return "", false
}

// isOpenAIReasoningModel matches o1, o3 and o4 alone or followed by '-'
// ("o3-mini", "o1-preview-2024-09-12").
func isOpenAIReasoningModel(m string) bool {
	if len(m) < 2 || (m[0] != 'o' && m[0] != 'O') || (m[1] != '1' && m[1] != '3' && m[1] != '4') {
		return false
	}
	return len(m) == 2 || m[2] == '-'
}

func isBedrockModelID(m string) bool {
	if hasPrefixFold(m, "arn:") {
		return strings.Contains(m, ":bedrock:")
	}
	vendor, _, found := strings.Cut(trimBedrockRegion(m), ".")
	if !found {
		return false
	}
	for _, v := range bedrockVendors {
		if strings.EqualFold(vendor, v) {
			return true
		}
	}
	return false
}

func trimBedrockRegion(id string) string {
	for _, p := range bedrockRegionPrefixes {
		if hasPrefixFold(id, p) {
			return id[len(p):]
		}
	}
	return id
}

// BedrockModelName returns a Bedrock model id as the Rastir client reports
// the model, so that model labels match Rastir's: Rastir's parse_model_id
// drops everything up to the first '.' (the vendor, which it reports as
// the provider) and keeps the rest unchanged, version suffix included
// ("anthropic.claude-3-haiku-20240307-v1:0" → "claude-3-haiku-20240307-v1:0").
// Before that, an ARN is cut to what follows its last '/' and a cross-region
// prefix ("us.", "eu.", "apac.", "global.", …) is removed, which Rastir does
// not do (it would report "anthropic.claude-…"). An id without a '.' is
// returned as it is.
func BedrockModelName(modelID string) string {
	id := strings.TrimSpace(modelID)
	if hasPrefixFold(id, "arn:") {
		id = id[strings.LastIndexByte(id, '/')+1:]
	}
	id = trimBedrockRegion(id)
	if _, name, found := strings.Cut(id, "."); found {
		return name
	}
	return id
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func trimPrefixFold(s, prefix string) string {
	if hasPrefixFold(s, prefix) {
		return s[len(prefix):]
	}
	return s
}
