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
