package sdktest

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// node is an allocation of its own (it holds pointers, so the runtime's
// tiny allocator does not pack several into one).
type node [4]*int

var sink, kept []*node

// withBenchtime sets -test.benchtime for the benchmarks testing.Benchmark
// runs during the test.
func withBenchtime(t *testing.T, v string) {
	t.Helper()
	f := flag.Lookup("test.benchtime")
	require.NotNil(t, f)
	old := f.Value.String()
	require.NoError(t, f.Value.Set(v))
	t.Cleanup(func() { _ = f.Value.Set(old) })
}

// TestMeasureCountsOnlyTheLoop: the benchmark allocates far more around
// the loop than in it, and runs the loop 100 times; Measure gives the
// loop's one allocation per operation and the time testing measured.
func TestMeasureCountsOnlyTheLoop(t *testing.T) {
	withBenchtime(t, "100x")
	var got PerOp
	res := testing.Benchmark(func(b *testing.B) {
		for range 1000 {
			kept = append(kept, new(node))
		}
		got = Measure(b, func() { sink = append(sink[:0], new(node)) })
		for range 1000 {
			kept = append(kept, new(node))
		}
	})
	kept, sink = nil, nil
	require.Equal(t, 100, res.N)
	assert.InDelta(t, 1, got.Allocs, 0.05)
	assert.InDelta(t, float64(res.MemAllocs)/float64(res.N), got.Allocs, 0.05, "testing's own count")
	assert.Equal(t, float64(res.T.Nanoseconds())/float64(res.N), got.NS)
}

// TestReportRatios: got relative to base, as the metrics testing reports.
func TestReportRatios(t *testing.T) {
	withBenchtime(t, "1x")
	for _, tc := range []struct {
		name      string
		got, base PerOp
		want      map[string]float64
	}{
		{"measured", PerOp{NS: 30, Allocs: 6}, PerOp{NS: 10, Allocs: 3},
			map[string]float64{"time-ratio": 3, "allocs-ratio": 2}},
		{"slower with fewer allocations", PerOp{NS: 15, Allocs: 1}, PerOp{NS: 10, Allocs: 4},
			map[string]float64{"time-ratio": 1.5, "allocs-ratio": 0.25}},
		// A base that allocates nothing still has a time to compare with.
		{"base allocates nothing", PerOp{NS: 30, Allocs: 2}, PerOp{NS: 10},
			map[string]float64{"time-ratio": 3}},
		{"base not measured", PerOp{NS: 30, Allocs: 6}, PerOp{}, map[string]float64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := testing.Benchmark(func(b *testing.B) { ReportRatios(b, tc.got, tc.base) })
			assert.Equal(t, tc.want, res.Extra)
		})
	}
}
