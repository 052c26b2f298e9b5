package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// Counters of every span a pipeline derived metrics from, as the
// prometheus exporter names them: the spanmetricsllm connector's (the
// default config) and the stock span_metrics connector's (the baseline).
const (
	spansIngestedMetric = "rastir_spans_ingested_total"
	callsMetric         = "traces_span_metrics_calls_total"
)

// sumMetric adds up every sample of metric in a Prometheus text exposition.
// found is false when no sample has that name.
func sumMetric(r io.Reader, metric string) (sum float64, found bool, err error) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 4<<20)
	for s.Scan() {
		line := s.Text()
		rest, ok := strings.CutPrefix(line, metric)
		if !ok || rest == "" || (rest[0] != '{' && rest[0] != ' ') {
			continue
		}
		if rest[0] == '{' {
			end := labelsEnd(rest)
			if end < 0 {
				return 0, false, fmt.Errorf("unterminated labels in %q", line)
			}
			rest = rest[end+1:]
		}
		fields := strings.Fields(rest)
		if len(fields) == 0 {
			return 0, false, fmt.Errorf("no value in %q", line)
		}
		v, err := strconv.ParseFloat(fields[0], 64)
		if err != nil {
			return 0, false, fmt.Errorf("value of %q: %w", line, err)
		}
		sum += v
		found = true
	}
	return sum, found, s.Err()
}

// labelsEnd is the index of the '}' that closes the label set opening s,
// skipping quoted label values (which may hold '}' and escaped quotes).
func labelsEnd(s string) int {
	quoted := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '}':
			return i
		}
	}
	return -1
}

// scrape fetches url and sums metric in it.
func scrape(ctx context.Context, client *http.Client, url, metric string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, http.NoBody)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	sum, _, err := sumMetric(resp.Body, metric)
	return sum, err
}

// settle polls the counter every second until it has not changed for
// quiet, and returns its value. The span_metrics connector flushes on an
// interval and reports a new series as 0 on its first flush, so quiet must
// be longer than two flush intervals.
func settle(ctx context.Context, client *http.Client, url, metric string, quiet, timeout time.Duration) (float64, error) {
	deadline := time.Now().Add(timeout)
	last, err := scrape(ctx, client, url, metric)
	if err != nil {
		return 0, err
	}
	since := time.Now()
	for time.Since(since) < quiet {
		if time.Now().After(deadline) {
			return last, fmt.Errorf("%s still changing after %s", metric, timeout)
		}
		select {
		case <-ctx.Done():
			return last, ctx.Err()
		case <-time.After(time.Second):
		}
		v, err := scrape(ctx, client, url, metric)
		if err != nil {
			return last, err
		}
		if v != last {
			last, since = v, time.Now()
		}
	}
	return last, nil
}

// peakRSS is a process's high-water resident set size (VmHWM) in bytes.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return vmHWM(f)
}

// vmHWM reads the VmHWM line of a /proc/<pid>/status file.
func vmHWM(r io.Reader) (int64, error) {
	s := bufio.NewScanner(r)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kib, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("VmHWM: %w", err)
			}
			return kib * 1024, nil
		}
	}
	if err := s.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no VmHWM line")
}
