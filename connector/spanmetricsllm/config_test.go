package spanmetricsllm

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	custom := createDefaultConfig().(*Config)
	custom.AggregationTemporality = "delta"
	custom.MetricsFlushInterval = 5 * time.Second
	custom.MetricsExpiration = time.Hour
	custom.MaxSeriesPerMetric = 500
	custom.MaxLabelValueLength = 64
	custom.RastirProviderNames = false
	custom.Histograms = HistogramsConfig{
		DurationBuckets: []float64{0.1, 1, 10},
		TokensBuckets:   []float64{100, 1000},
		CostBuckets:     []float64{0.01, 1},
		TTFTBuckets:     []float64{0.5},
	}
	custom.Exemplars = ExemplarsConfig{Enabled: true, MaxPerDataPoint: 3}
	custom.GenAISemconvMetrics.Enabled = true

	spelling := createDefaultConfig().(*Config)
	spelling.AggregationTemporality = "AGGREGATION_TEMPORALITY_DELTA"

	tests := []struct {
		id          component.ID
		expected    *Config
		temporality pmetric.AggregationTemporality
		errs        []string
	}{
		{id: component.NewID(metadata.Type), expected: createDefaultConfig().(*Config),
			temporality: pmetric.AggregationTemporalityCumulative},
		{id: component.NewIDWithName(metadata.Type, "custom"), expected: custom,
			temporality: pmetric.AggregationTemporalityDelta},
		{id: component.NewIDWithName(metadata.Type, "spanmetrics_spelling"), expected: spelling,
			temporality: pmetric.AggregationTemporalityDelta},
		{id: component.NewIDWithName(metadata.Type, "invalid"), errs: []string{
			`aggregation_temporality: "sometimes" is neither`,
			`metrics_flush_interval: must be positive`,
			`metrics_expiration: must not be negative`,
			`max_series_per_metric: must be at least 1`,
			`max_label_value_length: must be at least 1`,
			`histograms.duration_buckets: bounds must be strictly increasing`,
			`histograms.tokens_buckets: at least one bucket bound is needed`,
			`histograms.cost_buckets: bound +Inf is not a finite number`,
			`exemplars.max_per_data_point: must be at least 1`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
			require.NoError(t, err)
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			cfg := createDefaultConfig().(*Config)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.errs) > 0 {
				require.Error(t, err)
				for _, e := range tt.errs {
					assert.Contains(t, err.Error(), e)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.expected, cfg)
			assert.Equal(t, tt.temporality, cfg.temporality())
		})
	}
}

func TestDefaultConfigMatchesRastir(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	require.NoError(t, cfg.Validate())
	assert.Equal(t, []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0}, cfg.Histograms.DurationBuckets)
	assert.Equal(t, []float64{10, 50, 100, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000}, cfg.Histograms.TokensBuckets)
	assert.Equal(t, []float64{0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100},
		cfg.Histograms.CostBuckets)
	assert.Equal(t, []float64{0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10}, cfg.Histograms.TTFTBuckets)
	assert.Equal(t, 128, cfg.MaxLabelValueLength)
	assert.True(t, cfg.RastirProviderNames)
	assert.False(t, cfg.Exemplars.Enabled)
	assert.False(t, cfg.GenAISemconvMetrics.Enabled)
	assert.Zero(t, cfg.MetricsExpiration)
}
