package main

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
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

// requestTimeout bounds one request of the load, from send to answer.
const requestTimeout = 30 * time.Second

// writeBufferSize is the load client's write buffer per connection.
const writeBufferSize = 256 << 10

// newLoadClient returns the client the workers send with: one keep-alive
// connection per worker. It is fasthttp's rather than net/http's because the
// load generator shares the cores with the collector it measures: net/http's
// client costs about 65 µs of CPU per request here, fasthttp's a fraction of
// that, so more of the machine goes to the collector under test.
func newLoadClient(concurrency int) *fasthttp.Client {
	return &fasthttp.Client{
		MaxConnsPerHost: concurrency,
		// Room for the head and the largest fixture body, so that a
		// request leaves in one write.
		WriteBufferSize:               writeBufferSize,
		MaxIdleConnDuration:           90 * time.Second,
		ReadTimeout:                   requestTimeout,
		WriteTimeout:                  requestTimeout,
		NoDefaultUserAgentHeader:      true,
		DisableHeaderNamesNormalizing: true,
	}
}

// newClient returns the keep-alive client for everything but the load:
// scrapes of the prometheus exporter.
func newClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: requestTimeout,
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
func (l *load) run(ctx context.Context, client *fasthttp.Client, pid int) *result {
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

func (l *load) worker(ctx context.Context, client *fasthttp.Client, w int, deadline time.Time, p *pacer, out *result) {
	out.latencies = make([]time.Duration, 0, 4096)
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer func() {
		fasthttp.ReleaseRequest(req)
		fasthttp.ReleaseResponse(resp)
	}()
	req.Header.SetMethod(http.MethodPost)
	req.Header.SetContentType(l.contentType)
	req.SetRequestURI(l.url)
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
		status, err := send(client, req, resp, b.body)
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

// send posts body and reads the answer to its end. The body bytes are
// shared by every request and not copied; req and resp are the worker's own,
// reused from one request to the next.
func send(client *fasthttp.Client, req *fasthttp.Request, resp *fasthttp.Response, body []byte) (int, error) {
	req.SetBodyRaw(body)
	if err := client.DoTimeout(req, resp, requestTimeout); err != nil {
		return 0, err
	}
	return resp.StatusCode(), nil
}
