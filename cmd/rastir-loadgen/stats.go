package main

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// result is what one load run measured.
type result struct {
	elapsed       time.Duration
	requests      int64
	acceptedReqs  int64
	acceptedSpans int64
	// errors counts non-2xx answers by HTTP status; status 0 counts
	// transport errors (connection refused, reset, timeout).
	errors   map[int]int64
	firstErr string
	// latencies of accepted requests, from send to the end of the
	// answer; sorted by finish.
	latencies []time.Duration
	// dueLatencies, of paced runs only, are measured from the time the
	// request was due instead: a collector stall then counts against every
	// request it delayed (no coordinated omission), but so does a late
	// wake-up of the load generator.
	dueLatencies []time.Duration
	targetRate   float64 // spans/s asked for, 0 for as fast as possible
	// cpu is where CPU time went during the run, if it could be read.
	cpu    cpuUse
	cpuErr error
}

// merge adds o (a worker's share of the same run) into r.
func (r *result) merge(o *result) {
	r.requests += o.requests
	r.acceptedReqs += o.acceptedReqs
	r.acceptedSpans += o.acceptedSpans
	if r.errors == nil {
		r.errors = map[int]int64{}
	}
	for s, n := range o.errors {
		r.errors[s] += n
	}
	if r.firstErr == "" {
		r.firstErr = o.firstErr
	}
	r.latencies = append(r.latencies, o.latencies...)
	r.dueLatencies = append(r.dueLatencies, o.dueLatencies...)
}

// finish sorts the latencies so that percentile can read them.
func (r *result) finish() {
	slices.Sort(r.latencies)
	slices.Sort(r.dueLatencies)
}

// spansPerCollectorCore is the accepted span rate per core the collector
// used, which the load generator's own CPU use does not distort.
func (r *result) spansPerCollectorCore() float64 {
	if r.cpuErr != nil || r.cpu.collector <= 0 {
		return 0
	}
	return r.spansPerSecond() / r.cpu.collector
}

// spansPerSecond is the accepted span rate over the run.
func (r *result) spansPerSecond() float64 {
	return perSecond(r.acceptedSpans, r.elapsed)
}

func (r *result) errorCount() int64 {
	var n int64
	for _, c := range r.errors {
		n += c
	}
	return n
}

// errorSummary lists the errors by status, e.g. "503×12, transport×1".
func (r *result) errorSummary() string {
	if r.errorCount() == 0 {
		return "none"
	}
	statuses := make([]int, 0, len(r.errors))
	for s := range r.errors {
		statuses = append(statuses, s)
	}
	sort.Ints(statuses)
	parts := make([]string, 0, len(statuses))
	for _, s := range statuses {
		label := strconv.Itoa(s)
		if s == 0 {
			label = "transport"
		}
		parts = append(parts, fmt.Sprintf("%s×%d", label, r.errors[s]))
	}
	return strings.Join(parts, ", ")
}

// perSecond is count/elapsed; 0 for an empty interval.
func perSecond(count int64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(count) / elapsed.Seconds()
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted: the smallest value that at least p% of the values do not exceed.
// It is 0 for no values.
func percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(n)))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}

// ms formats a duration in milliseconds with two decimals.
func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 2, 64) + " ms"
}

// mib formats a byte count in MiB.
func mib(b int64) string {
	return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MiB"
}

// ratio formats a/b as "1.23×", or "n/a" when b is 0.
func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "×"
}

// thousands formats an integer with thin grouping, e.g. 1234567 → 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
