package rastir

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/sdktest"
)

func TestWrapFunc(t *testing.T) {
	rec := record(t)
	get := func(_ context.Context, key string) (string, error) {
		if key == "" {
			return "", errors.New("empty key")
		}
		return "v:" + key, nil
	}
	wrapped := WrapFunc("cache", "Get", get)
	twice := WrapFunc("cache", "Get", wrapped)
	ctx, agent := StartAgent(t.Context(), "a")
	v, err := twice(ctx, "k")
	require.NoError(t, err)
	assert.Equal(t, "v:k", v)
	_, err = wrapped(ctx, "")
	require.Error(t, err)
	agent.End()

	spans := rec.Ended()
	require.Len(t, spans, 3, "the wrapper of a wrapper makes one span")
	var ok, failed int
	for _, s := range spans {
		if s.Name() != "cache.Get" {
			continue
		}
		got := attrMap(s.Attributes())
		assert.Equal(t, vocabulary.SpanTypeInfra, got[vocabulary.RastirSpanTypeKey])
		assert.Equal(t, "a", got[vocabulary.GenAIAgentName])
		if s.Status().Code == codes.Error {
			failed++
		} else {
			ok++
		}
	}
	assert.Equal(t, 1, ok)
	assert.Equal(t, 1, failed)
}

func TestWrapFuncKindsAndDistinctNames(t *testing.T) {
	rec := record(t)
	inner := WrapFunc("search", "Query", func(_ context.Context, q string) (int, error) { return len(q), nil },
		WithWrapKind(KindTool))
	outer := WrapFunc("agentkit", "Step", func(ctx context.Context, q string) (int, error) { return inner(ctx, q) },
		WithWrapKind(KindLLM), WithWrapOptions(WithProvider(vocabulary.ProviderOpenAI)))
	n, err := outer(t.Context(), "abc")
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	tool := spanNamed(t, rec, "search.Query")
	llm := spanNamed(t, rec, "agentkit.Step")
	assert.Equal(t, vocabulary.SpanTypeTool, attrMap(tool.Attributes())[vocabulary.RastirSpanTypeKey])
	assert.Equal(t, "search.Query", attrMap(tool.Attributes())[vocabulary.GenAIToolName])
	assert.Equal(t, vocabulary.SpanTypeLLM, attrMap(llm.Attributes())[vocabulary.RastirSpanTypeKey])
	assert.Equal(t, vocabulary.ProviderOpenAI, attrMap(llm.Attributes())[vocabulary.GenAIProviderName])
	assert.NotContains(t, attrMap(llm.Attributes()), vocabulary.GenAIRequestModel, "the wrapper's name is not a model")
	assert.Equal(t, llm.SpanContext().SpanID(), tool.Parent().SpanID())
}

func TestWrapTransport(t *testing.T) {
	rec := record(t)
	prev := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTextMapPropagator(prev) })

	var gotTraceparent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotTraceparent = r.Header.Get("traceparent")
		switch r.URL.Path {
		case "/limited":
			w.WriteHeader(http.StatusTooManyRequests)
		default:
			_, _ = io.WriteString(w, "ok")
		}
	}))
	defer srv.Close()

	rt := WrapTransport("openai", http.DefaultTransport)
	assert.Same(t, rt, WrapTransport("other", rt), "never wrapped twice")
	client := WrapClient("openai", &http.Client{Transport: rt})
	assert.Same(t, rt, client.Transport)

	ctx, agent := StartAgent(t.Context(), "a")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/ok", nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Empty(t, req.Header.Get("traceparent"), "the caller's request is not modified")
	okSpan := spanNamed(t, rec, "openai.POST")
	sc := okSpan.SpanContext()
	assert.Equal(t, "00-"+sc.TraceID().String()+"-"+sc.SpanID().String()+"-01", gotTraceparent)

	req, err = http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/limited", nil)
	require.NoError(t, err)
	resp, err = client.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	agent.End()

	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	port, err := strconv.Atoi(u.Port())
	require.NoError(t, err)
	got := attrMap(okSpan.Attributes())
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:      vocabulary.SpanTypeInfra,
		vocabulary.GenAIAgentName:         "a",
		vocabulary.HTTPRequestMethod:      http.MethodPost,
		vocabulary.ServerAddress:          u.Hostname(),
		vocabulary.ServerPort:             int64(port),
		vocabulary.HTTPResponseStatusCode: int64(200),
	}, got)
	assert.Equal(t, codes.Unset, okSpan.Status().Code)
	assert.Equal(t, trace.SpanKindClient, okSpan.SpanKind())

	limited := spanNamed(t, rec, "openai.GET")
	got = attrMap(limited.Attributes())
	assert.Equal(t, codes.Error, limited.Status().Code)
	assert.Equal(t, int64(429), got[vocabulary.HTTPResponseStatusCode])
	assert.Equal(t, "429", got[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorRateLimit, got[vocabulary.RastirErrorCategoryKey])
}

func TestWrapTransportNestedSameName(t *testing.T) {
	rec := record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	// Two distinct wrappers of one name, one around the other.
	inner := WrapTransport("svc", nil)
	outer := WrapTransport("svc", roundTripFunc(func(r *http.Request) (*http.Response, error) { return inner.RoundTrip(r) }))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Transport: outer}).Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Len(t, rec.Ended(), 1)
}

func TestWrapTransportError(t *testing.T) {
	rec := record(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rt := WrapTransport("svc", roundTripFunc(func(r *http.Request) (*http.Response, error) { return nil, r.Context().Err() }))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://example.invalid/x", nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	require.ErrorIs(t, err, context.Canceled)
	got := attrMap(spanNamed(t, rec, "svc.GET").Attributes())
	assert.Equal(t, vocabulary.ErrorTypeContextCanceled, got[vocabulary.ErrorType])
	assert.Equal(t, int64(80), got[vocabulary.ServerPort])
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestWrapClientCloseIdleConnections: the wrapped client's
// CloseIdleConnections reaches the base transport, so the next request
// opens a new connection.
func TestWrapClientCloseIdleConnections(t *testing.T) {
	record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer srv.Close()
	base := &http.Transport{}
	defer base.CloseIdleConnections()
	client := WrapClient("svc", &http.Client{Transport: base})
	sdktest.GetReused(t, client, srv.URL)
	require.True(t, sdktest.GetReused(t, client, srv.URL), "keep-alive reuses the connection")
	client.CloseIdleConnections()
	assert.False(t, sdktest.GetReused(t, client, srv.URL), "the idle connection was closed")
}

// TestWrapTransportSpanCoversTheBody: the span lasts until the response
// body is read to its end or closed, as otelhttp's, so that a streamed
// response is timed whole and an error reading it is recorded.
func TestWrapTransportSpanCoversTheBody(t *testing.T) {
	rec := record(t)
	chunk := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "data: 1\n\n")
		w.(http.Flusher).Flush()
		<-chunk
		_, _ = io.WriteString(w, "data: 2\n\n")
	}))
	defer srv.Close()
	client := WrapClient("sse", srv.Client())

	// Read to EOF.
	resp, err := client.Get(srv.URL)
	require.NoError(t, err)
	assert.Empty(t, rec.Ended(), "not ended at the headers")
	chunk <- struct{}{}
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "data: 1\n\ndata: 2\n\n", string(body))
	require.Len(t, rec.Ended(), 1, "ended at EOF")
	require.NoError(t, resp.Body.Close())
	assert.Len(t, rec.Ended(), 1)
	assert.Equal(t, codes.Unset, rec.Ended()[0].Status().Code)

	// Closed early: ended, not failed.
	resp, err = client.Get(srv.URL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Len(t, rec.Ended(), 2, "ended at Close")
	assert.Equal(t, codes.Unset, rec.Ended()[1].Status().Code)
	chunk <- struct{}{}

	// The context cancelled while the body streams: the read's error.
	ctx, cancel := context.WithCancel(t.Context())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err = client.Do(req)
	require.NoError(t, err)
	cancel()
	_, err = io.ReadAll(resp.Body)
	require.ErrorIs(t, err, context.Canceled)
	_ = resp.Body.Close()
	chunk <- struct{}{}
	require.Len(t, rec.Ended(), 3)
	failed := rec.Ended()[2]
	assert.Equal(t, codes.Error, failed.Status().Code)
	assert.Equal(t, vocabulary.ErrorTypeContextCanceled, attrMap(failed.Attributes())[vocabulary.ErrorType])
}

// TestWrapTransportEndsWithoutABody: a response without a body (HEAD, 204)
// ends the span at once.
func TestWrapTransportEndsWithoutABody(t *testing.T) {
	rec := record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	client := WrapClient("svc", srv.Client())
	resp, err := client.Head(srv.URL)
	require.NoError(t, err)
	assert.Len(t, rec.Ended(), 1)
	_ = resp.Body.Close()
	rt := WrapTransport("svc", roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Request: r}, nil
	}))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	resp, err = rt.RoundTrip(req)
	require.NoError(t, err)
	assert.Nil(t, resp.Body)
	assert.Len(t, rec.Ended(), 2, "a nil body")
}

// TestWrapTransportKeepsAWritableBody: a 101 Switching Protocols body is
// an io.ReadWriteCloser, which the caller type-asserts to write on the
// connection; the traced body stays one.
func TestWrapTransportKeepsAWritableBody(t *testing.T) {
	rec := record(t)
	conn := &rwc{}
	rt := WrapTransport("ws", roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusSwitchingProtocols, Body: conn, Request: r}, nil
	}))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://example.invalid/ws", nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	w, ok := resp.Body.(io.ReadWriteCloser)
	require.True(t, ok, "the body is still writable")
	_, err = w.Write([]byte("hi"))
	require.NoError(t, err)
	assert.Equal(t, "hi", conn.written)
	require.NoError(t, w.Close())
	assert.Len(t, rec.Ended(), 1)
}

type rwc struct{ written string }

func (*rwc) Read([]byte) (int, error)      { return 0, io.EOF }
func (c *rwc) Write(p []byte) (int, error) { c.written += string(p); return len(p), nil }
func (*rwc) Close() error                  { return nil }

// TestWrapTransportBadInput: what net/http's own transport answers with an
// error does not panic in the wrapper: a base returning neither a response
// nor an error, a request without a URL or without a header map. An empty
// method is GET, as net/http reads it.
func TestWrapTransportBadInput(t *testing.T) {
	rec := record(t)
	prev := otel.GetTextMapPropagator()
	otel.SetTextMapPropagator(propagation.TraceContext{})
	t.Cleanup(func() { otel.SetTextMapPropagator(prev) })

	nothing := WrapTransport("svc", roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, nil }))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://example.invalid/x", nil)
	require.NoError(t, err)
	assert.NotPanics(t, func() {
		resp, err := nothing.RoundTrip(req)
		assert.Nil(t, resp)
		assert.NoError(t, err) // passed on as it is: http.Client reports it
	})
	s := spanNamed(t, rec, "svc.GET")
	assert.Equal(t, codes.Error, s.Status().Code)

	var got *http.Request
	base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		got = r
		return nil, errors.New("refused")
	})
	rt := WrapTransport("raw", base)
	assert.NotPanics(t, func() {
		_, err := rt.RoundTrip(&http.Request{URL: req.URL})
		assert.Error(t, err)
	}, "no header map")
	require.NotNil(t, got)
	assert.Equal(t, "", got.Method)
	assert.NotEmpty(t, got.Header.Get("traceparent"))
	get := spanNamed(t, rec, "raw.GET")
	assert.Equal(t, http.MethodGet, attrMap(get.Attributes())[vocabulary.HTTPRequestMethod])
	assert.NotPanics(t, func() {
		_, err := rt.RoundTrip(&http.Request{Method: http.MethodPost, Header: http.Header{}})
		assert.Error(t, err)
	}, "no URL")
}

// TestWrapTransportCloseDuringRead: a body closed while another goroutine
// reads it (a stream the caller stops) ends the span, not failed by the
// error the close gave that read, whichever of the two ends it first.
func TestWrapTransportCloseDuringRead(t *testing.T) {
	rec := record(t)
	body := sdktest.NewBlockedBody()
	rt := WrapTransport("sse", roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: body, Request: r}, nil
	}))
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://example.invalid/events", nil)
	require.NoError(t, err)
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	go func() {
		_, _ = resp.Body.Read(make([]byte, 8))
		body.ReadReturned()
	}()
	<-body.Reading()
	require.NoError(t, resp.Body.Close())
	s := spanNamed(t, rec, "sse.GET")
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.NotContains(t, attrMap(s.Attributes()), vocabulary.ErrorType)
}
