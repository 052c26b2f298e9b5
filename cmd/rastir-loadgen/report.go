package main

import (
	"fmt"
	"io"
	"strconv"
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

// printComparison writes the Markdown table of compare and the targets.
func printComparison(out io.Writer, ours, stock *pipelineResult) {
	fmt.Fprintln(out)
	fmt.Fprintln(out, "| pipeline | max spans/s | collector cores at max | spans/s per collector core | p50 / p99 at max | half rate spans/s | p50 / p99 at half rate | p99 at half rate from due time | peak RSS | spans accepted / counted downstream | errors |")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range []*pipelineResult{ours, stock} {
		fmt.Fprintf(out, "| %s (%s) | %s | %s | %s | %s / %s | %s | %s / %s | %s | %s | %s / %s | %s |\n",
			r.spec.name, r.spec.mode,
			thousands(int64(r.max.spansPerSecond())),
			coresCell(r.max), thousands(int64(r.max.spansPerCollectorCore())),
			ms(percentile(r.max.latencies, 50)), ms(percentile(r.max.latencies, 99)),
			thousands(int64(r.half.spansPerSecond())),
			ms(percentile(r.half.latencies, 50)), ms(percentile(r.half.latencies, 99)),
			ms(percentile(r.half.dueLatencies, 99)),
			rssCell(r), thousands(r.acceptedSpans), downstreamCell(r), thousands(r.errors))
	}
	fmt.Fprintf(out, "| ours/stock | %s | %s | %s | %s / %s | | %s / %s | %s | %s | | |\n",
		ratio(ours.max.spansPerSecond(), stock.max.spansPerSecond()),
		ratio(ours.max.cpu.collector, stock.max.cpu.collector),
		ratio(ours.max.spansPerCollectorCore(), stock.max.spansPerCollectorCore()),
		durRatio(ours.max.latencies, stock.max.latencies, 50), durRatio(ours.max.latencies, stock.max.latencies, 99),
		durRatio(ours.half.latencies, stock.half.latencies, 50), durRatio(ours.half.latencies, stock.half.latencies, 99),
		durRatio(ours.half.dueLatencies, stock.half.dueLatencies, 99),
		ratio(float64(ours.rss), float64(stock.rss)))
	fmt.Fprintln(out)

	throughput := ours.max.spansPerSecond() / max(stock.max.spansPerSecond(), 1e-9)
	p99 := percentile(ours.half.latencies, 99)
	fmt.Fprintf(out, "targets (otelcol-rastir default):\n")
	fmt.Fprintf(out, "  spans/s ours/stock  %.2f×     (≥ %.1f×)     %s\n", throughput, targetThroughputRatio, verdict(throughput >= targetThroughputRatio))
	fmt.Fprintf(out, "  p99 at half rate    %s  (< %s)  %s\n", ms(p99), ms(targetHalfRateP99), verdict(p99 < targetHalfRateP99))
	if ours.rssErr == nil {
		fmt.Fprintf(out, "  peak RSS            %s  (< %s) %s\n", mib(ours.rss), mib(targetPeakRSS), verdict(ours.rss < targetPeakRSS))
	} else {
		fmt.Fprintf(out, "  peak RSS            unavailable (%v)\n", ours.rssErr)
	}
	for _, r := range []*pipelineResult{ours, stock} {
		if r.downstreamErr == nil && int64(r.downstream) != r.acceptedSpans {
			fmt.Fprintf(out, "warning: %s: %s spans accepted but %s counted downstream\n",
				r.spec.name, thousands(r.acceptedSpans), thousands(int64(r.downstream)))
		}
		for _, run := range []*result{r.max, r.half} {
			if run.cpuErr == nil && run.cpu.other > busyMachine {
				fmt.Fprintf(out, "warning: %s: other processes used %.2f cores during a run; the numbers are disturbed\n",
					r.spec.name, run.cpu.other)
				break
			}
		}
	}
}

func coresCell(r *result) string {
	if r.cpuErr != nil {
		return "n/a"
	}
	return strconv.FormatFloat(r.cpu.collector, 'f', 2, 64)
}

func rssCell(r *pipelineResult) string {
	if r.rssErr != nil {
		return "n/a"
	}
	return mib(r.rss)
}

func downstreamCell(r *pipelineResult) string {
	if r.downstreamErr != nil {
		return "n/a (" + r.downstreamErr.Error() + ")"
	}
	return thousands(int64(r.downstream))
}

// durRatio is the ratio of the p-th percentiles of two sorted latency
// lists.
func durRatio(a, b []time.Duration, p float64) string {
	return ratio(float64(percentile(a, p)), float64(percentile(b, p)))
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}
