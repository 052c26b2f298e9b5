package cardinalityprocessor

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

const benchSpans = 100

// benchTraces is a batch of LLM, tool and agent spans with the attributes
// llm_enrich writes; distinct gives each span's model, tool and agent a
// name of its own (from seed), so that they overflow once the caps are hit.
func benchTraces(distinct bool, seed int) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "checkout")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	name := func(prefix string, i int) string {
		if distinct {
			return fmt.Sprintf("%s-%d", prefix, seed*benchSpans+i)
		}
		return fmt.Sprintf("%s-%d", prefix, i%5)
	}
	for i := range benchSpans {
		sp := spans.AppendEmpty()
		a := sp.Attributes()
		switch i % 3 {
		case 0: // llm
			sp.SetName("chat gpt-4o")
			a.PutStr(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeLLM)
			a.PutStr(vocabulary.GenAIOperationName, "chat")
			a.PutStr(vocabulary.GenAIProviderName, "openai")
			a.PutStr(vocabulary.GenAIRequestModel, name("model", i))
			a.PutStr(vocabulary.GenAIResponseModel, name("model", i))
			a.PutInt(vocabulary.GenAIUsageInputTokens, 1200)
			a.PutInt(vocabulary.GenAIUsageOutputTokens, 300)
			a.PutDouble(vocabulary.RastirCostUSD, 0.0042)
			a.PutStr(vocabulary.RastirPricingProfile, "default")
			a.PutStr(vocabulary.GenAIAgentName, name("agent", i))
			a.PutStr("server.address", "api.openai.com")
			a.PutInt("server.port", 443)
		case 1: // tool
			sp.SetName("execute_tool search")
			a.PutStr(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeTool)
			a.PutStr(vocabulary.GenAIOperationName, "execute_tool")
			a.PutStr(vocabulary.GenAIToolName, name("tool", i))
			a.PutStr("gen_ai.tool.call.id", "call_8f2a")
			a.PutStr(vocabulary.GenAIAgentName, name("agent", i))
			a.PutBool(vocabulary.RastirRemote, false)
		default: // agent
			sp.SetName("invoke_agent planner")
			a.PutStr(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeAgent)
			a.PutStr(vocabulary.GenAIOperationName, "invoke_agent")
			a.PutStr(vocabulary.GenAIAgentName, name("agent", i))
			a.PutStr("gen_ai.agent.id", "agent-7")
			a.PutStr("gen_ai.conversation.id", "conv-1234")
		}
	}
	return td
}

// BenchmarkProcessTraces reports the cost per span of a mixed batch.
func BenchmarkProcessTraces(b *testing.B) {
	for _, bc := range []struct {
		name     string
		distinct bool
		window   time.Duration
	}{
		{"admitted", false, 0},
		{"admitted_window", false, time.Hour},
		{"overflowing", true, 0},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := createDefaultConfig().(*Config)
			cfg.Window = bc.window
			s := newTestState(b, cfg)
			// Fill the caps, then process fresh copies of one batch.
			for i := range 10 {
				_, _ = s.processTraces(context.Background(), benchTraces(bc.distinct, i))
			}
			src := benchTraces(bc.distinct, 1000)
			batches := make([]ptrace.Traces, 64)
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				b.StopTimer()
				if n%len(batches) == 0 {
					for i := range batches {
						batches[i] = ptrace.NewTraces()
						src.CopyTo(batches[i])
					}
				}
				td := batches[n%len(batches)]
				n++
				b.StartTimer()
				_, _ = s.processTraces(context.Background(), td)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*benchSpans), "ns/span")
		})
	}
}

// BenchmarkProcessTracesParallel measures the shared state under
// concurrent batches (one state, GOMAXPROCS goroutines).
func BenchmarkProcessTracesParallel(b *testing.B) {
	s := newTestState(b, createDefaultConfig().(*Config))
	src := benchTraces(false, 0)
	_, _ = s.processTraces(context.Background(), src)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		// The values are admitted: processing a batch again changes
		// nothing, so one batch per goroutine can be reused.
		td := ptrace.NewTraces()
		src.CopyTo(td)
		for pb.Next() {
			_, _ = s.processTraces(context.Background(), td)
		}
	})
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())*float64(runtime.GOMAXPROCS(0))/float64(b.N*benchSpans), "cpu-ns/span")
}

// benchMetrics is a sum and a histogram of the rastir_* shape with one
// point per model; with distinct models most points collapse and merge.
func benchMetrics(distinct bool) pmetric.Metrics {
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	sum := ms.AppendEmpty().SetEmptySum()
	sum.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	hist := ms.AppendEmpty().SetEmptyHistogram()
	hist.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i := range benchSpans / 2 {
		model := fmt.Sprintf("model-%d", i%5)
		if distinct {
			model = fmt.Sprintf("model-%d", 1000+i)
		}
		sp := sum.DataPoints().AppendEmpty()
		benchLabels(sp.Attributes(), model)
		sp.SetTimestamp(1000)
		sp.SetIntValue(int64(i))
		hp := hist.DataPoints().AppendEmpty()
		benchLabels(hp.Attributes(), model)
		hp.SetTimestamp(1000)
		hp.ExplicitBounds().FromRaw([]float64{0.1, 1, 10})
		hp.BucketCounts().FromRaw([]uint64{1, 2, 3, 4})
		hp.SetCount(10)
		hp.SetSum(12)
	}
	return md
}

func benchLabels(a pcommon.Map, model string) {
	a.PutStr(vocabulary.LabelService, "checkout")
	a.PutStr(vocabulary.LabelEnv, "prod")
	a.PutStr(vocabulary.LabelModel, model)
	a.PutStr(vocabulary.LabelProvider, "openai")
	a.PutStr(vocabulary.LabelAgent, "planner")
	a.PutStr(vocabulary.LabelSpanType, vocabulary.SpanTypeLLM)
}

// BenchmarkProcessMetrics reports the cost per data point.
func BenchmarkProcessMetrics(b *testing.B) {
	for _, bc := range []struct {
		name     string
		distinct bool
	}{{"admitted", false}, {"overflowing_merged", true}} {
		b.Run(bc.name, func(b *testing.B) {
			s := newTestState(b, createDefaultConfig().(*Config))
			for i := range 60 {
				_, _ = s.processTraces(context.Background(), tracesOf(map[string]any{vocabulary.GenAIRequestModel: fmt.Sprintf("model-%d", i)}))
			}
			src := benchMetrics(bc.distinct)
			points := src.DataPointCount()
			batches := make([]pmetric.Metrics, 64)
			b.ReportAllocs()
			b.ResetTimer()
			n := 0
			for b.Loop() {
				b.StopTimer()
				if n%len(batches) == 0 {
					for i := range batches {
						batches[i] = pmetric.NewMetrics()
						src.CopyTo(batches[i])
					}
				}
				md := batches[n%len(batches)]
				n++
				b.StartTimer()
				_, _ = s.processMetrics(context.Background(), md)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*points), "ns/point")
		})
	}
}

// BenchmarkAdmittedValueMemory reports the heap held per admitted value of
// a typical length (a 24-byte model name), with and without a window.
func BenchmarkAdmittedValueMemory(b *testing.B) {
	const values = 10000
	for _, window := range []time.Duration{0, time.Hour} {
		b.Run(fmt.Sprintf("window=%s", window), func(b *testing.B) {
			names := make([]string, values)
			for i := range names {
				names[i] = fmt.Sprintf("model-name-%013d", i)
			}
			var perValue float64
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				d := newDimension("model", values, overflow, window.Nanoseconds(), nil)
				// Twice: the second pass completes the lock-free snapshot.
				for range 2 {
					for _, n := range names {
						d.guard(n, 1)
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				perValue = float64(after.HeapAlloc-before.HeapAlloc) / values
				runtime.KeepAlive(d)
			}
			b.ReportMetric(perValue, "B/value")
		})
	}
}
