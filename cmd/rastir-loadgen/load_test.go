package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestLoadCounts runs a short load against a fake receiver that refuses
// every third request.
func TestLoadCounts(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if n.Add(1)%3 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	batches := []batch{{name: "a", body: []byte(`{"spans":[{}]}`), spans: 1}, {name: "b", body: []byte(`{"spans":[{},{}]}`), spans: 2}}
	l := &load{url: srv.URL, contentType: "application/json", batches: batches, concurrency: 2, duration: 300 * time.Millisecond, rate: 200}
	r := l.run(context.Background(), newLoadClient(2), 0)
	if r.requests != n.Load() {
		t.Errorf("%d requests counted, server saw %d", r.requests, n.Load())
	}
	if r.acceptedReqs+r.errors[http.StatusServiceUnavailable] != r.requests || r.errors[http.StatusServiceUnavailable] == 0 {
		t.Errorf("accepted %d + refused %v != %d requests", r.acceptedReqs, r.errors, r.requests)
	}
	// 200 spans/s for 0.3 s is about 60 spans, whatever the batch sizes.
	if sent := r.acceptedSpans; sent == 0 || r.requests > 60 {
		t.Errorf("paced run sent %d requests, accepted %d spans", r.requests, sent)
	}
	if int64(len(r.latencies)) != r.acceptedReqs || len(r.dueLatencies) != len(r.latencies) {
		t.Errorf("%d latencies for %d accepted requests", len(r.latencies), r.acceptedReqs)
	}
	if r.elapsed != l.duration {
		t.Errorf("paced elapsed %v", r.elapsed)
	}
}
