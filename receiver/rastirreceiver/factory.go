package rastirreceiver

import (
	"context"
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
		RetryAfter: time.Second,
		Readiness:  ReadinessConfig{RefusalHold: 5 * time.Second},
	}
}

func createTraces(_ context.Context, set receiver.Settings, cfg component.Config, next consumer.Traces) (receiver.Traces, error) {
	return newRastirReceiver(cfg.(*Config), set, next)
}
