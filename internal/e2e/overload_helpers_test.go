package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// Helpers of TestOverload. Unlike post and procStatusKiB in
// collector_test.go they never call t.Fatal, because they run on the load,
// readiness and RSS goroutines; they return errors instead.

// answer is what the collector replied to one POST /v1/telemetry.
type answer struct {
	status      int
	retryAfter  string
	contentType string
	body        []byte
}

// postBatch sends one batch with client and reads the whole answer. A
// transport error (connection refused or reset, timeout) is returned as an
// error: the overload test fails on it.
func postBatch(ctx context.Context, client *http.Client, url string, body []byte) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, fmt.Errorf("reading the answer (status %d): %w", resp.StatusCode, err)
	}
	return answer{
		status:      resp.StatusCode,
		retryAfter:  resp.Header.Get("Retry-After"),
		contentType: resp.Header.Get("Content-Type"),
		body:        b,
	}, nil
}

// checkAnswer classifies one answer under overload. It returns the spans
// the collector took responsibility for (from a 202) and whether the batch
// was refused for a retry (429 or 503); any other answer is an error.
func checkAnswer(a answer) (spans int, refused bool, err error) {
	if a.contentType != "application/json" {
		return 0, false, fmt.Errorf("%d with Content-Type %q and body %q, want application/json", a.status, a.contentType, a.body)
	}
	switch a.status {
	case http.StatusAccepted:
		var body struct {
			Status        string `json:"status"`
			SpansReceived *int   `json:"spans_received"`
		}
		dec := json.NewDecoder(bytes.NewReader(a.body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil || body.Status != "accepted" || body.SpansReceived == nil {
			return 0, false, fmt.Errorf("202 with body %q, want {\"status\":\"accepted\",\"spans_received\":N}", a.body)
		}
		return *body.SpansReceived, false, nil
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		seconds, convErr := strconv.Atoi(a.retryAfter)
		if convErr != nil || seconds < 1 {
			return 0, false, fmt.Errorf("%d with Retry-After %q, want a whole number of seconds >= 1 (body %q)", a.status, a.retryAfter, a.body)
		}
		var body struct {
			Detail *string `json:"detail"`
		}
		if err := json.Unmarshal(a.body, &body); err != nil || body.Detail == nil || *body.Detail == "" {
			return 0, false, fmt.Errorf("%d with body %q, want {\"detail\": ...}", a.status, a.body)
		}
		return 0, true, nil
	default:
		return 0, false, fmt.Errorf("unexpected status %d (Retry-After %q) with body %q", a.status, a.retryAfter, a.body)
	}
}

// spanCount is the number of spans in a Rastir batch, as the collector
// should answer it in spans_received.
func spanCount(body []byte) (int, error) {
	var batch struct {
		Spans []json.RawMessage `json:"spans"`
	}
	if err := json.Unmarshal(body, &batch); err != nil {
		return 0, err
	}
	return len(batch.Spans), nil
}

// statusKiB reads one "Name: N kB" field of /proc/<pid>/status.
func statusKiB(pid int, field string) (int64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, pid)
}

// rssSampler records the VmRSS of a process every interval until stopped.
type rssSampler struct {
	pid      int
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu      sync.Mutex
	samples int
	peakKiB int64
	peakAt  time.Time
	err     error
}

func sampleRSS(pid int, interval time.Duration) *rssSampler {
	s := &rssSampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			kib, err := statusKiB(pid, "VmRSS:")
			s.mu.Lock()
			if err != nil {
				if s.err == nil {
					s.err = err
				}
			} else {
				s.samples++
				if kib > s.peakKiB {
					s.peakKiB, s.peakAt = kib, time.Now()
				}
			}
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

// finish stops sampling (it may be called more than once) and returns the
// highest VmRSS seen (KiB), when it was seen, the number of samples and the
// first read error.
func (s *rssSampler) finish() (peakKiB int64, peakAt time.Time, samples int, err error) {
	s.stopOnce.Do(func() { close(s.stop) })
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peakKiB, s.peakAt, s.samples, s.err
}

// countExportedSpans counts the spans in the file exporter's output so far.
// The exporter may be in the middle of writing a line, so only complete
// lines are read; a complete line that does not decode is an error.
func countExportedSpans(path string) (int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var u ptrace.JSONUnmarshaler
	r := bufio.NewReaderSize(f, 1<<20)
	n := 0
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return n, nil // an incomplete last line is read on the next poll
		}
		if err != nil {
			return n, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		td, err := u.UnmarshalTraces(line)
		if err != nil {
			return n, fmt.Errorf("file export line: %w", err)
		}
		n += td.SpanCount()
	}
}

// scrapeCounter sums the samples of a Prometheus counter (or gauge) whose
// name and labels line starts with prefix, e.g.
// `otelcol_receiver_accepted_spans_total{` on the collector's telemetry
// port.
func scrapeCounter(url, prefix string) (float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	var sum float64
	found := false
	s := bufio.NewScanner(resp.Body)
	s.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for s.Scan() {
		line := s.Text()
		if !strings.HasPrefix(line, prefix) {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("metric line %q: %w", line, err)
		}
		sum += v
		found = true
	}
	if err := s.Err(); err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("no metric %s... at %s", prefix, url)
	}
	return sum, nil
}
