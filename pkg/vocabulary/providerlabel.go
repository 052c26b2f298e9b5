package vocabulary

import "maps"

// Provider labels of the Rastir client (client adapters) that differ from
// the semconv gen_ai.provider.name values; the others (openai, anthropic,
// cohere, groq) are the semconv values themselves.
const (
	RastirProviderAzureOpenAI = "azure_openai"
	RastirProviderBedrock     = "bedrock"
	RastirProviderGemini      = "gemini"
	RastirProviderMistral     = "mistral"
)

// RastirProviderLabel returns the provider word Rastir's client sends (and
// Rastir's dashboards filter on) for a canonical gen_ai.provider.name value,
// so that metrics derived from any dialect line up with Rastir's. Rastir
// labels every Google GenAI SDK call "gemini", whichever Google endpoint
// served it. Values without a Rastir counterpart are returned unchanged.
func RastirProviderLabel(canonical string) string {
	if label, ok := rastirProviderLabels[canonical]; ok {
		return label
	}
	return canonical
}

// rastirProviderLabels maps the canonical values that Rastir spells
// differently to Rastir's word.
var rastirProviderLabels = map[string]string{
	ProviderAzureAIOpenAI: RastirProviderAzureOpenAI,
	ProviderAWSBedrock:    RastirProviderBedrock,
	ProviderGCPGemini:     RastirProviderGemini,
	ProviderGCPGenAI:      RastirProviderGemini,
	ProviderGCPVertexAI:   RastirProviderGemini,
	ProviderMistralAI:     RastirProviderMistral,
}

// RastirProviderLabels returns a copy of the canonical provider values that
// Rastir spells differently, each with Rastir's word: what the cardinality
// processor's provider dimension counts as one provider.
func RastirProviderLabels() map[string]string {
	return maps.Clone(rastirProviderLabels)
}

// rastirClientProviderWords maps the provider words that Rastir client
// adapters send and that are neither a semconv value nor Rastir's word for
// one (collector spec §2.8.1, §2.7.9) to the gen_ai.provider.name value
// llm_enrich writes for them; llm_enrich keeps the word itself in
// rastir.provider.label, which labels the span's rastir_* metrics.
var rastirClientProviderWords = map[string]string{
	"google":          ProviderGCPGenAI,         // ADK
	"azure":           ProviderAzureAIOpenAI,    // LlamaIndex, LangChain
	"google_genai":    ProviderGCPGemini,        // LangChain ls_provider
	"google_vertexai": ProviderGCPVertexAI,      // LangChain ls_provider
	"amazon_bedrock":  ProviderAWSBedrock,       // LangChain ls_provider
	"azure_ai":        ProviderAzureAIInference, // LangChain ls_provider
	"mistralai":       ProviderMistralAI,        // LangChain ls_provider
	"amazon":          ProviderAWSBedrock,       // Bedrock model id vendor (Titan)
}

// RastirClientProviderWords returns a copy of the provider words of Rastir
// client adapters that differ from both the semconv value and Rastir's
// word, each with the gen_ai.provider.name value it stands for.
func RastirClientProviderWords() map[string]string {
	return maps.Clone(rastirClientProviderWords)
}

// ProviderSlotAliases returns the spellings of a provider that count as
// one provider, each with the value whose slot it shares: the semconv
// values Rastir spells differently (gcp.gemini: gemini) and the Rastir
// client's own words (ADK's google: gemini, the word of gcp.gen_ai). A
// Rastir span carries its client's word and the semconv name side by side;
// the cardinality processor's provider dimension counts them once.
func ProviderSlotAliases() map[string]string {
	out := maps.Clone(rastirProviderLabels)
	for word, canonical := range rastirClientProviderWords {
		out[word] = RastirProviderLabel(canonical)
	}
	return out
}

// Values of gen_ai.token.type (GenAI semantic conventions), the attribute
// that splits gen_ai.client.token.usage into input and output tokens.
const (
	GenAITokenTypeInput  = "input"
	GenAITokenTypeOutput = "output"
)

// ErrorTypeOther is semconv's error.type value when no better identifier
// is known.
const ErrorTypeOther = "_OTHER"

// UnknownGuardrailID labels a guardrail violation whose span names no
// guardrail (Rastir's default).
const UnknownGuardrailID = "unknown"
