package rastirmcp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/baggage"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/sdktest"
)

func named(t *testing.T, rec *tracetest.SpanRecorder, name string) []sdktrace.ReadOnlySpan {
	t.Helper()
	var out []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func one(t *testing.T, rec *tracetest.SpanRecorder, name string) sdktrace.ReadOnlySpan {
	t.Helper()
	s := named(t, rec, name)
	require.Len(t, s, 1, "spans named %q", name)
	return s[0]
}

func childOf(t *testing.T, child sdktrace.ReadOnlySpan, parent trace.SpanContext) {
	t.Helper()
	assert.Equal(t, parent.TraceID(), child.SpanContext().TraceID(), "%s in the parent's trace", child.Name())
	assert.Equal(t, parent.SpanID(), child.Parent().SpanID(), "%s under its parent", child.Name())
}

type searchIn struct {
	Query string `json:"query"`
}

// newServer returns an MCP server with the server middleware (given opts)
// and the tools search (answers), fail (returns an error: an isError
// result) and reject (a protocol error). Each handler saves the span it
// runs in.
func newServer(t *testing.T, seen *sync.Map, opts ...Option) *mcp.Server {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "tools", Version: "1.0.0"}, nil)
	s.AddReceivingMiddleware(ServerMiddleware(opts...))
	mcp.AddTool(s, &mcp.Tool{Name: "search", Description: "search the web"},
		func(ctx context.Context, _ *mcp.CallToolRequest, in searchIn) (*mcp.CallToolResult, any, error) {
			seen.Store("search", trace.SpanContextFromContext(ctx))
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: "results for " + in.Query}}}, nil, nil
		})
	mcp.AddTool(s, &mcp.Tool{Name: "fail"},
		func(context.Context, *mcp.CallToolRequest, searchIn) (*mcp.CallToolResult, any, error) {
			return nil, nil, errors.New("index unavailable")
		})
	mcp.AddTool(s, &mcp.Tool{Name: "reject"},
		func(context.Context, *mcp.CallToolRequest, searchIn) (*mcp.CallToolResult, any, error) {
			return nil, nil, &jsonrpc.Error{Code: jsonrpc.CodeInvalidParams, Message: "query too long"}
		})
	return s
}

func newClient(opts ...Option) *mcp.Client {
	c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil)
	c.AddSendingMiddleware(ClientMiddleware(opts...))
	return c
}

// callAll calls search, fail, reject and an unknown tool in an agent span
// and checks the client side results.
func callAll(t *testing.T, cs *mcp.ClientSession) trace.SpanContext {
	t.Helper()
	ctx, agent := rastir.StartAgent(context.Background(), "planner")
	_, llm := rastir.StartLLM(ctx, "gpt-4o", rastir.WithProvider(vocabulary.ProviderOpenAI))
	llm.End()
	meta := mcp.Meta{"progressToken": "p1"}
	params := &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "otel"}, Meta: meta}
	res, err := cs.CallTool(ctx, params)
	require.NoError(t, err)
	require.False(t, res.IsError)
	assert.Equal(t, "results for otel", res.Content[0].(*mcp.TextContent).Text)
	assert.NotContains(t, params.Meta, MetaTraceparent, "the caller's params are not modified")

	res, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "fail", Arguments: map[string]any{"query": "x"}})
	require.NoError(t, err)
	require.True(t, res.IsError)

	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "reject", Arguments: map[string]any{"query": "x"}})
	require.Error(t, err)
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "nope", Arguments: map[string]any{"query": "x"}})
	require.Error(t, err)
	agent.End()
	return agent.SpanContext()
}

// attrs is a span's attribute map.
func attrs(s sdktrace.ReadOnlySpan) map[string]any { return adaptertest.Attrs(s.Attributes()) }

// merged returns a copy of base with the entries of extra.
func merged(base map[string]any, extra map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(extra))
	maps.Copy(out, base)
	maps.Copy(out, extra)
	return out
}

// checkTree asserts the spans of callAll: each client span under the agent,
// each server span under its client span, one trace; and the exact
// attributes of each, the MCP semconv ones of a side in client and server.
func checkTree(t *testing.T, rec *tracetest.SpanRecorder, agent trace.SpanContext, seen *sync.Map, client, server map[string]any) {
	t.Helper()
	clientBase := func(tool string) map[string]any {
		return merged(client, map[string]any{
			vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeTool,
			vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool,
			vocabulary.GenAIToolName:      tool,
			vocabulary.RastirRemote:       true,
			vocabulary.GenAIAgentName:     "planner",
			vocabulary.GenAIRequestModel:  "gpt-4o",
			vocabulary.GenAIProviderName:  vocabulary.ProviderOpenAI,
			vocabulary.MCPMethodName:      MethodCallTool,
		})
	}
	serverBase := func(tool string) map[string]any {
		return merged(server, map[string]any{
			vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeTool,
			vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool,
			vocabulary.GenAIToolName:      tool,
			vocabulary.RastirRemote:       false,
			vocabulary.MCPMethodName:      MethodCallTool,
		})
	}
	cs := one(t, rec, "search")
	childOf(t, cs, agent)
	assert.Equal(t, trace.SpanKindClient, cs.SpanKind())
	assert.Equal(t, clientBase("search"), attrs(cs))
	assert.Equal(t, codes.Unset, cs.Status().Code)

	ss := one(t, rec, "mcpserver:search")
	childOf(t, ss, cs.SpanContext())
	assert.True(t, ss.Parent().IsRemote())
	assert.Equal(t, trace.SpanKindServer, ss.SpanKind())
	assert.Equal(t, serverBase("search"), attrs(ss))
	assert.Equal(t, codes.Unset, ss.Status().Code)
	handlerSpan, ok := seen.Load("search")
	require.True(t, ok)
	assert.Equal(t, ss.SpanContext(), handlerSpan, "the tool handler runs in the server span")

	// isError: both sides fail, internal_error, error.type tool_error.
	toolFailed := map[string]any{
		vocabulary.ErrorType:              vocabulary.ErrorTypeMCPToolError,
		vocabulary.RastirErrorCategoryKey: vocabulary.ErrorInternal,
	}
	assert.Equal(t, merged(clientBase("fail"), toolFailed), attrs(one(t, rec, "fail")))
	assert.Equal(t, merged(serverBase("fail"), toolFailed), attrs(one(t, rec, "mcpserver:fail")))
	for _, s := range []sdktrace.ReadOnlySpan{one(t, rec, "fail"), one(t, rec, "mcpserver:fail")} {
		assert.Equal(t, codes.Error, s.Status().Code, s.Name())
		assert.Equal(t, "mcp tool fail: index unavailable", s.Status().Description, s.Name())
		assert.Equal(t, "*rastirmcp.ToolError", s.Events()[0].Attributes[0].Value.AsString(), "exception.type keeps the Go type")
	}
	childOf(t, one(t, rec, "mcpserver:fail"), one(t, rec, "fail").SpanContext())
	// Protocol errors: invalid params, validation_error; error.type and
	// rpc.response.status_code the JSON-RPC code.
	invalid := map[string]any{
		vocabulary.ErrorType:              "-32602",
		vocabulary.RPCResponseStatusCode:  "-32602",
		vocabulary.RastirErrorCategoryKey: vocabulary.ErrorValidation,
	}
	for _, tool := range []string{"reject", "nope"} {
		assert.Equal(t, merged(clientBase(tool), invalid), attrs(one(t, rec, tool)), tool)
		assert.Equal(t, merged(serverBase(tool), invalid), attrs(one(t, rec, ServerSpanPrefix+tool)), tool)
		for _, s := range []sdktrace.ReadOnlySpan{one(t, rec, tool), one(t, rec, ServerSpanPrefix+tool)} {
			assert.Equal(t, codes.Error, s.Status().Code, s.Name())
			assert.Equal(t, agent.TraceID(), s.SpanContext().TraceID(), s.Name())
		}
	}
	assert.Contains(t, one(t, rec, "nope").Status().Description, `unknown tool "nope"`)
	childOf(t, one(t, rec, "mcpserver:reject"), one(t, rec, "reject").SpanContext())
}

func TestInMemory(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := newServer(t, &seen, WithTransport(st)).Connect(ctx, st, nil)
	require.NoError(t, err)
	defer ss.Close()
	cs, err := newClient(WithTransport(ct)).Connect(ctx, ct, nil)
	require.NoError(t, err)
	defer cs.Close()

	agent := callAll(t, cs)
	// An in-memory session (like stdio) has no id; its transport is a pipe.
	require.Empty(t, cs.ID())
	version := cs.InitializeResult().ProtocolVersion
	require.NotEmpty(t, version)
	side := map[string]any{
		vocabulary.MCPProtocolVersion: version,
		vocabulary.NetworkTransport:   vocabulary.NetworkTransportPipe,
	}
	checkTree(t, rec, agent, &seen, side, side)
	// Only tools/call is traced: agent, llm, 4 client and 4 server spans.
	require.Len(t, rec.Ended(), 10)
}

// headerLog records the traceparent header of each tools/call POST.
type headerLog struct {
	mu   sync.Mutex
	tool []string
}

func (l *headerLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if bytes.Contains(body, []byte(`"method":"tools/call"`)) {
			l.mu.Lock()
			l.tool = append(l.tool, r.Header.Get(MetaTraceparent))
			l.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

func TestStreamableHTTP(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	server := newServer(t, &seen)
	var log headerLog
	srv := httptest.NewServer(log.wrap(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil)))
	defer srv.Close()

	ctx := context.Background()
	cs, err := newClient().Connect(ctx, &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: HTTPClient(nil), DisableStandaloneSSE: true}, nil)
	require.NoError(t, err)
	agent := callAll(t, cs)
	session, version := cs.ID(), cs.InitializeResult().ProtocolVersion
	require.NotEmpty(t, session)
	require.NotEmpty(t, version)
	require.NoError(t, cs.Close())
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	serverWant := map[string]any{
		vocabulary.MCPSessionID:        session,
		vocabulary.MCPProtocolVersion:  version,
		vocabulary.NetworkTransport:    vocabulary.NetworkTransportTCP,
		vocabulary.NetworkProtocolName: vocabulary.NetworkProtocolHTTP,
	}
	// The client learns the server's address and the HTTP version from
	// HTTPClient's requests.
	clientWant := merged(serverWant, map[string]any{
		vocabulary.NetworkProtocolVersion: "1.1",
		vocabulary.ServerAddress:          u.Hostname(),
		vocabulary.ServerPort:             int64(port),
	})
	checkTree(t, rec, agent, &seen, clientWant, serverWant)

	// The header names the client span of each call, as _meta does.
	log.mu.Lock()
	defer log.mu.Unlock()
	require.Len(t, log.tool, 4)
	for i, name := range []string{"search", "fail", "reject", "nope"} {
		client := one(t, rec, name).SpanContext()
		assert.Equal(t, "00-"+client.TraceID().String()+"-"+client.SpanID().String()+"-01", log.tool[i], name)
	}
}

// TestHeaderOnly: a client without the middleware (like Rastir's Python
// framework decorators, which set only the HTTP header from the agent span)
// is joined through the header.
func TestHeaderOnly(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	server := newServer(t, &seen)
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil))
	defer srv.Close()

	ctx, agent := rastir.StartAgent(context.Background(), "planner")
	c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil)
	cs, err := c.Connect(ctx, &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: HTTPClient(&http.Client{}), DisableStandaloneSSE: true}, nil)
	require.NoError(t, err)
	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "x"}})
	require.NoError(t, err)
	require.NoError(t, cs.Close())
	agent.End()

	childOf(t, one(t, rec, "mcpserver:search"), agent.SpanContext())
	assert.Empty(t, named(t, rec, "search"))
	// HTTPClient records the network only on the tool spans of
	// ClientMiddleware, not on the span its requests run in.
	var a map[string]any
	for _, s := range rec.Ended() {
		if s.SpanContext().SpanID() == agent.SpanContext().SpanID() {
			a = attrs(s)
		}
	}
	require.NotNil(t, a)
	for _, k := range []string{vocabulary.NetworkTransport, vocabulary.NetworkProtocolName, vocabulary.ServerAddress, vocabulary.ServerPort} {
		assert.NotContains(t, a, k)
	}
}

// TestPythonMeta: a tools/call whose _meta carries the traceparent a
// Python Rastir client makes (uuid4 hex trace id, the first 16 hex digits
// of its span id, version 00, flags 01), sent as literal JSON, is joined.
func TestPythonMeta(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := newServer(t, &seen).Connect(ctx, st, nil)
	require.NoError(t, err)
	defer ss.Close()
	conn, err := ct.Connect(ctx)
	require.NoError(t, err)
	defer conn.Close()

	send := func(raw string) {
		t.Helper()
		msg, err := jsonrpc.DecodeMessage([]byte(raw))
		require.NoError(t, err)
		require.NoError(t, conn.Write(ctx, msg))
	}
	recv := func() *jsonrpc.Response {
		t.Helper()
		msg, err := conn.Read(ctx)
		require.NoError(t, err)
		resp, ok := msg.(*jsonrpc.Response)
		require.True(t, ok, "%T", msg)
		return resp
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"mcp","version":"0.1.0"}}}`)
	require.Nil(t, recv().Error)
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"_meta":{"traceparent":"00-9f3c2a7be41d4c0f8a5b6e7d1c2b3a49-5d2e8f1a3b4c6d7e-01"},"name":"search","arguments":{"query":"py"}}}`)
	resp := recv()
	require.Nil(t, resp.Error)
	assert.Contains(t, string(resp.Result), "results for py")
	// A malformed traceparent makes a new trace.
	send(`{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"_meta":{"traceparent":"00-not-a-trace-01","tracestate":7},"name":"search","arguments":{"query":"bad"}}}`)
	require.Nil(t, recv().Error)

	spans := named(t, rec, "mcpserver:search")
	require.Len(t, spans, 2)
	s := spans[0]
	assert.Equal(t, "9f3c2a7be41d4c0f8a5b6e7d1c2b3a49", s.SpanContext().TraceID().String())
	assert.Equal(t, "5d2e8f1a3b4c6d7e", s.Parent().SpanID().String())
	assert.True(t, s.Parent().IsRemote())
	assert.True(t, s.SpanContext().IsSampled())
	// The protocol version is the one the client initialised with; no
	// session id, no network (no transport given).
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeTool,
		vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool,
		vocabulary.GenAIToolName:      "search",
		vocabulary.RastirRemote:       false,
		vocabulary.MCPMethodName:      MethodCallTool,
		vocabulary.MCPProtocolVersion: "2025-06-18",
	}, attrs(s))
	assert.False(t, spans[1].Parent().IsValid())
	assert.NotEqual(t, s.SpanContext().TraceID(), spans[1].SpanContext().TraceID())
}

func TestInjectMetaAndTransport(t *testing.T) {
	adaptertest.Record(t)
	ctx, span := rastir.StartTool(context.Background(), "t")
	defer span.End()
	sc := span.SpanContext()
	m := injectMeta(ctx, mcp.Meta{"k": 1})
	assert.Equal(t, mcp.Meta{"k": 1, MetaTraceparent: "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"}, m)
	assert.Equal(t, mcp.Meta{}, injectMeta(context.Background(), nil))
	assert.Equal(t, sc, remoteParent(m, nil).WithRemote(false))
	assert.False(t, remoteParent(mcp.Meta{MetaTraceparent: 5}, &mcp.RequestExtra{}).IsValid())

	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get(MetaTraceparent))
	}))
	defer srv.Close()
	c := HTTPClient(nil)
	assert.Same(t, c.Transport, Transport(c.Transport), "never wrapped twice")
	for _, rctx := range []context.Context{ctx, context.Background()} {
		req, err := http.NewRequestWithContext(rctx, http.MethodGet, srv.URL, http.NoBody)
		require.NoError(t, err)
		resp, err := c.Do(req)
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
		assert.Empty(t, req.Header.Get(MetaTraceparent), "the caller's request is not modified")
	}
	assert.Equal(t, []string{m[MetaTraceparent].(string), ""}, got)

	long := strings.Repeat("é", maxMessage)
	msg := resultText(&mcp.CallToolResult{Content: []mcp.Content{&mcp.ImageContent{}, &mcp.TextContent{Text: long}, &mcp.TextContent{Text: "more"}}})
	assert.LessOrEqual(t, len(msg), maxMessage)
	assert.True(t, strings.HasPrefix(long, msg))
	assert.Equal(t, "mcp tool x failed", (&ToolError{Tool: "x"}).Error())
}

// TestHTTPClientCloseIdleConnections: the client's CloseIdleConnections
// reaches the base transport, so the next request opens a new connection.
func TestHTTPClientCloseIdleConnections(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := HTTPClient(&http.Client{Transport: base})
	sdktest.GetReused(t, client, srv.URL)
	require.True(t, sdktest.GetReused(t, client, srv.URL), "keep-alive reuses the connection")
	client.CloseIdleConnections()
	assert.False(t, sdktest.GetReused(t, client, srv.URL), "the idle connection was closed")
}

// TestToolPanic: a tool handler's panic fails the server span and is
// re-raised, here to a recovering middleware outside ServerMiddleware that
// answers the call with an error.
func TestToolPanic(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	ctx := context.Background()
	s := newServer(t, &seen)
	var recovered any
	s.AddReceivingMiddleware(func(next mcp.MethodHandler) mcp.MethodHandler {
		return func(ctx context.Context, method string, req mcp.Request) (res mcp.Result, err error) {
			defer func() {
				if r := recover(); r != nil {
					recovered = r
					err = &jsonrpc.Error{Code: jsonrpc.CodeInternalError, Message: "tool crashed"}
				}
			}()
			return next(ctx, method, req)
		}
	})
	mcp.AddTool(s, &mcp.Tool{Name: "crash"}, func(context.Context, *mcp.CallToolRequest, searchIn) (*mcp.CallToolResult, any, error) {
		panic("index corrupted")
	})
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	require.NoError(t, err)
	defer ss.Close()
	cs, err := newClient().Connect(ctx, ct, nil)
	require.NoError(t, err)
	defer cs.Close()

	_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "crash", Arguments: map[string]any{"query": "x"}})
	require.Error(t, err)
	assert.Equal(t, "index corrupted", recovered, "the panic is re-raised")
	server := one(t, rec, "mcpserver:crash")
	assert.Equal(t, codes.Error, server.Status().Code)
	assert.Equal(t, "panic: index corrupted", server.Status().Description)
	assert.Equal(t, "rastir.PanicError", adaptertest.Attrs(server.Attributes())[vocabulary.ErrorType])
	childOf(t, server, one(t, rec, "crash").SpanContext())
	assert.Equal(t, codes.Error, one(t, rec, "crash").Status().Code)
	// The client sees the recovering middleware's internal error.
	a := attrs(one(t, rec, "crash"))
	assert.Equal(t, "-32603", a[vocabulary.ErrorType])
	assert.Equal(t, "-32603", a[vocabulary.RPCResponseStatusCode])
	assert.Equal(t, vocabulary.ErrorInternal, a[vocabulary.RastirErrorCategoryKey])
}

// httpSpans wraps h in a handler that runs each request in a server span,
// as otelhttp.NewHandler does.
func httpSpans(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, span := rastir.StartInfra(r.Context(), "POST", rastir.WithSpanKind(trace.SpanKindServer))
		defer span.End()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}

// TestSessionContextSpan: the Go MCP SDK's stateful streamable HTTP server
// runs every call of a session in a context made from the request that
// opened the session; a call that carries no trace context starts a new
// trace rather than continuing under that request's ended span. A
// stateless server runs each call in its own request's context: the span
// is its child.
func TestSessionContextSpan(t *testing.T) {
	for _, stateless := range []bool{false, true} {
		t.Run(map[bool]string{false: "stateful", true: "stateless"}[stateless], func(t *testing.T) {
			rec := adaptertest.Record(t)
			var seen sync.Map
			server := newServer(t, &seen)
			srv := httptest.NewServer(httpSpans(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server },
				&mcp.StreamableHTTPOptions{Stateless: stateless})))
			defer srv.Close()

			c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil)
			cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: srv.URL, DisableStandaloneSSE: true}, nil)
			require.NoError(t, err)
			for range 2 {
				_, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "x"}})
				require.NoError(t, err)
			}
			require.NoError(t, cs.Close())
			srv.Close() // waits for the handlers, which end the HTTP spans

			spans := named(t, rec, "mcpserver:search")
			require.Len(t, spans, 2)
			if !stateless {
				require.NotEmpty(t, named(t, rec, "POST"))
				for _, s := range spans {
					assert.False(t, s.Parent().IsValid(), "a new trace, not the session's first request's")
				}
				assert.NotEqual(t, spans[0].SpanContext().TraceID(), spans[1].SpanContext().TraceID())
				return
			}
			byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
			for _, s := range named(t, rec, "POST") {
				byID[s.SpanContext().SpanID()] = s
			}
			for _, s := range spans {
				parent, ok := byID[s.Parent().SpanID()]
				require.True(t, ok, "under an HTTP request's span")
				assert.Equal(t, parent.SpanContext().TraceID(), s.SpanContext().TraceID())
			}
		})
	}
}

// TestConnectContextSpan: a span in the context a server session was
// connected with (stdio's Run, an in-memory transport) is not the parent of
// the calls that carry no trace context.
func TestConnectContextSpan(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	ctx, run := rastir.StartTrace(context.Background(), "serve")
	st, ct := mcp.NewInMemoryTransports()
	ss, err := newServer(t, &seen).Connect(ctx, st, nil)
	require.NoError(t, err)
	defer ss.Close()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil).Connect(context.Background(), ct, nil)
	require.NoError(t, err)
	defer cs.Close()
	_, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "x"}})
	require.NoError(t, err)
	run.End()
	s := one(t, rec, "mcpserver:search")
	assert.False(t, s.Parent().IsValid())
	assert.NotEqual(t, run.SpanContext().TraceID(), s.SpanContext().TraceID())
}

// TestCancelled: a call the client cancels fails both spans as cancelled
// (context.Canceled, category unknown); the server side's tool handler,
// which returns the context's error (an isError result), is not blamed
// with internal_error.
func TestCancelled(t *testing.T) {
	rec := adaptertest.Record(t)
	ctx := context.Background()
	s := mcp.NewServer(&mcp.Implementation{Name: "tools", Version: "1.0.0"}, nil)
	s.AddReceivingMiddleware(ServerMiddleware())
	started := make(chan struct{})
	mcp.AddTool(s, &mcp.Tool{Name: "slow"}, func(ctx context.Context, _ *mcp.CallToolRequest, _ searchIn) (*mcp.CallToolResult, any, error) {
		close(started)
		<-ctx.Done()
		return nil, nil, ctx.Err()
	})
	st, ct := mcp.NewInMemoryTransports()
	ss, err := s.Connect(ctx, st, nil)
	require.NoError(t, err)
	cs, err := newClient().Connect(ctx, ct, nil)
	require.NoError(t, err)

	cctx, cancel := context.WithCancel(ctx)
	go func() { <-started; cancel() }()
	_, err = cs.CallTool(cctx, &mcp.CallToolParams{Name: "slow", Arguments: map[string]any{"query": "x"}})
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, cs.Close())
	_ = ss.Wait() // the server's handlers have returned

	for _, name := range []string{"slow", "mcpserver:slow"} {
		span := one(t, rec, name)
		a := adaptertest.Attrs(span.Attributes())
		assert.Equal(t, codes.Error, span.Status().Code, name)
		assert.Equal(t, vocabulary.ErrorTypeContextCanceled, a[vocabulary.ErrorType], name)
		assert.Equal(t, vocabulary.ErrorUnknown, a[vocabulary.RastirErrorCategoryKey], name)
	}
}

// TestStaleTracestate: a caller's _meta (or request header) that holds
// another call's traceparent and tracestate (a gateway passing on the _meta
// it received) gets the client span's traceparent, and loses the tracestate
// that belonged to the old one.
func TestStaleTracestate(t *testing.T) {
	adaptertest.Record(t)
	ctx, span := rastir.StartTool(context.Background(), "t")
	defer span.End()
	sc := span.SpanContext()
	tp := "00-" + sc.TraceID().String() + "-" + sc.SpanID().String() + "-01"
	old := mcp.Meta{MetaTraceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", MetaTracestate: "rojo=00f067aa0ba902b7", "progressToken": 3}
	assert.Equal(t, mcp.Meta{MetaTraceparent: tp, "progressToken": 3}, injectMeta(ctx, old))
	// Without a span the caller's keys are left as they are.
	assert.Equal(t, old, injectMeta(context.Background(), old))

	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL, http.NoBody)
	require.NoError(t, err)
	req.Header.Set(MetaTraceparent, old[MetaTraceparent].(string))
	req.Header.Set(MetaTracestate, old[MetaTracestate].(string))
	resp, err := HTTPClient(nil).Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, tp, got.Get(MetaTraceparent))
	assert.Empty(t, got.Values(MetaTracestate))
}

// TestTransportAttributes: the network attributes WithTransport gives each
// transport of the Go MCP SDK.
func TestTransportAttributes(t *testing.T) {
	mem, _ := mcp.NewInMemoryTransports()
	pipe := map[string]any{vocabulary.NetworkTransport: vocabulary.NetworkTransportPipe}
	http := map[string]any{
		vocabulary.NetworkTransport:    vocabulary.NetworkTransportTCP,
		vocabulary.NetworkProtocolName: vocabulary.NetworkProtocolHTTP,
	}
	tests := []struct {
		name      string
		transport mcp.Transport
		want      map[string]any
	}{
		{"stdio", &mcp.StdioTransport{}, pipe},
		{"command", &mcp.CommandTransport{}, pipe},
		{"in-memory", mem, pipe},
		{"logging", &mcp.LoggingTransport{Transport: &mcp.StdioTransport{}}, pipe},
		{"streamable client", &mcp.StreamableClientTransport{Endpoint: "https://tools.example.com/mcp"},
			merged(http, map[string]any{vocabulary.ServerAddress: "tools.example.com", vocabulary.ServerPort: int64(443)})},
		{"sse client", &mcp.SSEClientTransport{Endpoint: "http://10.0.0.7:8080/sse"},
			merged(http, map[string]any{vocabulary.ServerAddress: "10.0.0.7", vocabulary.ServerPort: int64(8080)})},
		{"ipv6 default port", &mcp.StreamableClientTransport{Endpoint: "http://[::1]/mcp"},
			merged(http, map[string]any{vocabulary.ServerAddress: "::1", vocabulary.ServerPort: int64(80)})},
		{"bad endpoint", &mcp.StreamableClientTransport{Endpoint: "://x"}, http},
		{"bad port", &mcp.StreamableClientTransport{Endpoint: "http://h:99999/mcp"},
			merged(http, map[string]any{vocabulary.ServerAddress: "h"})},
		{"streamable server", &mcp.StreamableServerTransport{}, http},
		{"sse server", &mcp.SSEServerTransport{}, http},
		{"io", &mcp.IOTransport{}, map[string]any{}},
		{"nil", nil, map[string]any{}},
		{"nil logging", &mcp.LoggingTransport{}, map[string]any{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c config
			WithTransport(tt.transport).apply(&c)
			assert.Equal(t, tt.want, adaptertest.Attrs(c.network))
		})
	}
}

// TestClientEndpoint: a client given its streamable HTTP transport records
// the server's address without HTTPClient.
func TestClientEndpoint(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	server := newServer(t, &seen)
	srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil))
	defer srv.Close()
	transport := &mcp.StreamableClientTransport{Endpoint: srv.URL, DisableStandaloneSSE: true}
	cs, err := newClient(WithTransport(transport)).Connect(context.Background(), transport, nil)
	require.NoError(t, err)
	_, err = cs.CallTool(context.Background(), &mcp.CallToolParams{Name: "search", Arguments: map[string]any{"query": "x"}})
	require.NoError(t, err)
	require.NoError(t, cs.Close())
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	a := attrs(one(t, rec, "search"))
	assert.Equal(t, u.Hostname(), a[vocabulary.ServerAddress])
	assert.Equal(t, u.Port(), strconv.FormatInt(a[vocabulary.ServerPort].(int64), 10))
	assert.Equal(t, vocabulary.NetworkTransportTCP, a[vocabulary.NetworkTransport])
	assert.NotContains(t, a, vocabulary.NetworkProtocolVersion, "known from HTTPClient's responses only")
}

func TestProtocolVersion(t *testing.T) {
	for _, tt := range []struct {
		major, minor int
		want         string
	}{{1, 1, "1.1"}, {1, 0, "1.0"}, {2, 0, "2"}, {3, 0, "3"}} {
		assert.Equal(t, tt.want, protocolVersion(tt.major, tt.minor))
	}
}

// TestBaggage: W3C baggage in the caller's context reaches the tool
// handler, as the MCP semantic conventions (SEP-414) say: in params._meta
// with ClientMiddleware, in the HTTP header with HTTPClient alone; and
// only when the application propagates baggage (Setup's global
// propagator does, OpenTelemetry's default propagates nothing).
func TestBaggage(t *testing.T) {
	m, err := baggage.NewMember("tenant", "acme")
	require.NoError(t, err)
	bag, err := baggage.New(m)
	require.NoError(t, err)
	prev := otel.GetTextMapPropagator()
	t.Cleanup(func() { otel.SetTextMapPropagator(prev) })
	for _, tc := range []struct {
		name           string
		withMiddleware bool
		propagator     propagation.TextMapPropagator
		want           string
	}{
		{"meta", true, propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}), "acme"},
		{"header", false, propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}), "acme"},
		{"meta, baggage not propagated", true, propagation.TraceContext{}, ""},
		{"header, baggage not propagated", false, propagation.TraceContext{}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			otel.SetTextMapPropagator(tc.propagator)
			adaptertest.Record(t)
			s := mcp.NewServer(&mcp.Implementation{Name: "tools", Version: "1.0.0"}, nil)
			s.AddReceivingMiddleware(ServerMiddleware())
			var got baggage.Baggage
			var meta mcp.Meta
			mcp.AddTool(s, &mcp.Tool{Name: "b"}, func(ctx context.Context, r *mcp.CallToolRequest, _ searchIn) (*mcp.CallToolResult, any, error) {
				got, meta = baggage.FromContext(ctx), r.Params.Meta
				return &mcp.CallToolResult{}, nil, nil
			})
			srv := httptest.NewServer(mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return s }, nil))
			defer srv.Close()
			c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil)
			if tc.withMiddleware {
				c.AddSendingMiddleware(ClientMiddleware())
			}
			cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: srv.URL, HTTPClient: HTTPClient(nil), DisableStandaloneSSE: true}, nil)
			require.NoError(t, err)
			defer cs.Close()
			ctx, agent := rastir.StartAgent(baggage.ContextWithBaggage(context.Background(), bag), "planner")
			defer agent.End()
			_, err = cs.CallTool(ctx, &mcp.CallToolParams{Name: "b", Arguments: map[string]any{"query": "x"}})
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Member("tenant").Value())
			if tc.withMiddleware {
				if tc.want == "" {
					assert.NotContains(t, meta, MetaBaggage)
				} else {
					assert.Equal(t, "tenant="+tc.want, meta[MetaBaggage])
				}
			}
		})
	}
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	// Baggage without a span leaves the caller's trace context as it is.
	old := mcp.Meta{MetaTraceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", MetaTracestate: "rojo=00f067aa0ba902b7"}
	assert.Equal(t, mcp.Meta{MetaTraceparent: old[MetaTraceparent], MetaTracestate: old[MetaTracestate], MetaBaggage: "tenant=acme"},
		injectMeta(baggage.ContextWithBaggage(context.Background(), bag), old))
	// _meta's baggage comes first; a malformed one falls back to the header.
	header := http.Header{}
	header.Set(MetaBaggage, "tenant=header")
	extra := &mcp.RequestExtra{Header: header}
	assert.Equal(t, "meta", remoteBaggage(mcp.Meta{MetaBaggage: "tenant=meta"}, extra).Member("tenant").Value())
	assert.Equal(t, "header", remoteBaggage(mcp.Meta{MetaBaggage: 7}, extra).Member("tenant").Value())
	assert.Equal(t, "header", remoteBaggage(mcp.Meta{MetaBaggage: "=bad"}, extra).Member("tenant").Value())
	assert.Zero(t, remoteBaggage(nil, nil).Len())
}
