// Package typedcall is what the adapters' typed calls share: a call in an
// LLM span of its own that reads the request from the client's typed
// params and the response from the value the client decoded, the
// recording of a call's HTTP exchange on that span by the adapter's
// middleware, and the checks on a decoded value's raw JSON.
package typedcall

import (
	"context"
	"net/http"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Call describes an adapter's typed call.
type Call struct {
	// WrapName marks the call's span, for the adapter's middleware and
	// for a typed call inside another (which adds no span).
	WrapName string
	// Provider is the span's provider until the middleware tells the
	// host's.
	Provider string
	// Names are the span names of the call's chat spans.
	Names *httptap.SpanNames
}

// Run makes a call (the client's method with the caller's params and
// options) in a chat span of model, which it ends when the call returns.
// request records the request's fields on the span before the call,
// response what the call returned after it; neither is called when the
// span is not recorded. Inside a typed call's span (create being itself a
// typed call) the call is made in that span.
func Run[R any](ctx context.Context, c *Call, model string, request func(*rastir.Span),
	call func(context.Context) (R, error), response func(*rastir.Span, R, error),
) (R, error) {
	if rastir.InWrapped(ctx, c.WrapName) {
		return call(ctx)
	}
	ctx, span := rastir.StartLLM(ctx, model,
		rastir.WithOperation(vocabulary.OperationChat), rastir.WithProvider(c.Provider),
		rastir.WithSpanName(c.Names.Name(vocabulary.OperationChat, model)), rastir.WithWrapName(c.WrapName))
	if !span.IsRecording() {
		res, err := call(ctx)
		span.End()
		return res, err
	}
	request(span)
	res, err := call(ctx)
	response(span, res, err)
	span.End()
	return res, err
}

// Annotate records one HTTP attempt of a typed call on its span: the
// server, provider (when it is not the call's own) and the response
// status. The response goes to the client unread: the typed call reads
// the decoded one.
func Annotate(c *Call, span *rastir.Span, req *http.Request, provider func(host string, port int) string,
	next func(*http.Request) (*http.Response, error),
) (*http.Response, error) {
	if !span.IsRecording() {
		return next(req)
	}
	host := req.URL.Hostname()
	port := httptap.Port(req)
	span.SetServer(host, port)
	if p := provider(host, port); p != c.Provider {
		span.SetProvider(p)
	}
	resp, err := next(req)
	if err == nil && resp != nil {
		span.SetHTTPStatus(resp.StatusCode)
	}
	return resp, err
}

// String is a decoded string member v whose raw JSON is raw: v when the
// JSON gave a string, else "".
func String(v, raw string) string {
	if raw == "" || raw[0] != '"' {
		return ""
	}
	return v
}

// IsObject tells a member whose raw JSON is raw given as an object.
func IsObject(raw string) bool {
	return raw != "" && raw[0] == '{'
}
