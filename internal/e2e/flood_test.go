package e2e

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Rastir's default caps (collector spec §3.2.2), which the default config
// keeps.
var floodCaps = map[string]int{"model": 50, "tool_name": 200, "agent": 200}

const (
	floodSpans         = 1_000_000
	floodSpansPerBatch = 100
	floodWorkers       = 4
)

// floodBatch is one Rastir batch of LLM and tool spans whose model, tool and
// agent names are all new: batch n carries names n*100 ... n*100+99.
func floodBatch(n int) []byte {
	var b bytes.Buffer
	b.Grow(floodSpansPerBatch * 330)
	b.WriteString(`{"service":"flood","env":"test","spans":[`)
	for i := range floodSpansPerBatch {
		id := strconv.Itoa(n*floodSpansPerBatch + i)
		if i > 0 {
			b.WriteByte(',')
		}
		spanType, name := "llm", "chat"
		if i%2 == 1 {
			spanType, name = "tool", "tool-"+id
		}
		b.WriteString(`{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","span_type":"`)
		b.WriteString(spanType)
		b.WriteString(`","name":"`)
		b.WriteString(name)
		b.WriteString(`","start_time":1795736266.1,"end_time":1795736266.2,"duration_ms":100,"status":"OK","attributes":{"agent":"agent-`)
		b.WriteString(id)
		b.WriteString(`","provider":"openai","model":"model-`)
		b.WriteString(id)
		b.WriteString(`","tokens_input":10,"tokens_output":5}}`)
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// TestFlood sends a million spans, every one with a model, tool and agent
// name never seen before, to the default config: the series on /metrics
// stay within Rastir's caps, and the collector's memory stays flat.
func TestFlood(t *testing.T) {
	c := startDefaultCollector(t)
	batches := floodSpans / floodSpansPerBatch
	var failed atomic.Value
	// send posts batches [from, to) from floodWorkers goroutines.
	send := func(from, to int64) {
		var next atomic.Int64
		next.Store(from)
		var wg sync.WaitGroup
		for range floodWorkers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				client := &http.Client{Timeout: 30 * time.Second}
				for {
					n := next.Add(1) - 1
					if n >= to {
						return
					}
					// The client retries what the pipeline refuses, as the
					// Rastir client does: nothing may be lost.
					for attempt := 0; ; attempt++ {
						resp, err := client.Post(c.url("/v1/telemetry"), "application/json", bytes.NewReader(floodBatch(int(n))))
						if err != nil {
							failed.Store(err.Error())
							return
						}
						_, _ = io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode == http.StatusAccepted {
							break
						}
						if resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusTooManyRequests || attempt > 100 {
							failed.Store("batch " + strconv.FormatInt(n, 10) + ": status " + strconv.Itoa(resp.StatusCode))
							return
						}
						time.Sleep(100 * time.Millisecond)
					}
				}
			}()
		}
		wg.Wait()
		if msg := failed.Load(); msg != nil {
			t.Fatalf("flood: %s", msg)
		}
	}

	// A fifth of the flood first, so that the caps are full and the
	// collector's memory has grown to its working size.
	send(0, int64(batches/5))
	rssEarly := procStatusKiB(t, c.cmd.Process.Pid, "VmRSS:")
	send(int64(batches/5), int64(batches))
	rssEnd := procStatusKiB(t, c.cmd.Process.Pid, "VmRSS:")
	t.Logf("RSS after %d spans: %d MiB; after %d spans: %d MiB", floodSpans/5, rssEarly/1024, floodSpans, rssEnd/1024)
	// Flat: four times as many new names after the first fifth must not
	// grow memory with them (a leak of ~100 bytes per name would add
	// hundreds of MiB); the margin absorbs the Go heap's own breathing.
	if rssEnd > rssEarly*3/2+32*1024 {
		t.Errorf("RSS grew from %d to %d MiB over the flood", rssEarly/1024, rssEnd/1024)
	}

	// Wait until the connector has counted every span, then count the
	// distinct values of each capped label.
	var page string
	llmSpans := seriesKey("rastir_spans_ingested_total", [][2]string{
		{"service", "flood"}, {"env", "test"}, {"span_type", "llm"}, {"status", "OK"}})
	waitFor(t, 60*time.Second, "every flood span counted", func() bool {
		_, _, page = get(t, c.url("/metrics"))
		return parsePage(t, page)[llmSpans] == floodSpans/2
	})
	values := parsePageLabels(t, page)
	for label, limit := range floodCaps {
		seen := values[label]
		if len(seen) == 0 {
			t.Errorf("no %s label on /metrics", label)
			continue
		}
		if !seen[vocabulary.OverflowValue] {
			t.Errorf("%s: no %s series", label, vocabulary.OverflowValue)
		}
		// "" is the label of spans without the attribute: not a value the
		// cap counts.
		delete(seen, "")
		if len(seen) > limit+1 {
			t.Errorf("%s: %d distinct values, cap %d (+ the overflow value)", label, len(seen), limit)
		}
	}
	series := 0
	for key := range parsePage(t, page) {
		if strings.HasPrefix(key, "rastir_") {
			series++
		}
	}
	t.Logf("rastir_* series on /metrics after the flood: %d", series)
}

// parsePageLabels maps each label name of the rastir_* series to the set of
// its values.
func parsePageLabels(t *testing.T, text string) map[string]map[string]bool {
	t.Helper()
	out := map[string]map[string]bool{}
	for key := range parsePage(t, text) {
		if !strings.HasPrefix(key, "rastir_") {
			continue
		}
		for _, pair := range splitLabels(key) {
			if out[pair[0]] == nil {
				out[pair[0]] = map[string]bool{}
			}
			out[pair[0]][pair[1]] = true
		}
	}
	return out
}

// splitLabels parses the labels of a series key made by seriesKey.
func splitLabels(key string) [][2]string {
	body := key[strings.IndexByte(key, '{')+1 : len(key)-1]
	var out [][2]string
	for body != "" {
		eq := strings.IndexByte(body, '=')
		name := body[:eq]
		rest := body[eq+1:]
		value, err := strconv.QuotedPrefix(rest)
		if err != nil {
			return out
		}
		unquoted, _ := strconv.Unquote(value)
		out = append(out, [2]string{name, unquoted})
		body = strings.TrimPrefix(rest[len(value):], ",")
	}
	return out
}
