package rastir

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// telemetryServer records the requests it gets and answers with the
// statuses given, then 200.
type telemetryServer struct {
	*httptest.Server
	mu       sync.Mutex
	bodies   [][]byte
	headers  []http.Header
	statuses []int
	retryAft string
}

func newTelemetryServer(t *testing.T, statuses ...int) *telemetryServer {
	t.Helper()
	ts := &telemetryServer{statuses: statuses}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ts.mu.Lock()
		if r.URL.Path != TelemetryPath || r.Method != http.MethodPost {
			ts.mu.Unlock()
			w.WriteHeader(http.StatusNotFound)
			return
		}
		ts.bodies = append(ts.bodies, body)
		ts.headers = append(ts.headers, r.Header.Clone())
		status := http.StatusOK
		if len(ts.statuses) > 0 {
			status, ts.statuses = ts.statuses[0], ts.statuses[1:]
		}
		ra := ts.retryAft
		ts.mu.Unlock()
		if ra != "" && status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", ra)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *telemetryServer) requests() ([][]byte, []http.Header) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([][]byte(nil), ts.bodies...), append([]http.Header(nil), ts.headers...)
}

// pushProvider returns a provider exporting to e through a batch processor.
func pushProvider(t *testing.T, e sdktrace.SpanExporter, res *resource.Resource) *sdktrace.TracerProvider {
	t.Helper()
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(e, sdktrace.WithBatchTimeout(time.Hour)), sdktrace.WithResource(res))
	UseTracerProvider(tp)
	t.Cleanup(func() { UseTracerProvider(nil) })
	return tp
}

func testResource() *resource.Resource {
	return resource.NewSchemaless(
		attribute.String(vocabulary.ResourceServiceName, "checkout"),
		attribute.String(vocabulary.ResourceDeploymentEnvironmentName, "prod"),
		attribute.String(vocabulary.ResourceServiceVersion, "1.2.3"),
	)
}

// emitScenario makes an agent with a failed Bedrock LLM call, a successful
// streamed call and a remote tool call.
func emitScenario(ctx context.Context) {
	ctx, root := StartTrace(ctx, "request", WithAttributes(attribute.String("request_id", "r-1")))
	actx, agent := StartAgent(ctx, "support")
	_, _ = LLM(actx, "anthropic.claude-3-haiku", func(ctx context.Context) (string, error) {
		s := SpanFromContext(ctx)
		s.SetGuardrail("gr-1", "3")
		s.SetHTTPStatus(429)
		return "", errors.New("ThrottlingException: slow down")
	}, WithProvider(vocabulary.ProviderAWSBedrock))
	_, s := StartLLM(actx, "gpt-4o", WithProvider(vocabulary.ProviderOpenAI))
	s.SetStreaming(true)
	s.SetTTFT(120*time.Millisecond + 4567*time.Nanosecond)
	s.SetResponseModel("gpt-4o-2024-08-06")
	s.SetUsage(120, 45)
	s.SetFinishReasons("stop", "length")
	s.SetCost(0.00075)
	s.SetPricingProfile("default")
	s.SetGuardrailOutcome(vocabulary.GuardrailActionIntervened, vocabulary.GuardrailCategoryDeniedTopic)
	s.End()
	_, tool := StartTool(actx, "weather", WithRemote(true))
	tool.End()
	agent.End()
	root.End()
}

func decodeBody(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m), string(body))
	return m
}

func wireSpanNamed(t *testing.T, batch map[string]any, name string) map[string]any {
	t.Helper()
	for _, s := range batch[vocabulary.WireSpans].([]any) {
		if m := s.(map[string]any); m[vocabulary.WireName] == name {
			return m
		}
	}
	require.Failf(t, "span not sent", "%s", name)
	return nil
}

func TestPushExporterBatchShapeAndHeaders(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL+"/", WithPushAPIKey("k-1"))
	require.NoError(t, err)
	assert.Equal(t, srv.URL+TelemetryPath, e.URL())
	tp := pushProvider(t, e, testResource())
	emitScenario(t.Context())
	require.NoError(t, tp.Shutdown(context.Background()))

	bodies, headers := srv.requests()
	require.Len(t, bodies, 1)
	assert.Equal(t, "k-1", headers[0].Get(APIKeyHeader))
	assert.Equal(t, "application/json", headers[0].Get("Content-Type"))
	batch := decodeBody(t, bodies[0])
	assert.Equal(t, "checkout", batch[vocabulary.WireService])
	assert.Equal(t, "prod", batch[vocabulary.WireEnv])
	assert.Equal(t, "1.2.3", batch[vocabulary.WireVersion])
	require.Len(t, batch[vocabulary.WireSpans], 5)

	root := wireSpanNamed(t, batch, "request")
	assert.Contains(t, root, vocabulary.WireParentSpanID, "null, as the Python client sends it")
	assert.Nil(t, root[vocabulary.WireParentSpanID])
	assert.Equal(t, vocabulary.WireSpanTypeTrace, root[vocabulary.WireSpanType])
	assert.Equal(t, map[string]any{"request_id": "r-1"}, root[vocabulary.WireAttributes])
	assert.Equal(t, []any{}, root[vocabulary.WireEvents])

	agent := wireSpanNamed(t, batch, "invoke_agent support")
	assert.Equal(t, root[vocabulary.WireSpanID], agent[vocabulary.WireParentSpanID])
	assert.Equal(t, root[vocabulary.WireTraceID], agent[vocabulary.WireTraceID])
	assert.Len(t, agent[vocabulary.WireTraceID], 32)
	assert.Len(t, agent[vocabulary.WireSpanID], 32)
	assert.True(t, strings.HasSuffix(agent[vocabulary.WireSpanID].(string), "0000000000000000"))
	assert.Equal(t, vocabulary.SpanTypeAgent, agent[vocabulary.WireSpanType])
	assert.Equal(t, map[string]any{vocabulary.RastirAttrAgent: "support"}, agent[vocabulary.WireAttributes])

	failed := wireSpanNamed(t, batch, "chat anthropic.claude-3-haiku")
	assert.Equal(t, vocabulary.WireStatusError, failed[vocabulary.WireStatus])
	assert.Equal(t, map[string]any{
		vocabulary.RastirAttrAgent:            "support",
		vocabulary.RastirAttrModel:            "anthropic.claude-3-haiku",
		vocabulary.RastirAttrProvider:         vocabulary.RastirProviderBedrock,
		vocabulary.RastirAttrGuardrailID:      "gr-1",
		vocabulary.RastirAttrGuardrailVersion: "3",
		vocabulary.HTTPResponseStatusCode:     float64(429),
		vocabulary.ErrorType:                  "*errors.errorString",
		vocabulary.RastirErrorCategoryKey:     vocabulary.ErrorRateLimit,
		vocabulary.RastirAttrErrorMessage:     "ThrottlingException: slow down",
	}, failed[vocabulary.WireAttributes])
	events := failed[vocabulary.WireEvents].([]any)
	require.Len(t, events, 1)
	ev := events[0].(map[string]any)
	assert.Equal(t, vocabulary.EventException, ev[vocabulary.WireEventName])
	// The Python type a Rastir server reads as the span's category; the Go
	// type stays in the span's error.type above.
	assert.Equal(t, map[string]any{
		vocabulary.AttrExceptionType:    "RateLimitError",
		vocabulary.AttrExceptionMessage: "ThrottlingException: slow down",
	}, ev[vocabulary.WireEventAttributes])
	assert.IsType(t, float64(0), ev[vocabulary.WireEventTimestamp])

	llm := wireSpanNamed(t, batch, "chat gpt-4o")
	assert.Equal(t, vocabulary.WireStatusOK, llm[vocabulary.WireStatus])
	assert.Equal(t, map[string]any{
		vocabulary.RastirAttrAgent:           "support",
		vocabulary.RastirAttrModel:           "gpt-4o-2024-08-06",
		vocabulary.RastirAttrProvider:        vocabulary.ProviderOpenAI,
		vocabulary.RastirAttrTokensInput:     float64(120),
		vocabulary.RastirAttrTokensOutput:    float64(45),
		vocabulary.RastirAttrFinishReason:    "stop",
		vocabulary.RastirAttrCostUSD:         0.00075,
		vocabulary.RastirAttrPricingProfile:  "default",
		vocabulary.RastirAttrTTFTMs:          120.0, // 2 decimals, as Python
		vocabulary.RastirAttrStreaming:       true,
		vocabulary.RastirAttrGuardrailAction: vocabulary.GuardrailActionIntervened,
		vocabulary.RastirAttrGuardrailCat:    vocabulary.GuardrailCategoryDeniedTopic,
	}, llm[vocabulary.WireAttributes])
	start, end := llm[vocabulary.WireStartTime].(float64), llm[vocabulary.WireEndTime].(float64)
	assert.LessOrEqual(t, start, end)
	assert.InDelta(t, (end-start)*1000, llm[vocabulary.WireDurationMs].(float64), 0.01)

	// Named by the tool, as the Python client names tool spans.
	tool := wireSpanNamed(t, batch, "weather")
	assert.Equal(t, map[string]any{
		vocabulary.RastirAttrAgent:    "support",
		vocabulary.RastirAttrToolName: "weather",
		vocabulary.RastirAttrRemote:   vocabulary.RastirRemoteTrue,
		vocabulary.RastirAttrModel:    "gpt-4o-2024-08-06",
		vocabulary.RastirAttrProvider: vocabulary.ProviderOpenAI,
	}, tool[vocabulary.WireAttributes])

	st := e.Stats()
	assert.Equal(t, PushStats{SpansSent: 5, BatchesSent: 1}, st)
}

// TestPushExporterDeprecatedEnvironmentKey: a resource with only semconv's
// pre-1.27 deployment.environment (OTEL_RESOURCE_ATTRIBUTES settings
// written for older SDKs) still names the batch's env.
func TestPushExporterDeprecatedEnvironmentKey(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL)
	require.NoError(t, err)
	tp := pushProvider(t, e, resource.NewSchemaless(
		attribute.String(vocabulary.ResourceServiceName, "checkout"),
		attribute.String(vocabulary.ResourceDeploymentEnvironment, "staging")))
	_, s := StartTrace(t.Context(), "x")
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	bodies, _ := srv.requests()
	require.Len(t, bodies, 1)
	assert.Equal(t, "staging", decodeBody(t, bodies[0])[vocabulary.WireEnv])
}

func TestPushExporterBatchesAndResourceFallbacks(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL, WithPushBatchSize(2), WithPushService("", "staging", ""))
	require.NoError(t, err)
	tp := pushProvider(t, e, resource.NewSchemaless())
	for range 5 {
		_, s := StartTrace(t.Context(), "x")
		s.End()
	}
	require.NoError(t, tp.Shutdown(context.Background()))
	bodies, headers := srv.requests()
	require.Len(t, bodies, 3)
	assert.Empty(t, headers[0].Get(APIKeyHeader))
	batch := decodeBody(t, bodies[0])
	assert.Equal(t, vocabulary.UnknownService, batch[vocabulary.WireService])
	assert.Equal(t, "staging", batch[vocabulary.WireEnv])
	assert.Nil(t, batch[vocabulary.WireVersion])
	assert.Contains(t, batch, vocabulary.WireVersion)
	assert.Len(t, batch[vocabulary.WireSpans], 2)
	assert.Len(t, decodeBody(t, bodies[2])[vocabulary.WireSpans], 1)
}

func TestPushExporterRetriesThenSucceeds(t *testing.T) {
	srv := newTelemetryServer(t, http.StatusTooManyRequests, http.StatusInternalServerError)
	e, err := NewPushExporter(srv.URL, WithPushRetry(3, time.Millisecond))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	emitScenario(t.Context())
	require.NoError(t, tp.Shutdown(context.Background()))
	bodies, _ := srv.requests()
	require.Len(t, bodies, 3)
	assert.Equal(t, bodies[0], bodies[2], "the same batch is sent again")
	assert.Equal(t, PushStats{SpansSent: 5, BatchesSent: 1, Retries: 2}, e.Stats())
}

func TestPushExporterHonoursRetryAfter(t *testing.T) {
	srv := newTelemetryServer(t, http.StatusTooManyRequests)
	srv.retryAft = "3600"
	// The server asks for an hour; the cap (1 ms) bounds it, so the retry
	// happens within the test.
	e, err := NewPushExporter(srv.URL, WithPushRetry(2, time.Hour), WithPushMaxRetryAfter(time.Millisecond))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	_, s := StartTrace(t.Context(), "x")
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Equal(t, PushStats{SpansSent: 1, BatchesSent: 1, Retries: 1}, e.Stats())

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.Equal(t, 20*time.Second, retryAfter("20", now))
	assert.Equal(t, 90*time.Second, retryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now))
	assert.Zero(t, retryAfter("", now))
	assert.Zero(t, retryAfter("-1", now))
	assert.Zero(t, retryAfter("soon", now))
	assert.Zero(t, retryAfter(now.Add(-time.Minute).Format(http.TimeFormat), now))
}

// TestPushExporterMaxRetryAfterZero: a cap of 0 ignores Retry-After, so
// the retry waits the backoff instead of coming at once (hammering a
// server that asked for time).
func TestPushExporterMaxRetryAfterZero(t *testing.T) {
	srv := newTelemetryServer(t, http.StatusTooManyRequests)
	srv.retryAft = "3600"
	const backoff = 100 * time.Millisecond
	e, err := NewPushExporter(srv.URL, WithPushRetry(2, backoff), WithPushMaxRetryAfter(0))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	_, s := StartTrace(t.Context(), "x")
	s.End()
	start := time.Now()
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.GreaterOrEqual(t, time.Since(start), backoff, "the retry waited the backoff")
	assert.Equal(t, PushStats{SpansSent: 1, BatchesSent: 1, Retries: 1}, e.Stats())
}

func TestPushExporterDropsOn400(t *testing.T) {
	srv := newTelemetryServer(t, http.StatusBadRequest)
	e, err := NewPushExporter(srv.URL, WithPushRetry(3, time.Millisecond))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	emitScenario(t.Context())
	require.NoError(t, tp.Shutdown(context.Background()))
	bodies, _ := srv.requests()
	assert.Len(t, bodies, 1, "no retry")
	assert.Equal(t, PushStats{SpansFailed: 5, BatchesFailed: 1}, e.Stats())
}

func TestPushExporterDoesNotFollowRedirects(t *testing.T) {
	// Wherever the redirect points, nothing gets there: neither the spans
	// (a POST answered 301, 302 or 303 would come back a GET without
	// them, and its 2xx would count them as sent) nor the API key (Go's
	// client forwards custom headers to another host).
	for _, status := range []int{http.StatusMovedPermanently, http.StatusSeeOther, http.StatusTemporaryRedirect} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var elsewhere atomic.Int64
			target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				elsewhere.Add(1)
			}))
			t.Cleanup(target.Close)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+TelemetryPath, status)
			}))
			t.Cleanup(srv.Close)

			e, err := NewPushExporter(srv.URL, WithPushAPIKey("secret"), WithPushRetry(3, time.Millisecond))
			require.NoError(t, err)
			tp := pushProvider(t, e, testResource())
			_, s := StartTrace(t.Context(), "x")
			s.End()
			require.NoError(t, tp.Shutdown(context.Background()))
			assert.Zero(t, elsewhere.Load())
			assert.Equal(t, PushStats{SpansFailed: 1, BatchesFailed: 1}, e.Stats())
		})
	}
}

func TestPushExporterRedirectedToGetFails(t *testing.T) {
	// A client of the caller's that follows redirects: a POST that came
	// back a GET delivered nothing, whatever its status.
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(target.Close)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+TelemetryPath, http.StatusSeeOther)
	}))
	t.Cleanup(srv.Close)

	e, err := NewPushExporter(srv.URL, WithPushHTTPClient(&http.Client{}), WithPushRetry(3, time.Millisecond))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	_, s := StartTrace(t.Context(), "x")
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Equal(t, PushStats{SpansFailed: 1, BatchesFailed: 1}, e.Stats())
}

func TestPushExporterGivesUpAfterLastAttempt(t *testing.T) {
	srv := newTelemetryServer(t, 503, 503, 503, 503)
	e, err := NewPushExporter(srv.URL, WithPushRetry(3, time.Millisecond))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	_, s := StartTrace(t.Context(), "x")
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	bodies, _ := srv.requests()
	assert.Len(t, bodies, 3)
	assert.Equal(t, PushStats{SpansFailed: 1, BatchesFailed: 1, Retries: 2}, e.Stats())
}

func TestPushExporterRetriesNetworkErrors(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	srv.Close() // connection refused from now on
	e, err := NewPushExporter(addr, WithPushRetry(2, time.Millisecond))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	_, s := StartTrace(t.Context(), "x")
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	assert.Equal(t, PushStats{SpansFailed: 1, BatchesFailed: 1, Retries: 1}, e.Stats())
}

func TestPushExporterBoundedQueueDrops(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	received := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		received++
		mu.Unlock()
	}))
	defer srv.Close()
	e, err := NewPushExporter(srv.URL, WithPushBatchSize(1), WithPushQueueSize(2))
	require.NoError(t, err)
	rec := record(t)
	for range 5 {
		_, s := StartTrace(t.Context(), "x")
		s.End()
	}
	spans := rec.Ended()
	for _, s := range spans {
		require.NoError(t, e.ExportSpans(t.Context(), []sdktrace.ReadOnlySpan{s}))
	}
	// The sender is stuck on the first request, which still counts as
	// queued: two spans fit, three are dropped, and ExportSpans returned
	// (the server answers nothing before release is closed, so a blocked
	// ExportSpans would never get here).
	assert.Equal(t, uint64(3), e.Dropped())
	close(release)
	require.NoError(t, e.Shutdown(context.Background()))
	mu.Lock()
	assert.Equal(t, 2, received)
	mu.Unlock()
	assert.Equal(t, PushStats{SpansSent: 2, SpansDropped: 3, BatchesSent: 2}, e.Stats())
	// After shutdown, spans are dropped and counted.
	require.NoError(t, e.ExportSpans(t.Context(), spans[:1]))
	assert.Equal(t, uint64(4), e.Dropped())
	require.NoError(t, e.Shutdown(context.Background()), "a second shutdown does nothing")
}

func TestPushExporterShutdownDeadlineDropsTheRest(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	e, err := NewPushExporter(srv.URL, WithPushBatchSize(1), WithPushRetry(1, 0))
	require.NoError(t, err)
	exportOneByOne(t, e, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, e.Shutdown(ctx), context.Canceled)
	st := e.Stats()
	assert.Equal(t, uint64(3), st.SpansDropped+st.SpansFailed)
	assert.Zero(t, st.SpansSent)
}

func TestPushExporterForceFlush(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL)
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	_, s := StartTrace(t.Context(), "x")
	s.End()
	require.NoError(t, tp.ForceFlush(t.Context()))
	// The batch processor hands the spans over; the exporter's own flush
	// waits for the request.
	require.NoError(t, e.ForceFlush(t.Context()))
	bodies, _ := srv.requests()
	assert.Len(t, bodies, 1)
	require.NoError(t, tp.Shutdown(context.Background()))
}

func TestNewPushExporterValidation(t *testing.T) {
	_, err := NewPushExporter("ftp://x", WithPushBatchSize(0), WithPushQueueSize(-1), WithPushRetry(0, -1))
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{"push URL", "batch size", "queue size", "attempts", "backoff"} {
		assert.Contains(t, msg, want)
	}
	_, err = NewPushExporter("http://x:8080/v1/telemetry")
	require.NoError(t, err)
}

// TestPushExporterShutdownDeadlineSendsNoMore: when Shutdown's context ends
// while a request is in flight, that batch is given up and the batches
// still queued are dropped and counted, not sent (each failing and logged)
// with the cancelled context.
func TestPushExporterShutdownDeadlineSendsNoMore(t *testing.T) {
	inFlight := make(chan struct{}, 1)
	release := make(chan struct{})
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		select {
		case inFlight <- struct{}{}:
		default:
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	var logs bytes.Buffer
	e, err := NewPushExporter(srv.URL, WithPushBatchSize(1), WithPushRetry(1, 0),
		WithPushLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	exportOneByOne(t, e, 20)
	<-inFlight
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, e.Shutdown(ctx), context.Canceled)
	assert.Equal(t, PushStats{SpansFailed: 1, BatchesFailed: 1, SpansDropped: 19}, e.Stats())
	assert.Equal(t, 1, strings.Count(logs.String(), "batch dropped"), "one warning, for the batch in flight")
	mu.Lock()
	assert.Equal(t, 1, requests)
	mu.Unlock()
}

// exportOneByOne makes n spans and exports each in a call of its own.
func exportOneByOne(t *testing.T, e *PushExporter, n int) {
	t.Helper()
	rec := record(t)
	for range n {
		_, s := StartTrace(t.Context(), "x")
		s.End()
	}
	for _, s := range rec.Ended() {
		require.NoError(t, e.ExportSpans(t.Context(), []sdktrace.ReadOnlySpan{s}))
	}
}

// TestPushExporterStructuredAttributeValues: map, list and empty attribute
// values go out as JSON objects, lists and null, as the Python client sends
// dicts, lists and None; not as their Go string forms.
func TestPushExporterStructuredAttributeValues(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL)
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	_, s := StartRetrieval(t.Context(), "kb", WithAttributes(
		attribute.Map("filter", attribute.String("lang", "en"), attribute.Int("year", 2024),
			attribute.Slice("tags", attribute.StringValue("faq"), attribute.BoolValue(true))),
		attribute.Slice("scores", attribute.Float64Value(0.5), attribute.Int64Value(3)),
		attribute.KeyValue{Key: "cursor"},
	))
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))

	bodies, _ := srv.requests()
	require.Len(t, bodies, 1)
	attrs := wireSpanNamed(t, decodeBody(t, bodies[0]), "retrieval kb")[vocabulary.WireAttributes].(map[string]any)
	assert.Equal(t, map[string]any{"lang": "en", "year": float64(2024), "tags": []any{"faq", true}}, attrs["filter"])
	assert.Equal(t, []any{0.5, float64(3)}, attrs["scores"])
	assert.Contains(t, attrs, "cursor")
	assert.Nil(t, attrs["cursor"])
}

// TestPushExporterExceptionTypeForRastir: a Rastir server categorises a
// failure by the first exception event's type alone, with Python names.
// Where the Go type would read differently there, that event carries the
// Python name of the span's category; other events, types the server
// already reads right and uncategorised failures go as they are.
func TestPushExporterExceptionTypeForRastir(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL)
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	ctx := t.Context()
	fail := func(name, provider string, status int, errs ...error) {
		_, s := StartLLM(ctx, name, WithProvider(provider), WithSpanName(name))
		s.SetHTTPStatus(status)
		for _, err := range errs {
			s.Fail(err)
		}
		s.End()
	}
	deadline, cancel := context.WithDeadline(ctx, time.Now())
	defer cancel()
	<-deadline.Done()
	fail("deadline", vocabulary.ProviderOpenAI, 0, deadline.Err())
	fail("anthropic-500", vocabulary.ProviderAnthropic, 500, errors.New("overloaded"))
	fail("bedrock-500", vocabulary.ProviderAWSBedrock, 500, errors.New("model error"))
	fail("gemini-400", vocabulary.ProviderGCPGemini, 400, errors.New("bad request"), errors.New("second"))
	// A Go type whose name a Rastir server already reads as rate_limit.
	fail("already-read", vocabulary.ProviderOpenAI, 0, &rateLimitError{})
	fail("uncategorised", vocabulary.ProviderOpenAI, 0, errors.New("boom"))
	// Failed by its HTTP status alone (WrapTransport's way): no exception
	// event of its own.
	_, s := StartInfra(ctx, "search.GET")
	s.FailStatus(http.StatusTooManyRequests, "429 Too Many Requests")
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))

	bodies, _ := srv.requests()
	require.Len(t, bodies, 1)
	batch := decodeBody(t, bodies[0])
	exceptionTypes := func(name string) (category string, types []string) {
		s := wireSpanNamed(t, batch, name)
		category, _ = s[vocabulary.WireAttributes].(map[string]any)[vocabulary.RastirErrorCategoryKey].(string)
		for _, ev := range s[vocabulary.WireEvents].([]any) {
			types = append(types, ev.(map[string]any)[vocabulary.WireEventAttributes].(map[string]any)[vocabulary.AttrExceptionType].(string))
		}
		return category, types
	}
	for _, tc := range []struct {
		span, category string
		types          []string
	}{
		{"deadline", vocabulary.ErrorTimeout, []string{"TimeoutError"}},
		{"anthropic-500", vocabulary.ErrorProvider, []string{"anthropic.APIError"}},
		{"bedrock-500", vocabulary.ErrorProvider, []string{"botocore.exceptions.ClientError"}},
		{"gemini-400", vocabulary.ErrorValidation, []string{"ValidationError", "*errors.errorString"}},
		{"already-read", vocabulary.ErrorRateLimit, []string{"*rastir.rateLimitError"}},
		{"uncategorised", vocabulary.ErrorUnknown, []string{"*errors.errorString"}},
		{"search.GET", vocabulary.ErrorRateLimit, []string{"RateLimitError"}},
	} {
		category, types := exceptionTypes(tc.span)
		assert.Equal(t, tc.category, category, tc.span)
		assert.Equal(t, tc.types, types, tc.span)
		// What a Rastir server makes of the first one.
		assert.Equal(t, tc.category, vocabulary.RastirServerErrorCategory(types[0]), tc.span)
	}
}

// TestPushExporterSplitsBatchesTooLarge: a server with a body limit (the
// rastir receiver's max_request_body_size, a proxy's) answers 413 to a
// batch over it; the batch is split in halves until each part fits, so
// only a span too large on its own is lost, not the batch around it.
func TestPushExporterSplitsBatchesTooLarge(t *testing.T) {
	const limit = 4 << 10
	var mu sync.Mutex
	var accepted []string
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		requests++
		if len(body) > limit {
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			return
		}
		var batch struct {
			Spans []struct {
				Name string `json:"name"`
			} `json:"spans"`
		}
		if err := json.Unmarshal(body, &batch); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, s := range batch.Spans {
			accepted = append(accepted, s.Name)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	e, err := NewPushExporter(srv.URL, WithPushRetry(1, time.Millisecond))
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	var want []string
	for i := range 12 {
		name := "span-" + strconv.Itoa(i)
		size := 600 // 12 of them do not fit in one body, 6 do
		if i == 7 {
			size = 2 * limit // too large alone
		} else {
			want = append(want, name)
		}
		_, s := StartTrace(t.Context(), name, WithAttributes(attribute.String("payload", strings.Repeat("x", size))))
		s.End()
	}
	require.NoError(t, tp.Shutdown(context.Background()))

	mu.Lock()
	defer mu.Unlock()
	assert.ElementsMatch(t, want, accepted)
	st := e.Stats()
	assert.Equal(t, uint64(11), st.SpansSent)
	assert.Equal(t, uint64(1), st.SpansFailed)
	assert.Positive(t, st.BatchesSplit)
	// Halving: at most two requests per split, plus the first.
	assert.LessOrEqual(t, requests, 1+2*int(st.BatchesSplit))
}

// TestSplitBatch: every run of spans cut out of an encoded batch is the
// batch those spans would have been on their own.
func TestSplitBatch(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	UseTracerProvider(tp)
	t.Cleanup(func() { UseTracerProvider(nil) })
	emitScenario(t.Context())
	spans := rec.Ended()
	require.Len(t, spans, 5)
	meta := batchMeta{service: "svc", env: "prod"}
	body, bounds := appendBatch(nil, nil, meta, spans)
	require.Len(t, bounds, len(spans)+1)
	for from := range spans {
		for to := from + 1; to <= len(spans); to++ {
			want, wantBounds := appendBatch(nil, nil, meta, spans[from:to])
			got, gotBounds := splitBatch([]byte("reused"), nil, body, bounds, from, to)
			assert.Equal(t, string(want), string(got[len("reused"):]), "spans %d to %d", from, to)
			for i := range gotBounds {
				gotBounds[i] -= len("reused")
			}
			assert.Equal(t, wantBounds, gotBounds, "spans %d to %d", from, to)
		}
	}
}

// TestPushExporterOddValuesStayValidJSON: invalid UTF-8 (in keys, values,
// names and the resource), control characters, NaN and infinities, and a
// large value give a body that is valid JSON: invalid bytes become U+FFFD,
// floats JSON cannot hold become null (which a Rastir server skips, where
// Python's NaN token would be rejected by a Go receiver).
func TestPushExporterOddValuesStayValidJSON(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL)
	require.NoError(t, err)
	bad := "a\xffb\xc3(\x00\x1f\u2028\"\\"
	large := strings.Repeat("x", 1<<20)
	tp := pushProvider(t, e, resource.NewSchemaless(attribute.String(vocabulary.ResourceServiceName, "svc\xfe")))
	_, s := StartLLM(t.Context(), "m\xff", WithAttributes(
		attribute.String("k\xff", bad),
		attribute.StringSlice("list", []string{bad, "ok"}),
		attribute.Float64("nan", math.NaN()),
		attribute.Float64("inf", math.Inf(-1)),
		attribute.Float64Slice("floats", []float64{1, math.Inf(1)}),
		attribute.String("large", large),
	))
	s.SetAttributes(attribute.Float64(vocabulary.GenAIResponseTimeToFirstChunk, math.NaN()))
	s.AddEvent("ev\xff", trace.WithAttributes(attribute.String("e", bad), attribute.Float64("f", math.Inf(1))))
	s.Fail(errors.New(bad))
	s.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	bodies, _ := srv.requests()
	require.Len(t, bodies, 1)
	require.True(t, json.Valid(bodies[0]))
	batch := decodeBody(t, bodies[0])
	assert.Equal(t, "svc\ufffd", batch[vocabulary.WireService])
	span := wireSpanNamed(t, batch, "chat m\ufffd")
	attrs := span[vocabulary.WireAttributes].(map[string]any)
	want := "a\ufffdb\ufffd(\x00\x1f\u2028\"\\"
	assert.Equal(t, want, attrs["k\ufffd"])
	assert.Equal(t, []any{want, "ok"}, attrs["list"])
	// Sent as null, not left out (the map holds a 1 MiB value: no
	// assert.Contains, which would print it).
	for _, k := range []string{"nan", "inf", vocabulary.RastirAttrTTFTMs} {
		v, ok := attrs[k]
		assert.True(t, ok, "%s left out", k)
		assert.Nil(t, v, k)
	}
	assert.Equal(t, []any{1.0, nil}, attrs["floats"])
	assert.Len(t, attrs["large"], 1<<20)
	assert.Equal(t, want, attrs[vocabulary.RastirAttrErrorMessage])
}

// TestPushExporterShutdownDuringRetryWait: Shutdown while a batch waits to
// be sent again ends the wait at its deadline; the batch is given up and
// counted, and no further request is made.
func TestPushExporterShutdownDuringRetryWait(t *testing.T) {
	srv := newTelemetryServer(t, http.StatusServiceUnavailable, http.StatusServiceUnavailable)
	e, err := NewPushExporter(srv.URL, WithPushRetry(3, time.Hour))
	require.NoError(t, err)
	exportOneByOne(t, e, 1)
	require.Eventually(t, func() bool { return e.Stats().Retries == 1 }, time.Minute, time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, e.Shutdown(ctx), context.Canceled)
	assert.Equal(t, PushStats{SpansFailed: 1, BatchesFailed: 1, Retries: 1}, e.Stats())
	bodies, _ := srv.requests()
	assert.Len(t, bodies, 1)
}

// TestPushExporterAttributeNamedAsRastirKey: an attribute of the
// application named as one of the keys the exporter writes from canonical
// attributes (model, agent, tokens_input, ...) does not make that key
// appear twice in the span's attributes: the canonical value wins, and the
// application's goes out when there is no canonical one.
func TestPushExporterAttributeNamedAsRastirKey(t *testing.T) {
	srv := newTelemetryServer(t)
	e, err := NewPushExporter(srv.URL)
	require.NoError(t, err)
	tp := pushProvider(t, e, testResource())
	ctx, agent := StartAgent(t.Context(), "support")
	_, s := StartLLM(ctx, "gpt-4.1", WithProvider(vocabulary.ProviderOpenAI), WithSpanName("chat"), WithAttributes(
		attribute.String(vocabulary.RastirAttrModel, "the app's model"),
		attribute.String(vocabulary.RastirAttrAgent, "the app's agent"),
		attribute.String(vocabulary.RastirAttrProvider, "the app's provider"),
		attribute.Int(vocabulary.RastirAttrTokensInput, 7),
	))
	s.SetUsage(-1, 5)
	s.End()
	agent.End()
	require.NoError(t, tp.Shutdown(context.Background()))

	bodies, _ := srv.requests()
	require.Len(t, bodies, 1)
	assertNoDuplicateKeys(t, bodies[0])
	attrs := wireSpanNamed(t, decodeBody(t, bodies[0]), "chat")[vocabulary.WireAttributes].(map[string]any)
	assert.Equal(t, "gpt-4.1", attrs[vocabulary.RastirAttrModel])
	assert.Equal(t, "support", attrs[vocabulary.RastirAttrAgent])
	assert.Equal(t, vocabulary.ProviderOpenAI, attrs[vocabulary.RastirAttrProvider])
	assert.Equal(t, float64(7), attrs[vocabulary.RastirAttrTokensInput], "no canonical input count: the app's")
	assert.Equal(t, float64(5), attrs[vocabulary.RastirAttrTokensOutput])
}

// assertNoDuplicateKeys fails when an object of the JSON document body
// has a key twice (encoding/json keeps the last one without a word).
func assertNoDuplicateKeys(t *testing.T, body []byte) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(body))
	// One set of keys per open object, and whether the next string token
	// of that object is a key.
	var objects []map[string]bool
	var expectKey []bool
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		require.NoError(t, err)
		top := len(objects) - 1
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{':
				if top >= 0 && !expectKey[top] {
					expectKey[top] = true
				}
				objects, expectKey = append(objects, map[string]bool{}), append(expectKey, true)
			case '[':
				if top >= 0 {
					expectKey[top] = true
				}
				objects, expectKey = append(objects, nil), append(expectKey, false)
			case '}', ']':
				objects, expectKey = objects[:top], expectKey[:top]
			}
		default:
			if top < 0 || objects[top] == nil {
				continue
			}
			if expectKey[top] {
				key := v.(string)
				assert.False(t, objects[top][key], "key %q twice", key)
				objects[top][key] = true
				expectKey[top] = false
			} else {
				expectKey[top] = true
			}
		}
	}
}
