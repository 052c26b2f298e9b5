package spanmetricsllm

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor/processortest"

	v "github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor"
)

// mixedBatch is 100 enriched spans as llm_enrich leaves them: a quarter
// each of llm, tool, retrieval and agent spans over a few models, agents
// and tools, one in ten in error, under one resource.
func mixedBatch() ptrace.Traces {
	b := newTraces("checkout", "prod", v.ScopeRastir)
	models := []string{"gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet-20241022"}
	providers := []string{v.ProviderOpenAI, v.ProviderOpenAI, v.ProviderAnthropic}
	agents := []string{"planner", "executor", "critic", "support"}
	for i := range 100 {
		m, a := i%len(models), agents[i%len(agents)]
		attrs := map[string]any{
			v.WireKeySpanType:   "llm",
			v.WireKeyDurationMs: float64(i%50) * 37.5,
			v.GenAIAgentName:    a,
		}
		isErr := i%10 == 9
		if isErr {
			attrs[v.RastirErrorCategoryKey] = v.ErrorTimeout
		}
		name := "span"
		switch i % 4 {
		case 0:
			attrs[v.RastirSpanTypeKey] = v.SpanTypeLLM
			attrs[v.GenAIOperationName] = v.OperationChat
			attrs[v.GenAIRequestModel] = models[m]
			attrs[v.GenAIProviderName] = providers[m]
			attrs[v.GenAIUsageInputTokens] = 100 + i
			attrs[v.GenAIUsageOutputTokens] = 20 + i
			attrs[v.RastirCostUSD] = 0.0001 * float64(i)
			attrs[v.RastirPricingProfile] = "default"
			attrs["model"] = models[m]
			attrs["provider"] = providers[m]
			attrs["tokens_input"] = 100 + i
			attrs["tokens_output"] = 20 + i
		case 1:
			attrs[v.RastirSpanTypeKey] = v.SpanTypeTool
			attrs[v.GenAIOperationName] = v.OperationExecuteTool
			attrs[v.GenAIToolName] = fmt.Sprint("tool_", i%8)
			name = fmt.Sprint("tool_", i%8)
		case 2:
			attrs[v.RastirSpanTypeKey] = v.SpanTypeRetrieval
			attrs[v.GenAIOperationName] = v.OperationRetrieval
		default:
			attrs[v.RastirSpanTypeKey] = v.SpanTypeAgent
			attrs[v.GenAIOperationName] = v.OperationInvokeAgent
		}
		b.span(name, time.Duration(i)*time.Millisecond, isErr, attrs)
	}
	return b.td
}

func benchmarkMixed(b *testing.B, cfg *Config) {
	tc := newTestConnector(b, cfg)
	td := mixedBatch()
	spans := td.SpanCount()
	ctx := context.Background()
	// Steady state: every series exists.
	_ = tc.ConsumeTraces(ctx, td)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = tc.ConsumeTraces(ctx, td)
	}
	b.StopTimer()
	perSpan := float64(b.Elapsed().Nanoseconds()) / float64(b.N*spans)
	b.ReportMetric(perSpan, "ns/span")
	b.ReportMetric(1e9/perSpan, "spans/s")
}

// BenchmarkConsumeMixed measures the steady state on one core: spans per
// second and allocations per span (allocs/op is per 100-span batch).
func BenchmarkConsumeMixed(b *testing.B) {
	b.Run("default", func(b *testing.B) { benchmarkMixed(b, defaultConfig()) })
	b.Run("exemplars", func(b *testing.B) {
		cfg := defaultConfig()
		cfg.Exemplars.Enabled = true
		benchmarkMixed(b, cfg)
	})
	b.Run("semconv", func(b *testing.B) {
		cfg := defaultConfig()
		cfg.GenAISemconvMetrics.Enabled = true
		benchmarkMixed(b, cfg)
	})
}

// BenchmarkFlush measures building the metrics of a connector holding the
// mixed batch's series.
func BenchmarkFlush(b *testing.B) {
	tc := newTestConnector(b, defaultConfig())
	_ = tc.ConsumeTraces(context.Background(), mixedBatch())
	b.ReportAllocs()
	for b.Loop() {
		tc.mu.Lock()
		_ = tc.buildMetrics(pcommon.Timestamp(1))
		tc.mu.Unlock()
	}
}

// BenchmarkSeriesMemory reports the heap held per active series: LLM
// spans with distinct models (each creates series in eight families).
func BenchmarkSeriesMemory(b *testing.B) {
	const spans = 20000
	batches := make([]ptrace.Traces, 0, spans/100)
	for i := range spans / 100 {
		bb := newTraces("checkout", "prod", v.ScopeRastir)
		for j := range 100 {
			bb.span("chat", 0, false, map[string]any{
				v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyDurationMs: 120.0,
				v.GenAIRequestModel: fmt.Sprintf("model-%06d", i*100+j), v.GenAIProviderName: v.ProviderOpenAI,
				v.GenAIAgentName: "agent", v.GenAIUsageInputTokens: 10, v.GenAIUsageOutputTokens: 5,
				v.RastirCostUSD: 0.001,
			})
		}
		batches = append(batches, bb.td)
	}
	cfg := defaultConfig()
	cfg.MaxSeriesPerMetric = spans
	var perSeries float64
	for b.Loop() {
		tc := newTestConnector(b, cfg)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for _, td := range batches {
			_ = tc.ConsumeTraces(context.Background(), td)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		total := 0
		for _, f := range tc.families {
			total += len(f.order)
		}
		perSeries = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(total)
		runtime.KeepAlive(tc)
	}
	b.ReportMetric(perSeries, "bytes/series")
}

// BenchmarkConsumeOverflow measures a flood of new label values once every
// family is at its cap: each span lands on an overflow series.
func BenchmarkConsumeOverflow(b *testing.B) {
	const batches = 50
	tds := make([]ptrace.Traces, batches)
	for i := range batches {
		bb := newTraces("checkout", "prod", v.ScopeRastir)
		for j := range 100 {
			bb.span("chat", 0, false, map[string]any{
				v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyDurationMs: 120.0,
				v.GenAIRequestModel: fmt.Sprintf("model-%06d", i*100+j), v.GenAIProviderName: v.ProviderOpenAI,
				v.GenAIAgentName: fmt.Sprintf("agent-%06d", i*100+j), v.GenAIUsageInputTokens: 10,
			})
		}
		tds[i] = bb.td
	}
	cfg := defaultConfig()
	cfg.MaxSeriesPerMetric = 10
	tc := newTestConnector(b, cfg)
	ctx := context.Background()
	_ = tc.ConsumeTraces(ctx, tds[0])
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		_ = tc.ConsumeTraces(ctx, tds[i%batches])
		i++
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*100), "ns/span")
	for _, f := range tc.families {
		if len(f.order) > 2*cfg.MaxSeriesPerMetric {
			b.Fatalf("%s holds %d series", f.name, len(f.order))
		}
	}
}

// BenchmarkWithCardinality measures what the default config pays per span
// for its metrics: the cardinality processor (Rastir's caps, values
// admitted) in front of the connector, on the mixed batch.
func BenchmarkWithCardinality(b *testing.B) {
	tc := newTestConnector(b, defaultConfig())
	factory := cardinalityprocessor.NewFactory()
	proc, err := factory.CreateTraces(context.Background(), processortest.NewNopSettings(factory.Type()),
		factory.CreateDefaultConfig(), tc)
	if err != nil {
		b.Fatal(err)
	}
	if err := proc.Start(context.Background(), componenttest.NewNopHost()); err != nil {
		b.Fatal(err)
	}
	defer func() { _ = proc.Shutdown(context.Background()) }()
	td := mixedBatch()
	spans := td.SpanCount()
	ctx := context.Background()
	_ = proc.ConsumeTraces(ctx, td)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = proc.ConsumeTraces(ctx, td)
	}
	b.StopTimer()
	perSpan := float64(b.Elapsed().Nanoseconds()) / float64(b.N*spans)
	b.ReportMetric(perSpan, "ns/span")
	b.ReportMetric(1e9/perSpan, "spans/s")
}
