package llmenrichprocessor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

func decodeFixture(t testing.TB, name string) ptrace.Traces {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "rastir-client", name))
	require.NoError(t, err)
	td, err := rastirjson.NewDecoder(rastirjson.DefaultLimits()).Decode(body)
	require.NoError(t, err)
	return td
}

func enrich(t testing.TB, cfg *Config, td ptrace.Traces) ptrace.Traces {
	t.Helper()
	e, err := newEnricher(cfg)
	require.NoError(t, err)
	out, err := e.processTraces(context.Background(), td)
	require.NoError(t, err)
	return out
}

func str(m pcommon.Map, k string) string {
	v, ok := m.Get(k)
	if !ok {
		return "<absent>"
	}
	return v.AsString()
}

func allSpans(td ptrace.Traces) []ptrace.Span {
	var out []ptrace.Span
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				out = append(out, s)
			}
		}
	}
	return out
}

// TestRastirFixtures maps every span of the real client's batches: the
// canonical keys carry what the Rastir attributes said.
func TestRastirFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "rastir-client", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)
	for _, p := range paths {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			td := enrich(t, createDefaultConfig().(*Config), decodeFixture(t, name))
			for _, span := range allSpans(td) {
				a := span.Attributes()
				raw := str(a, vocabulary.WireKeySpanType)
				spanType := str(a, vocabulary.RastirSpanTypeKey)
				assert.Equal(t, vocabulary.NormalizeRastirSpanType(raw), spanType, span.Name())
				if m := str(a, vocabulary.RastirAttrModel); m != "<absent>" && m != "" {
					assert.Equal(t, m, str(a, vocabulary.GenAIRequestModel))
				}
				if ag := str(a, vocabulary.RastirAttrAgent); ag != "<absent>" && ag != "" {
					assert.Equal(t, ag, str(a, vocabulary.GenAIAgentName))
				}
				if p := str(a, vocabulary.RastirAttrProvider); p != "<absent>" && p != "" {
					assert.NotEqual(t, "<absent>", str(a, vocabulary.GenAIProviderName))
				}
				if v, ok := a.Get(vocabulary.RastirAttrTokensInput); ok {
					got, _ := a.Get(vocabulary.GenAIUsageInputTokens)
					assert.Equal(t, v.Int(), got.Int())
				}
				if v, ok := a.Get(vocabulary.RastirAttrTTFTMs); ok {
					got, _ := a.Get(vocabulary.GenAIResponseTimeToFirstChunk)
					assert.InDelta(t, v.Double()/1000, got.Double(), 1e-12)
				}
				if spanType == vocabulary.SpanTypeTool {
					assert.Equal(t, span.Name(), str(a, vocabulary.GenAIToolName))
				}
				if span.Status().Code() == ptrace.StatusCodeError {
					assert.NotEqual(t, "<absent>", str(a, vocabulary.RastirErrorCategoryKey))
				} else {
					assert.Equal(t, "<absent>", str(a, vocabulary.RastirErrorCategoryKey))
				}
			}
		})
	}
}

// TestRastirErrorCategories: the categories of the real client's failures
// equal those the Rastir server gave (fixtures MANIFEST, scenario errors).
func TestRastirErrorCategories(t *testing.T) {
	td := enrich(t, createDefaultConfig().(*Config), decodeFixture(t, "0011.json"))
	got := map[string]int{}
	for _, span := range allSpans(td) {
		if span.Status().Code() != ptrace.StatusCodeError {
			continue
		}
		exc := ""
		for _, ev := range span.Events().All() {
			if ev.Name() == vocabulary.EventException {
				exc = str(ev.Attributes(), vocabulary.AttrExceptionType)
				break
			}
		}
		got[str(span.Attributes(), vocabulary.WireKeySpanType)+":"+exc+"->"+str(span.Attributes(), vocabulary.RastirErrorCategoryKey)]++
	}
	want := strings.Split("agent:Exception->internal_error infra:ConnectionError->unknown llm:ConnectionResetError->unknown "+
		"llm:RateLimitError->rate_limit llm:ReadTimeout->timeout llm:RuntimeError->internal_error llm:TimeoutError->timeout "+
		"llm:ValueError->validation_error llm:openai.APIError->provider_error metric:ValueError->validation_error "+
		"retrieval:RuntimeError->internal_error retrieval:SchemaValidationError->validation_error tool:KeyError->unknown "+
		"tool:TypeError->validation_error trace:KeyError->unknown", " ")
	for _, w := range want {
		assert.Positive(t, got[w], "missing %s in %v", w, got)
	}
	assert.Len(t, got, len(want), "unexpected categories: %v", got)
}

func TestNeverOverwritesCanonicalValues(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetName(vocabulary.ScopeRastir)
	span := ss.Spans().AppendEmpty()
	a := span.Attributes()
	a.PutStr(vocabulary.WireKeySpanType, "llm")
	a.PutStr(vocabulary.RastirAttrModel, "guess")
	a.PutStr(vocabulary.GenAIRequestModel, "gpt-4o")
	a.PutStr(vocabulary.RastirAttrProvider, "azure_openai")
	a.PutStr(vocabulary.GenAIProviderName, "openai")
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "gpt-4o", str(a, vocabulary.GenAIRequestModel))
	assert.Equal(t, "openai", str(a, vocabulary.GenAIProviderName))
	assert.Equal(t, vocabulary.OperationChat, str(a, vocabulary.GenAIOperationName))
}

func TestRastirProviderIsNormalised(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetName(vocabulary.ScopeRastir)
	a := ss.Spans().AppendEmpty().Attributes()
	a.PutStr(vocabulary.RastirAttrProvider, "azure_openai")
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, vocabulary.ProviderAzureAIOpenAI, str(a, vocabulary.GenAIProviderName))
}

// TestRastirProviderWordIsKept: a Rastir client word that reads as a
// semconv provider whose Rastir word differs (ADK's "google", LlamaIndex's
// "azure", another spelling) is kept in rastir.provider.label, which the
// Rastir server's metrics label; the usual words need none. It survives
// remove_source_keys, which removes the client's provider key.
func TestRastirProviderWordIsKept(t *testing.T) {
	for _, remove := range []bool{false, true} {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		ss.Scope().SetName(vocabulary.ScopeRastir)
		tests := []struct{ word, canonical, label string }{
			{"google", vocabulary.ProviderGCPGenAI, "google"},
			{"azure", vocabulary.ProviderAzureAIOpenAI, "azure"},
			{"Gemini", vocabulary.ProviderGCPGemini, "Gemini"},
			{"gemini", vocabulary.ProviderGCPGemini, "<absent>"},
			{"bedrock", vocabulary.ProviderAWSBedrock, "<absent>"},
			{"openai", vocabulary.ProviderOpenAI, "<absent>"},
			{"unknown", "unknown", "<absent>"},
			{"Ollama", "ollama", "Ollama"},
		}
		for _, tc := range tests {
			ss.Spans().AppendEmpty().Attributes().PutStr(vocabulary.RastirAttrProvider, tc.word)
		}
		cfg := createDefaultConfig().(*Config)
		cfg.Dialects.RemoveSourceKeys = remove
		enrich(t, cfg, td)
		for i, tc := range tests {
			a := ss.Spans().At(i).Attributes()
			assert.Equal(t, tc.canonical, str(a, vocabulary.GenAIProviderName), tc.word)
			assert.Equal(t, tc.label, str(a, vocabulary.RastirProviderLabelKey), tc.word)
		}
	}
}

func TestOtherScopesAreNotReadAsRastir(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetName("my.app")
	a := ss.Spans().AppendEmpty().Attributes()
	a.PutStr(vocabulary.RastirAttrModel, "not an LLM model")
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "<absent>", str(a, vocabulary.GenAIRequestModel))
	assert.Equal(t, "<absent>", str(a, vocabulary.RastirSpanTypeKey))
}

func TestErrorCategorySources(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.ErrorCategories.Rules = map[string]string{"QuotaError": vocabulary.ErrorRateLimit}
	tests := []struct {
		name     string
		setup    func(ptrace.Span)
		category string
	}{
		{"exception event", func(s ptrace.Span) {
			s.Events().AppendEmpty().SetName(vocabulary.EventException)
			s.Events().At(0).Attributes().PutStr(vocabulary.AttrExceptionType, "APIStatusError")
		}, vocabulary.ErrorProvider},
		{"error.type", func(s ptrace.Span) {
			s.Attributes().PutStr(vocabulary.ErrorType, "ThrottlingException")
		}, vocabulary.ErrorRateLimit},
		{"unknown exception, known error.type", func(s ptrace.Span) {
			s.Events().AppendEmpty().SetName(vocabulary.EventException)
			s.Events().At(0).Attributes().PutStr(vocabulary.AttrExceptionType, "Mystery")
			s.Attributes().PutStr(vocabulary.ErrorType, "context.deadlineExceededError")
		}, vocabulary.ErrorTimeout},
		{"http status", func(s ptrace.Span) {
			s.Attributes().PutInt(vocabulary.HTTPResponseStatusCode, 429)
		}, vocabulary.ErrorRateLimit},
		{"config rule", func(s ptrace.Span) {
			s.Attributes().PutStr(vocabulary.ErrorType, "QuotaError")
		}, vocabulary.ErrorRateLimit},
		{"nothing known", func(ptrace.Span) {}, vocabulary.ErrorUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ptrace.NewTraces()
			span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			span.Status().SetCode(ptrace.StatusCodeError)
			tt.setup(span)
			enrich(t, cfg, td)
			assert.Equal(t, tt.category, str(span.Attributes(), vocabulary.RastirErrorCategoryKey))
		})
	}
}

// TestErrorCategoryRefinedByHTTPStatus: a generic API error type (Go's
// *openai.Error as the OTel SDK's RecordError names it, botocore's
// ClientError, APIStatusError) says only that the provider answered with an
// error; the HTTP status on the span says which.
func TestErrorCategoryRefinedByHTTPStatus(t *testing.T) {
	tests := []struct {
		name, exceptionType, errorType string
		status                         int64
		category                       string
	}{
		{"Go SDK error, 429", "*openai.Error", "", 429, vocabulary.ErrorRateLimit},
		{"Go SDK error as error.type, 429", "", "*anthropic.Error", 429, vocabulary.ErrorRateLimit},
		{"Go SDK error, 504", "*openai.Error", "*openai.Error", 504, vocabulary.ErrorTimeout},
		{"AWS SDK for Go error, 400", "*smithy.OperationError", "", 400, vocabulary.ErrorValidation},
		{"botocore ClientError, 429", "ClientError", "", 429, vocabulary.ErrorRateLimit},
		{"Go SDK error, 503", "*openai.Error", "", 503, vocabulary.ErrorProvider},
		{"Go SDK error, no error status", "*openai.Error", "", 200, vocabulary.ErrorProvider},
		{"a specific type stands", "APITimeoutError", "", 500, vocabulary.ErrorTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ptrace.NewTraces()
			span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			span.Status().SetCode(ptrace.StatusCodeError)
			if tt.exceptionType != "" {
				ev := span.Events().AppendEmpty()
				ev.SetName(vocabulary.EventException)
				ev.Attributes().PutStr(vocabulary.AttrExceptionType, tt.exceptionType)
			}
			if tt.errorType != "" {
				span.Attributes().PutStr(vocabulary.ErrorType, tt.errorType)
			}
			span.Attributes().PutInt(vocabulary.HTTPResponseStatusCode, tt.status)
			enrich(t, createDefaultConfig().(*Config), td)
			assert.Equal(t, tt.category, str(span.Attributes(), vocabulary.RastirErrorCategoryKey))
		})
	}
}

func TestContent(t *testing.T) {
	build := func() (ptrace.Traces, pcommon.Map) {
		td := ptrace.NewTraces()
		a := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty().Attributes()
		a.PutStr(vocabulary.RastirAttrPromptText, "héllo wörld")
		a.PutStr(vocabulary.GenAIOutputMessages, `[{"role":"assistant"}]`)
		a.PutStr(vocabulary.RastirAttrModel, "kept")
		return td, a
	}
	td, a := build()
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "<absent>", str(a, vocabulary.RastirAttrPromptText), "dropped by default")
	assert.Equal(t, "<absent>", str(a, vocabulary.GenAIOutputMessages))
	assert.Equal(t, "kept", str(a, vocabulary.RastirAttrModel))

	cfg := createDefaultConfig().(*Config)
	cfg.Content = ContentConfig{Mode: ContentTruncate, MaxLength: 4}
	td, a = build()
	enrich(t, cfg, td)
	assert.Equal(t, "héll", str(a, vocabulary.RastirAttrPromptText), "characters, not bytes")

	cfg.Content = ContentConfig{Mode: ContentKeep}
	td, a = build()
	enrich(t, cfg, td)
	assert.Equal(t, "héllo wörld", str(a, vocabulary.RastirAttrPromptText))
}

// TestContentInSpanEvents: OpenLIT's Python instrumentations write the
// prompt and completion as span attributes and again as span events
// (gen_ai.content.prompt with gen_ai.prompt or gen_ai.input.messages,
// gen_ai.content.completion with gen_ai.completion), the semconv events of
// before v1.28. The content mode governs both copies.
func TestContentInSpanEvents(t *testing.T) {
	build := func() (ptrace.Traces, ptrace.Span) {
		td := ptrace.NewTraces()
		span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		_ = span.Attributes().FromRaw(map[string]any{
			"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "chat", "gen_ai.system": "anthropic",
			"gen_ai.prompt": "user: my card is 4111 1111", "gen_ai.completion": "noted",
		})
		prompt := span.Events().AppendEmpty()
		prompt.SetName("gen_ai.content.prompt")
		prompt.Attributes().PutStr(vocabulary.GenAIPromptDeprecated, "user: my card is 4111 1111")
		completion := span.Events().AppendEmpty()
		completion.SetName("gen_ai.content.completion")
		completion.Attributes().PutStr(vocabulary.GenAICompletionDeprecated, "noted")
		embed := span.Events().AppendEmpty()
		embed.SetName("gen_ai.content.prompt")
		embed.Attributes().PutStr(vocabulary.GenAIInputMessages, "['my card is 4111 1111']")
		exception := span.Events().AppendEmpty()
		exception.SetName(vocabulary.EventException)
		exception.Attributes().PutStr(vocabulary.AttrExceptionType, "RateLimitError")
		return td, span
	}
	eventAttr := func(span ptrace.Span, i int, k string) string {
		return str(span.Events().At(i).Attributes(), k)
	}

	td, span := build()
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "<absent>", str(span.Attributes(), vocabulary.GenAIPromptDeprecated))
	assert.Equal(t, "<absent>", eventAttr(span, 0, vocabulary.GenAIPromptDeprecated), "dropped by default")
	assert.Equal(t, "<absent>", eventAttr(span, 1, vocabulary.GenAICompletionDeprecated))
	assert.Equal(t, "<absent>", eventAttr(span, 2, vocabulary.GenAIInputMessages))
	assert.Equal(t, "RateLimitError", eventAttr(span, 3, vocabulary.AttrExceptionType), "not content")

	cfg := createDefaultConfig().(*Config)
	cfg.Content = ContentConfig{Mode: ContentTruncate, MaxLength: 4}
	td, span = build()
	enrich(t, cfg, td)
	assert.Equal(t, "user", eventAttr(span, 0, vocabulary.GenAIPromptDeprecated))
	assert.Equal(t, "note", eventAttr(span, 1, vocabulary.GenAICompletionDeprecated))

	cfg.Content = ContentConfig{Mode: ContentKeep}
	td, span = build()
	enrich(t, cfg, td)
	assert.Equal(t, "user: my card is 4111 1111", eventAttr(span, 0, vocabulary.GenAIPromptDeprecated))
}

// TestToolAndRetrievalContent: semconv's opt-in tool call arguments and
// results and retrieval query and documents, as OpenLIT's LangChain
// callback writes them when it captures content, are content too.
func TestToolAndRetrievalContent(t *testing.T) {
	build := func() (ptrace.Traces, pcommon.Map, pcommon.Map) {
		td := ptrace.NewTraces()
		spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
		tool := spans.AppendEmpty().Attributes()
		_ = tool.FromRaw(map[string]any{
			"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "lookup_customer",
			"gen_ai.tool.call.id":        "call_1",
			"gen_ai.tool.call.arguments": `{"email":"jane@example.com"}`,
			"gen_ai.tool.call.result":    `{"name":"Jane Doe","phone":"555-123-4567"}`,
		})
		retrieval := spans.AppendEmpty().Attributes()
		_ = retrieval.FromRaw(map[string]any{
			"gen_ai.operation.name": "retrieval", "gen_ai.data_source.id": "VectorStoreRetriever",
			"gen_ai.retrieval.query.text": "what did Jane Doe order?",
			"gen_ai.retrieval.documents":  `[{"content":"Jane Doe, 12 Main St, ordered ..."}]`,
		})
		return td, tool, retrieval
	}

	td, tool, retrieval := build()
	enrich(t, createDefaultConfig().(*Config), td)
	for _, k := range []string{"gen_ai.tool.call.arguments", "gen_ai.tool.call.result"} {
		assert.Equal(t, "<absent>", str(tool, k), "%s dropped by default", k)
	}
	for _, k := range []string{"gen_ai.retrieval.query.text", "gen_ai.retrieval.documents"} {
		assert.Equal(t, "<absent>", str(retrieval, k), "%s dropped by default", k)
	}
	assert.Equal(t, "call_1", str(tool, vocabulary.GenAIToolCallID), "not content")
	assert.Equal(t, "VectorStoreRetriever", str(retrieval, vocabulary.GenAIDataSourceID), "not content")

	cfg := createDefaultConfig().(*Config)
	cfg.Content = ContentConfig{Mode: ContentTruncate, MaxLength: 5}
	td, tool, retrieval = build()
	enrich(t, cfg, td)
	assert.Equal(t, `{"ema`, str(tool, "gen_ai.tool.call.arguments"))
	assert.Equal(t, "what ", str(retrieval, "gen_ai.retrieval.query.text"))
}

func BenchmarkProcessRastirBatch(b *testing.B) {
	e, err := newEnricher(createDefaultConfig().(*Config))
	require.NoError(b, err)
	benchmarkProcess(b, e, decodeFixture(b, "0014.json"))
}

// BenchmarkDecodeAndProcessRastirBatch times what the default pipeline
// does first with a Rastir batch: decode it, then enrich it, with and
// without the decoder's spare attribute capacity (the rastir receiver
// asks for it).
func BenchmarkDecodeAndProcessRastirBatch(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "rastir-client", "0014.json"))
	require.NoError(b, err)
	e, err := newEnricher(createDefaultConfig().(*Config))
	require.NoError(b, err)
	for _, bc := range []struct {
		name string
		opts []rastirjson.Option
	}{
		{"exact_capacity", nil},
		{"spare_capacity", []rastirjson.Option{rastirjson.WithSpareAttributeCapacity()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dec := rastirjson.NewDecoder(rastirjson.DefaultLimits(), bc.opts...)
			spans := 0
			b.ReportAllocs()
			for b.Loop() {
				td, err := dec.Decode(body)
				if err != nil {
					b.Fatal(err)
				}
				spans += td.SpanCount()
				if _, err := e.processTraces(context.Background(), td); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(spans), "ns/span")
		})
	}
}

// benchmarkProcess times processTraces on fresh copies of src (copied with
// the timer stopped, since the processor changes its input) and reports
// the time per span.
func benchmarkProcess(b *testing.B, e *enricher, src ptrace.Traces) {
	var batches []ptrace.Traces
	b.ReportAllocs()
	for b.Loop() {
		if len(batches) == 0 {
			b.StopTimer()
			for range 64 {
				td := ptrace.NewTraces()
				src.CopyTo(td)
				batches = append(batches, td)
			}
			b.StartTimer()
		}
		td := batches[len(batches)-1]
		batches = batches[:len(batches)-1]
		if _, err := e.processTraces(context.Background(), td); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*src.SpanCount()), "ns/span")
}

func TestCost(t *testing.T) {
	june2025 := pcommon.NewTimestampFromTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	span := func(setup func(pcommon.Map)) (ptrace.Traces, pcommon.Map) {
		td := ptrace.NewTraces()
		s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
		s.SetStartTimestamp(june2025)
		setup(s.Attributes())
		return td, s.Attributes()
	}
	cfg := createDefaultConfig().(*Config)

	td, a := span(func(m pcommon.Map) {
		m.PutStr(vocabulary.GenAIProviderName, vocabulary.ProviderOpenAI)
		m.PutStr(vocabulary.GenAIRequestModel, "gpt-4o-mini")
		m.PutStr(vocabulary.GenAIResponseModel, "gpt-4o-mini-2024-07-18")
		m.PutInt(vocabulary.GenAIUsageInputTokens, 1000)
		m.PutInt(vocabulary.GenAIUsageOutputTokens, 500)
	})
	enrich(t, cfg, td)
	cost, ok := a.Get(vocabulary.RastirCostUSD)
	require.True(t, ok, "%v", a.AsRaw())
	assert.InDelta(t, 1000*0.15/1e6+500*0.6/1e6, cost.Double(), 1e-12)
	assert.Equal(t, defaultPricingProfile, str(a, vocabulary.RastirPricingProfile))

	// Cache reads are priced at the cache price, not dropped and not at
	// the full input price.
	td, a = span(func(m pcommon.Map) {
		m.PutStr(vocabulary.GenAIRequestModel, "claude-3-5-sonnet-20241022")
		m.PutInt(vocabulary.GenAIUsageInputTokens, 10000)
		m.PutInt(vocabulary.GenAIUsageCacheReadTokens, 8000)
		m.PutInt(vocabulary.GenAIUsageOutputTokens, 100)
	})
	enrich(t, cfg, td)
	cost, ok = a.Get(vocabulary.RastirCostUSD)
	require.True(t, ok, "provider inferred from the model: %v", a.AsRaw())
	assert.InDelta(t, 2000*3.0/1e6+8000*0.3/1e6+100*15.0/1e6, cost.Double(), 1e-12)

	// No price: pricing missing, never a zero cost.
	td, a = span(func(m pcommon.Map) {
		m.PutStr(vocabulary.GenAIProviderName, vocabulary.ProviderOpenAI)
		m.PutStr(vocabulary.GenAIRequestModel, "my-finetune")
		m.PutInt(vocabulary.GenAIUsageInputTokens, 10)
	})
	enrich(t, cfg, td)
	assert.Equal(t, "<absent>", str(a, vocabulary.RastirCostUSD))
	assert.Equal(t, "true", str(a, vocabulary.RastirPricingMissing))

	// The client's cost wins.
	td, a = span(func(m pcommon.Map) {
		m.PutStr(vocabulary.GenAIRequestModel, "gpt-4o")
		m.PutInt(vocabulary.GenAIUsageInputTokens, 10)
		m.PutDouble(vocabulary.RastirCostUSD, 42)
	})
	enrich(t, cfg, td)
	assert.Equal(t, "42", str(a, vocabulary.RastirCostUSD))
}

// TestCostOfBedrockModelWithoutVendor: OpenLLMetry's and OpenInference's
// Bedrock instrumentations, and the Rastir client, name a Bedrock model
// without its vendor ("claude-3-5-sonnet-20240620-v1:0"); the price list
// names it with ("anthropic.claude-3-5-sonnet-20240620").
func TestCostOfBedrockModelWithoutVendor(t *testing.T) {
	td := ptrace.NewTraces()
	s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)))
	a := s.Attributes()
	_ = a.FromRaw(map[string]any{
		"gen_ai.provider.name": "aws.bedrock", "gen_ai.operation.name": "chat",
		"gen_ai.request.model":      "claude-3-5-sonnet-20240620-v1:0",
		"gen_ai.response.model":     "claude-3-5-sonnet-20240620",
		"gen_ai.usage.input_tokens": int64(1000), "gen_ai.usage.output_tokens": int64(100),
	})
	enrich(t, createDefaultConfig().(*Config), td)
	cost, ok := a.Get(vocabulary.RastirCostUSD)
	require.True(t, ok, "%v", a.AsRaw())
	assert.InDelta(t, 1000*3.0/1e6+100*15.0/1e6, cost.Double(), 1e-12)
	assert.Equal(t, "<absent>", str(a, vocabulary.RastirPricingMissing))
}

// TestCostOfDoubleTokenCounts prices token counts sent as doubles holding
// a whole number (some OTLP exporters send every number as a double), as
// the span-metrics connector counts them: not as zero input, not as no
// usage at all.
func TestCostOfDoubleTokenCounts(t *testing.T) {
	june2025 := pcommon.NewTimestampFromTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	for _, tt := range []struct {
		name     string
		in, out  any
		wantCost float64
	}{
		{"both doubles", 1000.0, 500.0, 1000*0.15/1e6 + 500*0.6/1e6},
		{"double input", 1000.0, int64(500), 1000*0.15/1e6 + 500*0.6/1e6},
		{"double output", int64(1000), 500.0, 1000*0.15/1e6 + 500*0.6/1e6},
	} {
		t.Run(tt.name, func(t *testing.T) {
			td := ptrace.NewTraces()
			s := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
			s.SetStartTimestamp(june2025)
			a := s.Attributes()
			a.PutStr(vocabulary.GenAIProviderName, vocabulary.ProviderOpenAI)
			a.PutStr(vocabulary.GenAIRequestModel, "gpt-4o-mini")
			for k, v := range map[string]any{vocabulary.GenAIUsageInputTokens: tt.in, vocabulary.GenAIUsageOutputTokens: tt.out} {
				require.NoError(t, a.PutEmpty(k).FromRaw(v))
			}
			enrich(t, createDefaultConfig().(*Config), td)
			cost, ok := a.Get(vocabulary.RastirCostUSD)
			require.True(t, ok, "%v", a.AsRaw())
			assert.InDelta(t, tt.wantCost, cost.Double(), 1e-12)
		})
	}
}

// TestRastirClientZeroCostIsKept: a Rastir client that priced a call at 0
// (its price table lists the model as free: cost_usd 0.0, pricing_missing
// false) is not priced again from the built-in table, nor reported as a
// call without a price. The Rastir server records neither.
func TestRastirClientZeroCostIsKept(t *testing.T) {
	for _, tt := range []struct{ provider, model string }{
		{"openai", "gpt-4o-mini"}, // in the built-in table
		{"ollama", "llama3"},      // not in it
	} {
		t.Run(tt.model, func(t *testing.T) {
			td := ptrace.NewTraces()
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			ss.Scope().SetName(vocabulary.ScopeRastir)
			span := ss.Spans().AppendEmpty()
			span.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)))
			a := span.Attributes()
			a.PutStr(vocabulary.WireKeySpanType, vocabulary.SpanTypeLLM)
			a.PutStr(vocabulary.RastirAttrProvider, tt.provider)
			a.PutStr(vocabulary.RastirAttrModel, tt.model)
			a.PutInt(vocabulary.RastirAttrTokensInput, 100)
			a.PutInt(vocabulary.RastirAttrTokensOutput, 50)
			a.PutDouble(vocabulary.RastirAttrCostUSD, 0)
			a.PutBool(vocabulary.RastirAttrPricingMissing, false)
			a.PutStr(vocabulary.RastirAttrPricingProfile, "team")
			enrich(t, createDefaultConfig().(*Config), td)
			assert.Equal(t, "<absent>", str(a, vocabulary.RastirCostUSD))
			assert.Equal(t, "false", str(a, vocabulary.RastirPricingMissing))
		})
	}
}

func TestTTFTFromEvents(t *testing.T) {
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetStartTimestamp(pcommon.Timestamp(10e9))
	for _, at := range []float64{10.9, 10.25, 11} {
		ev := span.Events().AppendEmpty()
		ev.SetName(vocabulary.EventOpenLLMetryCompletionChunk)
		ev.SetTimestamp(pcommon.Timestamp(at * 1e9))
	}
	span.Events().AppendEmpty().SetName("unrelated")
	enrich(t, createDefaultConfig().(*Config), td)
	v, ok := span.Attributes().Get(vocabulary.GenAIResponseTimeToFirstChunk)
	require.True(t, ok)
	assert.InDelta(t, 0.25, v.Double(), 1e-9)

	// A value the span already has wins.
	span.Attributes().PutDouble(vocabulary.GenAIResponseTimeToFirstChunk, 0.1)
	enrich(t, createDefaultConfig().(*Config), td)
	v, _ = span.Attributes().Get(vocabulary.GenAIResponseTimeToFirstChunk)
	assert.InDelta(t, 0.1, v.Double(), 1e-9)
}

// TestRastirRemoteFlag: Rastir's MCP side flag, the string "true" or
// "false", becomes the boolean rastir.remote; anything else is left alone.
func TestRastirRemoteFlag(t *testing.T) {
	for _, tt := range []struct {
		wire string
		want any
	}{
		{vocabulary.RastirRemoteTrue, true},
		{vocabulary.RastirRemoteFalse, false},
		{"yes", nil},
	} {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		ss.Scope().SetName(vocabulary.ScopeRastir)
		span := ss.Spans().AppendEmpty()
		span.SetName("get_weather")
		span.Attributes().PutStr(vocabulary.WireKeySpanType, vocabulary.SpanTypeTool)
		span.Attributes().PutStr(vocabulary.RastirAttrRemote, tt.wire)
		e, err := newEnricher(createDefaultConfig().(*Config))
		require.NoError(t, err)
		_, err = e.processTraces(context.Background(), td)
		require.NoError(t, err)
		got, ok := span.Attributes().Get(vocabulary.RastirRemote)
		if tt.want == nil {
			assert.False(t, ok, tt.wire)
			continue
		}
		require.True(t, ok, tt.wire)
		assert.Equal(t, tt.want, got.Bool(), tt.wire)
	}
}

// TestOnlyModelCallsArePriced: an agent span with its run's token totals
// (semconv's invoke_agent) is neither priced nor reported pricing_missing;
// its LLM call is, once.
func TestOnlyModelCallsArePriced(t *testing.T) {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, op := range []string{vocabulary.OperationInvokeAgent, vocabulary.OperationChat} {
		s := spans.AppendEmpty()
		s.SetStartTimestamp(pcommon.NewTimestampFromTime(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)))
		a := s.Attributes()
		a.PutStr(vocabulary.GenAIOperationName, op)
		a.PutStr(vocabulary.GenAIProviderName, vocabulary.ProviderOpenAI)
		a.PutStr(vocabulary.GenAIRequestModel, "gpt-4o-mini")
		a.PutInt(vocabulary.GenAIUsageInputTokens, 1000)
		a.PutInt(vocabulary.GenAIUsageOutputTokens, 500)
	}
	enrich(t, createDefaultConfig().(*Config), td)
	agent, llm := spans.At(0).Attributes(), spans.At(1).Attributes()
	assert.Equal(t, vocabulary.SpanTypeAgent, str(agent, vocabulary.RastirSpanTypeKey))
	assert.Equal(t, "<absent>", str(agent, vocabulary.RastirCostUSD))
	assert.Equal(t, "<absent>", str(agent, vocabulary.RastirPricingMissing))
	assert.Equal(t, vocabulary.SpanTypeLLM, str(llm, vocabulary.RastirSpanTypeKey))
	cost, ok := llm.Get(vocabulary.RastirCostUSD)
	require.True(t, ok, "%v", llm.AsRaw())
	assert.Positive(t, cost.Double())
}
