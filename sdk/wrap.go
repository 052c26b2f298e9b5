package rastir

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// WithWrapKind makes WrapFunc and WrapTransport start spans of the given
// kind instead of infra (for example KindTool or KindLLM).
func WithWrapKind(kind Kind) WrapOption { return func(c *wrapConfig) { c.kind = kind } }

// WithWrapOptions adds span options to every span of the wrapper.
func WithWrapOptions(opts ...Option) WrapOption {
	return func(c *wrapConfig) { c.opts = append(c.opts, opts...) }
}

// WrapOption configures WrapFunc and WrapTransport.
type WrapOption func(*wrapConfig)

type wrapConfig struct {
	kind Kind
	opts []Option
}

func newWrapConfig(opts []WrapOption) wrapConfig {
	c := wrapConfig{kind: KindInfra}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// WrapFunc returns fn traced: each call runs in a span named
// "<name>.<method>" (infra unless WithWrapKind says otherwise) that records
// the error. A call made while the context's current span is the same
// wrapped call (a wrapper of a wrapper, or the wrapped function calling
// itself through the wrapper) makes no second span. Calls of a nil fn
// return ErrNilFunc.
func WrapFunc[Req, Resp any](name, method string, fn func(context.Context, Req) (Resp, error), opts ...WrapOption) func(context.Context, Req) (Resp, error) {
	c := newWrapConfig(opts)
	spanName := name + "." + method
	spanOpts := append(append([]Option{}, c.opts...), WithWrapName(spanName), WithSpanName(spanName))
	startName := wrapStartName(c.kind, spanName)
	if fn == nil {
		return func(ctx context.Context, _ Req) (Resp, error) {
			return Run[Resp](ctx, c.kind, startName, nil, spanOpts...)
		}
	}
	return func(ctx context.Context, req Req) (Resp, error) {
		if InWrapped(ctx, spanName) {
			return fn(ctx, req)
		}
		return Run(ctx, c.kind, startName, func(ctx context.Context) (Resp, error) { return fn(ctx, req) }, spanOpts...)
	}
}

// wrapStartName is the name Start gets for a wrapped call: the span name,
// except for the kinds where Start would take it for a model (LLM) or a
// data source (retrieval); those come from WithWrapOptions.
func wrapStartName(kind Kind, spanName string) string {
	if kind == KindLLM || kind == KindRetrieval {
		return ""
	}
	return spanName
}

// WithWrapName marks the span as the traced call n, so that InWrapped(ctx, n)
// reports true while it is the context's current span. Wrappers and
// adapters use the pair to never trace one call twice.
func WithWrapName(n string) Option { return func(c *spanConfig) { c.wrapName = n } }

// InWrapped reports whether the context's current span is the traced call
// named n (see WithWrapName).
func InWrapped(ctx context.Context, n string) bool { return WrappedSpan(ctx, n) != nil }

// WrappedSpan returns the context's current span when it is the traced
// call named n (see WithWrapName), else nil: for an adapter that records
// on the span of its own traced call.
func WrappedSpan(ctx context.Context, n string) *Span {
	if s := SpanFromContext(ctx); s != nil && s.wrapName == n {
		return s
	}
	return nil
}

// Transport is an http.RoundTripper that traces each request in a span
// named "<name>.<METHOD>" (infra unless WithWrapKind says otherwise), with
// http.request.method, server.address, server.port and
// http.response.status_code; a status of 400 or more fails the span with the
// status's error category. It injects the trace context into the request
// headers with the global propagator. The span ends when the response
// body is read to its end or closed (at once for a response without a
// body), so that it times a streamed response whole and records an error
// reading it; a body never closed leaves its span open, as it leaves the
// connection.
type Transport struct {
	name string
	base http.RoundTripper
	cfg  wrapConfig
}

// WrapTransport returns base (http.DefaultTransport when nil) traced as
// name. A base that is already a *Transport is returned as it is.
func WrapTransport(name string, base http.RoundTripper, opts ...WrapOption) http.RoundTripper {
	if t, ok := base.(*Transport); ok {
		return t
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &Transport{name: name, base: base, cfg: newWrapConfig(opts)}
}

// WrapClient returns a shallow copy of c (http.DefaultClient when nil) whose
// transport is traced as name.
func WrapClient(name string, c *http.Client, opts ...WrapOption) *http.Client {
	if c == nil {
		c = http.DefaultClient
	}
	cc := *c
	cc.Transport = WrapTransport(name, c.Transport, opts...)
	return &cc
}

// Unwrap returns the wrapped RoundTripper.
func (t *Transport) Unwrap() http.RoundTripper { return t.base }

// CloseIdleConnections closes the idle connections of the wrapped
// RoundTripper when it has the method (http.Client's CloseIdleConnections
// calls it).
func (t *Transport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		// The base reports it (net/http's transport answers an error).
		return t.base.RoundTrip(req)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet // as net/http sends it
	}
	spanName := t.name + "." + method
	ctx := req.Context()
	if InWrapped(ctx, spanName) {
		return t.base.RoundTrip(req)
	}
	opts := make([]Option, 0, len(t.cfg.opts)+3)
	opts = append(opts, t.cfg.opts...)
	opts = append(opts, WithWrapName(spanName), WithSpanName(spanName),
		WithAttributes(attribute.String(vocabulary.HTTPRequestMethod, method)))
	ctx, s := Start(ctx, t.cfg.kind, wrapStartName(t.cfg.kind, spanName), opts...)
	// Ended here unless the response body takes the span over.
	handedOver := false
	defer func() {
		if !handedOver {
			s.End()
		}
	}()
	host, port := req.URL.Hostname(), req.URL.Port()
	p, _ := strconv.Atoi(port)
	if p == 0 {
		switch req.URL.Scheme {
		case "https":
			p = 443
		case "http":
			p = 80
		}
	}
	s.SetServer(host, p)

	out := req.Clone(ctx)
	if out.Header == nil {
		out.Header = make(http.Header)
	}
	otel.GetTextMapPropagator().Inject(ctx, propagation.HeaderCarrier(out.Header))
	resp, err := t.base.RoundTrip(out)
	if err != nil {
		s.Fail(err)
		return resp, err
	}
	if resp == nil {
		// A broken base; http.Client turns this into an error.
		s.Fail(errNilResponse)
		return nil, nil
	}
	s.SetHTTPStatus(resp.StatusCode)
	if resp.StatusCode >= 400 {
		s.FailStatus(resp.StatusCode, resp.Status)
	}
	if resp.Body != nil && resp.Body != http.NoBody {
		handedOver = true
		resp.Body = newSpanBody(resp.Body, s)
	}
	return resp, nil
}

// errNilResponse records a RoundTripper that returned neither a response
// nor an error.
var errNilResponse = errors.New("http: RoundTripper returned a nil *Response with a nil error")

// spanBody ends the span of a response when its body is read to the end
// (the failure of a read is recorded) or closed.
type spanBody struct {
	rc io.ReadCloser
	s  *Span
	// closing: Close was called, so a read failing from then on fails
	// because of it (a caller stopping a stream from another goroutine),
	// not because the call did.
	closing atomic.Bool
}

// spanBodyWriter keeps a writable body (101 Switching Protocols) writable.
type spanBodyWriter struct {
	*spanBody
	w io.Writer
}

func (b spanBodyWriter) Write(p []byte) (int, error) { return b.w.Write(p) }

func newSpanBody(rc io.ReadCloser, s *Span) io.ReadCloser {
	b := &spanBody{rc: rc, s: s}
	if w, ok := rc.(io.Writer); ok {
		return spanBodyWriter{b, w}
	}
	return b
}

func (b *spanBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	switch {
	case err == nil:
	case errors.Is(err, io.EOF) || b.closing.Load():
		b.s.End()
	default:
		b.s.Finish(err)
	}
	return n, err
}

func (b *spanBody) Close() error {
	b.closing.Store(true)
	err := b.rc.Close()
	b.s.End()
	return err
}
