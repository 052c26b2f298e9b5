package rastirreceiver

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/receivertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadata"
)

// TestOperationalMetrics runs one receiver in a traces and a metrics
// pipeline and checks Rastir's operational families it emits.
func TestOperationalMetrics(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = freeEndpoint(t)
	cfg.MetricsInterval = 50 * time.Millisecond
	cfg.RateLimit = RateLimitConfig{Enabled: true, PerIPRPM: 2, PerServiceRPM: 1000, MaxTrackedKeys: 10}
	require.NoError(t, cfg.Validate())

	spans := &switchableConsumer{}
	metrics := &consumertest.MetricsSink{}
	set := receivertest.NewNopSettings(metadata.Type)
	factory := NewFactory()
	tr, err := factory.CreateTraces(context.Background(), set, cfg, spans)
	require.NoError(t, err)
	mr, err := factory.CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)
	require.Same(t, tr, mr, "one receiver per configuration")
	host := componenttest.NewNopHost()
	require.NoError(t, tr.Start(context.Background(), host))
	require.NoError(t, mr.Start(context.Background(), host))
	defer func() {
		require.NoError(t, tr.Shutdown(context.Background()))
		require.NoError(t, mr.Shutdown(context.Background()))
	}()

	url := "http://" + cfg.NetAddr.Endpoint + pathTelemetry
	resp, _ := do(t, http.MethodPost, url, oneSpan, nil)
	require.Equal(t, http.StatusAccepted, resp.StatusCode)
	spans.err = errors.New("data refused due to high memory usage")
	resp, _ = do(t, http.MethodPost, url, oneSpan, nil)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	resp, _ = do(t, http.MethodPost, url, oneSpan, nil)
	require.Equal(t, http.StatusTooManyRequests, resp.StatusCode)

	// The latest emission holds the cumulative values.
	var last pmetric.Metrics
	require.Eventually(t, func() bool {
		all := metrics.AllMetrics()
		if len(all) == 0 {
			return false
		}
		last = all[len(all)-1]
		return findMetric(last, "rastir_rate_limited_total") != nil
	}, 5*time.Second, 20*time.Millisecond)

	require.Equal(t, 1, last.ResourceMetrics().Len())
	assert.Equal(t, 0, last.ResourceMetrics().At(0).Resource().Attributes().Len(),
		"no resource: the label sets are Rastir's")

	rejections := findMetric(last, "rastir_ingestion_rejections_total")
	require.NotNil(t, rejections)
	require.True(t, rejections.Sum().IsMonotonic())
	require.Equal(t, pmetric.AggregationTemporalityCumulative, rejections.Sum().AggregationTemporality())
	require.Equal(t, 1, rejections.Sum().DataPoints().Len())
	dp := rejections.Sum().DataPoints().At(0)
	assert.Equal(t, int64(1), dp.IntValue())
	assert.Equal(t, map[string]any{vocabulary.LabelService: "svc", vocabulary.LabelEnv: "prod"}, dp.Attributes().AsRaw())

	limited := findMetric(last, "rastir_rate_limited_total")
	require.Equal(t, 1, limited.Sum().DataPoints().Len())
	assert.Equal(t, int64(1), limited.Sum().DataPoints().At(0).IntValue())
	assert.Equal(t, map[string]any{vocabulary.LabelDimension: "ip"}, limited.Sum().DataPoints().At(0).Attributes().AsRaw())

	// One span was accepted in all: some emission saw a positive rate.
	sawRate := false
	for _, md := range metrics.AllMetrics() {
		if m := findMetric(md, "rastir_ingestion_rate"); m != nil && m.Gauge().DataPoints().At(0).DoubleValue() > 0 {
			sawRate = true
		}
	}
	assert.True(t, sawRate)
}

func TestOperationalRejectionsBounded(t *testing.T) {
	c := newOperationalCounters()
	for i := range maxRejectionSeries + 10 {
		c.rejected("svc-"+string(rune('a'+i%26))+string(rune('0'+i/26%10))+string(rune('0'+i/260)), "prod")
	}
	assert.LessOrEqual(t, len(c.rejections), maxRejectionSeries+1)
	assert.Positive(t, c.rejections[serviceEnv{vocabulary.OverflowValue, vocabulary.OverflowValue}])
}

func TestNoTracesPipeline(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = freeEndpoint(t)
	r, err := NewFactory().CreateMetrics(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, &consumertest.MetricsSink{})
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()
	resp, body := do(t, http.MethodPost, "http://"+cfg.NetAddr.Endpoint+pathTelemetry, oneSpan, nil)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, body, "No traces pipeline")
	assert.Equal(t, "1", resp.Header.Get("Retry-After"), "every 503 tells the client when to retry")
	// Not ready: it cannot take a batch.
	resp, body = do(t, http.MethodGet, "http://"+cfg.NetAddr.Endpoint+pathReady, "", nil)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	assert.Contains(t, body, readyNoTracesPipeline)
}

func findMetric(md pmetric.Metrics, name string) *pmetric.Metric {
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name {
					return &m
				}
			}
		}
	}
	return nil
}

// TestRejectionsLabelledAsSent: a refused batch is counted under the
// service and env the client sent, not what the pipeline made of them: once
// handed on, the batch is the pipeline's (a processor may have rewritten
// it, or a component may still hold it).
func TestRejectionsLabelledAsSent(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.NetAddr.Endpoint = freeEndpoint(t)
	next, err := consumer.NewTraces(func(_ context.Context, td ptrace.Traces) error {
		res := td.ResourceSpans().At(0).Resource().Attributes()
		res.PutStr(vocabulary.ResourceServiceName, "rewritten")
		res.Remove(vocabulary.ResourceDeploymentEnvironmentName)
		return errors.New("sending queue is full")
	})
	require.NoError(t, err)
	tr, err := NewFactory().CreateTraces(context.Background(), receivertest.NewNopSettings(metadata.Type), cfg, next)
	require.NoError(t, err)
	require.NoError(t, tr.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, tr.Shutdown(context.Background())) }()

	resp, _ := do(t, http.MethodPost, "http://"+cfg.NetAddr.Endpoint+pathTelemetry, oneSpan, nil)
	require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	c := tr.(*rastirReceiver).counters
	c.mu.Lock()
	defer c.mu.Unlock()
	assert.Equal(t, map[serviceEnv]int64{{"svc", "prod"}: 1}, c.rejections)
}
