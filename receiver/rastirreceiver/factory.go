package rastirreceiver

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/receiver"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadata"
)

const (
	// defaultEndpoint follows the collector's convention of binding
	// localhost; container configs bind 0.0.0.0:8080 as Rastir did.
	defaultEndpoint = "localhost:8080"
	// defaultMaxRequestBodySize is ample for the Rastir client's batches of
	// 100 spans (about 50 KiB) and bounds what one request can cost.
	defaultMaxRequestBodySize = 10 << 20
)

// NewFactory returns the factory of the rastir receiver.
func NewFactory() receiver.Factory {
	return receiver.NewFactory(
		metadata.Type,
		createDefaultConfig,
		receiver.WithTraces(createTraces, metadata.TracesStability),
		receiver.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

func createDefaultConfig() component.Config {
	server := confighttp.NewDefaultServerConfig()
	server.NetAddr.Endpoint = defaultEndpoint
	server.MaxRequestBodySize = defaultMaxRequestBodySize
	// A client that trickles its body is cut off instead of holding a
	// connection forever.
	server.ReadTimeout = 30 * time.Second
	server.ReadHeaderTimeout = 10 * time.Second
	limits := rastirjson.DefaultLimits()
	return &Config{
		ServerConfig: server,
		Limits: LimitsConfig{
			MaxAttributesPerSpan: limits.MaxAttributes,
			MaxEventsPerSpan:     limits.MaxEvents,
			MaxValueDepth:        limits.MaxValueDepth,

			MaxAttributeValuesPerBatch: limits.MaxValuesPerBatch,
		},
		RateLimit: RateLimitConfig{
			PerIPRPM:       600,
			PerServiceRPM:  3000,
			MaxTrackedKeys: 100_000,
		},
		Tenancy: TenancyConfig{
			Header:        "X-Tenant-ID",
			DefaultTenant: vocabulary.DefaultTenant,
			APIKeyHeader:  "X-API-Key",
		},
		RetryAfter:           time.Second,
		Readiness:            ReadinessConfig{RefusalHold: 5 * time.Second},
		MetricsInterval:      5 * time.Second,
		MetricsBuilderConfig: metadata.NewDefaultMetricsBuilderConfig(),
	}
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	r, err := receivers.getOrCreate(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	r.next = next
	return r, nil
}

// createMetrics makes the receiver also emit Rastir's operational families
// (rejections, rate limiting, ingestion rate) into a metrics pipeline.
func createMetrics(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Metrics) (receiver.Metrics, error) {
	r, err := receivers.getOrCreate(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	r.nextMetrics = next
	return r, nil
}

// receivers holds one receiver per configuration, so that a rastir
// receiver listed in a traces and a metrics pipeline is one HTTP server (as
// the otlp receiver does).
var receivers = &sharedReceivers{byConfig: map[*Config]*rastirReceiver{}}

type sharedReceivers struct {
	mu       sync.Mutex
	byConfig map[*Config]*rastirReceiver
}

func (s *sharedReceivers) getOrCreate(cfg *Config, set receiver.Settings) (*rastirReceiver, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.byConfig[cfg]; ok {
		return r, nil
	}
	r, err := newRastirReceiver(cfg, set)
	if err != nil {
		return nil, err
	}
	s.byConfig[cfg] = r
	return r, nil
}

func (s *sharedReceivers) remove(cfg *Config) {
	s.mu.Lock()
	delete(s.byConfig, cfg)
	s.mu.Unlock()
}
