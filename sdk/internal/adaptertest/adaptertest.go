// Package adaptertest holds the checks every HTTP adapter of the SDK must
// pass.
package adaptertest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

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
