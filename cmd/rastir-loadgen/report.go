package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// Targets of the performance issue, reported against (not enforced).
const (
	targetThroughputRatio = 1.2
	targetHalfRateP99     = 10 * time.Millisecond
	targetPeakRSS         = 150 << 20
)

// busyMachine is the CPU use of other processes (in cores) above which the
// comparison warns that its numbers are disturbed.
const busyMachine = 0.1

// summary is one pipeline over every round: the median of each figure,
// the maximum peak RSS, and the sums of the counts.
type summary struct {
	spec *pipelineSpec

	rounds            []float64 // max spans/s of each round, in order
	maxRate, halfRate float64   // spans/s
	maxCores, perCore float64   // collector cores at max; spans/s per core
	maxP50, maxP99    time.Duration
	halfP50, halfP99  time.Duration
	halfDueP99        time.Duration
	otherCores        float64 // most CPU other processes used in a run

	rss, accepted, downstream, errors int64
	rssErr, downstreamErr             error
}

func summarize(results []*pipelineResult) *summary {
	s := &summary{spec: results[0].spec}
	var maxRate, halfRate, cores, perCore []float64
	var maxP50, maxP99, halfP50, halfP99, halfDue []time.Duration
	for _, r := range results {
		maxRate = append(maxRate, r.max.spansPerSecond())
		halfRate = append(halfRate, r.half.spansPerSecond())
		cores = append(cores, r.max.cpu.collector)
		perCore = append(perCore, r.max.spansPerCollectorCore())
		maxP50 = append(maxP50, percentile(r.max.latencies, 50))
		maxP99 = append(maxP99, percentile(r.max.latencies, 99))
		halfP50 = append(halfP50, percentile(r.half.latencies, 50))
		halfP99 = append(halfP99, percentile(r.half.latencies, 99))
		halfDue = append(halfDue, percentile(r.half.dueLatencies, 99))
		for _, run := range []*result{r.max, r.half} {
			if run.cpuErr == nil {
				s.otherCores = max(s.otherCores, run.cpu.other)
			}
		}
		s.rss = max(s.rss, r.rss)
		s.rssErr = cmpErr(s.rssErr, r.rssErr)
		s.accepted += r.acceptedSpans
		s.downstream += int64(r.downstream)
		s.downstreamErr = cmpErr(s.downstreamErr, r.downstreamErr)
		s.errors += r.errors
	}
	s.rounds = maxRate
	s.maxRate, s.halfRate, s.maxCores, s.perCore = median(maxRate), median(halfRate), median(cores), median(perCore)
	s.maxP50, s.maxP99 = median(maxP50), median(maxP99)
	s.halfP50, s.halfP99, s.halfDueP99 = median(halfP50), median(halfP99), median(halfDue)
	return s
}

// cmpErr keeps the first error.
func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// median of xs (the mean of the middle two for an even count); 0 for none.
func median[T int64 | float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// printComparison writes the Markdown table of compare and the targets.
func printComparison(out io.Writer, ours, stock *summary) {
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| pipeline | max spans/s | collector cores at max | spans/s per collector core | p50 / p99 at max | half rate spans/s | p50 / p99 at half rate | p99 at half rate from due time | peak RSS | spans accepted / counted downstream | errors |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range []*summary{ours, stock} {
		fmt.Fprintf(out, "| %s (%s) | %s | %.2f | %s | %s / %s | %s | %s / %s | %s | %s | %s / %s | %s |\n",
			s.spec.name, s.spec.mode,
			thousands(int64(s.maxRate)), s.maxCores, thousands(int64(s.perCore)),
			ms(s.maxP50), ms(s.maxP99),
			thousands(int64(s.halfRate)), ms(s.halfP50), ms(s.halfP99), ms(s.halfDueP99),
			rssCell(s), thousands(s.accepted), downstreamCell(s), thousands(s.errors))
	}
	fmt.Fprintf(out, "| ours/stock | %s | %s | %s | %s / %s | | %s / %s | %s | %s | | |\n",
		ratio(ours.maxRate, stock.maxRate), ratio(ours.maxCores, stock.maxCores), ratio(ours.perCore, stock.perCore),
		ratio(float64(ours.maxP50), float64(stock.maxP50)), ratio(float64(ours.maxP99), float64(stock.maxP99)),
		ratio(float64(ours.halfP50), float64(stock.halfP50)), ratio(float64(ours.halfP99), float64(stock.halfP99)),
		ratio(float64(ours.halfDueP99), float64(stock.halfDueP99)),
		ratio(float64(ours.rss), float64(stock.rss)))
	fmt.Fprintln(out)
	// The throughput verdict uses the median of the per-round ratios: each
	// round measures both pipelines back to back, so a slow spell of the
	// shared machine moves both sides of a pair, while the ratio of the two
	// medians can pair a slow round of one with a fast round of the other.
	throughput := ours.maxRate / max(stock.maxRate, 1e-9)
	basis := "ratio of the medians"
	if len(ours.rounds) > 1 {
		perRound := make([]string, 0, len(ours.rounds))
		pairs := make([]float64, 0, len(ours.rounds))
		for i := range min(len(ours.rounds), len(stock.rounds)) {
			perRound = append(perRound, ratio(ours.rounds[i], stock.rounds[i]))
			pairs = append(pairs, ours.rounds[i]/max(stock.rounds[i], 1e-9))
		}
		throughput, basis = median(pairs), "median of the per-round ratios"
		fmt.Fprintf(out, "figures are medians of %d rounds (peak RSS: the highest); max spans/s ours/stock by round: %s (median %.2f×)\n",
			len(ours.rounds), strings.Join(perRound, ", "), throughput)
	}

	fmt.Fprintf(out, "targets (otelcol-rastir default):\n")
	fmt.Fprintf(out, "  spans/s ours/stock  %.2f×     (≥ %.1f×)     %s (%s)\n", throughput, targetThroughputRatio, verdict(throughput >= targetThroughputRatio), basis)
	fmt.Fprintf(out, "  p99 at half rate    %s  (< %s)  %s\n", ms(ours.halfP99), ms(targetHalfRateP99), verdict(ours.halfP99 < targetHalfRateP99))
	if ours.rssErr == nil {
		fmt.Fprintf(out, "  peak RSS            %s  (< %s) %s\n", mib(ours.rss), mib(targetPeakRSS), verdict(ours.rss < targetPeakRSS))
	} else {
		fmt.Fprintf(out, "  peak RSS            unavailable (%v)\n", ours.rssErr)
	}
	for _, s := range []*summary{ours, stock} {
		if s.downstreamErr == nil && s.downstream != s.accepted {
			fmt.Fprintf(out, "warning: %s: %s spans accepted but %s counted downstream\n",
				s.spec.name, thousands(s.accepted), thousands(s.downstream))
		}
		if s.otherCores > busyMachine {
			fmt.Fprintf(out, "warning: %s: other processes used up to %.2f cores during a run; the numbers are disturbed\n",
				s.spec.name, s.otherCores)
		}
	}
}

func rssCell(s *summary) string {
	if s.rssErr != nil {
		return "n/a"
	}
	return mib(s.rss)
}

func downstreamCell(s *summary) string {
	if s.downstreamErr != nil {
		return "n/a (" + s.downstreamErr.Error() + ")"
	}
	return thousands(s.downstream)
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
