package rastirreceiver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadata"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadatatest"
)

// switchableConsumer stores batches, or refuses them with err when set.
type switchableConsumer struct {
	consumertest.TracesSink
	err error
}

func (c *switchableConsumer) ConsumeTraces(ctx context.Context, td ptrace.Traces) error {
	if c.err != nil {
		return c.err
	}
	return c.TracesSink.ConsumeTraces(ctx, td)
}

func (*switchableConsumer) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

func freeEndpoint(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().String()
}

func startReceiver(t *testing.T, mutate func(*Config), next consumer.Traces) (string, *componenttest.Telemetry) {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = freeEndpoint(t)
	if mutate != nil {
		mutate(cfg)
	}
	require.NoError(t, cfg.Validate())
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	set := receivertest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	r, err := NewFactory().CreateTraces(context.Background(), set, cfg, next)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, r.Shutdown(context.Background())) })
	return "http://" + cfg.NetAddr.Endpoint, tel
}

func do(t *testing.T, method, url, body string, headers map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

const oneSpan = `{"service":"svc","env":"prod","spans":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","name":"x"}]}`

func TestTelemetryAnswers(t *testing.T) {
	sink := &switchableConsumer{}
	base, tel := startReceiver(t, nil, sink)
	url := base + pathTelemetry

	tests := []struct {
		name, method, body string
		consumerErr        error
		status             int
		wantBody           string
		retryAfter         string
	}{
		{name: "accepted", method: http.MethodPost, body: oneSpan, status: http.StatusAccepted, wantBody: `{"status":"accepted","spans_received":1}`},
		{name: "invalid JSON", method: http.MethodPost, body: "not json", status: http.StatusBadRequest, wantBody: `{"detail":"Invalid JSON","reason":`},
		{name: "not an object", method: http.MethodPost, body: "[]", status: http.StatusBadRequest, wantBody: `{"detail":"Payload must be a JSON object"}`},
		{name: "no spans", method: http.MethodPost, body: `{"service":"svc"}`, status: http.StatusBadRequest, wantBody: `{"detail":"'spans' must be a non-empty array"}`},
		{name: "GET", method: http.MethodGet, status: http.StatusMethodNotAllowed, wantBody: `{"detail":"Method Not Allowed"}`},
		{name: "memory limiter refusal", method: http.MethodPost, body: oneSpan, consumerErr: errors.New("data refused due to high memory usage"),
			status: http.StatusServiceUnavailable, wantBody: `{"detail":"The pipeline is not accepting data, retry later: data refused due to high memory usage"}`, retryAfter: "1"},
		{name: "downstream throttling", method: http.MethodPost, body: oneSpan, consumerErr: consumererror.NewOTLPHTTPError(errors.New("slow down"), http.StatusTooManyRequests),
			status: http.StatusTooManyRequests, wantBody: `{"detail":"The pipeline is overloaded, retry later: slow down"}`, retryAfter: "1"},
		{name: "permanent refusal", method: http.MethodPost, body: oneSpan, consumerErr: consumererror.NewPermanent(errors.New("never")),
			status: http.StatusBadRequest, wantBody: `{"detail":"The pipeline rejected the batch: Permanent error: never"}`},
	}
	accepted := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink.err = tt.consumerErr
			resp, body := do(t, tt.method, url, tt.body, nil)
			assert.Equal(t, tt.status, resp.StatusCode)
			assert.True(t, strings.HasPrefix(body, tt.wantBody), "body %s, want prefix %s", body, tt.wantBody)
			assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
			assert.Equal(t, tt.retryAfter, resp.Header.Get("Retry-After"))
			if tt.status == http.StatusAccepted {
				accepted++
			}
		})
	}
	assert.Equal(t, accepted, sink.SpanCount())

	// The collector's own receiver telemetry counts accepted and refused spans.
	got, err := tel.GetMetric("otelcol_receiver_accepted_spans")
	require.NoError(t, err)
	assert.NotNil(t, got)
	_, err = tel.GetMetric("otelcol_receiver_refused_spans")
	require.NoError(t, err)
}

func TestFixtureAccepted(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, nil, sink)
	body, err := os.ReadFile(filepath.Join("..", "..", "testdata", "rastir-client", "0014.json"))
	require.NoError(t, err)
	resp, out := do(t, http.MethodPost, base+pathTelemetry, string(body), nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, out)
	assert.JSONEq(t, `{"status":"accepted","spans_received":100}`, out)
	assert.Equal(t, 100, sink.SpanCount())
}

func TestHealthReadyAndNotFound(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) { c.Readiness.RefusalHold = time.Hour }, sink)

	resp, body := do(t, http.MethodGet, base+pathHealth, "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"status":"ok"}`, body)

	resp, body = do(t, http.MethodGet, base+pathReady, "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"status":"ready"}`, body)

	sink.err = errors.New("data refused due to high memory usage")
	resp, _ = do(t, http.MethodPost, base+pathTelemetry, oneSpan, nil)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	resp, body = do(t, http.MethodGet, base+pathReady, "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.JSONEq(t, `{"status":"not_ready","reasons":["pipeline_refusing: data refused due to high memory usage"]}`, body)

	sink.err = nil
	resp, _ = do(t, http.MethodPost, base+pathTelemetry, oneSpan, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	resp, _ = do(t, http.MethodGet, base+pathReady, "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, body = do(t, http.MethodGet, base+"/nope", "", nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.JSONEq(t, `{"detail":"Not Found"}`, body)
}

func TestReadinessRefusalExpires(t *testing.T) {
	rd := readiness{hold: time.Second}
	now := time.Unix(100, 0)
	rd.refused(now, "full")
	ok, reason := rd.state(now.Add(500 * time.Millisecond))
	assert.False(t, ok)
	assert.Equal(t, "full", reason)
	ok, _ = rd.state(now.Add(2 * time.Second))
	assert.True(t, ok, "a refusal must not keep the instance unready forever")
}

func TestBodyLimitAndCompression(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) { c.MaxRequestBodySize = 256 }, sink)
	url := base + pathTelemetry

	big := `{"spans":[{"name":"` + strings.Repeat("x", 300) + `"}]}`
	resp, body := do(t, http.MethodPost, url, big, nil)
	assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	assert.Contains(t, body, "max_request_body_size")

	resp, body = do(t, http.MethodPost, url, oneSpan, map[string]string{"Content-Encoding": "br"})
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, body, `"detail":`)

	resp, _ = do(t, http.MethodPost, url, oneSpan, nil)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
}

func TestRateLimit(t *testing.T) {
	sink := &switchableConsumer{}
	base, tel := startReceiver(t, func(c *Config) {
		c.RateLimit = RateLimitConfig{Enabled: true, PerIPRPM: 2, PerServiceRPM: 1000, MaxTrackedKeys: 10}
	}, sink)
	url := base + pathTelemetry
	for range 2 {
		resp, _ := do(t, http.MethodPost, url, oneSpan, nil)
		require.Equal(t, http.StatusAccepted, resp.StatusCode)
	}
	resp, body := do(t, http.MethodPost, url, oneSpan, nil)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.JSONEq(t, `{"detail":"Rate limited (ip)"}`, body)
	assert.Equal(t, "30", resp.Header.Get("Retry-After"), "2 per minute refill one request every 30 s")
	// Malformed requests never reach the limiter (Rastir validates first).
	resp, _ = do(t, http.MethodPost, url, "nope", nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Equal(t, 2, sink.SpanCount())

	metadatatest.AssertEqualReceiverRastirRateLimitedRequests(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String(telemetryAttrDimension, dimensionIP))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
	metadatatest.AssertEqualReceiverRastirRefusedRequests(t, tel, []metricdata.DataPoint[int64]{
		{Value: 1, Attributes: attribute.NewSet(attribute.String(telemetryAttrReason, reasonInvalid))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestServiceRateLimit(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) {
		c.RateLimit = RateLimitConfig{Enabled: true, PerIPRPM: 1000, PerServiceRPM: 1, MaxTrackedKeys: 10}
	}, sink)
	url := base + pathTelemetry
	resp, _ := do(t, http.MethodPost, url, oneSpan, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	resp, body := do(t, http.MethodPost, url, oneSpan, nil)
	assert.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
	assert.JSONEq(t, `{"detail":"Rate limited (service)"}`, body)
	other := strings.Replace(oneSpan, `"svc"`, `"other"`, 1)
	resp, _ = do(t, http.MethodPost, url, other, nil)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, "each service has its own budget")
}

func TestTenancy(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) {
		c.Tenancy.Enabled = true
		c.Tenancy.APIKeys = []APIKeyTenant{{Key: "key-a", Tenant: "team-a"}}
	}, sink)
	url := base + pathTelemetry
	cases := []struct {
		headers map[string]string
		tenant  string
	}{
		{nil, vocabulary.DefaultTenant},
		{map[string]string{"X-Tenant-ID": "acme-corp"}, "acme-corp"},
		{map[string]string{"X-API-Key": "key-a", "X-Tenant-ID": "spoofed"}, "team-a"},
		{map[string]string{"X-API-Key": "unbound", "X-Tenant-ID": "acme-corp"}, "acme-corp"},
		{map[string]string{"X-API-Key": "key-a", "X-Tenant-ID": "team-a"}, "team-a"},
	}
	for _, c := range cases {
		resp, _ := do(t, http.MethodPost, url, oneSpan, c.headers)
		require.Equal(t, http.StatusAccepted, resp.StatusCode)
	}
	all := sink.AllTraces()
	require.Len(t, all, len(cases))
	for i, c := range cases {
		v, ok := all[i].ResourceSpans().At(0).Resource().Attributes().Get(vocabulary.ResourceTenant)
		require.True(t, ok)
		assert.Equal(t, c.tenant, v.Str())
	}
}

// TestTenancyBoundTenantNeedsItsKey: a tenant bound to API keys is claimed
// by those keys only; a request naming it in its tenant header with
// another key, or none, is refused 403 and counted, before its body is read.
func TestTenancyBoundTenantNeedsItsKey(t *testing.T) {
	sink := &switchableConsumer{}
	base, tel := startReceiver(t, func(c *Config) {
		c.Tenancy.Enabled = true
		c.Tenancy.APIKeys = []APIKeyTenant{{Key: "key-a", Tenant: "team-a"}}
	}, sink)
	url := base + pathTelemetry
	for _, headers := range []map[string]string{
		{"X-Tenant-ID": "team-a"},
		{"X-API-Key": "unbound", "X-Tenant-ID": "team-a"},
	} {
		resp, body := do(t, http.MethodPost, url, oneSpan, headers)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, body)
		assert.Contains(t, body, `"detail"`)
		assert.Contains(t, body, "team-a")
	}
	assert.Zero(t, sink.SpanCount())
	metadatatest.AssertEqualReceiverRastirRefusedRequests(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String(telemetryAttrReason, reasonTenant))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

func TestMetricsProxy(t *testing.T) {
	upstream := &http.Server{ReadHeaderTimeout: time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = io.WriteString(w, "rastir_spans_ingested_total 3\n"+r.URL.Path+"\n")
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = upstream.Serve(l) }()
	t.Cleanup(func() { _ = upstream.Close() })

	base, _ := startReceiver(t, func(c *Config) { c.MetricsEndpoint = "http://" + l.Addr().String() + "/metrics" }, &switchableConsumer{})
	resp, body := do(t, http.MethodGet, base+pathMetrics, "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "rastir_spans_ingested_total 3\n/metrics\n", body)

	_ = upstream.Close()
	resp, body = do(t, http.MethodGet, base+pathMetrics, "", nil)
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Contains(t, body, "metrics endpoint is unavailable")
}

// TestValueBudgetCountsSpansAndEvents: an empty span or event costs
// hundreds of bytes as pdata, so a body of "{}"s must not escape the
// batch's budget (10 MiB of them decoded to more than 1 GiB).
func TestValueBudgetCountsSpansAndEvents(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) { c.Limits.MaxAttributeValuesPerBatch = 100 }, sink)
	url := base + pathTelemetry

	spans := `{"spans":[{}` + strings.Repeat(`,{}`, 100) + `]}`
	resp, body := do(t, http.MethodPost, url, spans, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	assert.JSONEq(t, `{"detail":"'spans[100]' exceeds the batch's budget of 100 values (spans, events and attribute values); send fewer or smaller spans per batch"}`, body)

	events := `{"spans":[{"events":[{}` + strings.Repeat(`,{}`, 99) + `]}]}`
	resp, body = do(t, http.MethodPost, url, events, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	assert.JSONEq(t, `{"detail":"'spans[0].events[99]' exceeds the batch's budget of 100 values (spans, events and attribute values); send fewer or smaller spans per batch"}`, body)

	// Within the budget: 100 spans, or one span with 99 events.
	resp, body = do(t, http.MethodPost, url, `{"spans":[{}`+strings.Repeat(`,{}`, 99)+`]}`, nil)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	resp, body = do(t, http.MethodPost, url, `{"spans":[{"events":[{}`+strings.Repeat(`,{}`, 98)+`]}]}`, nil)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	assert.Equal(t, 101, sink.SpanCount())

	// Dense JSON is refused before it is parsed: four JSON values for each
	// value of the budget.
	dense := `{"spans":[{"attributes":{"l":[` + strings.Repeat(`0,`, 400) + `0]}}]}`
	resp, body = do(t, http.MethodPost, url, dense, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	assert.JSONEq(t, `{"detail":"the batch holds more than 400 JSON values (4 for each of the 100 values of its budget); send fewer or smaller spans per batch"}`, body)
	assert.Equal(t, 101, sink.SpanCount())
}

// TestDuplicateKeysLastWins: a key repeated in a JSON object keeps its last
// value, as Python's json module (and so Rastir) reads it, "spans" included.
func TestDuplicateKeysLastWins(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, nil, sink)
	url := base + pathTelemetry

	resp, body := do(t, http.MethodPost, url, `{"service":"a","spans":[],"service":"b","spans":[{"name":"x"},{"name":"y"}]}`, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	assert.JSONEq(t, `{"status":"accepted","spans_received":2}`, body)
	all := sink.AllTraces()
	require.Len(t, all, 1)
	service, _ := all[0].ResourceSpans().At(0).Resource().Attributes().Get(vocabulary.ResourceServiceName)
	assert.Equal(t, "b", service.Str())

	resp, body = do(t, http.MethodPost, url, `{"spans":[{"name":"x"}],"spans":[]}`, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	assert.JSONEq(t, `{"detail":"'spans' must be a non-empty array"}`, body)
	assert.Equal(t, 2, sink.SpanCount())

	// A later null is a null (the default), and an earlier occurrence is
	// not checked: Rastir never sees it.
	resp, body = do(t, http.MethodPost, url, `{"service":"a","service":null,"spans":[{"name":"x","attributes":{"tokens_input":-1,"tokens_input":5}}]}`, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	all = sink.AllTraces()
	require.Len(t, all, 2)
	rs := all[1].ResourceSpans().At(0)
	service, _ = rs.Resource().Attributes().Get(vocabulary.ResourceServiceName)
	assert.Equal(t, vocabulary.UnknownService, service.Str())
	tokens, _ := rs.ScopeSpans().At(0).Spans().At(0).Attributes().Get(vocabulary.RastirAttrTokensInput)
	assert.Equal(t, int64(5), tokens.Int())
}

// TestUnknownSpanFieldsCountAgainstMaxAttributes: a span field the wire
// format does not define becomes an attribute (rastir.wire.span.<field>),
// so max_attributes_per_span counts it with the span's attributes.
func TestUnknownSpanFieldsCountAgainstMaxAttributes(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) { c.Limits.MaxAttributesPerSpan = 2 }, sink)
	url := base + pathTelemetry

	resp, body := do(t, http.MethodPost, url, `{"spans":[{"type":"span","attributes":{"model":"m"},"duration_seconds":1.5}]}`, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	require.Equal(t, 1, sink.SpanCount())
	attrs := sink.AllTraces()[0].ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Attributes()
	seconds, ok := attrs.Get(vocabulary.WireKeySpanFieldPrefix + "duration_seconds")
	require.True(t, ok, "the unknown field is kept: %v", attrs.AsRaw())
	assert.InDelta(t, 1.5, seconds.Double(), 0)

	resp, body = do(t, http.MethodPost, url, `{"spans":[{"attributes":{"model":"m","agent":"a"},"duration_seconds":1.5}]}`, nil)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	assert.JSONEq(t, `{"detail":"'spans[0]' has 3 attributes: 2 in 'attributes' and 1 from fields the wire format does not define (kept as rastir.wire.span.<field>); at most 2 are allowed"}`, body)
	assert.Equal(t, 1, sink.SpanCount())
}

// TestByteOrderMark: Rastir reads the body with Python's json.loads, which
// accepts a UTF-8 byte order mark (as files saved by some editors start).
func TestByteOrderMark(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, nil, sink)
	resp, body := do(t, http.MethodPost, base+pathTelemetry, "\xef\xbb\xbf"+oneSpan, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	assert.JSONEq(t, `{"status":"accepted","spans_received":1}`, body)
	assert.Equal(t, 1, sink.SpanCount())
}

// TestServiceRateLimitUsesNoIPQuota: a request refused by the service limit
// uses none of its client's IP quota (refused requests use none), so one
// throttled service does not throttle the other services of that client.
func TestServiceRateLimitUsesNoIPQuota(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) {
		c.RateLimit = RateLimitConfig{Enabled: true, PerIPRPM: 2, PerServiceRPM: 1, MaxTrackedKeys: 10}
	}, sink)
	url := base + pathTelemetry
	resp, _ := do(t, http.MethodPost, url, oneSpan, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	for range 3 {
		resp, body := do(t, http.MethodPost, url, oneSpan, nil)
		require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)
		require.JSONEq(t, `{"detail":"Rate limited (service)"}`, body)
	}
	other := strings.Replace(oneSpan, `"svc"`, `"other"`, 1)
	resp, body := do(t, http.MethodPost, url, other, nil)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	assert.Equal(t, 2, sink.SpanCount())
}

// TestReadyIgnoresPermanentRefusals: a batch the pipeline rejects for good
// (answered 400) says nothing about this instance's capacity: /ready stays
// 200, or one client's bad batches would take every instance out of its
// load balancer in turn.
func TestReadyIgnoresPermanentRefusals(t *testing.T) {
	sink := &switchableConsumer{err: consumererror.NewPermanent(errors.New("invalid span"))}
	base, _ := startReceiver(t, func(c *Config) { c.Readiness.RefusalHold = time.Hour }, sink)
	resp, _ := do(t, http.MethodPost, base+pathTelemetry, oneSpan, nil)
	require.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp, body := do(t, http.MethodGet, base+pathReady, "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"status":"ready"}`, body)
}

// TestTenancySpanTenantNotKept: with tenancy on, the request's tenant is the
// one on the resource; a tenant the client wrote on its spans ("tenant",
// which Rastir overwrote with the request's, or "rastir.tenant") must not
// survive, or a client bound to one tenant files spans under another in
// every backend that reads span attributes before resource attributes.
func TestTenancySpanTenantNotKept(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) {
		c.Tenancy.Enabled = true
		c.Tenancy.APIKeys = []APIKeyTenant{{Key: "key-a", Tenant: "team-a"}}
	}, sink)
	body := `{"service":"svc","spans":[` +
		`{"name":"a","attributes":{"tenant":"team-b","model":"m"}},` +
		`{"name":"b","attributes":{"rastir.tenant":"team-b"}}]}`
	resp, out := do(t, http.MethodPost, base+pathTelemetry, body, map[string]string{"X-API-Key": "key-a"})
	require.Equal(t, http.StatusAccepted, resp.StatusCode, out)
	all := sink.AllTraces()
	require.Len(t, all, 1)
	rs := all[0].ResourceSpans().At(0)
	tenant, _ := rs.Resource().Attributes().Get(vocabulary.ResourceTenant)
	assert.Equal(t, "team-a", tenant.Str())
	spans := rs.ScopeSpans().At(0).Spans()
	require.Equal(t, 2, spans.Len())
	for i := range spans.Len() {
		attrs := spans.At(i).Attributes()
		for _, key := range []string{vocabulary.RastirAttrTenant, vocabulary.ResourceTenant} {
			_, ok := attrs.Get(key)
			assert.False(t, ok, "span %d keeps %s: %v", i, key, attrs.AsRaw())
		}
	}
	model, ok := spans.At(0).Attributes().Get("model")
	require.True(t, ok, "other attributes stay")
	assert.Equal(t, "m", model.Str())
}

// TestUndecodableBodiesCounted: a body the HTTP server cannot decompress
// (an unsupported or corrupt Content-Encoding) is refused 400 before the
// handler runs, and is counted as a refused request like any invalid body.
func TestUndecodableBodiesCounted(t *testing.T) {
	base, tel := startReceiver(t, nil, &switchableConsumer{})
	url := base + pathTelemetry
	resp, body := do(t, http.MethodPost, url, oneSpan, map[string]string{"Content-Encoding": "br"})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	resp, body = do(t, http.MethodPost, url, oneSpan, map[string]string{"Content-Encoding": "gzip"})
	require.Equal(t, http.StatusBadRequest, resp.StatusCode, body)
	metadatatest.AssertEqualReceiverRastirRefusedRequests(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: attribute.NewSet(attribute.String(telemetryAttrReason, reasonInvalid))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

// firstRead records the room the handler offers its first read of the body,
// then ends the body as a client that declared more than it sent.
type firstRead struct{ room int }

func (f *firstRead) Read(p []byte) (int, error) {
	if f.room == 0 {
		f.room = len(p)
	}
	return 0, io.ErrUnexpectedEOF
}

// TestDeclaredLengthNotAllocatedUpFront: a request's Content-Length is the
// client's word; a request that declares 10 MiB and sends nothing must not
// make the receiver hold 10 MiB (a few hundred such connections, each a
// line of headers, held gigabytes until read_timeout).
func TestDeclaredLengthNotAllocatedUpFront(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	tr, err := NewFactory().CreateTraces(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, &switchableConsumer{})
	require.NoError(t, err)
	body := &firstRead{}
	req := httptest.NewRequest(http.MethodPost, pathTelemetry, body)
	req.ContentLength = cfg.MaxRequestBodySize
	w := httptest.NewRecorder()
	tr.(*rastirReceiver).handleTelemetry(w, req)
	assert.Equal(t, http.StatusBadRequest, w.Code)
	assert.LessOrEqual(t, body.room, maxBodyPrealloc+bytes.MinRead, "room for the declared length was allocated before the body came")
	require.NoError(t, tr.Shutdown(context.Background()))
}
