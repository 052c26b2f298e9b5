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

func TestProviderSlotAliases(t *testing.T) {
	aliases := ProviderSlotAliases()
	want := map[string]string{
		ProviderGCPGemini:   RastirProviderGemini,
		ProviderGCPGenAI:    RastirProviderGemini,
		"google":            RastirProviderGemini,
		"google_genai":      RastirProviderGemini,
		"google_vertexai":   RastirProviderGemini,
		"azure":             RastirProviderAzureOpenAI,
		"azure_ai":          ProviderAzureAIInference,
		"amazon":            RastirProviderBedrock,
		"amazon_bedrock":    RastirProviderBedrock,
		"mistralai":         RastirProviderMistral,
		ProviderAWSBedrock:  RastirProviderBedrock,
		ProviderMistralAI:   RastirProviderMistral,
		ProviderGCPVertexAI: RastirProviderGemini,
	}
	for from, to := range want {
		if aliases[from] != to {
			t.Errorf("ProviderSlotAliases()[%q] = %q, want %q", from, aliases[from], to)
		}
	}
	// One step each: a target is never itself an alias, nor the alias itself.
	for from, to := range aliases {
		if _, ok := aliases[to]; ok || from == to {
			t.Errorf("alias %q: %q does not resolve in one step", from, to)
		}
	}
}
