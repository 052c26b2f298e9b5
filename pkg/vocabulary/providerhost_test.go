package vocabulary

import "testing"

func TestProviderFromServerAddress(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // "" means ok=false
	}{
		{"api.openai.com", ProviderOpenAI},
		{"API.OpenAI.com:443", ProviderOpenAI},
		{"https://api.openai.com/v1/chat/completions", ProviderOpenAI},
		{"https://my-res.openai.azure.com/openai/deployments/x", ProviderAzureAIOpenAI},
		{"my-res.services.ai.azure.com", ProviderAzureAIInference},
		{"models.inference.ai.azure.com", ProviderAzureAIInference},
		{"bedrock-runtime.us-east-1.amazonaws.com:443", ProviderAWSBedrock},
		{"bedrock-runtime-fips.us-gov-west-1.amazonaws.com", ProviderAWSBedrock},
		{"bedrock-agent-runtime.eu-central-1.amazonaws.com", ProviderAWSBedrock},
		{"vpce-0a1b-c2d3.bedrock-runtime.us-east-1.vpce.amazonaws.com", ProviderAWSBedrock},
		{"bedrock-mantle.us-east-1.api.aws", ProviderAWSBedrock},
		{"https://Bedrock-Mantle.eu-west-1.api.aws./v1/messages", ProviderAWSBedrock},
		{"generativelanguage.googleapis.com", ProviderGCPGemini},
		{"us-central1-aiplatform.googleapis.com", ProviderGCPVertexAI},
		{"aiplatform.googleapis.com", ProviderGCPVertexAI},
		{"aiplatform.us.rep.googleapis.com", ProviderGCPVertexAI},
		{"https://aiplatform.eu.rep.googleapis.com/v1/projects/p", ProviderGCPVertexAI},
		{"my-res.cognitiveservices.azure.com", ProviderAzureAIOpenAI},
		{"api.anthropic.com", ProviderAnthropic},
		{"api.mistral.ai", ProviderMistralAI},
		{"api.cohere.com", ProviderCohere},
		{"api.cohere.ai", ProviderCohere},
		{"http://api.groq.com/openai/v1", ProviderGroq},
		{"api.deepseek.com", ProviderDeepSeek},
		{"api.x.ai", ProviderXAI},
		{"api.perplexity.ai.", ProviderPerplexity},
		{"us-south.ml.cloud.ibm.com", ProviderIBMWatsonxAI},
		// Unknown, proxies and look-alikes.
		{"", ""},
		{"localhost:11434", ""},
		{"openai.azure.com.evil.example", ""},
		{"bedrock.us-east-1.amazonaws.com", ""},
		{"s3.amazonaws.com", ""},
		{"bedrock-runtime.example.com", ""},
		{"bedrock-mantle.api.aws.evil.example", ""},
		{"aws-external-anthropic.us-east-1.api.aws", ""},
		{"[::1]:8080", ""},
	} {
		got, ok := ProviderFromServerAddress(tc.in)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("ProviderFromServerAddress(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.want != "")
		}
	}
}

// TestProviderFromServerAddressAllocatesNothing: it runs once per span on
// the collector's hot path and once per call in the SDK's adapters.
func TestProviderFromServerAddressAllocatesNothing(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_, _ = ProviderFromServerAddress("https://my-res.openai.azure.com/openai/deployments/x")
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}
