// Package adaptertest holds what the tests of the SDK's adapters share: a
// recording tracer provider, span lookups, and the checks every HTTP
// adapter must pass.
package adaptertest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Record makes the SDK use, for the rest of the test, a provider that
// records ended spans.
func Record(t testing.TB) *tracetest.SpanRecorder {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	rastir.UseTracerProvider(tp)
	t.Cleanup(func() {
		rastir.UseTracerProvider(nil)
		if err := tp.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return rec
}

// Attrs returns attributes as a map, for comparing them whole.
func Attrs(kvs []attribute.KeyValue) map[string]any {
	m := make(map[string]any, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value.AsInterface()
	}
	return m
}

// Only returns the one span rec recorded.
func Only(t testing.TB, rec *tracetest.SpanRecorder) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("%d spans recorded, want 1", len(spans))
	}
	return spans[0]
}

// HostPort returns the host and port of srv as its spans record them
// (server.address, server.port).
func HostPort(t testing.TB, srv *httptest.Server) (string, int64) {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	p, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return u.Hostname(), int64(p)
}

// HangingServer answers no request: each waits until its client gives up
// or the test ends.
func HangingServer(t testing.TB) *httptest.Server {
	t.Helper()
	return HangingServerAfter(t, nil)
}

// HangingServerAfter is HangingServer that first lets start (when not nil)
// write the beginning of each answer, e.g. the first chunk of a stream.
func HangingServerAfter(t testing.TB, start func(http.ResponseWriter)) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if start != nil {
			start(w)
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	return srv
}

// CheckTimedOut checks the one span of a call whose context expired before
// any answer: failed with the context's error, categorised as a timeout,
// no HTTP status, one exception event.
func CheckTimedOut(t testing.TB, rec *tracetest.SpanRecorder) {
	t.Helper()
	s := Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	m := Attrs(s.Attributes())
	assert.Equal(t, "context.deadlineExceededError", m[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorTimeout, m[vocabulary.RastirErrorCategoryKey])
	assert.NotContains(t, m, vocabulary.HTTPResponseStatusCode)
	require.Len(t, s.Events(), 1)
	assert.Equal(t, vocabulary.EventException, s.Events()[0].Name)
}

// CheckFailed checks the one span of a call that failed with err: error
// status with err's text, exactly the attributes want, and one exception
// event of exceptionType with err's text.
func CheckFailed(t testing.TB, rec *tracetest.SpanRecorder, err error, exceptionType string, want map[string]any) {
	t.Helper()
	s := Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, err.Error(), s.Status().Description)
	assert.Equal(t, want, Attrs(s.Attributes()))
	require.Len(t, s.Events(), 1)
	ev := s.Events()[0]
	assert.Equal(t, vocabulary.EventException, ev.Name)
	assert.Equal(t, map[string]any{
		vocabulary.AttrExceptionType:    exceptionType,
		vocabulary.AttrExceptionMessage: err.Error(),
	}, Attrs(ev.Attributes))
}

// Middleware is an SDK client's HTTP middleware, with its next step as a
// plain function.
type Middleware func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error)

// CheckSampledOut sends a model call through mw with the SDK on a tracer
// provider that samples nothing: the request must still carry a trace
// context, and the response body must reach the client as the transport
// returned it, unread by the adapter.
func CheckSampledOut(t *testing.T, mw Middleware, url, requestBody string) {
	t.Helper()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()))
	rastir.UseTracerProvider(tp)
	t.Cleanup(func() {
		rastir.UseTracerProvider(nil)
		_ = tp.Shutdown(context.Background())
	})
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(requestBody))
	if err != nil {
		t.Fatal(err)
	}
	body := io.NopCloser(strings.NewReader(`{"id":"x"}`))
	var sent *http.Request
	resp, err := mw(req, func(r *http.Request) (*http.Response, error) {
		sent = r
		return &http.Response{StatusCode: http.StatusOK, Body: body}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Body != body {
		t.Errorf("the response body was wrapped (%T)", resp.Body)
	}
	if sent == nil || !trace.SpanContextFromContext(sent.Context()).IsValid() {
		t.Error("the request went out without a trace context")
	}
}
