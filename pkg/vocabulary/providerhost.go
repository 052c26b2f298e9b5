package vocabulary

import "strings"

type hostRule struct{ host, provider string }

// exactHosts are the public API hosts of single-provider endpoints.
var exactHosts = [...]hostRule{
	{"api.openai.com", ProviderOpenAI},
	{"api.anthropic.com", ProviderAnthropic},
	{"generativelanguage.googleapis.com", ProviderGCPGemini},
	{"aiplatform.googleapis.com", ProviderGCPVertexAI},
	{"api.mistral.ai", ProviderMistralAI},
	{"codestral.mistral.ai", ProviderMistralAI},
	{"api.cohere.com", ProviderCohere},
	{"api.cohere.ai", ProviderCohere},
	{"api.groq.com", ProviderGroq},
	{"api.deepseek.com", ProviderDeepSeek},
	{"api.x.ai", ProviderXAI},
	{"api.perplexity.ai", ProviderPerplexity},
}

// suffixHosts are per-resource or per-region endpoints.
var suffixHosts = [...]hostRule{
	{".openai.azure.com", ProviderAzureAIOpenAI},
	// An Azure OpenAI resource made in Azure AI Foundry.
	{".cognitiveservices.azure.com", ProviderAzureAIOpenAI},
	{".services.ai.azure.com", ProviderAzureAIInference},
	{".inference.ai.azure.com", ProviderAzureAIInference},
	{"-aiplatform.googleapis.com", ProviderGCPVertexAI},
	{".ml.cloud.ibm.com", ProviderIBMWatsonxAI},
}

// ProviderFromServerAddress infers the gen_ai.provider.name value from the
// endpoint a call went to: the collector reads it from server.address, the
// SDK's adapters from the request's host. host may be a bare host,
// host:port or a URL; a proxy, gateway or self-hosted endpoint gives
// ok=false. It does not allocate; matching is ASCII case-insensitive.
func ProviderFromServerAddress(host string) (canonical string, ok bool) {
	h := hostOf(host)
	if h == "" {
		return "", false
	}
	for _, r := range exactHosts {
		if strings.EqualFold(h, r.host) {
			return r.provider, true
		}
	}
	for _, r := range suffixHosts {
		if hasSuffixFold(h, r.host) {
			return r.provider, true
		}
	}
	if hasPrefixFold(h, "aiplatform.") && hasSuffixFold(h, ".rep.googleapis.com") {
		// Vertex AI's multi-region endpoints (aiplatform.us.rep..., .eu.).
		return ProviderGCPVertexAI, true
	}
	if isBedrockHost(h) {
		return ProviderAWSBedrock, true
	}
	if hasPrefixFold(h, "bedrock-mantle.") && hasSuffixFold(h, ".api.aws") {
		// Bedrock's Messages API endpoint (bedrock-mantle.<region>.api.aws,
		// anthropic-sdk-go's bedrock.NewMantleClient).
		return ProviderAWSBedrock, true
	}
	return "", false
}

// hostOf strips scheme, user info, path, port and a trailing dot.
func hostOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[i+1:]
	}
	s, _, _ = strings.Cut(s, ":")
	return strings.TrimSuffix(s, ".")
}

// isBedrockHost matches the runtime endpoints
// bedrock-runtime[-fips].<region>.amazonaws.com[.cn] and
// bedrock-agent-runtime[-fips].…, including VPC endpoint names
// (vpce-….bedrock-runtime.<region>.vpce.amazonaws.com).
func isBedrockHost(h string) bool {
	if !hasSuffixFold(h, ".amazonaws.com") && !hasSuffixFold(h, ".amazonaws.com.cn") {
		return false
	}
	for h != "" {
		var label string
		label, h, _ = strings.Cut(h, ".")
		switch {
		case strings.EqualFold(label, "bedrock-runtime"), strings.EqualFold(label, "bedrock-runtime-fips"),
			strings.EqualFold(label, "bedrock-agent-runtime"), strings.EqualFold(label, "bedrock-agent-runtime-fips"):
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
