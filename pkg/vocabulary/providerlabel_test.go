package vocabulary

import "testing"

func TestRastirProviderLabel(t *testing.T) {
	tests := map[string]string{
		ProviderAWSBedrock:    RastirProviderBedrock,
		ProviderAzureAIOpenAI: RastirProviderAzureOpenAI,
		ProviderGCPGemini:     RastirProviderGemini,
		ProviderGCPGenAI:      RastirProviderGemini,
		ProviderGCPVertexAI:   RastirProviderGemini,
		ProviderMistralAI:     RastirProviderMistral,
		// Rastir's words that are the semconv values themselves.
		ProviderOpenAI:    ProviderOpenAI,
		ProviderAnthropic: ProviderAnthropic,
		ProviderCohere:    ProviderCohere,
		ProviderGroq:      ProviderGroq,
		// Unknown values pass through.
		"my-gateway": "my-gateway",
		"":           "",
	}
	for in, want := range tests {
		if got := RastirProviderLabel(in); got != want {
			t.Errorf("RastirProviderLabel(%q) = %q, want %q", in, got, want)
		}
	}
}
