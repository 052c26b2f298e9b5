package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// load describes one run against one endpoint.
type load struct {
	url         string // full URL, e.g. http://127.0.0.1:8080/v1/telemetry
	contentType string
	batches     []batch
	concurrency int
	duration    time.Duration
	// rate is the target in spans/s; 0 sends as fast as the collector
	// answers.
	rate float64
}

// transportErrorPause is how long a worker waits after a request failed
// without an answer.
const transportErrorPause = 10 * time.Millisecond

// newClient returns the one keep-alive client of a run: every worker reuses
// its own connection.
func newClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency,
			MaxIdleConnsPerHost: concurrency,
			IdleConnTimeout:     90 * time.Second,
			DisableCompression:  true,
		},
	}
}

// pacer spreads sends over time so that spans leave at a fixed rate,
// whatever the size of each batch: the batch that brings the total to n
// spans is due at start + n/rate.
type pacer struct {
	start   time.Time
	perSpan float64 // nanoseconds per span
	issued  atomic.Int64
}

func newPacer(start time.Time, rate float64) *pacer {
	return &pacer{start: start, perSpan: float64(time.Second) / rate}
}

// due reserves spans and returns when their batch should be sent.
func (p *pacer) due(spans int) time.Time {
	before := p.issued.Add(int64(spans)) - int64(spans)
	return p.start.Add(time.Duration(float64(before) * p.perSpan))
}

// run sends the batches from l.concurrency workers until l.duration has
// passed. Worker i starts at batch i, so that the mix of batch sizes is
// the same at every instant. With a rate, each worker sleeps until its
// next batch is due; when the collector falls behind, due batches are sent
// at once.
// pid, when not 0, is the collector's process, whose CPU use is recorded.
func (l *load) run(ctx context.Context, client *http.Client, pid int) *result {
	cpuBefore, cpuErr := sampleCPU(pid)
	start := time.Now()
	deadline := start.Add(l.duration)
	var p *pacer
	if l.rate > 0 {
		p = newPacer(start, l.rate)
	}
	parts := make([]*result, l.concurrency)
	var wg sync.WaitGroup
	for w := range l.concurrency {
		parts[w] = &result{errors: map[int]int64{}}
		wg.Go(func() { l.worker(ctx, client, w, deadline, p, parts[w]) })
	}
	wg.Wait()
	total := &result{errors: map[int]int64{}, elapsed: time.Since(start), targetRate: l.rate}
	if p != nil {
		// A paced run's length is its schedule, not the tail of the
		// last answer.
		total.elapsed = l.duration
	}
	for _, part := range parts {
		total.merge(part)
	}
	total.finish()
	cpuAfter, err := sampleCPU(pid)
	if total.cpuErr = errors.Join(cpuErr, err); total.cpuErr == nil {
		total.cpu = cpuBetween(cpuBefore, cpuAfter, runtime.NumCPU())
	}
	return total
}

func (l *load) worker(ctx context.Context, client *http.Client, w int, deadline time.Time, p *pacer, out *result) {
	out.latencies = make([]time.Duration, 0, 4096)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for i := w; ctx.Err() == nil; i++ {
		b := &l.batches[i%len(l.batches)]
		var due time.Time
		if p != nil {
			due = p.due(b.spans)
			if !due.Before(deadline) {
				return
			}
			if wait := time.Until(due); wait > 0 {
				timer.Reset(wait)
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
			}
		} else if !time.Now().Before(deadline) {
			return
		}
		sent := time.Now()
		status, err := l.send(ctx, client, b.body)
		done := time.Now()
		out.requests++
		switch {
		case err != nil:
			out.errors[0]++
			if out.firstErr == "" {
				out.firstErr = err.Error()
			}
			// Do not spin on a collector that is not there.
			timer.Reset(transportErrorPause)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return
			}
		case status >= 200 && status < 300:
			// 202 from the rastir receiver and 200 from OTLP/HTTP both
			// mean every span of the batch was accepted.
			out.acceptedReqs++
			out.acceptedSpans += int64(b.spans)
			out.latencies = append(out.latencies, done.Sub(sent))
			if p != nil {
				out.dueLatencies = append(out.dueLatencies, done.Sub(due))
			}
		default:
			out.errors[status]++
		}
	}
}

// send posts body and reads the answer to its end, so that the connection
// goes back to the pool. The body bytes are shared by every request; only
// a small reader is allocated per request, as the transport may still hold
// the previous one.
func (l *load) send(ctx context.Context, client *http.Client, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", l.contentType)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	return resp.StatusCode, nil
}
