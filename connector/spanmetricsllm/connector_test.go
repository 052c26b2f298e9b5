package spanmetricsllm

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pmetric"

	v "github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

const otlpScope = "io.example.instrumentation"

func TestLLMSpanFamilies(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("svc", "prod", v.ScopeRastir)
	b.span("openai_chat", 3*time.Second, false, map[string]any{
		v.RastirSpanTypeKey:                v.SpanTypeLLM,
		v.WireKeyDurationMs:                176.5,
		v.GenAIRequestModel:                "gpt-4o",
		v.GenAIResponseModel:               "gpt-4o-2024-08-06",
		v.GenAIProviderName:                v.ProviderAWSBedrock,
		v.GenAIAgentName:                   "support_agent",
		v.GenAIUsageInputTokens:            120,
		v.GenAIUsageOutputTokens:           45,
		v.RastirCostUSD:                    0.00075,
		v.RastirPricingProfile:             "harness",
		v.RastirPricingMissing:             true,
		v.GenAIResponseTimeToFirstChunk:    0.3,
		v.RastirGuardrailID:                "gr-1",
		v.RastirGuardrailVersion:           "3",
		v.RastirGuardrailAction:            v.GuardrailActionIntervened,
		v.RastirGuardrailCategory:          v.GuardrailCategoryDeniedTopic,
		"unrelated.key":                    "ignored",
		v.GenAIUsageCacheReadTokens:        10,
		v.GenAIUsageReasoningTokens:        5,
		v.GenAIUsageCacheCreationTokens:    1,
		v.GenAIConversationID:              "conv",
		v.GenAIOperationName:               v.OperationChat,
		v.ServerAddress:                    "bedrock-runtime.us-east-1.amazonaws.com",
		v.RastirRemote:                     false,
		v.GenAIRequestStream:               true,
		v.GenAIResponseID:                  "resp",
		v.GenAIToolCallID:                  "call",
		v.GenAIDataSourceID:                "ds",
		v.GenAIAgentID:                     "agent-id",
		v.GenAISystemInstructions:          "sys",
		v.GenAIInputMessages:               "[]",
		v.GenAIOutputMessages:              "[]",
		v.GenAIResponseFinishReasons:       "stop",
		v.WireKeySpanType:                  "llm",
		v.RastirAttrModel:                  "raw-model-not-read",
		v.RastirAttrProvider:               "raw-provider-not-read",
		v.RastirAttrTokensInput:            999,
		v.RastirAttrCostUSD:                9.0,
		v.RastirAttrAgent:                  "raw-agent-not-read",
		v.RastirAttrGuardrailID:            "raw",
		v.RastirAttrTTFTMs:                 300.0,
		v.RastirAttrPricingMissing:         true,
		v.RastirAttrPricingProfile:         "raw",
		v.RastirAttrGuardrailAction:        "raw",
		v.RastirAttrGuardrailCat:           "raw",
		v.RastirAttrGuardrailVersion:       "raw",
		v.RastirAttrTokensOutput:           999,
		v.RastirAttrErrorMessage:           "raw",
		v.RastirAttrTenant:                 "raw",
		v.RastirAttrPromptText:             "raw",
		v.RastirAttrCompletionText:         "raw",
		v.GenAIToolName:                    "not-a-tool-span",
		v.RastirErrorCategoryKey:           v.ErrorTimeout, // not an ERROR span: no error
		v.ErrorType:                        "ignored",
		v.WireKeyStatus:                    "",
		v.GenAIUsagePromptTokensDeprecated: 1,
	})
	tc.consume(t, b.td)
	md := tc.flushed(t)

	base := "service=svc,env=prod"
	mpa := base + ",model=gpt-4o,provider=bedrock,agent=support_agent"
	mp := base + ",model=gpt-4o,provider=bedrock"
	assert.Equal(t, map[string]point{base + ",span_type=llm,status=OK": {value: 1}}, values(points(md, nameSpansIngested)))
	dur := points(md, nameDuration)[base+",span_type=llm,model=gpt-4o,provider=bedrock,agent=support_agent"]
	assert.Equal(t, 1.0, dur.value)
	assert.InDelta(t, 0.1765, dur.sum, 1e-12, "the client's duration_ms, not end-start")
	assert.Equal(t, []uint64{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, dur.buckets)
	assert.Empty(t, points(md, nameErrors))
	assert.Equal(t, map[string]point{mpa: {value: 1}}, values(points(md, nameLLMCalls)))
	assert.Equal(t, map[string]point{mpa: {value: 120}}, values(points(md, nameTokensInput)))
	assert.Equal(t, map[string]point{mpa: {value: 45}}, values(points(md, nameTokensOutput)))
	tpc := points(md, nameTokensPerCall)[mp]
	assert.Equal(t, 165.0, tpc.sum)
	assert.Equal(t, []uint64{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, tpc.buckets)
	assert.Equal(t, map[string]point{mpa + ",pricing_profile=harness": {value: 0.00075}}, values(points(md, nameCostTotal)))
	cpc := points(md, nameCostPerCall)[base+",model=gpt-4o"]
	assert.Equal(t, 0.00075, cpc.sum)
	assert.Equal(t, map[string]point{mp: {value: 1}}, values(points(md, namePricingMissing)))
	ttft := points(md, nameTTFT)[mp]
	assert.Equal(t, 0.3, ttft.sum)
	assert.Equal(t, []uint64{0, 0, 0, 1, 0, 0, 0, 0, 0}, ttft.buckets)
	gbase := base + ",provider=bedrock,model=gpt-4o,agent=support_agent,guardrail_id=gr-1"
	assert.Equal(t, map[string]point{gbase + ",guardrail_version=3": {value: 1}}, values(points(md, nameGuardrailRequests)))
	assert.Equal(t, map[string]point{gbase + ",guardrail_action=GUARDRAIL_INTERVENED,guardrail_category=DENIED_TOPIC": {value: 1}},
		values(points(md, nameGuardrailViolations)))
	assert.Empty(t, points(md, nameToolCalls))
	assert.Empty(t, points(md, nameRetrievalCalls))
	assert.Empty(t, points(md, nameGenAITokenUsage), "semconv metrics are off by default")

	// One ResourceMetrics with an empty resource and one scope.
	require.Equal(t, 1, md.ResourceMetrics().Len())
	rm := md.ResourceMetrics().At(0)
	assert.Equal(t, 0, rm.Resource().Attributes().Len())
	require.Equal(t, 1, rm.ScopeMetrics().Len())
	assert.Equal(t, "github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm", rm.ScopeMetrics().At(0).Scope().Name())
}

// values keeps only the value of each point.
func values(ps map[string]point) map[string]point {
	out := make(map[string]point, len(ps))
	for k, p := range ps {
		out[k] = point{value: p.value}
	}
	return out
}

func TestDurationSource(t *testing.T) {
	tests := []struct {
		name   string
		scope  string
		attrs  map[string]any
		want   float64
		absent bool
	}{
		{name: "rastir span with duration_ms", scope: v.ScopeRastir, attrs: map[string]any{v.WireKeyDurationMs: 250.0}, want: 0.25},
		{name: "rastir span with integer duration_ms", scope: v.ScopeRastir, attrs: map[string]any{v.WireKeyDurationMs: 2000}, want: 2},
		{name: "rastir span without duration_ms", scope: v.ScopeRastir, absent: true},
		{name: "otlp span", scope: otlpScope, want: 1.5},
		{name: "otlp span with a wire duration", scope: otlpScope, attrs: map[string]any{v.WireKeyDurationMs: 10.0}, want: 0.01},
		{name: "non-numeric duration_ms", scope: v.ScopeRastir, attrs: map[string]any{v.WireKeyDurationMs: "10"}, absent: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tc := newTestConnector(t, defaultConfig())
			b := newTraces("s", "e", tt.scope)
			attrs := map[string]any{v.RastirSpanTypeKey: v.SpanTypeAgent}
			for k, x := range tt.attrs {
				attrs[k] = x
			}
			b.span("a", 1500*time.Millisecond, false, attrs)
			tc.consume(t, b.td)
			md := tc.flushed(t)
			assert.Len(t, points(md, nameSpansIngested), 1)
			d := points(md, nameDuration)
			if tt.absent {
				assert.Empty(t, d)
				return
			}
			require.Len(t, d, 1)
			p := d["service=s,env=e,span_type=agent,model=,provider=,agent="]
			assert.Equal(t, 1.0, p.value)
			assert.InDelta(t, tt.want, p.sum, 1e-9)
		})
	}
}

func TestOTLPSpanWithBadTimesHasNoDuration(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", otlpScope)
	s := b.span("a", time.Second, false, nil)
	s.SetEndTimestamp(s.StartTimestamp() - 1)
	tc.consume(t, b.td)
	md := tc.flushed(t)
	assert.Len(t, points(md, nameSpansIngested), 1)
	assert.Empty(t, points(md, nameDuration))
}

func TestSpanTypeAndStatus(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("", "", v.ScopeRastir)
	b.span("no type", 0, false, nil)
	b.span("odd type", 0, false, map[string]any{v.RastirSpanTypeKey: "LLM"})
	b.span("raw status", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeInfra, v.WireKeyStatus: "CANCELLED"})
	b.span("error wins", 0, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeInfra, v.WireKeyStatus: "CANCELLED"})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	base := "service=unknown,env=unknown"
	assert.Equal(t, map[string]point{
		base + ",span_type=system,status=OK":       {value: 2},
		base + ",span_type=infra,status=CANCELLED": {value: 1},
		base + ",span_type=infra,status=ERROR":     {value: 1},
	}, values(points(md, nameSpansIngested)))
}

func TestErrors(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", v.ScopeRastir)
	llm := map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIRequestModel: "m", v.GenAIProviderName: v.ProviderOpenAI,
		v.GenAIAgentName: "ag", v.RastirErrorCategoryKey: v.ErrorRateLimit}
	b.span("llm", 0, true, llm)
	b.span("tool", 0, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool, v.GenAIToolName: "search"})
	b.span("ok with category", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool, v.RastirErrorCategoryKey: v.ErrorTimeout})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	assert.Equal(t, map[string]point{
		"service=s,env=e,span_type=llm,error_type=rate_limit,model=m,provider=openai,agent=ag": {value: 1},
		"service=s,env=e,span_type=tool,error_type=unknown,model=,provider=,agent=":            {value: 1},
	}, values(points(md, nameErrors)))
	// llm_calls counts ERROR spans too.
	assert.Equal(t, map[string]point{"service=s,env=e,model=m,provider=openai,agent=ag": {value: 1}},
		values(points(md, nameLLMCalls)))
}

func TestToolAndRetrieval(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", v.ScopeRastir)
	b.span("lookup", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool, v.GenAIToolName: "search",
		v.GenAIAgentName: "ag", v.GenAIRequestModel: "m", v.GenAIProviderName: v.ProviderGCPVertexAI})
	// No tool name: the span name. No agent: "" as on every other family
	// (Rastir says "unknown" here only).
	b.span("crewai.role.tool.calc", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool})
	b.span("", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool})
	b.span("docs", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeRetrieval, v.GenAIAgentName: "ag"})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	assert.Equal(t, map[string]point{
		"service=s,env=e,tool_name=search,agent=ag,model=m,provider=gemini":       {value: 1},
		"service=s,env=e,tool_name=crewai.role.tool.calc,agent=,model=,provider=": {value: 1},
		"service=s,env=e,tool_name=unknown,agent=,model=,provider=":               {value: 1},
	}, values(points(md, nameToolCalls)))
	assert.Equal(t, map[string]point{"service=s,env=e,agent=ag,model=,provider=": {value: 1}},
		values(points(md, nameRetrievalCalls)))
	assert.Empty(t, points(md, nameLLMCalls))
}

func TestLLMEdgeCases(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", v.ScopeRastir)
	// Response model when no request model; zero tokens and cost record
	// nothing; a cost without profile is "default"; a violation without id
	// or category.
	b.span("a", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIResponseModel: "resp",
		v.GenAIUsageInputTokens: 0, v.GenAIUsageOutputTokens: 0, v.RastirCostUSD: 0.0, v.RastirPricingMissing: false,
		v.RastirGuardrailAction: "BLOCKED"})
	b.span("b", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIRequestModel: "req",
		v.GenAIResponseModel: "resp", v.GenAIUsageOutputTokens: 7, v.RastirCostUSD: 0.5,
		v.RastirGuardrailID: "g", v.RastirGuardrailAction: v.GuardrailActionNone})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	assert.Equal(t, map[string]point{
		"service=s,env=e,model=resp,provider=,agent=": {value: 1},
		"service=s,env=e,model=req,provider=,agent=":  {value: 1},
	}, values(points(md, nameLLMCalls)))
	assert.Empty(t, points(md, nameTokensInput))
	assert.Equal(t, map[string]point{"service=s,env=e,model=req,provider=,agent=": {value: 7}}, values(points(md, nameTokensOutput)))
	assert.Equal(t, map[string]point{"service=s,env=e,model=req,provider=": {value: 1}}, values(points(md, nameTokensPerCall)))
	assert.Equal(t, map[string]point{"service=s,env=e,model=req,provider=,agent=,pricing_profile=default": {value: 0.5}},
		values(points(md, nameCostTotal)))
	assert.Empty(t, points(md, namePricingMissing))
	assert.Empty(t, points(md, nameTTFT))
	assert.Equal(t, map[string]point{"service=s,env=e,provider=,model=req,agent=,guardrail_id=g,guardrail_version=": {value: 1}},
		values(points(md, nameGuardrailRequests)))
	assert.Equal(t, map[string]point{
		"service=s,env=e,provider=,model=resp,agent=,guardrail_id=unknown,guardrail_action=__cardinality_overflow__,guardrail_category=__cardinality_overflow__": {value: 1},
	}, values(points(md, nameGuardrailViolations)))
}

// TestHugeTokenCounts checks that token counts past the range of int64
// neither turn a counter negative nor lose the call's observation: Rastir
// counts them as floats.
func TestHugeTokenCounts(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", v.ScopeRastir)
	b.span("a", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM,
		v.GenAIUsageInputTokens: math.MaxInt64, v.GenAIUsageOutputTokens: math.MaxInt64})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	key := "service=s,env=e,model=,provider=,agent="
	assert.Equal(t, float64(math.MaxInt64), points(md, nameTokensInput)[key].value)
	assert.Equal(t, float64(math.MaxInt64), points(md, nameTokensOutput)[key].value)
	perCall := points(md, nameTokensPerCall)["service=s,env=e,model=,provider="]
	assert.Equal(t, 1.0, perCall.value)
	assert.Equal(t, 2*float64(math.MaxInt64), perCall.sum)
}

func TestProviderNames(t *testing.T) {
	for _, rastirNames := range []bool{true, false} {
		cfg := defaultConfig()
		cfg.RastirProviderNames = rastirNames
		tc := newTestConnector(t, cfg)
		b := newTraces("s", "e", otlpScope)
		for _, p := range []string{v.ProviderAWSBedrock, v.ProviderGCPGemini, v.ProviderMistralAI, v.ProviderAzureAIOpenAI, "my-gw"} {
			b.span("x", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIProviderName: p})
		}
		tc.consume(t, b.td)
		var got []string
		for k := range points(tc.flushed(t), nameLLMCalls) {
			got = append(got, strings.Split(strings.Split(k, "provider=")[1], ",")[0])
		}
		want := []string{"bedrock", "gemini", "mistral", "azure_openai", "my-gw"}
		if !rastirNames {
			want = []string{v.ProviderAWSBedrock, v.ProviderGCPGemini, v.ProviderMistralAI, v.ProviderAzureAIOpenAI, "my-gw"}
		}
		assert.ElementsMatch(t, want, got)
	}
}

// TestRastirClientProviderWords: a span with rastir.provider.label (a
// Rastir client's own provider word, which llm_enrich keeps when it is not
// the Rastir word of the semconv value) is labelled with it, as the Rastir
// server labels the client's word; without it, the semconv value's Rastir
// word; with rastir_provider_names off, the semconv value.
func TestRastirClientProviderWords(t *testing.T) {
	for _, rastirNames := range []bool{true, false} {
		cfg := defaultConfig()
		cfg.RastirProviderNames = rastirNames
		tc := newTestConnector(t, cfg)
		b := newTraces("s", "e", v.ScopeRastir)
		b.span("x", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM,
			v.GenAIProviderName: v.ProviderGCPGenAI, v.RastirProviderLabelKey: "google"})
		b.span("x", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM,
			v.GenAIProviderName: v.ProviderAzureAIOpenAI, v.RastirProviderLabelKey: "azure"})
		b.span("x", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIProviderName: v.ProviderMistralAI})
		tc.consume(t, b.td)
		var got []string
		for k := range points(tc.flushed(t), nameLLMCalls) {
			got = append(got, strings.Split(strings.Split(k, "provider=")[1], ",")[0])
		}
		want := []string{"google", "azure", "mistral"}
		if !rastirNames {
			want = []string{v.ProviderGCPGenAI, v.ProviderAzureAIOpenAI, v.ProviderMistralAI}
		}
		assert.ElementsMatch(t, want, got)
	}
}

func TestClipping(t *testing.T) {
	cfg := defaultConfig()
	cfg.MaxLabelValueLength = 3
	tc := newTestConnector(t, cfg)
	b := newTraces("sérvice", "environment", v.ScopeRastir)
	b.span("x", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIRequestModel: "gpt-4o",
		v.GenAIAgentName: "ab"})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	assert.Equal(t, map[string]point{"service=sér,env=env,model=gpt,provider=,agent=ab": {value: 1}},
		values(points(md, nameLLMCalls)))
	// span_type is never clipped (its values are bounded).
	assert.Contains(t, points(md, nameSpansIngested), "service=sér,env=env,span_type=llm,status=OK")
}

// TestUnboundedLabelsClipped checks that the labels Rastir leaves
// unclipped (the raw status and guardrail_version) are clipped too: a
// client sending megabytes of status text per span held up to
// max_series_per_metric such values in memory and on /metrics.
func TestUnboundedLabelsClipped(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	long := strings.Repeat("é", 1000)
	b := newTraces("checkout", "prod", v.ScopeRastir)
	b.span("x", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyStatus: long,
		v.RastirGuardrailID: "g1", v.RastirGuardrailVersion: long})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	clipped := long[:2*128]
	assert.Contains(t, points(md, nameSpansIngested), "service=checkout,env=prod,span_type=llm,status="+clipped)
	assert.Contains(t, points(md, nameGuardrailRequests),
		"service=checkout,env=prod,provider=,model=,agent=,guardrail_id=g1,guardrail_version="+clipped)
}

// TestInvalidUTF8Labels checks that label values that are not valid UTF-8
// (OTLP protobuf carries such strings as they are) reach the metrics with
// U+FFFD in place of each invalid sequence: the Prometheus exporter refuses
// a series with an invalid label value, and logs an error at every scrape.
// Two values that differ only in their invalid bytes are one series.
func TestInvalidUTF8Labels(t *testing.T) {
	cfg := defaultConfig()
	cfg.GenAISemconvMetrics.Enabled = true
	tc := newTestConnector(t, cfg)
	b := newTraces("check\xffout", "prod", "")
	for _, model := range []string{"gpt\xff-4o", "gpt\xfe-4o", "gpt\xc3-4o"} {
		b.span("chat", time.Second, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIOperationName: v.OperationChat,
			v.GenAIRequestModel: model, v.GenAIProviderName: v.ProviderOpenAI, v.WireKeyStatus: "d\xffne"})
	}
	tc.consume(t, b.td)
	md := tc.flushed(t)
	assert.Equal(t, map[string]point{"service=check\uFFFDout,env=prod,model=gpt\uFFFD-4o,provider=openai,agent=": {value: 3}},
		values(points(md, nameLLMCalls)))
	assert.Equal(t, []string{"service=check\uFFFDout,env=prod,span_type=llm,status=d\uFFFDne"}, slices.Collect(maps.Keys(points(md, nameSpansIngested))))
	assert.Equal(t, []string{"gen_ai.operation.name=chat,gen_ai.provider.name=openai,gen_ai.request.model=gpt\uFFFD-4o"},
		slices.Collect(maps.Keys(points(md, nameGenAIOperationDuration))))
	// At the cap, the overflow series keeps service and env, valid too.
	cfg.MaxSeriesPerMetric = 1
	tc = newTestConnector(t, cfg)
	tc.consume(t, b.td)
	b = newTraces("check\xfeout", "prod", "")
	b.span("chat", time.Second, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIRequestModel: "o\xff3"})
	tc.consume(t, b.td)
	assert.Contains(t, points(tc.flushed(t), nameLLMCalls),
		"service=check\uFFFDout,env=prod,model=__cardinality_overflow__,provider=__cardinality_overflow__,agent=__cardinality_overflow__")
	for _, fam := range tc.families {
		for _, s := range fam.order {
			for _, val := range s.values {
				assert.True(t, utf8.ValidString(val), "%s: %q", fam.name, val)
			}
		}
	}
}

func TestClip(t *testing.T) {
	assert.Equal(t, "abc", clip("abc", 3))
	assert.Equal(t, "ab", clip("abc", 2))
	assert.Equal(t, "éé", clip("ééé", 2))
	assert.Equal(t, "éé", clip("éé", 2))
	assert.Equal(t, "日本", clip("日本語", 2))
	assert.Equal(t, "", clip("", 5))
	// The cardinality processor's overflow value stays whole.
	assert.Equal(t, v.OverflowValue, clip(v.OverflowValue, 5))
}

// TestCatalogue checks the metric names, types, units and label names in
// their order against Rastir's catalogue (collector spec §3.4).
func TestCatalogue(t *testing.T) {
	want := []struct {
		name   string
		typ    pmetric.MetricType
		labels string
	}{
		{"rastir_spans_ingested_total", pmetric.MetricTypeSum, "service,env,span_type,status"},
		{"rastir_duration_seconds", pmetric.MetricTypeHistogram, "service,env,span_type,model,provider,agent"},
		{"rastir_errors_total", pmetric.MetricTypeSum, "service,env,span_type,error_type,model,provider,agent"},
		{"rastir_llm_calls_total", pmetric.MetricTypeSum, "service,env,model,provider,agent"},
		{"rastir_tokens_input_total", pmetric.MetricTypeSum, "service,env,model,provider,agent"},
		{"rastir_tokens_output_total", pmetric.MetricTypeSum, "service,env,model,provider,agent"},
		{"rastir_tokens_per_call", pmetric.MetricTypeHistogram, "service,env,model,provider"},
		{"rastir_cost_total", pmetric.MetricTypeSum, "service,env,model,provider,agent,pricing_profile"},
		{"rastir_cost_per_call_usd", pmetric.MetricTypeHistogram, "service,env,model"},
		{"rastir_pricing_missing_total", pmetric.MetricTypeSum, "service,env,model,provider"},
		{"rastir_ttft_seconds", pmetric.MetricTypeHistogram, "service,env,model,provider"},
		{"rastir_guardrail_requests_total", pmetric.MetricTypeSum, "service,env,provider,model,agent,guardrail_id,guardrail_version"},
		{"rastir_guardrail_violations_total", pmetric.MetricTypeSum, "service,env,provider,model,agent,guardrail_id,guardrail_action,guardrail_category"},
		{"rastir_tool_calls_total", pmetric.MetricTypeSum, "service,env,tool_name,agent,model,provider"},
		{"rastir_retrieval_calls_total", pmetric.MetricTypeSum, "service,env,agent,model,provider"},
	}
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", v.ScopeRastir)
	b.span("llm", 0, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyDurationMs: 5.0,
		v.GenAIUsageInputTokens: 1, v.GenAIUsageOutputTokens: 1, v.RastirCostUSD: 0.1, v.RastirPricingMissing: true,
		v.GenAIResponseTimeToFirstChunk: 0.1, v.RastirGuardrailID: "g", v.RastirGuardrailAction: v.GuardrailActionIntervened})
	b.span("tool", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool})
	b.span("retrieval", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeRetrieval})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	metrics := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics()
	require.Equal(t, len(want), metrics.Len())
	for i, w := range want {
		m := metrics.At(i)
		assert.Equal(t, w.name, m.Name())
		assert.Equal(t, w.typ, m.Type(), w.name)
		assert.Empty(t, m.Unit(), w.name)
		var attrs []string
		switch m.Type() {
		case pmetric.MetricTypeSum:
			assert.True(t, m.Sum().IsMonotonic())
			assert.Equal(t, pmetric.AggregationTemporalityCumulative, m.Sum().AggregationTemporality())
			for k := range m.Sum().DataPoints().At(0).Attributes().All() {
				attrs = append(attrs, k)
			}
		case pmetric.MetricTypeHistogram:
			assert.Equal(t, pmetric.AggregationTemporalityCumulative, m.Histogram().AggregationTemporality())
			for k := range m.Histogram().DataPoints().At(0).Attributes().All() {
				attrs = append(attrs, k)
			}
		default:
		}
		assert.Equal(t, w.labels, strings.Join(attrs, ","), w.name)
	}
	// The cost counter is a double, the others integers.
	assert.Equal(t, pmetric.NumberDataPointValueTypeDouble, metrics.At(famCostTotal).Sum().DataPoints().At(0).ValueType())
	assert.Equal(t, pmetric.NumberDataPointValueTypeInt, metrics.At(famLLMCalls).Sum().DataPoints().At(0).ValueType())
}

// TestDeprecatedEnvironmentKey: a resource with semconv's pre-1.27
// deployment.environment (still what many SDKs and
// OTEL_RESOURCE_ATTRIBUTES settings write) is labelled with its
// environment, not "unknown"; the current key wins when both are there.
func TestDeprecatedEnvironmentKey(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	for _, env := range []map[string]string{
		{v.ResourceDeploymentEnvironment: "staging"},
		{v.ResourceDeploymentEnvironment: "old", v.ResourceDeploymentEnvironmentName: "prod"},
	} {
		b := newTraces("svc", "", v.ScopeRastir)
		for k, val := range env {
			b.td.ResourceSpans().At(0).Resource().Attributes().PutStr(k, val)
		}
		b.span("x", 0, false, nil)
		tc.consume(t, b.td)
	}
	assert.Equal(t, map[string]point{
		"service=svc,env=staging,span_type=system,status=OK": {value: 1},
		"service=svc,env=prod,span_type=system,status=OK":    {value: 1},
	}, values(points(tc.flushed(t), nameSpansIngested)))
}

func TestNothingToSend(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	tc.flush(t.Context())
	assert.Empty(t, tc.sink.AllMetrics())
}

// TestWrongTypes checks that attributes of an unexpected type count as
// absent rather than breaking anything.
func TestWrongTypes(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	td := newTraces("", "", v.ScopeRastir).td
	res := td.ResourceSpans().At(0).Resource().Attributes()
	res.PutInt(v.ResourceServiceName, 7)
	res.PutEmptySlice(v.ResourceDeploymentEnvironmentName)
	b := &spanBuilder{td: td, ss: td.ResourceSpans().At(0).ScopeSpans().At(0)}
	s := b.span("x", 0, false, map[string]any{
		v.GenAIUsageInputTokens: "12", v.GenAIUsageOutputTokens: 2.5, v.RastirCostUSD: "1",
		v.WireKeyDurationMs: true, v.RastirPricingMissing: "true", v.GenAIRequestModel: 4,
	})
	s.Attributes().PutEmptyMap(v.RastirSpanTypeKey)
	s.Attributes().PutDouble(v.GenAIResponseTimeToFirstChunk, math.NaN())
	llm := b.span("y", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM,
		v.GenAIUsageInputTokens: 12.0, v.GenAIUsageOutputTokens: -3, v.RastirCostUSD: -1.0,
		v.GenAIResponseTimeToFirstChunk: -0.5})
	llm.Attributes().PutDouble(v.WireKeyDurationMs, math.Inf(1))
	tc.consume(t, td)
	md := tc.flushed(t)
	assert.Equal(t, map[string]point{
		"service=unknown,env=unknown,span_type=system,status=OK": {value: 1},
		"service=unknown,env=unknown,span_type=llm,status=OK":    {value: 1},
	}, values(points(md, nameSpansIngested)))
	assert.Empty(t, points(md, nameDuration))
	assert.Equal(t, map[string]point{"service=unknown,env=unknown,model=,provider=,agent=": {value: 12}},
		values(points(md, nameTokensInput)), "a double holding an integer is a token count")
	assert.Empty(t, points(md, nameTokensOutput))
	assert.Empty(t, points(md, nameCostTotal))
	assert.Empty(t, points(md, namePricingMissing))
	assert.Empty(t, points(md, nameTTFT))
}
