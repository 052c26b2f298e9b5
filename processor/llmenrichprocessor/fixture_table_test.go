package llmenrichprocessor

import (
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// spanSummary is the canonical keys of one span, "" where absent; numbers
// are formatted with 9 significant digits.
type spanSummary struct {
	name, spanType, operation, provider, model, agent, tool      string
	tokensIn, tokensOut, cost, profile, pricingMissing, ttft     string
	guardrailID, guardrailVersion, guardrailAction, guardrailCat string
	errorCategory                                                string
}

func summarize(span ptrace.Span) spanSummary {
	a := span.Attributes()
	get := func(k string) string {
		v, ok := a.Get(k)
		if !ok {
			return ""
		}
		if v.Type() == pcommon.ValueTypeDouble {
			return fmt.Sprintf("%.9g", v.Double())
		}
		return v.AsString()
	}
	return spanSummary{
		name: span.Name(), spanType: get(vocabulary.RastirSpanTypeKey), operation: get(vocabulary.GenAIOperationName),
		provider: get(vocabulary.GenAIProviderName), model: get(vocabulary.GenAIRequestModel),
		agent: get(vocabulary.GenAIAgentName), tool: get(vocabulary.GenAIToolName),
		tokensIn: get(vocabulary.GenAIUsageInputTokens), tokensOut: get(vocabulary.GenAIUsageOutputTokens),
		cost: get(vocabulary.RastirCostUSD), profile: get(vocabulary.RastirPricingProfile),
		pricingMissing: get(vocabulary.RastirPricingMissing), ttft: get(vocabulary.GenAIResponseTimeToFirstChunk),
		guardrailID: get(vocabulary.RastirGuardrailID), guardrailVersion: get(vocabulary.RastirGuardrailVersion),
		guardrailAction: get(vocabulary.RastirGuardrailAction), guardrailCat: get(vocabulary.RastirGuardrailCategory),
		errorCategory: get(vocabulary.RastirErrorCategoryKey),
	}
}

// Expected spans, written from the fixtures' MANIFEST.md and the Rastir
// specs, not from the processor's output: span types by Rastir's rule
// (trace and metric become system), operations by span type, providers in
// the semconv enum (bedrock → aws.bedrock, gemini → gcp.gemini), the
// client's positive cost_usd with its pricing_profile (harness) and no cost
// for its 0.0 (with pricing_missing false: the call is not priced again),
// ttft_ms in seconds, guardrail action and category bounded
// (an intervention without a category is out of the enum), and the error
// categories the Rastir server gave (MANIFEST, scenario errors).

func llmSpan(name, provider, model, agent string, in, out int, cost string) spanSummary {
	s := spanSummary{
		name: name, spanType: "llm", operation: "chat", provider: provider, model: model, agent: agent,
		cost: cost,
	}
	if in >= 0 {
		s.tokensIn, s.tokensOut = strconv.Itoa(in), strconv.Itoa(out)
	}
	if cost != "" {
		s.profile = "harness"
	} else {
		// cost_usd 0.0 with pricing_missing false: priced at 0.
		s.pricingMissing = "false"
	}
	return s
}

func agentSpan(name string) spanSummary {
	return spanSummary{name: name, spanType: "agent", operation: "invoke_agent", agent: name}
}

func traceSpan(name string) spanSummary { return spanSummary{name: name, spanType: "system"} }

func toolSpan(name, agent string) spanSummary {
	return spanSummary{name: name, spanType: "tool", operation: "execute_tool", agent: agent, tool: name}
}

func retrievalSpan(name, provider, model, agent string) spanSummary {
	return spanSummary{name: name, spanType: "retrieval", operation: "retrieval", provider: provider, model: model, agent: agent}
}

func guarded(s spanSummary, id, version, action, category string) spanSummary {
	s.guardrailID, s.guardrailVersion, s.guardrailAction, s.guardrailCat = id, version, action, category
	return s
}

func failed(s spanSummary, category string) spanSummary {
	s.errorCategory = category
	return s
}

func withTTFT(s spanSummary, seconds string) spanSummary {
	s.ttft = seconds
	return s
}

const haiku = "claude-3-haiku-20240307-v1:0"

var fixtureSpans = map[string]map[spanSummary]int{
	"0001.json": {
		llmSpan("openai_chat", "openai", "gpt-4o", "support_agent", 120, 45, "0.00075"): 1,
		agentSpan("support_agent"):   1,
		traceSpan("scn.openai_chat"): 1,
	},
	"0002.json": {
		llmSpan("ask_with_client", "openai", "gpt-4o-mini", "", 64, 12, "1.68e-05"): 1,
		traceSpan("scn.openai_client_discovery"):                                    1,
	},
	"0003.json": {
		llmSpan("claude_message", "anthropic", "claude-3-5-sonnet-20241022", "summarizer_agent", 890, 210, "0.00582"): 1,
		agentSpan("summarizer_agent"):    1,
		traceSpan("scn.anthropic_async"): 1,
	},
	"0005.json": {
		guarded(llmSpan("bedrock_converse", "aws.bedrock", haiku, "bedrock_agent", 35, 18, "3.125e-05"), "gr-harness-01", "1", "", ""): 1,
		guarded(llmSpan("bedrock_converse", "aws.bedrock", haiku, "bedrock_agent", 48, 12, "2.7e-05"), "gr-harness-01", "1",
			"GUARDRAIL_INTERVENED", "DENIED_TOPIC"): 1,
		guarded(llmSpan("bedrock_converse", "aws.bedrock", haiku, "bedrock_agent", 52, 9, "2.425e-05"), "gr-harness-01", "1",
			"GUARDRAIL_INTERVENED", vocabulary.OverflowValue): 1,
		guarded(llmSpan("bedrock_invoke", "aws.bedrock", haiku, "bedrock_agent", 20, 5, "1.125e-05"), "gr-harness-02", "DRAFT", "", ""): 1,
		agentSpan("bedrock_agent"):         1,
		traceSpan("scn.bedrock_guardrail"): 1,
	},
	"0007.json": {
		llmSpan("ChatOpenAI.invoke", "openai", "gpt-4o-mini", "lc_agent", 31, 9, "1.005e-05"):              1,
		withTTFT(llmSpan("ChatOpenAI.stream", "openai", "gpt-4o-mini", "lc_agent", -1, -1, ""), "0.06136"): 1,
		agentSpan("lc_agent"):           1,
		traceSpan("scn.langchain_wrap"): 1,
	},
	"0008.json": {
		llmSpan("planner_llm", "openai", "gpt-4o", "research_agent", 300, 25, "0.001"): 1,
		toolSpan("tools.web_search", "research_agent"):                                 2,
		toolSpan("tools.calculator", "research_agent"):                                 1,
		toolSpan("async_tools.fetch_weather", "research_agent"):                        1,
		retrievalSpan("vector_search", "openai", "gpt-4o", "research_agent"):           1,
		retrievalSpan("kb_lookup", "openai", "gpt-4o", "research_agent"):               1,
		retrievalSpan("single_doc_fetch", "openai", "gpt-4o", "research_agent"):        1,
		retrievalSpan("hits_search", "openai", "gpt-4o", "research_agent"):             1,
		retrievalSpan("async_rerank", "openai", "gpt-4o", "research_agent"):            1,
		retrievalSpan("pgvector.similarity_search", "", "", "research_agent"):          1,
		agentSpan("research_agent"):                                                    1,
		traceSpan("scn.tools_retrieval"):                                               1,
	},
	"0010.json": {
		llmSpan("exec_llm", "openai", "gpt-4o-mini", "planner_agent", 55, 7, "1.245e-05"):                         2,
		llmSpan("exec_llm", "openai", "gpt-4o-mini", "executor_agent", 55, 7, "1.245e-05"):                        2,
		llmSpan("claude_message", "anthropic", "claude-3-5-sonnet-20241022", "critic_agent", 890, 210, "0.00582"): 1,
		toolSpan("exec_tools.calculator", "executor_agent"):                                                       2,
		agentSpan("executor_agent"):    2,
		agentSpan("critic_agent"):      1,
		agentSpan("planner_agent"):     1,
		traceSpan("scn.nested_agents"): 1,
	},
	"0011.json": {
		failed(llmSpan("llm_timeout", "openai", "gpt-4o", "error_agent", -1, -1, ""), "timeout"):                                1,
		failed(llmSpan("llm_rate_limited", "anthropic", "claude-3-5-sonnet-20241022", "error_agent", -1, -1, ""), "rate_limit"): 1,
		failed(llmSpan("llm_bad_request", "openai", "gpt-4o-mini", "error_agent", -1, -1, ""), "validation_error"):              1,
		failed(llmSpan("llm_provider_error", "openai", "gpt-4o", "error_agent", -1, -1, ""), "provider_error"):                  1,
		failed(llmSpan("llm_read_timeout", "gcp.gemini", "gemini-2.0-flash", "error_agent", -1, -1, ""), "timeout"):             1,
		failed(guarded(llmSpan("bedrock_throttled", "anthropic", haiku, "error_agent", -1, -1, ""), "gr-harness-01", "1", "", ""),
			"internal_error"): 1,
		failed(withTTFT(llmSpan("llm_stream_breaks", "openai", "gpt-4o-mini", "error_agent", 0, 0, ""), "0.0303"), "unknown"): 1,
		failed(retrievalSpan("retrieval_broken", "openai", "gpt-4o-mini", "error_agent"), "internal_error"):                   1,
		failed(retrievalSpan("retrieval_schema", "openai", "gpt-4o-mini", "error_agent"), "validation_error"):                 1,
		failed(toolSpan("flaky.parse_json", "error_agent"), "validation_error"):                                               1,
		failed(toolSpan("flaky.lookup", "error_agent"), "unknown"):                                                            1,
		failed(spanSummary{name: "db.connect", spanType: "infra", agent: "error_agent"}, "unknown"):                           1,
		failed(spanSummary{name: "metric_fails", spanType: "system"}, "validation_error"):                                     1,
		failed(agentSpan("doomed_agent"), "internal_error"):                                                                   1,
		failed(traceSpan("trace_fails"), "unknown"):                                                                           1,
		agentSpan("error_agent"): 1,
		traceSpan("scn.errors"):  1,
	},
	// scn.volume: 25 rounds of an agent with one LLM call (gpt-4o 13
	// times, gpt-4o-mini 12 times), one tool and one retrieval.
	"0014.json": {
		llmSpan("exec_llm", "openai", "gpt-4o", "volume_agent", 55, 7, "0.0002075"):      13,
		llmSpan("exec_llm", "openai", "gpt-4o-mini", "volume_agent", 55, 7, "1.245e-05"): 12,
		toolSpan("vol_tools.calculator", "volume_agent"):                                 25,
		retrievalSpan("vector_search", "openai", "gpt-4o", "volume_agent"):               13,
		retrievalSpan("vector_search", "openai", "gpt-4o-mini", "volume_agent"):          12,
		agentSpan("volume_agent"): 25,
	},
}

// TestRastirFixtureTable runs every batch of the real Rastir client through
// the decoder and the processor (default configuration) and compares every
// span's canonical keys with the table above.
func TestRastirFixtureTable(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "rastir-client", "*.json"))
	require.NoError(t, err)
	require.Len(t, paths, len(fixtureSpans), "every fixture needs a row in the table")
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			want, ok := fixtureSpans[name]
			require.True(t, ok, "no expectations for %s", name)
			got := map[spanSummary]int{}
			for _, span := range allSpans(enrich(t, createDefaultConfig().(*Config), decodeFixture(t, name))) {
				got[summarize(span)]++
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestRastirFixtureTableRemovingSourceKeys: with dialects.remove_source_keys
// the canonical keys are the same, the mapped Rastir keys are gone and the
// wire keys stay.
func TestRastirFixtureTableRemovingSourceKeys(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Dialects.RemoveSourceKeys = true
	mapped := []string{
		vocabulary.RastirAttrModel, vocabulary.RastirAttrProvider, vocabulary.RastirAttrAgent,
		vocabulary.RastirAttrTokensInput, vocabulary.RastirAttrTokensOutput, vocabulary.RastirAttrTTFTMs,
		vocabulary.RastirAttrGuardrailID, vocabulary.RastirAttrGuardrailVersion, vocabulary.RastirAttrGuardrailAction,
	}
	for name, want := range fixtureSpans {
		t.Run(name, func(t *testing.T) {
			got := map[spanSummary]int{}
			for _, span := range allSpans(enrich(t, cfg, decodeFixture(t, name))) {
				got[summarize(span)]++
				a := span.Attributes()
				for _, k := range mapped {
					_, ok := a.Get(k)
					assert.False(t, ok, "%s: %s kept", span.Name(), k)
				}
				_, ok := a.Get(vocabulary.WireKeySpanType)
				assert.True(t, ok, "%s: wire span type removed", span.Name())
				if v, ok := a.Get(vocabulary.RastirAttrCostUSD); ok {
					assert.Zero(t, v.Double(), "%s: a mapped cost is kept", span.Name())
				}
			}
			assert.Equal(t, want, got)
		})
	}
}
