package cardinalityprocessor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processortest"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor/internal/metadata"
	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor/internal/metadatatest"
)

// newTestState builds the processor's state for cfg, not shared.
func newTestState(t testing.TB, cfg *Config) *state {
	t.Helper()
	require.NoError(t, cfg.Validate())
	s, err := newState(cfg, componenttest.NewNopTelemetrySettings())
	require.NoError(t, err)
	t.Cleanup(s.telemetry.Shutdown)
	return s
}

// tracesOf builds one span per attribute map.
func tracesOf(spans ...map[string]any) ptrace.Traces {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, attrs := range spans {
		sp := ss.AppendEmpty()
		sp.SetName("span")
		if err := sp.Attributes().FromRaw(attrs); err != nil {
			panic(err)
		}
	}
	return td
}

func spanAttrs(td ptrace.Traces) []map[string]any {
	var out []map[string]any
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	for i := 0; i < spans.Len(); i++ {
		out = append(out, spans.At(i).Attributes().AsRaw())
	}
	return out
}

func TestProcessTraces(t *testing.T) {
	long := strings.Repeat("é", 200)
	tests := []struct {
		name string
		cfg  func(*Config)
		in   []map[string]any
		want []map[string]any
	}{
		{
			name: "model cap shared by request and response model",
			cfg:  func(c *Config) { c.Dimensions[0].MaxValues = 2 },
			in: []map[string]any{
				{vocabulary.GenAIRequestModel: "m1", vocabulary.GenAIResponseModel: "m1-2024"},
				{vocabulary.GenAIRequestModel: "m2", vocabulary.GenAIResponseModel: "m1"},
				{vocabulary.GenAIRequestModel: "m1-2024"},
			},
			want: []map[string]any{
				{vocabulary.GenAIRequestModel: "m1", vocabulary.GenAIResponseModel: "m1-2024"},
				{vocabulary.GenAIRequestModel: overflow, vocabulary.GenAIResponseModel: "m1"},
				{vocabulary.GenAIRequestModel: "m1-2024"},
			},
		},
		{
			// Rastir's cap of 3 (RASTIR_SERVER_LIMITS_CARDINALITY_PROVIDER)
			// admits openai, anthropic and gemini; a Rastir span carries
			// both spellings of gemini.
			name: "a provider's Rastir word and semconv name take one slot",
			cfg:  func(c *Config) { c.Dimensions[1].MaxValues = 3 },
			in: []map[string]any{
				{vocabulary.LabelProvider: "openai", vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI},
				{vocabulary.LabelProvider: "anthropic", vocabulary.GenAIProviderName: vocabulary.ProviderAnthropic},
				{vocabulary.LabelProvider: vocabulary.RastirProviderGemini, vocabulary.GenAIProviderName: vocabulary.ProviderGCPGemini},
				{vocabulary.GenAIProviderName: vocabulary.ProviderGCPVertexAI},
				{vocabulary.LabelProvider: vocabulary.RastirProviderBedrock, vocabulary.GenAIProviderName: vocabulary.ProviderAWSBedrock},
			},
			want: []map[string]any{
				{vocabulary.LabelProvider: "openai", vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI},
				{vocabulary.LabelProvider: "anthropic", vocabulary.GenAIProviderName: vocabulary.ProviderAnthropic},
				{vocabulary.LabelProvider: vocabulary.RastirProviderGemini, vocabulary.GenAIProviderName: vocabulary.ProviderGCPGemini},
				{vocabulary.GenAIProviderName: vocabulary.ProviderGCPVertexAI},
				{vocabulary.LabelProvider: overflow, vocabulary.GenAIProviderName: overflow},
			},
		},
		{
			// ADK's provider word beside the semconv name llm_enrich maps
			// it to: one provider, as on a Rastir server.
			name: "a Rastir client's own provider word and its semconv name take one slot",
			cfg:  func(c *Config) { c.Dimensions[1].MaxValues = 3 },
			in: []map[string]any{
				{vocabulary.LabelProvider: "openai", vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI},
				{vocabulary.LabelProvider: "anthropic", vocabulary.GenAIProviderName: vocabulary.ProviderAnthropic},
				{vocabulary.LabelProvider: "google", vocabulary.GenAIProviderName: vocabulary.ProviderGCPGenAI, vocabulary.RastirProviderLabelKey: "google"},
			},
			want: []map[string]any{
				{vocabulary.LabelProvider: "openai", vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI},
				{vocabulary.LabelProvider: "anthropic", vocabulary.GenAIProviderName: vocabulary.ProviderAnthropic},
				{vocabulary.LabelProvider: "google", vocabulary.GenAIProviderName: vocabulary.ProviderGCPGenAI, vocabulary.RastirProviderLabelKey: "google"},
			},
		},
		{
			name: "clipping by characters before the guard",
			in: []map[string]any{
				{vocabulary.GenAIToolName: long, vocabulary.LabelService: long, "other.key": long},
			},
			want: []map[string]any{
				{vocabulary.GenAIToolName: long[:256], vocabulary.LabelService: long[:256], "other.key": long},
			},
		},
		{
			name: "enums",
			in: []map[string]any{
				{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.RastirGuardrailAction: "BLOCKED"},
				{vocabulary.RastirSpanTypeKey: "trace", vocabulary.RastirErrorCategoryKey: "boom"},
				{vocabulary.RastirErrorCategoryKey: vocabulary.ErrorTimeout, vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategoryDeniedTopic},
			},
			want: []map[string]any{
				{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.RastirGuardrailAction: overflow},
				{vocabulary.RastirSpanTypeKey: overflow, vocabulary.RastirErrorCategoryKey: overflow},
				{vocabulary.RastirErrorCategoryKey: vocabulary.ErrorTimeout, vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategoryDeniedTopic},
			},
		},
		{
			name: "non-string values and unconfigured keys untouched",
			cfg:  func(c *Config) { c.Dimensions[1].MaxValues = 1 },
			in: []map[string]any{
				{vocabulary.GenAIProviderName: "openai"},
				{vocabulary.GenAIProviderName: int64(7), vocabulary.GenAIOperationName: "chat"},
				{vocabulary.GenAIProviderName: []any{"a", "b"}},
			},
			want: []map[string]any{
				{vocabulary.GenAIProviderName: "openai"},
				{vocabulary.GenAIProviderName: int64(7), vocabulary.GenAIOperationName: "chat"},
				{vocabulary.GenAIProviderName: []any{"a", "b"}},
			},
		},
		{
			name: "clipping disabled",
			cfg:  func(c *Config) { c.MaxValueLength = 0 },
			in:   []map[string]any{{vocabulary.GenAIAgentName: long}},
			want: []map[string]any{{vocabulary.GenAIAgentName: long}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := createDefaultConfig().(*Config)
			if tt.cfg != nil {
				tt.cfg(cfg)
			}
			s := newTestState(t, cfg)
			td, err := s.processTraces(context.Background(), tracesOf(tt.in...))
			require.NoError(t, err)
			assert.Equal(t, tt.want, spanAttrs(td))
		})
	}
}

func TestSpanEventsUntouched(t *testing.T) {
	s := newTestState(t, createDefaultConfig().(*Config))
	td := tracesOf(map[string]any{})
	ev := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0).Events().AppendEmpty()
	ev.Attributes().PutStr(vocabulary.RastirSpanTypeKey, "custom")
	_, err := s.processTraces(context.Background(), td)
	require.NoError(t, err)
	v, _ := ev.Attributes().Get(vocabulary.RastirSpanTypeKey)
	assert.Equal(t, "custom", v.Str())
}

// TestFactorySharesDimensions checks that the traces and metrics instances
// of one configuration share one admitted set, and that a new
// configuration starts empty.
func TestFactorySharesDimensions(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.Dimensions[0].MaxValues = 1
	set := processortest.NewNopSettings(metadata.Type)
	traces := new(consumertest.TracesSink)
	metrics := new(consumertest.MetricsSink)
	tp, err := f.CreateTraces(context.Background(), set, cfg, traces)
	require.NoError(t, err)
	mp, err := f.CreateMetrics(context.Background(), set, cfg, metrics)
	require.NoError(t, err)

	require.NoError(t, tp.ConsumeTraces(context.Background(), tracesOf(map[string]any{vocabulary.GenAIRequestModel: "m1"})))
	md := sumMetric(pmetric.AggregationTemporalityCumulative, point{attrs: map[string]any{vocabulary.LabelModel: "m2"}, v: 1})
	require.NoError(t, mp.ConsumeMetrics(context.Background(), md))
	got := metrics.AllMetrics()[0].ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).Attributes().AsRaw()
	assert.Equal(t, map[string]any{vocabulary.LabelModel: overflow}, got)

	require.NoError(t, tp.Shutdown(context.Background()))
	require.NoError(t, tp.Shutdown(context.Background()), "a second shutdown is harmless")
	require.NoError(t, mp.Shutdown(context.Background()))
	registry.Lock()
	assert.Empty(t, registry.states)
	registry.Unlock()

	tp2, err := f.CreateTraces(context.Background(), set, cfg, traces)
	require.NoError(t, err)
	td := tracesOf(map[string]any{vocabulary.GenAIRequestModel: "m3"})
	require.NoError(t, tp2.ConsumeTraces(context.Background(), td))
	assert.Equal(t, []map[string]any{{vocabulary.GenAIRequestModel: "m3"}}, spanAttrs(td))
	require.NoError(t, tp2.Shutdown(context.Background()))
}

// TestEmptyLabelTakesNoSlot checks that the label "" that the span-metrics
// connector writes for a missing attribute (an agent span's model and
// provider) passes a full dimension on the metrics pipeline: it is no
// value (Prometheus reads an empty label as no label), so it neither takes
// a slot nor becomes the overflow value.
func TestEmptyLabelTakesNoSlot(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Dimensions[1].MaxValues = 1 // provider
	s := newTestState(t, cfg)
	_, err := s.processTraces(context.Background(), tracesOf(map[string]any{vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI}))
	require.NoError(t, err)

	md := sumMetric(pmetric.AggregationTemporalityCumulative,
		point{attrs: map[string]any{vocabulary.LabelSpanType: vocabulary.SpanTypeLLM, vocabulary.LabelProvider: "openai"}, v: 3},
		point{attrs: map[string]any{vocabulary.LabelSpanType: vocabulary.SpanTypeAgent, vocabulary.LabelProvider: ""}, v: 2})
	_, err = s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	dps := md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints()
	require.Equal(t, 2, dps.Len())
	assert.Equal(t, map[string]any{vocabulary.LabelSpanType: vocabulary.SpanTypeAgent, vocabulary.LabelProvider: ""},
		dps.At(1).Attributes().AsRaw())
	assert.Equal(t, 1, s.dims[1].size())

	// Nor does an empty span attribute: its label is the same "".
	s = newTestState(t, cfg)
	td, err := s.processTraces(context.Background(), tracesOf(
		map[string]any{vocabulary.GenAIProviderName: ""},
		map[string]any{vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI}))
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{vocabulary.GenAIProviderName: ""}, {vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI}},
		spanAttrs(td))
}

func TestWindowWithClock(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Window = time.Minute
	cfg.Dimensions[2].MaxValues = 1 // tool
	s := newTestState(t, cfg)
	now := time.Unix(1_700_000_000, 0)
	s.now = func() time.Time { return now }
	run := func(tool string) string {
		td, err := s.processTraces(context.Background(), tracesOf(map[string]any{vocabulary.GenAIToolName: tool}))
		require.NoError(t, err)
		return spanAttrs(td)[0][vocabulary.GenAIToolName].(string)
	}
	assert.Equal(t, "search", run("search"))
	now = now.Add(30 * time.Second)
	assert.Equal(t, overflow, run("fetch"))
	now = now.Add(2 * time.Minute)
	assert.Equal(t, "fetch", run("fetch"))
	assert.Equal(t, overflow, run("search"))
}

func TestTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := createDefaultConfig().(*Config)
	cfg.Dimensions[1].MaxValues = 1 // provider
	p, err := NewFactory().CreateTraces(context.Background(), metadatatest.NewSettings(tel), cfg, consumertest.NewNop())
	require.NoError(t, err)
	td := tracesOf(
		map[string]any{vocabulary.GenAIProviderName: "openai", vocabulary.GenAIRequestModel: "m"},
		map[string]any{vocabulary.GenAIProviderName: "anthropic"},
		map[string]any{vocabulary.GenAIProviderName: "gcp.gemini", vocabulary.RastirSpanTypeKey: "LLM"},
	)
	require.NoError(t, p.ConsumeTraces(context.Background(), td))

	dim := func(name string) attribute.Set { return attribute.NewSet(attribute.String("dimension", name)) }
	metadatatest.AssertEqualProcessorCardinalityOverflows(t, tel, []metricdata.DataPoint[int64]{
		{Attributes: dim(dimProvider), Value: 2},
		{Attributes: dim(enumSpanType), Value: 1},
	}, metricdatatest.IgnoreTimestamp())
	var admitted []metricdata.DataPoint[int64]
	for _, d := range cfg.Dimensions {
		n := int64(0)
		switch d.Name {
		case dimProvider, dimModel:
			n = 1
		}
		admitted = append(admitted, metricdata.DataPoint[int64]{Attributes: dim(d.Name), Value: n})
	}
	metadatatest.AssertEqualProcessorCardinalityAdmittedValues(t, tel, admitted, metricdatatest.IgnoreTimestamp())
	require.NoError(t, p.Shutdown(context.Background()))
}

// TestConcurrent runs batches through one shared state from several
// goroutines (run with -race): the cap holds and every value is either
// admitted or the overflow value.
func TestConcurrent(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Window = time.Millisecond // exercises refresh and sweeps too
	s := newTestState(t, cfg)
	const workers, rounds = 4, 50
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				var spans []map[string]any
				for i := range 20 {
					spans = append(spans, map[string]any{
						vocabulary.GenAIRequestModel: fmt.Sprintf("m%d", (w*rounds+r*20+i)%120),
						vocabulary.GenAIToolName:     fmt.Sprintf("t%d", i),
					})
				}
				td, err := s.processTraces(context.Background(), tracesOf(spans...))
				assert.NoError(t, err)
				for _, a := range spanAttrs(td) {
					assert.True(t, strings.HasPrefix(a[vocabulary.GenAIToolName].(string), "t"), "tools stay under their cap")
					m := a[vocabulary.GenAIRequestModel].(string)
					assert.True(t, m == overflow || strings.HasPrefix(m, "m"), m)
				}
				md := sumMetric(pmetric.AggregationTemporalityDelta,
					point{attrs: map[string]any{vocabulary.LabelModel: fmt.Sprintf("m%d", r)}, v: 1},
					point{attrs: map[string]any{vocabulary.LabelModel: fmt.Sprintf("x%d", r)}, v: 1})
				_, err = s.processMetrics(context.Background(), md)
				assert.NoError(t, err)
			}
		}()
	}
	wg.Wait()
	for _, d := range s.dims {
		assert.LessOrEqual(t, d.size(), d.max, d.name)
	}
}

// point is one number data point for the metric builders.
type point struct {
	attrs map[string]any
	v     int64
	ts    pcommon.Timestamp
	start pcommon.Timestamp
}

func sumMetric(temp pmetric.AggregationTemporality, points ...point) pmetric.Metrics {
	md := pmetric.NewMetrics()
	m := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty()
	m.SetName("rastir_llm_calls_total")
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(temp)
	for _, p := range points {
		dp := sum.DataPoints().AppendEmpty()
		if err := dp.Attributes().FromRaw(p.attrs); err != nil {
			panic(err)
		}
		dp.SetIntValue(p.v)
		dp.SetTimestamp(p.ts)
		dp.SetStartTimestamp(p.start)
	}
	return md
}

func TestProcessMetricsGuardsEveryType(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	s := newTestState(t, cfg)
	md := pmetric.NewMetrics()
	ms := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics()
	bad := map[string]any{vocabulary.LabelSpanType: "bogus", vocabulary.LabelService: strings.Repeat("s", 300)}
	want := map[string]any{vocabulary.LabelSpanType: overflow, vocabulary.LabelService: strings.Repeat("s", 128)}
	put := func(m pcommon.Map) { require.NoError(t, m.FromRaw(bad)) }
	put(ms.AppendEmpty().SetEmptyGauge().DataPoints().AppendEmpty().Attributes())
	put(ms.AppendEmpty().SetEmptySum().DataPoints().AppendEmpty().Attributes())
	put(ms.AppendEmpty().SetEmptyHistogram().DataPoints().AppendEmpty().Attributes())
	put(ms.AppendEmpty().SetEmptyExponentialHistogram().DataPoints().AppendEmpty().Attributes())
	put(ms.AppendEmpty().SetEmptySummary().DataPoints().AppendEmpty().Attributes())
	ms.AppendEmpty().SetName("empty metric")
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	assert.Equal(t, want, ms.At(0).Gauge().DataPoints().At(0).Attributes().AsRaw())
	assert.Equal(t, want, ms.At(1).Sum().DataPoints().At(0).Attributes().AsRaw())
	assert.Equal(t, want, ms.At(2).Histogram().DataPoints().At(0).Attributes().AsRaw())
	assert.Equal(t, want, ms.At(3).ExponentialHistogram().DataPoints().At(0).Attributes().AsRaw())
	assert.Equal(t, want, ms.At(4).Summary().DataPoints().At(0).Attributes().AsRaw())
}

var _ processor.Factory = NewFactory()

// TestToolNameFromSpanName checks that a tool span without a tool name,
// which the span-metrics connector labels with its span name, carries that
// name in gen_ai.tool.name bounded by the tool dimension: a client putting
// ids in tool span names no longer grows rastir_tool_calls_total.
func TestToolNameFromSpanName(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Dimensions[2].MaxValues = 2 // tool
	s := newTestState(t, cfg)
	long := strings.Repeat("t", 300)
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, sp := range []struct {
		name  string
		attrs map[string]any
	}{
		{"search", map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool}},
		{"call-8f2a", map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool, vocabulary.GenAIToolName: ""}},
		{"call-9c1b", map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool, vocabulary.GenAIToolName: int64(3)}},
		{"search", map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool}},
		{"", map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool}},
		{long, map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool}},
		// A tool name given passes as before; other span types get none.
		{"call-1", map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool, vocabulary.GenAIToolName: "search"}},
		{"call-2", map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM}},
	} {
		span := spans.AppendEmpty()
		span.SetName(sp.name)
		require.NoError(t, span.Attributes().FromRaw(sp.attrs))
	}
	_, err := s.processTraces(context.Background(), td)
	require.NoError(t, err)
	tool := func(m map[string]any) map[string]any {
		return map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool, vocabulary.GenAIToolName: m[vocabulary.GenAIToolName]}
	}
	assert.Equal(t, []map[string]any{
		tool(map[string]any{vocabulary.GenAIToolName: "search"}),
		tool(map[string]any{vocabulary.GenAIToolName: "call-8f2a"}),
		tool(map[string]any{vocabulary.GenAIToolName: overflow}),
		tool(map[string]any{vocabulary.GenAIToolName: "search"}),
		tool(map[string]any{vocabulary.GenAIToolName: overflow}), // "unknown", as the connector names it
		tool(map[string]any{vocabulary.GenAIToolName: overflow}),
		tool(map[string]any{vocabulary.GenAIToolName: "search"}),
		{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
	}, spanAttrs(td))
	for i, name := range []string{"search", "call-8f2a", "call-9c1b", "search", "", long} {
		assert.Equal(t, name, spans.At(i).Name(), "the span name is kept")
	}

	// A dimension of 3 admits the unnamed span's "unknown" and clips.
	cfg = createDefaultConfig().(*Config)
	cfg.Dimensions[2].MaxValues = 3
	s = newTestState(t, cfg)
	td = ptrace.NewTraces()
	spans = td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	for _, name := range []string{"", long} {
		span := spans.AppendEmpty()
		span.SetName(name)
		span.Attributes().PutStr(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeTool)
	}
	_, err = s.processTraces(context.Background(), td)
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{
		{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool, vocabulary.GenAIToolName: vocabulary.WireUnknownName},
		{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool, vocabulary.GenAIToolName: long[:128]},
	}, spanAttrs(td))

	// Without a dimension on gen_ai.tool.name, nothing is written.
	cfg = createDefaultConfig().(*Config)
	cfg.Dimensions = slices.Delete(cfg.Dimensions, 2, 3)
	s = newTestState(t, cfg)
	td = ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.SetName("call-1")
	span.Attributes().PutStr(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeTool)
	_, err = s.processTraces(context.Background(), td)
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool}}, spanAttrs(td))
}

// TestOverflowValueNotClipped checks that a max_value_length shorter than
// the overflow value leaves the overflow value whole: the metrics pipeline
// receives it from the traces pipeline, and a clipped one took a slot.
func TestOverflowValueNotClipped(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.MaxValueLength = 8
	cfg.Dimensions[1].MaxValues = 1 // provider
	s := newTestState(t, cfg)
	td, err := s.processTraces(context.Background(), tracesOf(
		map[string]any{vocabulary.GenAIProviderName: "openai-compatible"},
		map[string]any{vocabulary.GenAIProviderName: "anthropic", vocabulary.LabelService: overflow},
		map[string]any{vocabulary.RastirErrorCategoryKey: "boom"}))
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{
		{vocabulary.GenAIProviderName: "openai-c"},
		{vocabulary.GenAIProviderName: overflow, vocabulary.LabelService: overflow},
		{vocabulary.RastirErrorCategoryKey: overflow},
	}, spanAttrs(td))
	md := sumMetric(pmetric.AggregationTemporalityCumulative,
		point{attrs: map[string]any{vocabulary.LabelProvider: overflow, vocabulary.LabelErrorType: overflow}, v: 1})
	_, err = s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{vocabulary.LabelProvider: overflow, vocabulary.LabelErrorType: overflow},
		md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0).Sum().DataPoints().At(0).Attributes().AsRaw())
	assert.Equal(t, 1, s.dims[1].size())
	assert.Equal(t, 0, s.dims[4].size(), "error_type")
}
