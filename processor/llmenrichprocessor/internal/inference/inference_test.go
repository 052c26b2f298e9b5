package inference

import (
	"testing"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

type inferCase struct {
	in   string
	want string // "" means ok=false
}

func checkInfer(t *testing.T, name string, f func(string) (string, bool), tests []inferCase) {
	t.Helper()
	for _, tc := range tests {
		got, ok := f(tc.in)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s(%q) = %q, %v; want %q, %v", name, tc.in, got, ok, tc.want, tc.want != "")
		}
	}
}

func TestNormalizeProvider(t *testing.T) {
	checkInfer(t, "NormalizeProvider", NormalizeProvider, []inferCase{
		// Canonical values pass through.
		{"openai", vocabulary.ProviderOpenAI},
		{"aws.bedrock", vocabulary.ProviderAWSBedrock},
		{"gcp.vertex_ai", vocabulary.ProviderGCPVertexAI},
		{"ibm.watsonx.ai", vocabulary.ProviderIBMWatsonxAI},
		{"x_ai", vocabulary.ProviderXAI},
		// Rastir client.
		{"azure_openai", vocabulary.ProviderAzureAIOpenAI},
		{"bedrock", vocabulary.ProviderAWSBedrock},
		{"gemini", vocabulary.ProviderGCPGemini},
		{"mistral", vocabulary.ProviderMistralAI},
		{"groq", vocabulary.ProviderGroq},
		{"cohere", vocabulary.ProviderCohere},
		// Deprecated semconv gen_ai.system.
		{"vertex_ai", vocabulary.ProviderGCPVertexAI},
		{"az.ai.inference", vocabulary.ProviderAzureAIInference},
		{"az.ai.openai", vocabulary.ProviderAzureAIOpenAI},
		{"xai", vocabulary.ProviderXAI},
		// OpenInference.
		{"mistralai", vocabulary.ProviderMistralAI},
		{"vertexai", vocabulary.ProviderGCPVertexAI},
		{"amazon", vocabulary.ProviderAWSBedrock},
		{"aws", vocabulary.ProviderAWSBedrock},
		{"azure", vocabulary.ProviderAzureAIOpenAI},
		{"google", vocabulary.ProviderGCPGenAI},
		// OpenLLMetry's old GenAISystem and other casings.
		{"Anthropic", vocabulary.ProviderAnthropic},
		{"MistralAI", vocabulary.ProviderMistralAI},
		{"Watsonx", vocabulary.ProviderIBMWatsonxAI},
		{"AWS", vocabulary.ProviderAWSBedrock},
		{"Azure", vocabulary.ProviderAzureAIOpenAI},
		{"Google", vocabulary.ProviderGCPGenAI},
		{"OpenAI", vocabulary.ProviderOpenAI},
		{" Groq ", vocabulary.ProviderGroq},
		// LangChain ls_provider.
		{"amazon_bedrock", vocabulary.ProviderAWSBedrock},
		{"google_vertexai", vocabulary.ProviderGCPVertexAI},
		// Unknown: the caller keeps them.
		{"", ""},
		{"unknown", ""},
		{"ollama", ""},
		{"meta", ""},
		{"Some-Very-Long-Provider-Name-That-Exceeds-The-Buffer", ""},
	})
}

// TestRastirProviderLabelRoundTrip: every Rastir provider word is read as
// the canonical value that maps back to it.
func TestRastirProviderLabelRoundTrip(t *testing.T) {
	for _, label := range []string{"openai", "azure_openai", "anthropic", "bedrock", "gemini", "cohere", "mistral", "groq"} {
		c, ok := NormalizeProvider(label)
		if got := vocabulary.RastirProviderLabel(c); !ok || got != label {
			t.Errorf("round trip of %q: %q, %v", label, got, ok)
		}
	}
}

func TestProviderFromModel(t *testing.T) {
	checkInfer(t, "ProviderFromModel", ProviderFromModel, []inferCase{
		{"gpt-4o-mini", vocabulary.ProviderOpenAI},
		{"GPT-4o", vocabulary.ProviderOpenAI},
		{"o1", vocabulary.ProviderOpenAI},
		{"o3-mini", vocabulary.ProviderOpenAI},
		{"o4-mini-2025-04-16", vocabulary.ProviderOpenAI},
		{"chatgpt-4o-latest", vocabulary.ProviderOpenAI},
		{"text-embedding-3-small", vocabulary.ProviderOpenAI},
		{"dall-e-3", vocabulary.ProviderOpenAI},
		{"claude-3-5-sonnet-20241022", vocabulary.ProviderAnthropic},
		{"gemini-2.0-flash", vocabulary.ProviderGCPGemini},
		{"models/gemini-1.5-pro", vocabulary.ProviderGCPGemini},
		{"command-r-plus", vocabulary.ProviderCohere},
		{"embed-english-v3.0", vocabulary.ProviderCohere},
		{"mistral-large-latest", vocabulary.ProviderMistralAI},
		{"open-mistral-nemo", vocabulary.ProviderMistralAI},
		{"codestral-latest", vocabulary.ProviderMistralAI},
		{"mixtral-8x7b-32768", vocabulary.ProviderMistralAI},
		{"grok-3", vocabulary.ProviderXAI},
		{"deepseek-chat", vocabulary.ProviderDeepSeek},
		// Bedrock model ids, ARNs and inference profiles.
		{"anthropic.claude-3-haiku-20240307-v1:0", vocabulary.ProviderAWSBedrock},
		{"us.anthropic.claude-3-5-sonnet-20241022-v2:0", vocabulary.ProviderAWSBedrock},
		{"eu.anthropic.claude-3-7-sonnet-20250219-v1:0", vocabulary.ProviderAWSBedrock},
		{"global.anthropic.claude-sonnet-4-5-20250929-v1:0", vocabulary.ProviderAWSBedrock},
		{"us.meta.llama3-2-90b-instruct-v1:0", vocabulary.ProviderAWSBedrock},
		{"amazon.titan-text-express-v1", vocabulary.ProviderAWSBedrock},
		{"cohere.command-r-plus-v1:0", vocabulary.ProviderAWSBedrock},
		{"mistral.mistral-large-2402-v1:0", vocabulary.ProviderAWSBedrock},
		{"meta.llama3-70b-instruct-v1:0", vocabulary.ProviderAWSBedrock},
		{"ai21.jamba-1-5-large-v1:0", vocabulary.ProviderAWSBedrock},
		{"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0", vocabulary.ProviderAWSBedrock},
		// Ambiguous or unknown.
		{"", ""},
		{"llama-3.1-8b-instant", ""},
		{"gpt", ""},
		{"o2", ""},
		{"o1x", ""},
		{"ollama.foo", ""},
		{"my-fine-tune", ""},
	})
}

func TestBedrockModelName(t *testing.T) {
	tests := map[string]string{
		"anthropic.claude-3-haiku-20240307-v1:0":                          "claude-3-haiku-20240307-v1:0",
		"us.anthropic.claude-3-5-sonnet-20241022-v2:0":                    "claude-3-5-sonnet-20241022-v2:0",
		"eu.anthropic.claude-3-7-sonnet-20250219-v1:0":                    "claude-3-7-sonnet-20250219-v1:0",
		"apac.amazon.nova-pro-v1:0":                                       "nova-pro-v1:0",
		"us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0":                "claude-3-5-sonnet-20240620-v1:0",
		"global.anthropic.claude-sonnet-4-20250514-v1:0":                  "claude-sonnet-4-20250514-v1:0",
		"us.meta.llama3-2-90b-instruct-v1:0":                              "llama3-2-90b-instruct-v1:0",
		"amazon.titan-text-express-v1":                                    "titan-text-express-v1",
		"mistral.mistral-large-2402-v1:0":                                 "mistral-large-2402-v1:0",
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-v2": "claude-v2",
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0": "claude-3-5-haiku-20241022-v1:0",
		"arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123":                                      "abc123",
		"titan-text-express-v1": "titan-text-express-v1",
		"":                      "",
	}
	for in, want := range tests {
		if got := BedrockModelName(in); got != want {
			t.Errorf("BedrockModelName(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestIsFramework: the names agent frameworks and libraries give
// themselves in gen_ai.system or gen_ai.provider.name (OpenLIT's
// GEN_AI_SYSTEM_* values, OpenLLMetry's Agno, CrewAI, LangChain and
// LangGraph instrumentations) are frameworks; providers, model servers and
// local runtimes are not.
func TestIsFramework(t *testing.T) {
	for _, v := range []string{
		"agno", "langchain", "crewai", "llama_index", "langgraph", "haystack", "LlamaIndex", " CrewAI ",
		"openai_agents", "google_adk", "pydantic_ai", "strands_agents", "smolagents", "claude_agent_sdk",
		"agent_framework", "ag2", "litellm", "mem0", "mcp", "phidata", "embedchain", "letta", "julep",
		"dynamiq", "controlflow", "multion", "browser_use", "crawl4ai", "firecrawl",
	} {
		if !IsFramework(v) {
			t.Errorf("IsFramework(%q) = false", v)
		}
	}
	for _, v := range []string{
		"", "openai", "anthropic", "aws.bedrock", "ollama", "vLLM", "gpt4all", "huggingface", "together",
		"langchain_openai", "langchainx", "crew", "unknown",
	} {
		if IsFramework(v) {
			t.Errorf("IsFramework(%q) = true", v)
		}
	}
}

func TestNoAllocations(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		_ = IsFramework("LlamaIndex")
		_ = IsFramework("openai")
		_, _ = NormalizeProvider("MistralAI")
		_, _ = ProviderFromModel("us.anthropic.claude-3-5-sonnet-20241022-v2:0")
		_ = BedrockModelName("us.anthropic.claude-3-5-sonnet-20241022-v2:0")
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run, want 0", allocs)
	}
}

var benchModels = [...]string{
	"gpt-4o-mini", "claude-3-5-sonnet-20241022", "us.anthropic.claude-3-5-sonnet-20241022-v2:0",
	"Gemini-2.0-Flash", "deepseek-chat", "llama-3.1-8b-instant",
}

func BenchmarkProviderFromModel(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		_, _ = ProviderFromModel(benchModels[i%len(benchModels)])
		i++
	}
}
