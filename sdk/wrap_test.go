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
