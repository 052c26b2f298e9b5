package wirecompat

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// TestPushToTheRastirReceiver sends the exporter's requests to the real
// rastir receiver: every batch is accepted and every span arrives.
func TestPushToTheRastirReceiver(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	endpoint := ln.Addr().String()
	require.NoError(t, ln.Close())

	factory := rastirreceiver.NewFactory()
	cfg := factory.CreateDefaultConfig().(*rastirreceiver.Config)
	cfg.NetAddr.Endpoint = endpoint
	require.NoError(t, cfg.Validate())
	sink := &consumertest.TracesSink{}
	r, err := factory.CreateTraces(context.Background(), receivertest.NewNopSettings(factory.Type()), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, r.Start(context.Background(), componenttest.NewNopHost()))
	defer func() { require.NoError(t, r.Shutdown(context.Background())) }()

	exp, err := rastir.NewPushExporter("http://"+endpoint, rastir.WithPushBatchSize(3), rastir.WithPushRetry(1, 0))
	require.NoError(t, err)
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(resource.NewSchemaless(attribute.String(vocabulary.ResourceServiceName, "shop"))),
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Hour), sdktrace.WithMaxExportBatchSize(3)),
	)
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	ctx, agent := rastir.StartAgent(t.Context(), "a")
	for range 6 {
		_, _ = rastir.LLM(ctx, "gpt-4o", func(ctx context.Context) (int, error) {
			rastir.SpanFromContext(ctx).SetUsage(10, 2)
			return 0, nil
		}, rastir.WithProvider(vocabulary.ProviderOpenAI))
	}
	agent.End()
	require.NoError(t, tp.Shutdown(context.Background()))

	st := exp.Stats()
	assert.Equal(t, rastir.PushStats{SpansSent: 7, BatchesSent: 3}, st)
	assert.Equal(t, 7, sink.SpanCount())
	for _, td := range sink.AllTraces() {
		res := td.ResourceSpans().At(0).Resource().Attributes().AsRaw()
		assert.Equal(t, "shop", res[vocabulary.ResourceServiceName])
	}
}
