package rastirjson

import (
	"slices"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// BenchmarkDecode measures Decoder.Decode on the Rastir client's batches
// and, as the baseline of the same run, the OTLP/HTTP JSON unmarshaler of
// pdata on the same spans (each fixture decoded once, marshalled as OTLP
// JSON). Besides ns/op and allocs/op it reports spans/s and ns/span (of the
// one goroutine that decodes, so spans/s is per core) and allocs/span.
//
//	go test -run '^$' -bench BenchmarkDecode -benchmem .
func BenchmarkDecode(b *testing.B) {
	all := fixtures(b)
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	slices.Sort(names)
	mixed := make([][]byte, 0, len(names))
	for _, name := range names {
		mixed = append(mixed, all[name])
	}
	sets := []struct {
		name   string
		bodies [][]byte
	}{
		{"0014.json", [][]byte{all["0014.json"]}},
		{"all fixtures", mixed},
	}

	d := NewDecoder(DefaultLimits())
	for _, set := range sets {
		if len(set.bodies) == 0 || set.bodies[0] == nil {
			b.Fatalf("fixture set %q is empty", set.name)
		}
		otlp, spans := otlpBodies(b, d, set.bodies)
		b.Run(set.name+"/rastir json decoder", func(b *testing.B) {
			benchmarkBodies(b, set.bodies, spans, func(body []byte) (ptrace.Traces, error) {
				return d.Decode(body)
			})
		})
		b.Run(set.name+"/otlp json unmarshal", func(b *testing.B) {
			var u ptrace.JSONUnmarshaler
			benchmarkBodies(b, otlp, spans, u.UnmarshalTraces)
		})
	}
}

// otlpBodies converts Rastir bodies to OTLP JSON with the decoder under
// test and counts their spans.
func otlpBodies(b *testing.B, d *Decoder, bodies [][]byte) (otlp [][]byte, spans int) {
	b.Helper()
	var m ptrace.JSONMarshaler
	for _, body := range bodies {
		td, err := d.Decode(body)
		if err != nil {
			b.Fatal(err)
		}
		spans += td.SpanCount()
		out, err := m.MarshalTraces(td)
		if err != nil {
			b.Fatal(err)
		}
		otlp = append(otlp, out)
	}
	return otlp, spans
}

// benchmarkBodies decodes every body once per iteration and checks the
// span count, so that both sides do the same work.
func benchmarkBodies(b *testing.B, bodies [][]byte, spans int, decode func([]byte) (ptrace.Traces, error)) {
	b.Helper()
	once := func() int {
		n := 0
		for _, body := range bodies {
			td, err := decode(body)
			if err != nil {
				b.Fatal(err)
			}
			n += td.SpanCount()
		}
		return n
	}
	if got := once(); got != spans {
		b.Fatalf("decoded %d spans, want %d", got, spans)
	}
	allocs := testing.AllocsPerRun(20, func() { once() })
	var size int64
	for _, body := range bodies {
		size += int64(len(body))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	iterations := 0
	for b.Loop() {
		once()
		iterations++
	}
	total := float64(iterations * spans)
	b.ReportMetric(total/b.Elapsed().Seconds(), "spans/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/span")
	b.ReportMetric(allocs/float64(spans), "allocs/span")
	b.ReportMetric(float64(spans), "spans/op")
}
