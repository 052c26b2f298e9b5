package rastirmcp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/jsonrpc"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
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

// newServer returns an MCP server with the server middleware and the tools
// search (answers), fail (returns an error: an isError result) and
// reject (a protocol error). Each handler saves the span it runs in.
func newServer(t *testing.T, seen *sync.Map) *mcp.Server {
	t.Helper()
	s := mcp.NewServer(&mcp.Implementation{Name: "tools", Version: "1.0.0"}, nil)
	s.AddReceivingMiddleware(ServerMiddleware())
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

func newClient() *mcp.Client {
	c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil)
	c.AddSendingMiddleware(ClientMiddleware())
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

// checkTree asserts the spans of callAll: each client span under the agent,
// each server span under its client span, one trace.
func checkTree(t *testing.T, rec *tracetest.SpanRecorder, agent trace.SpanContext, seen *sync.Map) {
	t.Helper()
	client := one(t, rec, "search")
	childOf(t, client, agent)
	assert.Equal(t, trace.SpanKindClient, client.SpanKind())
	a := adaptertest.Attrs(client.Attributes())
	assert.Equal(t, vocabulary.SpanTypeTool, a[vocabulary.RastirSpanTypeKey])
	assert.Equal(t, "search", a[vocabulary.GenAIToolName])
	assert.Equal(t, true, a[vocabulary.RastirRemote])
	assert.Equal(t, "planner", a[vocabulary.GenAIAgentName])
	assert.Equal(t, "gpt-4o", a[vocabulary.GenAIRequestModel])
	assert.Equal(t, codes.Unset, client.Status().Code)

	server := one(t, rec, "mcpserver:search")
	childOf(t, server, client.SpanContext())
	assert.True(t, server.Parent().IsRemote())
	assert.Equal(t, trace.SpanKindServer, server.SpanKind())
	a = adaptertest.Attrs(server.Attributes())
	assert.Equal(t, vocabulary.SpanTypeTool, a[vocabulary.RastirSpanTypeKey])
	assert.Equal(t, "search", a[vocabulary.GenAIToolName])
	assert.Equal(t, false, a[vocabulary.RastirRemote])
	assert.Equal(t, codes.Unset, server.Status().Code)
	handlerSpan, ok := seen.Load("search")
	require.True(t, ok)
	assert.Equal(t, server.SpanContext(), handlerSpan, "the tool handler runs in the server span")

	// isError: both sides fail, internal_error.
	for _, s := range []sdktrace.ReadOnlySpan{one(t, rec, "fail"), one(t, rec, "mcpserver:fail")} {
		assert.Equal(t, codes.Error, s.Status().Code, s.Name())
		assert.Equal(t, "mcp tool fail: index unavailable", s.Status().Description, s.Name())
		assert.Equal(t, vocabulary.ErrorInternal, adaptertest.Attrs(s.Attributes())[vocabulary.RastirErrorCategoryKey], s.Name())
		assert.Equal(t, "*rastirmcp.ToolError", adaptertest.Attrs(s.Attributes())[vocabulary.ErrorType], s.Name())
	}
	childOf(t, one(t, rec, "mcpserver:fail"), one(t, rec, "fail").SpanContext())
	// Protocol errors: invalid params, validation_error.
	for _, s := range []sdktrace.ReadOnlySpan{one(t, rec, "reject"), one(t, rec, "mcpserver:reject"), one(t, rec, "nope"), one(t, rec, "mcpserver:nope")} {
		assert.Equal(t, codes.Error, s.Status().Code, s.Name())
		assert.Equal(t, vocabulary.ErrorValidation, adaptertest.Attrs(s.Attributes())[vocabulary.RastirErrorCategoryKey], s.Name())
		assert.Equal(t, agent.TraceID(), s.SpanContext().TraceID(), s.Name())
	}
	assert.Contains(t, one(t, rec, "nope").Status().Description, `unknown tool "nope"`)
	childOf(t, one(t, rec, "mcpserver:reject"), one(t, rec, "reject").SpanContext())
}

func TestInMemory(t *testing.T) {
	rec := adaptertest.Record(t)
	var seen sync.Map
	ctx := context.Background()
	st, ct := mcp.NewInMemoryTransports()
	ss, err := newServer(t, &seen).Connect(ctx, st, nil)
	require.NoError(t, err)
	defer ss.Close()
	cs, err := newClient().Connect(ctx, ct, nil)
	require.NoError(t, err)
	defer cs.Close()

	agent := callAll(t, cs)
	checkTree(t, rec, agent, &seen)
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
	require.NoError(t, cs.Close())
	checkTree(t, rec, agent, &seen)

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
	assert.Equal(t, false, adaptertest.Attrs(s.Attributes())[vocabulary.RastirRemote])
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
	assert.Equal(t, "rastirmcp.panicError", adaptertest.Attrs(server.Attributes())[vocabulary.ErrorType])
	childOf(t, server, one(t, rec, "crash").SpanContext())
	assert.Equal(t, codes.Error, one(t, rec, "crash").Status().Code)
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
