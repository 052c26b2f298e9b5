package spanmetricsllm

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
	v "github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor"
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

// TestRastirClientProviderWordsTakeOneSlot checks that a Rastir client's
// own provider word (ADK's google, LlamaIndex's azure, LangChain's
// google_genai, ...), which labels the span's rastir_* metrics, shares the slot
// of the semconv name llm_enrich writes beside it: with Rastir's cap of 3,
// openai, anthropic and ADK's google are three providers, as on a Rastir
// server, and none is replaced by the overflow value (neither on the
// rastir_* metrics nor on the semconv ones).
func TestRastirClientProviderWordsTakeOneSlot(t *testing.T) {
	for word, canonical := range v.RastirClientProviderWords() {
		t.Run(word, func(t *testing.T) {
			cfg := defaultConfig()
			cfg.GenAISemconvMetrics.Enabled = true
			tc := newTestConnector(t, cfg)
			proc := withCardinality(t, tc, func(c *cardinalityprocessor.Config) {
				for i := range c.Dimensions {
					if c.Dimensions[i].Name == "provider" {
						c.Dimensions[i].MaxValues = 3
					}
				}
			})
			var spans []string
			for i, p := range []string{"openai", "anthropic", word} {
				spans = append(spans, fmt.Sprintf(`{"trace_id": "91e2fb63cee340fcbb14b1045474a00e", "span_id": "039c464f01c6484%d",
					"span_type": "llm", "name": "chat", "start_time": 1795736261.0, "end_time": 1795736261.5, "duration_ms": 500.0,
					"status": "OK", "attributes": {"provider": %q, "model": "m%d", "tokens_input": 10}}`, i, p, i))
			}
			body := fmt.Sprintf(`{"service": "svc", "env": "prod", "spans": [%s]}`, strings.Join(spans, ","))
			td, err := rastirjson.NewDecoder(rastirjson.DefaultLimits()).Decode([]byte(body))
			require.NoError(t, err)
			enrichFactory := llmenrichprocessor.NewFactory()
			enrich, err := enrichFactory.CreateTraces(context.Background(), processortest.NewNopSettings(enrichFactory.Type()),
				enrichFactory.CreateDefaultConfig(), proc)
			require.NoError(t, err)
			require.NoError(t, enrich.ConsumeTraces(context.Background(), td))
			// llm_enrich maps the word as the vocabulary says.
			last := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(2).Attributes()
			got, _ := last.Get(v.GenAIProviderName)
			assert.Equal(t, canonical, got.Str())

			md := tc.flushed(t)
			calls := points(md, nameLLMCalls)
			for i, p := range []string{"openai", "anthropic", word} {
				assert.Contains(t, calls, fmt.Sprintf("service=svc,env=prod,model=m%d,provider=%s,agent=", i, p))
			}
			for labels := range points(md, nameGenAIOperationDuration) {
				assert.NotContains(t, labels, v.OverflowValue)
			}
			assert.Len(t, points(md, nameGenAIOperationDuration), 3)
		})
	}
}
