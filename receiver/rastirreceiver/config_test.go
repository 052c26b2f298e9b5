package rastirreceiver

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadata"
)

// loadConfig decodes one receiver entry the way the collector does: as a
// value nested in the receivers map, where component Unmarshal methods run.
func loadConfig(t *testing.T, id component.ID) (*Config, error) {
	t.Helper()
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	require.NoError(t, err)
	sub, err := cm.Sub(id.String())
	require.NoError(t, err)
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	holder := confmap.NewFromStringMap(map[string]any{"receiver": sub.ToStringMap()})
	wrapper := struct {
		Receiver *Config `mapstructure:"receiver"`
	}{Receiver: cfg}
	if err := holder.Unmarshal(&wrapper); err != nil {
		return nil, err
	}
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	full := NewFactory().CreateDefaultConfig().(*Config)
	full.NetAddr.Endpoint = "0.0.0.0:9090"
	full.MaxRequestBodySize = 2048
	full.ReadTimeout = 5 * time.Second
	full.MetricsEndpoint = "http://localhost:9464/metrics"
	full.RetryAfter = 3 * time.Second
	full.Limits = LimitsConfig{MaxAttributesPerSpan: 10, MaxEventsPerSpan: 5, MaxValueDepth: 4, MaxAttributeValuesPerBatch: 1000}
	full.RateLimit = RateLimitConfig{Enabled: true, PerIPRPM: 60, PerServiceRPM: 120, MaxTrackedKeys: 50}
	full.Tenancy = TenancyConfig{
		Enabled: true, Header: "X-Org", DefaultTenant: "nobody", APIKeyHeader: "X-Key",
		APIKeys: []APIKeyTenant{{Key: "secret-a", Tenant: "team-a"}},
	}
	full.Readiness = ReadinessConfig{RefusalHold: 2 * time.Second}
	full.MetricsInterval = 10 * time.Second
	// Decoded, as the collector does, so that the metric config records
	// that the user set it.
	require.NoError(t, confmap.NewFromStringMap(map[string]any{
		"rastir_ingestion_rate": map[string]any{"enabled": false},
	}).Unmarshal(&full.Metrics))

	tests := []struct {
		id       component.ID
		expected *Config
		errs     []string
	}{
		{id: component.NewID(metadata.Type), expected: NewFactory().CreateDefaultConfig().(*Config)},
		{id: component.NewIDWithName(metadata.Type, "full"), expected: full},
		{id: component.NewIDWithName(metadata.Type, "invalid"), errs: []string{
			"endpoint must not be empty",
			"max_request_body_size must be positive",
			"limits.max_attributes_per_span must be positive",
			"limits.max_events_per_span must be positive",
			"limits.max_value_depth must be between 1 and 64",
			"limits.max_attribute_values_per_batch must be positive",
			"rate_limit.per_ip_rpm must be positive",
			"rate_limit.per_service_rpm must be positive",
			"rate_limit.max_tracked_keys must be positive",
			"tenancy.header must not be empty",
			"tenancy.default_tenant must not be empty",
			"tenancy.api_key_header must not be empty",
			"tenancy.api_keys[0].key must not be empty",
			"tenancy.api_keys[0].tenant must not be empty",
			"tenancy.api_keys[2].key is bound twice",
			"retry_after must be at least 1s",
			"readiness.refusal_hold must not be negative",
			"metrics_interval must be positive",
			"metrics_endpoint must be an http(s) URL",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cfg, err := loadConfig(t, tt.id)
			if len(tt.errs) > 0 {
				require.Error(t, err)
				for _, e := range tt.errs {
					assert.Contains(t, err.Error(), e)
				}
				// Every problem is listed at once, one per line.
				assert.Len(t, strings.Split(err.Error(), "\n"), len(tt.errs))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.expected, cfg)
		})
	}
}
