package rastir

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/sdktest"
)

// bareLLMSpan is an LLM span made with the OpenTelemetry API alone, with
// the attributes the SDK writes.
func bareLLMSpan(ctx context.Context, tr trace.Tracer) {
	{
		_, s := tr.Start(ctx, "chat gpt-4o", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
			attribute.String(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeLLM),
			attribute.String(vocabulary.GenAIOperationName, vocabulary.OperationChat),
			attribute.String(vocabulary.GenAIAgentName, "planner"),
			attribute.String(vocabulary.GenAIRequestModel, "gpt-4o"),
			attribute.String(vocabulary.GenAIProviderName, vocabulary.ProviderOpenAI),
		))
		s.SetAttributes(
			attribute.String(vocabulary.GenAIResponseModel, "gpt-4o-2024-08-06"),
			attribute.Int64(vocabulary.GenAIUsageInputTokens, 120),
			attribute.Int64(vocabulary.GenAIUsageOutputTokens, 45),
			attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, []string{"stop"}),
			attribute.Float64(vocabulary.RastirCostUSD, 0.00075),
			attribute.Float64(vocabulary.GenAIResponseTimeToFirstChunk, 0.08),
		)
		s.End()
	}
}

// sdkLLMSpan is the same span made with the SDK's helpers.
func sdkLLMSpan(ctx context.Context) {
	{
		_, s := StartLLM(ctx, "gpt-4o", WithProvider(vocabulary.ProviderOpenAI))
		s.SetResponseModel("gpt-4o-2024-08-06")
		s.SetUsage(120, 45)
		s.SetFinishReasons("stop")
		s.SetCost(0.00075)
		s.SetTTFT(80 * time.Millisecond)
		s.End()
	}
}

// BenchmarkLLMSpan compares an SDK LLM span with a bare OpenTelemetry span
// with the same attributes, both with a no-op exporter; the sdk case
// reports its time and allocations relative to the otel case of the same
// run (time-ratio, allocs-ratio).
func BenchmarkLLMSpan(b *testing.B) {
	var otel sdktest.PerOp
	b.Run("otel", func(b *testing.B) {
		tp := sdktest.NewNoopProvider()
		tr := tp.Tracer("bench")
		ctx, parent := tr.Start(context.Background(), "invoke_agent planner")
		defer parent.End()
		otel = sdktest.Measure(b, func() { bareLLMSpan(ctx, tr) })
	})
	b.Run("sdk", func(b *testing.B) {
		UseTracerProvider(sdktest.NewNoopProvider())
		defer UseTracerProvider(nil)
		ctx, agent := StartAgent(context.Background(), "planner")
		defer agent.End()
		sdktest.ReportRatios(b, sdktest.Measure(b, func() { sdkLLMSpan(ctx) }), otel)
	})
}

// BenchmarkLLMSpanPaired makes one bare span and one SDK span per
// iteration, timing each, so that a busy machine slows both alike; it
// reports both times per span and their ratio.
func BenchmarkLLMSpanPaired(b *testing.B) {
	tp := sdktest.NewNoopProvider()
	tr := tp.Tracer("bench")
	octx, parent := tr.Start(context.Background(), "invoke_agent planner")
	defer parent.End()
	UseTracerProvider(tp)
	defer UseTracerProvider(nil)
	sctx, agent := StartAgent(context.Background(), "planner")
	defer agent.End()
	var bare, sdk time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		// Alternate which goes first.
		if i%2 == 0 {
			t0 := time.Now()
			bareLLMSpan(octx, tr)
			t1 := time.Now()
			sdkLLMSpan(sctx)
			t2 := time.Now()
			bare, sdk = bare+t1.Sub(t0), sdk+t2.Sub(t1)
		} else {
			t0 := time.Now()
			sdkLLMSpan(sctx)
			t1 := time.Now()
			bareLLMSpan(octx, tr)
			t2 := time.Now()
			sdk, bare = sdk+t1.Sub(t0), bare+t2.Sub(t1)
		}
	}
	b.ReportMetric(float64(bare.Nanoseconds())/float64(b.N), "otel-ns/span")
	b.ReportMetric(float64(sdk.Nanoseconds())/float64(b.N), "sdk-ns/span")
	b.ReportMetric(float64(sdk)/float64(bare), "time-ratio")
}

// okTransport answers every request with 200 at once, so that the sender
// keeps up and the benchmarks measure the app side.
type okTransport struct{}

func (okTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	_, _ = io.Copy(io.Discard, r.Body)
	_ = r.Body.Close()
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
}

func benchPushExporter(b *testing.B) *PushExporter {
	e, err := NewPushExporter("http://rastir.invalid", WithPushHTTPClient(&http.Client{Transport: okTransport{}}))
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func llmSpanOnce(ctx context.Context) {
	_, s := StartLLM(ctx, "gpt-4o", WithProvider(vocabulary.ProviderOpenAI))
	s.SetUsage(120, 45)
	s.SetCost(0.00075)
	s.End()
}

// BenchmarkPushEnqueue measures what the application pays per span with
// the push exporter: behind the batch span processor (the default: End
// puts the span on the processor's queue; encoding happens on its
// goroutine) and behind a simple processor (End encodes the span and puts
// it on the exporter's own bounded queue).
func BenchmarkPushEnqueue(b *testing.B) {
	for _, tc := range []struct {
		name string
		proc func(sdktrace.SpanExporter) sdktrace.SpanProcessor
	}{
		// The span alone, for reference: the difference is the enqueue.
		{"no-export", func(sdktrace.SpanExporter) sdktrace.SpanProcessor {
			return sdktrace.NewSimpleSpanProcessor(sdktest.NoopExporter{})
		}},
		{"batch-processor", func(e sdktrace.SpanExporter) sdktrace.SpanProcessor {
			return sdktrace.NewBatchSpanProcessor(e, sdktrace.WithMaxExportBatchSize(DefaultPushBatchSize),
				sdktrace.WithMaxQueueSize(DefaultPushQueueSize))
		}},
		{"own-queue", sdktrace.NewSimpleSpanProcessor},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := benchPushExporter(b)
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tc.proc(e)))
			UseTracerProvider(tp)
			defer UseTracerProvider(nil)
			ctx, agent := StartAgent(context.Background(), "planner")
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				llmSpanOnce(ctx)
			}
			b.StopTimer()
			agent.End()
			_ = tp.Shutdown(context.Background())
			b.ReportMetric(float64(e.Stats().SpansDropped), "dropped")
		})
	}
}

// BenchmarkPushExportSpans measures encoding and queueing a 100-span batch
// (the work of the batch processor's goroutine), per span.
func BenchmarkPushExportSpans(b *testing.B) {
	rec := newBenchRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	UseTracerProvider(tp)
	ctx, agent := StartAgent(context.Background(), "planner")
	for range DefaultPushBatchSize {
		llmSpanOnce(ctx)
	}
	agent.End()
	UseTracerProvider(nil)
	spans := rec.spans[:DefaultPushBatchSize]
	e := benchPushExporter(b)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = e.ExportSpans(ctx, spans)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
	_ = e.Shutdown(context.Background())
	b.ReportMetric(float64(e.Stats().SpansDropped)/float64(b.N*len(spans)), "dropped-fraction")
}

type benchRecorder struct {
	mu    sync.Mutex
	spans []sdktrace.ReadOnlySpan
}

func newBenchRecorder() *benchRecorder { return &benchRecorder{} }

func (r *benchRecorder) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (r *benchRecorder) OnEnd(s sdktrace.ReadOnlySpan) {
	r.mu.Lock()
	r.spans = append(r.spans, s)
	r.mu.Unlock()
}
func (r *benchRecorder) Shutdown(context.Context) error   { return nil }
func (r *benchRecorder) ForceFlush(context.Context) error { return nil }
