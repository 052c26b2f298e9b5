package main

import (
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, ms(i))
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"one value", []time.Duration{ms(7)}, 50, ms(7)},
		{"median of 100", hundred, 50, ms(50)},
		{"p99 of 100", hundred, 99, ms(99)},
		{"p100 is the max", hundred, 100, ms(100)},
		{"p99 of 10 is the max (nearest rank)", hundred[:10], 99, ms(10)},
		{"p50 of 4 is the 2nd", hundred[:4], 50, ms(2)},
		{"tiny p is the min", hundred, 0.001, ms(1)},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: percentile(p%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestRates(t *testing.T) {
	if got := perSecond(1500, 3*time.Second); got != 500 {
		t.Errorf("perSecond = %v, want 500", got)
	}
	if got := perSecond(10, 0); got != 0 {
		t.Errorf("perSecond over nothing = %v, want 0", got)
	}
	r := &result{acceptedSpans: 40_000, elapsed: 2 * time.Second, cpu: cpuUse{collector: 0.5}}
	if got := r.spansPerSecond(); got != 20_000 {
		t.Errorf("spansPerSecond = %v", got)
	}
	if got := r.spansPerCollectorCore(); got != 40_000 {
		t.Errorf("spansPerCollectorCore = %v", got)
	}
	if got := ratio(3, 2); got != "1.50×" {
		t.Errorf("ratio = %q", got)
	}
	if got := ratio(3, 0); got != "n/a" {
		t.Errorf("ratio by 0 = %q", got)
	}
}

func TestPacer(t *testing.T) {
	start := time.Unix(1000, 0)
	p := newPacer(start, 1000) // 1000 spans/s: 1 ms per span
	// The first batch is due at once; each later one when the spans
	// before it have had their time.
	for _, step := range []struct {
		spans int
		want  time.Duration
	}{{10, 0}, {5, 10 * time.Millisecond}, {100, 15 * time.Millisecond}, {1, 115 * time.Millisecond}} {
		if got := p.due(step.spans).Sub(start); got != step.want {
			t.Errorf("batch of %d due at +%v, want +%v", step.spans, got, step.want)
		}
	}
}

func TestMergeAndErrors(t *testing.T) {
	total := &result{errors: map[int]int64{}}
	total.merge(&result{requests: 3, acceptedReqs: 2, acceptedSpans: 20, errors: map[int]int64{503: 1},
		latencies: []time.Duration{3, 1}})
	total.merge(&result{requests: 2, acceptedReqs: 1, acceptedSpans: 7, errors: map[int]int64{0: 1},
		firstErr: "connection refused", latencies: []time.Duration{2}})
	total.finish()
	if total.requests != 5 || total.acceptedReqs != 3 || total.acceptedSpans != 27 {
		t.Errorf("counts %+v", total)
	}
	if got := total.errorSummary(); got != "transport×1, 503×1" {
		t.Errorf("errorSummary = %q", got)
	}
	if total.latencies[0] != 1 || total.latencies[2] != 3 {
		t.Errorf("latencies not sorted: %v", total.latencies)
	}
	if (&result{}).errorSummary() != "none" {
		t.Error("no errors should read none")
	}
}

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -45000: "-45,000"} {
		if got := thousands(in); got != want {
			t.Errorf("thousands(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestSumMetric(t *testing.T) {
	text := `# HELP traces_span_metrics_calls_total
# TYPE traces_span_metrics_calls_total counter
traces_span_metrics_calls_total{service_name="a",span_name="x } \"y\""} 10
traces_span_metrics_calls_total{service_name="b"} 2.5e+01 1700000000000
traces_span_metrics_calls_total_other{service_name="c"} 1000
traces_span_metrics_duration_milliseconds_count{service_name="a"} 7
traces_span_metrics_calls_total 5
`
	sum, found, err := sumMetric(strings.NewReader(text), callsMetric)
	if err != nil || !found || sum != 40 {
		t.Fatalf("sumMetric = %v, %v, %v; want 40", sum, found, err)
	}
	if _, found, _ := sumMetric(strings.NewReader("up 1\n"), callsMetric); found {
		t.Error("found a metric that is not there")
	}
}

func TestProcParsing(t *testing.T) {
	kib, err := vmHWM(strings.NewReader("Name:\totelcol\nVmPeak:\t  900 kB\nVmHWM:\t   65536 kB\nVmRSS:\t 1 kB\n"))
	if err != nil || kib != 64<<20 {
		t.Errorf("vmHWM = %d, %v", kib, err)
	}
	total, idle, err := parseProcStat("cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 1 2 3\n")
	if err != nil || total != 1000 || idle != 850 {
		t.Errorf("parseProcStat = %d, %d, %v", total, idle, err)
	}
	ticks, err := parsePidStat("42 (otel col) (x)) S 1 1 1 0 -1 4194304 100 0 0 0 250 30 0 0 20 0 1 0")
	if err != nil || ticks != 280 {
		t.Errorf("parsePidStat = %d, %v", ticks, err)
	}
	a := cpuSample{total: 0, idle: 0}
	b := cpuSample{total: 200, idle: 50, collector: 100, self: 40} // 2 CPUs, 100 ticks each
	u := cpuBetween(a, b, 2)
	if u.collector != 1 || u.loadgen != 0.4 || u.other < 0.099 || u.other > 0.101 {
		t.Errorf("cpuBetween = %+v", u)
	}
}
