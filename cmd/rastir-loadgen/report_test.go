package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median even = %v", got)
	}
	if got := median([]time.Duration{5, 1}); got != 3 {
		t.Errorf("median durations = %v", got)
	}
	if got := median[int64](nil); got != 0 {
		t.Errorf("median of nothing = %v", got)
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 {
		t.Error("median sorted its argument")
	}
}

// fakeRound is one round of one pipeline that accepted spans at rate for
// 10 s with every request taking lat.
func fakeRound(spec *pipelineSpec, rate float64, lat time.Duration, rss int64) *pipelineResult {
	run := func(r float64) *result {
		return &result{
			elapsed: 10 * time.Second, acceptedSpans: int64(r * 10),
			latencies: []time.Duration{lat}, dueLatencies: []time.Duration{2 * lat},
			cpu: cpuUse{collector: 1},
		}
	}
	maxRun, half := run(rate), run(rate/2)
	return &pipelineResult{spec: spec, max: maxRun, half: half, rss: rss,
		acceptedSpans: maxRun.acceptedSpans + half.acceptedSpans,
		downstream:    float64(maxRun.acceptedSpans + half.acceptedSpans)}
}

func TestSummaryAndTable(t *testing.T) {
	oursSpec := &pipelineSpec{name: "ours", mode: modeRastir}
	stockSpec := &pipelineSpec{name: "stock", mode: modeOTLP}
	ours := summarize([]*pipelineResult{
		fakeRound(oursSpec, 120_000, 2*time.Millisecond, 60<<20),
		fakeRound(oursSpec, 150_000, 1*time.Millisecond, 70<<20),
		fakeRound(oursSpec, 130_000, 3*time.Millisecond, 65<<20),
	})
	if ours.maxRate != 130_000 || ours.halfRate != 65_000 || ours.maxP99 != 2*time.Millisecond || ours.rss != 70<<20 {
		t.Fatalf("summary %+v", ours)
	}
	if ours.accepted != 6_000_000 || ours.downstream != ours.accepted || ours.perCore != 130_000 {
		t.Errorf("counts: accepted %d downstream %d per core %v", ours.accepted, ours.downstream, ours.perCore)
	}
	stockRounds := []*pipelineResult{
		fakeRound(stockSpec, 100_000, 4*time.Millisecond, 80<<20),
		fakeRound(stockSpec, 100_000, 4*time.Millisecond, 80<<20),
		fakeRound(stockSpec, 100_000, 4*time.Millisecond, 80<<20),
	}
	stockRounds[2].downstreamErr = errors.New("scrape failed")
	stock := summarize(stockRounds)
	var out bytes.Buffer
	printComparison(&out, ours, stock)
	text := out.String()
	for _, want := range []string{
		"| ours (rastir) | 130,000 |",
		"| ours/stock | 1.30× |",
		"by round: 1.20×, 1.50×, 1.30×",
		"spans/s ours/stock  1.30×",
		"met",
		"n/a (scrape failed)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("table lacks %q:\n%s", want, text)
		}
	}
}
