package rastirreceiver

import (
	"errors"
	"fmt"
	"net/url"
	"time"

	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadata"
)

// Config is the configuration of the rastir receiver.
type Config struct {
	// ServerConfig is the HTTP server: endpoint, TLS, CORS, auth (for
	// example the bearertokenauth extension reading X-API-Key),
	// compression, max_request_body_size and timeouts.
	confighttp.ServerConfig `mapstructure:",squash"`

	// Limits bound what one batch may contain.
	Limits LimitsConfig `mapstructure:"limits"`

	// RateLimit limits requests per client IP and per service.
	RateLimit RateLimitConfig `mapstructure:"rate_limit"`

	// Tenancy puts the tenant of each request on its resource.
	Tenancy TenancyConfig `mapstructure:"tenancy"`

	// RetryAfter is the Retry-After sent with 429 and 503 answers when the
	// pipeline refuses a batch.
	RetryAfter time.Duration `mapstructure:"retry_after"`

	// Readiness configures GET /ready.
	Readiness ReadinessConfig `mapstructure:"readiness"`

	// MetricsEndpoint, when set, is a URL (normally the prometheus
	// exporter's) that GET /metrics on this server serves, so Rastir users
	// keep scraping the ingestion port.
	MetricsEndpoint string `mapstructure:"metrics_endpoint"`

	// MetricsInterval is how often a receiver that is also in a metrics
	// pipeline emits Rastir's operational families; MetricsBuilderConfig
	// (the `metrics` section) switches each family on or off.
	MetricsInterval               time.Duration `mapstructure:"metrics_interval"`
	metadata.MetricsBuilderConfig `mapstructure:",squash"`

	// prevent unkeyed literal initialization
	_ struct{}
}

// LimitsConfig bounds what one batch may contain; a batch over a limit is
// answered 400 with a message that names the field.
type LimitsConfig struct {
	// MaxAttributesPerSpan is the most attributes a span or an event may
	// arrive with: the keys of its attributes object plus its fields the
	// wire format does not define, each kept as a rastir.wire.span.* or
	// rastir.wire.event.* attribute. It also bounds the batch's undefined
	// fields (rastir.wire.batch.* resource attributes) and the keys of a map
	// inside an attribute value. A repeated key counts once.
	MaxAttributesPerSpan int `mapstructure:"max_attributes_per_span"`
	// MaxEventsPerSpan is the most events one span may have.
	MaxEventsPerSpan int `mapstructure:"max_events_per_span"`
	// MaxValueDepth is how deep lists and maps may nest in one attribute
	// value.
	MaxValueDepth int `mapstructure:"max_value_depth"`
	// MaxAttributeValuesPerBatch is the most attribute values (list items
	// and map entries included) one batch may carry, each span and each
	// event counting as one more; it bounds the memory one request can
	// claim. A batch may also hold at most four times as many JSON values,
	// checked before the parser builds them.
	MaxAttributeValuesPerBatch int `mapstructure:"max_attribute_values_per_batch"`

	_ struct{}
}

// RateLimitConfig is Rastir's rate limit: requests per minute per client IP
// and per service, answered 429 with Retry-After when exceeded.
type RateLimitConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// PerIPRPM is the requests per minute one client IP may send.
	PerIPRPM int `mapstructure:"per_ip_rpm"`
	// PerServiceRPM is the requests per minute one service may send.
	PerServiceRPM int `mapstructure:"per_service_rpm"`
	// MaxTrackedKeys bounds the number of IPs and services tracked; keys
	// beyond it share one limit, so spraying addresses gains nothing.
	MaxTrackedKeys int `mapstructure:"max_tracked_keys"`

	_ struct{}
}

// TenancyConfig names the tenant of each request.
type TenancyConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Header carries the tenant name (Rastir's X-Tenant-ID).
	Header string `mapstructure:"header"`
	// DefaultTenant is used when neither an API key nor the header names one.
	DefaultTenant string `mapstructure:"default_tenant"`
	// APIKeyHeader carries the client's API key (the Rastir client sends
	// X-API-Key).
	APIKeyHeader string `mapstructure:"api_key_header"`
	// APIKeys binds API keys to tenants. A request with a bound key gets
	// that tenant whatever its tenant header says. Checking that a key is
	// valid at all is the job of the server's auth extension.
	APIKeys []APIKeyTenant `mapstructure:"api_keys"`

	_ struct{}
}

// APIKeyTenant binds one API key to a tenant.
type APIKeyTenant struct {
	Key    configopaque.String `mapstructure:"key"`
	Tenant string              `mapstructure:"tenant"`

	_ struct{}
}

// ReadinessConfig configures GET /ready.
type ReadinessConfig struct {
	// RefusalHold is how long /ready answers 503 after the pipeline refused
	// a batch for now (429 or 503), unless a later batch was accepted.
	RefusalHold time.Duration `mapstructure:"refusal_hold"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate checks every field and reports all problems at once.
func (cfg *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if cfg.NetAddr.Endpoint == "" {
		add("endpoint must not be empty")
	}
	if cfg.MaxRequestBodySize <= 0 {
		add("max_request_body_size must be positive, got %d", cfg.MaxRequestBodySize)
	}
	if cfg.Limits.MaxAttributesPerSpan <= 0 {
		add("limits.max_attributes_per_span must be positive, got %d", cfg.Limits.MaxAttributesPerSpan)
	}
	if cfg.Limits.MaxEventsPerSpan <= 0 {
		add("limits.max_events_per_span must be positive, got %d", cfg.Limits.MaxEventsPerSpan)
	}
	if cfg.Limits.MaxValueDepth <= 0 || cfg.Limits.MaxValueDepth > 64 {
		add("limits.max_value_depth must be between 1 and 64, got %d", cfg.Limits.MaxValueDepth)
	}
	if cfg.Limits.MaxAttributeValuesPerBatch <= 0 {
		add("limits.max_attribute_values_per_batch must be positive, got %d", cfg.Limits.MaxAttributeValuesPerBatch)
	}
	// Validated even when disabled, as Rastir does, so that enabling the
	// feature later cannot surface an old mistake.
	if cfg.RateLimit.PerIPRPM <= 0 {
		add("rate_limit.per_ip_rpm must be positive, got %d", cfg.RateLimit.PerIPRPM)
	}
	if cfg.RateLimit.PerServiceRPM <= 0 {
		add("rate_limit.per_service_rpm must be positive, got %d", cfg.RateLimit.PerServiceRPM)
	}
	if cfg.RateLimit.MaxTrackedKeys <= 0 {
		add("rate_limit.max_tracked_keys must be positive, got %d", cfg.RateLimit.MaxTrackedKeys)
	}
	if cfg.Tenancy.Header == "" {
		add("tenancy.header must not be empty")
	}
	if cfg.Tenancy.DefaultTenant == "" {
		// An empty tenant is never meant (an empty header gives this
		// default), as api_keys[].tenant.
		add("tenancy.default_tenant must not be empty")
	}
	if cfg.Tenancy.APIKeyHeader == "" {
		add("tenancy.api_key_header must not be empty")
	}
	seen := map[configopaque.String]bool{}
	for i, k := range cfg.Tenancy.APIKeys {
		if k.Key == "" {
			add("tenancy.api_keys[%d].key must not be empty", i)
		}
		if k.Tenant == "" {
			add("tenancy.api_keys[%d].tenant must not be empty", i)
		}
		if seen[k.Key] && k.Key != "" {
			add("tenancy.api_keys[%d].key is bound twice", i)
		}
		seen[k.Key] = true
	}
	if cfg.RetryAfter < time.Second {
		add("retry_after must be at least 1s (Retry-After counts whole seconds), got %s", cfg.RetryAfter)
	}
	if cfg.Readiness.RefusalHold < 0 {
		add("readiness.refusal_hold must not be negative, got %s", cfg.Readiness.RefusalHold)
	}
	if cfg.MetricsInterval <= 0 {
		add("metrics_interval must be positive, got %s", cfg.MetricsInterval)
	}
	if cfg.MetricsEndpoint != "" {
		u, err := url.Parse(cfg.MetricsEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("metrics_endpoint must be an http(s) URL such as http://localhost:9464/metrics, got %q", cfg.MetricsEndpoint)
		}
	}
	return errors.Join(errs...)
}

var _ confmap.Unmarshaler = (*Config)(nil)

// Unmarshal decodes the whole configuration. Without it the embedded
// ServerConfig's Unmarshal would be promoted to Config and the collector
// would decode only the HTTP server fields, silently dropping the rest.
func (cfg *Config) Unmarshal(conf *confmap.Conf) error {
	return conf.Unmarshal(cfg)
}
