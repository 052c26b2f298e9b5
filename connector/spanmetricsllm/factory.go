package spanmetricsllm

import (
	"context"
	"slices"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"

	"github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm/internal/metadata"
)

// Defaults. The flush interval is shorter than the spanmetrics connector's
// 60 s so that a Prometheus scrape every 15 s sees fresh values, as it does
// on a Rastir server, whose registry is updated on every span.
const (
	defaultFlushInterval       = 15 * time.Second
	defaultMaxSeriesPerMetric  = 10000
	defaultMaxLabelValueLength = 128
	defaultExemplarsPerPoint   = 1
)

// NewFactory returns the factory of the spanmetricsllm connector.
func NewFactory() connector.Factory {
	return connector.NewFactory(
		metadata.Type,
		createDefaultConfig,
		connector.WithTracesToMetrics(createTracesToMetrics, metadata.TracesToMetricsStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		AggregationTemporality: temporalityCumulative,
		MetricsFlushInterval:   defaultFlushInterval,
		MaxSeriesPerMetric:     defaultMaxSeriesPerMetric,
		MaxLabelValueLength:    defaultMaxLabelValueLength,
		RastirProviderNames:    true,
		Histograms: HistogramsConfig{
			DurationBuckets: slices.Clone(defaultDurationBuckets),
			TokensBuckets:   slices.Clone(defaultTokensBuckets),
			CostBuckets:     slices.Clone(defaultCostBuckets),
			TTFTBuckets:     slices.Clone(defaultTTFTBuckets),
		},
		Exemplars: ExemplarsConfig{MaxPerDataPoint: defaultExemplarsPerPoint},
	}
}

func createTracesToMetrics(_ context.Context, set connector.Settings, cfg component.Config, next consumer.Metrics) (connector.Traces, error) {
	return newConnector(set, cfg.(*Config), next)
}
