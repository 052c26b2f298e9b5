// Package sdktest holds the benchmark helpers the SDK's modules share:
// a provider whose spans go to a no-op exporter, and measuring a benchmark
// against a baseline of the same run.
package sdktest

import (
	"context"
	"runtime"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// NoopExporter drops the spans it is given.
type NoopExporter struct{}

// ExportSpans drops spans.
func (NoopExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }

// Shutdown does nothing.
func (NoopExporter) Shutdown(context.Context) error { return nil }

// NewNoopProvider returns a provider that samples every span and ends it
// in a NoopExporter through a simple span processor: what a span costs the
// app, without sending it.
func NewNoopProvider() *sdktrace.TracerProvider {
	return sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(sdktrace.NewSimpleSpanProcessor(NoopExporter{})))
}

// PerOp is a benchmark's time and allocations per operation.
type PerOp struct{ NS, Allocs float64 }

// Measure runs op in b's loop and returns its time and allocations per
// operation. Only the loop is measured: what the benchmark sets up before
// calling Measure, or tears down after, is not counted, however small b.N
// is (-benchtime=1x).
func Measure(b *testing.B, op func()) PerOp {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		op()
	}
	runtime.ReadMemStats(&after)
	n := float64(b.N)
	return PerOp{NS: float64(b.Elapsed().Nanoseconds()) / n, Allocs: float64(after.Mallocs-before.Mallocs) / n}
}

// ReportRatios reports got relative to base, measured in the same run, as
// time-ratio and allocs-ratio; nothing when base was not measured, and no
// allocs-ratio when base allocates nothing.
func ReportRatios(b *testing.B, got, base PerOp) {
	if base.NS > 0 {
		b.ReportMetric(got.NS/base.NS, "time-ratio")
	}
	if base.Allocs > 0 {
		b.ReportMetric(got.Allocs/base.Allocs, "allocs-ratio")
	}
}
