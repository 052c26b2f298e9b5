// Package rastirmcp traces MCP tool calls made and served with the Go MCP
// SDK (github.com/modelcontextprotocol/go-sdk) across processes: a client
// sending middleware starts the client side tool span and sends its W3C
// trace context in the request's params._meta (and, through Transport, in
// the HTTP headers); a server receiving middleware continues the trace in
// the span mcpserver:<tool>. It interoperates with Rastir's Python MCP
// client and server.
package rastirmcp

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// MethodCallTool is the MCP method the middlewares trace.
const MethodCallTool = vocabulary.MCPMethodToolsCall

// ServerSpanPrefix starts the name of a server side tool span, as in
// Rastir's Python @mcp_endpoint: mcpserver:<tool>.
const ServerSpanPrefix = "mcpserver:"

// The W3C Trace Context keys, in params._meta and as HTTP headers.
const (
	MetaTraceparent = "traceparent"
	MetaTracestate  = "tracestate"
	// MetaBaggage is the W3C Baggage key, in params._meta and as the HTTP
	// header.
	MetaBaggage = "baggage"
)

// HeaderProtocolVersion is the HTTP header in which a streamable HTTP
// client sends the negotiated MCP protocol version with each request.
const HeaderProtocolVersion = "Mcp-Protocol-Version"

// w3c is the W3C Trace Context propagator: the carriers always speak it,
// whatever the application's global propagator is. w3cBaggage is the W3C
// Baggage propagator, which they speak when the application propagates
// baggage (baggageOn).
var (
	w3c        propagation.TraceContext
	w3cBaggage propagation.Baggage
)

// baggageOn reports whether the application propagates W3C baggage: its
// global propagator (Setup installs trace context and baggage; the
// OpenTelemetry default propagates nothing) has the baggage field.
// Baggage may hold what an application does not send to every server, so
// the carriers follow its choice, both ways.
func baggageOn() bool {
	return slices.Contains(otel.GetTextMapPropagator().Fields(), MetaBaggage)
}

// ToolError is the failure of a tool call whose result says isError: the
// text of the result's content.
type ToolError struct {
	Tool    string
	Message string
}

func (e *ToolError) Error() string {
	if e.Message == "" {
		return "mcp tool " + e.Tool + " failed"
	}
	return "mcp tool " + e.Tool + ": " + e.Message
}

// ClientMiddleware returns a sending middleware (mcp.Client's
// AddSendingMiddleware) that runs each tools/call in a tool span named
// after the tool (gen_ai.tool.name, rastir.remote=true, span kind client)
// and puts the span's traceparent and tracestate, and the context's
// baggage, into the request's params._meta; the caller's params are not
// modified. The span has the MCP semantic convention attributes the
// session knows (mcp.method.name, mcp.session.id, mcp.protocol.version, and
// the network of WithTransport; HTTPClient adds the HTTP connection's). A
// failed call or a result with isError fails the span.
func ClientMiddleware(opts ...Option) mcp.Middleware {
	cfg := newConfig(opts)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != MethodCallTool {
				return next(ctx, method, req)
			}
			orig, ok := req.GetParams().(*mcp.CallToolParams)
			if !ok || orig == nil {
				return next(ctx, method, req)
			}
			name := orig.Name
			var id, version string
			if cs, ok := req.GetSession().(*mcp.ClientSession); ok && cs != nil {
				id = cs.ID()
				if r := cs.InitializeResult(); r != nil {
					version = r.ProtocolVersion
				}
			}
			ctx, span := rastir.StartTool(ctx, name,
				rastir.WithRemote(true), rastir.WithSpanName(name), rastir.WithSpanKind(trace.SpanKindClient),
				rastir.WithAttributes(semconvAttributes(id, version, cfg.network)...))
			defer end(span)
			ctx = context.WithValue(ctx, clientSpanKey{}, span)

			params := *orig
			params.Meta = injectMeta(ctx, orig.Meta)
			res, err := next(ctx, method, withParams(req, &params))
			recordResult(span, name, res, err)
			return res, err
		}
	}
}

// withParams returns a copy of the client request req with params.
func withParams(req mcp.Request, params *mcp.CallToolParams) mcp.Request {
	switch r := req.(type) {
	case *mcp.ClientRequest[mcp.Params]:
		return &mcp.ClientRequest[mcp.Params]{Session: r.Session, Params: params}
	case *mcp.ClientRequest[*mcp.CallToolParams]:
		return &mcp.ClientRequest[*mcp.CallToolParams]{Session: r.Session, Params: params}
	}
	return req
}

// injectMeta returns a copy of meta with the W3C trace context of ctx's
// span, which replaces the one meta held (a tracestate without its
// traceparent is dropped), and ctx's W3C baggage, which replaces meta's.
func injectMeta(ctx context.Context, meta mcp.Meta) mcp.Meta {
	carrier := make(propagation.MapCarrier, 3)
	w3c.Inject(ctx, carrier)
	if baggageOn() {
		w3cBaggage.Inject(ctx, carrier)
	}
	out := make(mcp.Meta, len(meta)+len(carrier))
	maps.Copy(out, meta)
	if _, ok := carrier[MetaTraceparent]; ok {
		delete(out, MetaTracestate)
	}
	for k, v := range carrier {
		out[k] = v
	}
	return out
}

// ServerMiddleware returns a receiving middleware (mcp.Server's
// AddReceivingMiddleware) that runs each tools/call in a tool span named
// mcpserver:<tool> (gen_ai.tool.name, rastir.remote=false, span kind
// server) continuing the caller's trace: from params._meta's traceparent
// and tracestate, else from the HTTP request's headers (streamable HTTP
// transport only: the Go MCP SDK's SSE server passes no headers on). With
// neither, the span starts a new trace; only a stateless streamable HTTP
// server's call, which runs in its HTTP request's context, continues the
// span of that context (otelhttp's, say). The caller's baggage (_meta's,
// else the header's) is put into the handler's context. A protocol error
// or a result with isError fails the span; when the call was cancelled (by the client, or
// its session ended), the cancellation does. The span has the MCP semantic
// convention attributes the session knows (mcp.method.name,
// mcp.session.id, mcp.protocol.version, and the network of WithTransport,
// else HTTP's on the streamable HTTP transport).
func ServerMiddleware(opts ...Option) mcp.Middleware {
	cfg := newConfig(opts)
	return func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (mcp.Result, error) {
			if method != MethodCallTool {
				return next(ctx, method, req)
			}
			params, ok := req.GetParams().(*mcp.CallToolParamsRaw)
			if !ok || params == nil {
				return next(ctx, method, req)
			}
			if sc := remoteParent(params.Meta, req.GetExtra()); sc.IsValid() {
				ctx = trace.ContextWithRemoteSpanContext(ctx, sc)
			} else if !perRequest(req) {
				// The call runs in the context its session was opened
				// with: a span there (the otelhttp span of the request
				// that opened a streamable HTTP session, ended long ago)
				// is not its parent. Start a new trace.
				ctx = trace.ContextWithSpanContext(ctx, trace.SpanContext{})
			}
			if baggageOn() {
				if b := remoteBaggage(params.Meta, req.GetExtra()); b.Len() > 0 {
					ctx = baggage.ContextWithBaggage(ctx, b)
				}
			}
			name := params.Name
			ss, _ := req.GetSession().(*mcp.ServerSession)
			extra := req.GetExtra()
			var id string
			if ss != nil {
				id = ss.ID()
			}
			network := cfg.network
			if network == nil && extra != nil && extra.Header != nil {
				network = httpNetwork // the streamable HTTP transport
			}
			ctx, span := rastir.StartTool(ctx, name,
				rastir.WithRemote(false), rastir.WithSpanName(ServerSpanPrefix+name), rastir.WithSpanKind(trace.SpanKindServer),
				rastir.WithAttributes(semconvAttributes(id, serverProtocolVersion(params.Meta, extra, ss), network)...))
			defer end(span)
			res, err := next(ctx, method, req)
			if cerr := ctx.Err(); cerr != nil && (err != nil || isErrorResult(res)) {
				// The client cancelled the call (or its session ended):
				// the handler's failure is the cancellation's.
				span.Fail(cerr)
				return res, err
			}
			recordResult(span, name, res, err)
			return res, err
		}
	}
}

// semconvAttributes returns the MCP semantic convention attributes of a
// tools/call span: the method, the session id and protocol version when
// known, and network.
func semconvAttributes(session, version string, network []attribute.KeyValue) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 3+len(network))
	kvs = append(kvs, attribute.String(vocabulary.MCPMethodName, MethodCallTool))
	if session != "" {
		kvs = append(kvs, attribute.String(vocabulary.MCPSessionID, session))
	}
	if version != "" {
		kvs = append(kvs, attribute.String(vocabulary.MCPProtocolVersion, version))
	}
	return append(kvs, network...)
}

// httpNetwork is the network of the streamable HTTP server transport.
var httpNetwork = httpAttributes()

// serverProtocolVersion returns the MCP protocol version of a server
// request: the request's own (params._meta, protocol 2026-07-28 and later),
// else the one the streamable HTTP client sends in the header, else the one
// the client initialised the session with (the server answers with it
// when it supports it).
func serverProtocolVersion(meta mcp.Meta, extra *mcp.RequestExtra, ss *mcp.ServerSession) string {
	if v, ok := meta[mcp.MetaKeyProtocolVersion].(string); ok && v != "" {
		return v
	}
	if extra != nil && extra.Header != nil {
		if v := extra.Header.Get(HeaderProtocolVersion); v != "" {
			return v
		}
	}
	if ss != nil {
		if p := ss.InitializeParams(); p != nil {
			return p.ProtocolVersion
		}
	}
	return ""
}

// perRequest reports whether the Go MCP SDK runs the server request req in
// the context of its own HTTP request: on the streamable HTTP transport,
// in a session without id (a stateless server's, made for the request).
// Every other session (stateful streamable HTTP, SSE, stdio, in-memory)
// runs its calls in the context it was opened with.
func perRequest(req mcp.Request) bool {
	extra := req.GetExtra()
	if extra == nil || extra.Header == nil {
		return false
	}
	ss, ok := req.GetSession().(*mcp.ServerSession)
	return ok && ss != nil && ss.ID() == ""
}

// remoteParent reads the caller's span context: params._meta first (set
// per call), then the HTTP headers.
func remoteParent(meta mcp.Meta, extra *mcp.RequestExtra) trace.SpanContext {
	if tp, ok := meta[MetaTraceparent].(string); ok && tp != "" {
		carrier := propagation.MapCarrier{MetaTraceparent: tp}
		if ts, ok := meta[MetaTracestate].(string); ok {
			carrier[MetaTracestate] = ts
		}
		if sc := trace.SpanContextFromContext(w3c.Extract(context.Background(), carrier)); sc.IsValid() {
			return sc
		}
	}
	if extra != nil && extra.Header != nil {
		return trace.SpanContextFromContext(w3c.Extract(context.Background(), propagation.HeaderCarrier(extra.Header)))
	}
	return trace.SpanContext{}
}

// remoteBaggage reads the caller's W3C baggage: params._meta first, then
// the HTTP headers; a malformed value is none.
func remoteBaggage(meta mcp.Meta, extra *mcp.RequestExtra) baggage.Baggage {
	if v, ok := meta[MetaBaggage].(string); ok && v != "" {
		if b := baggage.FromContext(w3cBaggage.Extract(context.Background(), propagation.MapCarrier{MetaBaggage: v})); b.Len() > 0 {
			return b
		}
	}
	if extra != nil && extra.Header != nil && extra.Header.Get(MetaBaggage) != "" {
		return baggage.FromContext(w3cBaggage.Extract(context.Background(), propagation.HeaderCarrier(extra.Header)))
	}
	return baggage.Baggage{}
}

// end ends span; a panic (of the tool handler, or of a middleware inside
// this one) fails it first and is re-raised, as rastir.Run does.
func end(span *rastir.Span) {
	if r := recover(); r != nil {
		span.Fail(rastir.PanicError{Value: r})
		span.End()
		panic(r)
	}
	span.End()
}

// recordResult fails span for a protocol error or an isError result.
// error.type is, as the MCP semantic conventions say, the JSON-RPC error
// code (also in rpc.response.status_code) or tool_error; other errors keep
// the Go type name Fail records.
func recordResult(span *rastir.Span, tool string, res mcp.Result, err error) {
	if err != nil {
		span.Fail(err)
		var w *jsonrpc.Error
		if !errors.As(err, &w) {
			return
		}
		code := strconv.FormatInt(w.Code, 10)
		kvs := []attribute.KeyValue{
			attribute.String(vocabulary.ErrorType, code),
			attribute.String(vocabulary.RPCResponseStatusCode, code),
		}
		if c := protocolCategory(w.Code); c != "" {
			kvs = append(kvs, attribute.String(vocabulary.RastirErrorCategoryKey, c))
		}
		span.SetAttributes(kvs...)
		return
	}
	if !isErrorResult(res) {
		return
	}
	span.Fail(&ToolError{Tool: tool, Message: resultText(res.(*mcp.CallToolResult))})
	// The tool itself failed (the server turns a tool handler's error into
	// an isError result).
	span.SetAttributes(
		attribute.String(vocabulary.ErrorType, vocabulary.ErrorTypeMCPToolError),
		attribute.String(vocabulary.RastirErrorCategoryKey, vocabulary.ErrorInternal))
}

// isErrorResult reports whether res is a tools/call result with isError.
func isErrorResult(res mcp.Result) bool {
	r, ok := res.(*mcp.CallToolResult)
	return ok && r != nil && r.IsError
}

// protocolCategory categorises a JSON-RPC error by its code: the request's
// faults are validation errors, the server's internal errors internal;
// other codes keep the category of the error's type ("").
func protocolCategory(code int64) string {
	switch code {
	case jsonrpc.CodeParseError, jsonrpc.CodeInvalidRequest, jsonrpc.CodeMethodNotFound, jsonrpc.CodeInvalidParams:
		return vocabulary.ErrorValidation
	case jsonrpc.CodeInternalError:
		return vocabulary.ErrorInternal
	}
	return ""
}

// maxMessage bounds the error message taken from a result's text.
const maxMessage = 1024

func resultText(r *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range r.Content {
		t, ok := c.(*mcp.TextContent)
		if !ok {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(t.Text)
		if b.Len() >= maxMessage {
			break
		}
	}
	s := b.String()
	if len(s) > maxMessage {
		s = strings.ToValidUTF8(s[:maxMessage], "")
	}
	return s
}

// Transport returns an http.RoundTripper (base, or http.DefaultTransport
// when nil) that sets the traceparent and tracestate headers of each
// request from the span of the request's context (and baggage from its
// baggage), for the HTTPClient of
// mcp.StreamableClientTransport or mcp.SSEClientTransport: with
// ClientMiddleware the headers name the tool span of the call, as Rastir's
// Python wrap_mcp does for its RastirMCPMiddleware servers. It starts no
// span; on the tool span of ClientMiddleware it records the connection:
// network.transport tcp, network.protocol.name http, its version, and the
// request URL's server.address and server.port.
func Transport(base http.RoundTripper) http.RoundTripper {
	if t, ok := base.(*headerTransport); ok {
		return t
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return &headerTransport{base: base}
}

// HTTPClient returns a copy of c (a new client when nil) whose transport
// is Transport(c.Transport).
func HTTPClient(c *http.Client) *http.Client {
	var cc http.Client
	if c != nil {
		cc = *c
	}
	cc.Transport = Transport(cc.Transport)
	return &cc
}

type headerTransport struct{ base http.RoundTripper }

func (t *headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	valid := trace.SpanContextFromContext(req.Context()).IsValid()
	withBaggage := baggageOn() && baggage.FromContext(req.Context()).Len() > 0
	if !valid && !withBaggage {
		return t.base.RoundTrip(req)
	}
	out := req.Clone(req.Context())
	if valid {
		out.Header.Del(MetaTracestate) // the old traceparent's, if any
		w3c.Inject(req.Context(), propagation.HeaderCarrier(out.Header))
	}
	if withBaggage {
		w3cBaggage.Inject(req.Context(), propagation.HeaderCarrier(out.Header))
	}
	span, _ := req.Context().Value(clientSpanKey{}).(*rastir.Span)
	if span != nil {
		span.SetAttributes(httpNetwork...)
		if req.URL != nil {
			span.SetAttributes(serverAttributes(req.URL)...)
		}
	}
	resp, err := t.base.RoundTrip(out)
	if span != nil && resp != nil && resp.ProtoMajor > 0 {
		span.SetAttributes(attribute.String(vocabulary.NetworkProtocolVersion, protocolVersion(resp.ProtoMajor, resp.ProtoMinor)))
	}
	return resp, err
}

// clientSpanKey is the context key of ClientMiddleware's tool span, for
// the HTTP requests of its call.
type clientSpanKey struct{}

// protocolVersion is network.protocol.version of HTTP major.minor: "1.1",
// "2".
func protocolVersion(major, minor int) string {
	if major >= 2 && minor == 0 {
		return strconv.Itoa(major)
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor)
}

// CloseIdleConnections closes the idle connections of the base transport
// when it has the method (http.Client's CloseIdleConnections calls it).
func (t *headerTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
