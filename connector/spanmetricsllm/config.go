package spanmetricsllm

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"go.opentelemetry.io/collector/pdata/pmetric"
)

// Config is the configuration of the spanmetricsllm connector.
type Config struct {
	// AggregationTemporality is "cumulative" (the default; what the
	// Prometheus exporter expects) or "delta". The spanmetrics connector's
	// spellings AGGREGATION_TEMPORALITY_CUMULATIVE and
	// AGGREGATION_TEMPORALITY_DELTA are accepted too.
	AggregationTemporality string `mapstructure:"aggregation_temporality"`

	// MetricsFlushInterval is how often the aggregated metrics are sent to
	// the next consumer.
	MetricsFlushInterval time.Duration `mapstructure:"metrics_flush_interval"`

	// MetricsExpiration removes a series that no span has updated for this
	// long; 0 keeps every series for the life of the process (Rastir's
	// behaviour).
	MetricsExpiration time.Duration `mapstructure:"metrics_expiration"`

	// MaxSeriesPerMetric caps the series of each family; once reached, new
	// label sets are counted on the family's overflow series.
	MaxSeriesPerMetric int `mapstructure:"max_series_per_metric"`

	// MaxLabelValueLength clips label values to this many characters
	// (runes), as Rastir's limits.max_label_value_length.
	MaxLabelValueLength int `mapstructure:"max_label_value_length"`

	// RastirProviderNames labels the provider with the word the Rastir
	// client uses (bedrock, gemini, azure_openai, mistral) instead of the
	// semconv gen_ai.provider.name value (aws.bedrock, gcp.gemini, ...).
	RastirProviderNames bool `mapstructure:"rastir_provider_names"`

	// Histograms holds the bucket bounds of the rastir_* histograms.
	Histograms HistogramsConfig `mapstructure:"histograms"`

	// Exemplars attaches trace and span ids to the families that carry
	// exemplars in Rastir.
	Exemplars ExemplarsConfig `mapstructure:"exemplars"`

	// GenAISemconvMetrics also produces the OpenTelemetry GenAI client
	// metrics from LLM spans.
	GenAISemconvMetrics GenAISemconvMetricsConfig `mapstructure:"genai_semconv_metrics"`

	_ struct{}
}

// HistogramsConfig holds explicit bucket bounds (upper bounds, strictly
// increasing; the +Inf bucket is implicit).
type HistogramsConfig struct {
	// DurationBuckets of rastir_duration_seconds, in seconds.
	DurationBuckets []float64 `mapstructure:"duration_buckets"`
	// TokensBuckets of rastir_tokens_per_call, in tokens.
	TokensBuckets []float64 `mapstructure:"tokens_buckets"`
	// CostBuckets of rastir_cost_per_call_usd, in US dollars (fixed in
	// Rastir).
	CostBuckets []float64 `mapstructure:"cost_buckets"`
	// TTFTBuckets of rastir_ttft_seconds, in seconds (fixed in Rastir).
	TTFTBuckets []float64 `mapstructure:"ttft_buckets"`

	_ struct{}
}

// ExemplarsConfig switches exemplars on.
type ExemplarsConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// MaxPerDataPoint is how many exemplars a counter's data point keeps
	// (the latest ones); a histogram keeps the latest of each bucket.
	MaxPerDataPoint int `mapstructure:"max_per_data_point"`

	_ struct{}
}

// GenAISemconvMetricsConfig switches the GenAI semconv client metrics on.
type GenAISemconvMetricsConfig struct {
	Enabled bool `mapstructure:"enabled"`

	_ struct{}
}

// Rastir's default buckets (collector spec §3.4).
var (
	defaultDurationBuckets = []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0}
	defaultTokensBuckets   = []float64{10, 50, 100, 250, 500, 1000, 2000, 4000, 8000, 16000, 32000}
	defaultCostBuckets     = []float64{0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100}
	defaultTTFTBuckets     = []float64{0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10}
)

// GenAI semconv buckets (gen_ai.client.token.usage and
// gen_ai.client.operation.duration advice).
var (
	semconvTokenBuckets    = []float64{1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864}
	semconvDurationBuckets = []float64{0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92}
)

const (
	temporalityCumulative = "cumulative"
	temporalityDelta      = "delta"
)

// temporality returns the configured temporality; Validate has accepted
// the value.
func (c *Config) temporality() pmetric.AggregationTemporality {
	switch strings.ToLower(c.AggregationTemporality) {
	case temporalityDelta, "aggregation_temporality_delta":
		return pmetric.AggregationTemporalityDelta
	}
	return pmetric.AggregationTemporalityCumulative
}

// Validate lists every problem of the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	switch strings.ToLower(c.AggregationTemporality) {
	case temporalityCumulative, temporalityDelta, "aggregation_temporality_cumulative", "aggregation_temporality_delta":
	default:
		errs = append(errs, fmt.Errorf("aggregation_temporality: %q is neither %q nor %q",
			c.AggregationTemporality, temporalityCumulative, temporalityDelta))
	}
	if c.MetricsFlushInterval <= 0 {
		errs = append(errs, fmt.Errorf("metrics_flush_interval: must be positive, got %s", c.MetricsFlushInterval))
	}
	if c.MetricsExpiration < 0 {
		errs = append(errs, fmt.Errorf("metrics_expiration: must not be negative (0 never expires), got %s", c.MetricsExpiration))
	}
	if c.MaxSeriesPerMetric < 1 {
		errs = append(errs, fmt.Errorf("max_series_per_metric: must be at least 1, got %d", c.MaxSeriesPerMetric))
	}
	if c.MaxLabelValueLength < 1 {
		errs = append(errs, fmt.Errorf("max_label_value_length: must be at least 1, got %d", c.MaxLabelValueLength))
	}
	errs = append(errs,
		validateBuckets("histograms.duration_buckets", c.Histograms.DurationBuckets),
		validateBuckets("histograms.tokens_buckets", c.Histograms.TokensBuckets),
		validateBuckets("histograms.cost_buckets", c.Histograms.CostBuckets),
		validateBuckets("histograms.ttft_buckets", c.Histograms.TTFTBuckets),
	)
	if c.Exemplars.Enabled && c.Exemplars.MaxPerDataPoint < 1 {
		errs = append(errs, fmt.Errorf("exemplars.max_per_data_point: must be at least 1 when exemplars are enabled, got %d",
			c.Exemplars.MaxPerDataPoint))
	}
	return errors.Join(errs...)
}

// validateBuckets checks that bounds are finite and strictly increasing.
func validateBuckets(name string, bounds []float64) error {
	if len(bounds) == 0 {
		return fmt.Errorf("%s: at least one bucket bound is needed", name)
	}
	for i, b := range bounds {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return fmt.Errorf("%s: bound %v is not a finite number", name, b)
		}
		if i > 0 && b <= bounds[i-1] {
			return fmt.Errorf("%s: bounds must be strictly increasing, %v follows %v", name, b, bounds[i-1])
		}
	}
	return nil
}
