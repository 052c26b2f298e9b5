package spanmetricsllm

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	v "github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor"
)

// withCardinality puts the cardinality processor, with its default
// configuration changed by edit, in front of the connector.
func withCardinality(t *testing.T, tc *testConnector, edit func(*cardinalityprocessor.Config)) processor.Traces {
	t.Helper()
	factory := cardinalityprocessor.NewFactory()
	cfg := factory.CreateDefaultConfig().(*cardinalityprocessor.Config)
	if edit != nil {
		edit(cfg)
	}
	proc, err := factory.CreateTraces(context.Background(), processortest.NewNopSettings(factory.Type()), cfg, tc)
	require.NoError(t, err)
	require.NoError(t, proc.Start(context.Background(), componenttest.NewNopHost()))
	t.Cleanup(func() { require.NoError(t, proc.Shutdown(context.Background())) })
	return proc
}

// TestToolSpanNamesCapped checks that tool spans without a tool name, which
// are labelled with their span name, are bounded by the cardinality
// processor's tool dimension: a client that puts ids in its tool span
// names gets at most 200 tool_name values and the overflow value, not a
// series per id up to max_series_per_metric.
func TestToolSpanNamesCapped(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	proc := withCardinality(t, tc, nil)
	b := newTraces("checkout", "prod", "")
	for i := range 300 {
		b.span(fmt.Sprintf("fetch-order-%04d", i), 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool})
	}
	require.NoError(t, proc.ConsumeTraces(context.Background(), b.td))
	got := points(tc.flushed(t), nameToolCalls)
	assert.Len(t, got, 201)
	assert.Equal(t, 100.0, got["service=checkout,env=prod,tool_name=__cardinality_overflow__,agent=,model=,provider="].value)
	assert.Equal(t, 1.0, got["service=checkout,env=prod,tool_name=fetch-order-0000,agent=,model=,provider="].value)
}
