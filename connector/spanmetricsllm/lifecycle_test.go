package spanmetricsllm

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm/internal/metadata"
	"github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm/internal/metadatatest"
	v "github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

func llmSpan(b *spanBuilder, model, agent string) {
	b.span("chat", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIRequestModel: model,
		v.GenAIAgentName: agent, v.GenAIProviderName: v.ProviderOpenAI})
}

func TestSeriesCapAndOverflow(t *testing.T) {
	cfg := defaultConfig()
	cfg.MaxSeriesPerMetric = 2
	tc := newTestConnector(t, cfg)
	b := newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "m1", "a")
	llmSpan(b, "m2", "a")
	llmSpan(b, "m3", "a") // over the cap
	llmSpan(b, "m4", "b") // over the cap
	llmSpan(b, "m1", "a") // existing series keep counting
	tc.consume(t, b.td)
	b2 := newTraces("s2", "e", v.ScopeRastir)
	llmSpan(b2, "m5", "a") // over the cap, another service
	tc.consume(t, b2.td)
	b3 := newTraces("s3", "e", v.ScopeRastir)
	llmSpan(b3, "m6", "a") // over the cap of the overflow series too
	tc.consume(t, b3.td)

	md := tc.flushed(t)
	o := v.OverflowValue
	assert.Equal(t, map[string]point{
		"service=s,env=e,model=m1,provider=openai,agent=a":                              {value: 2},
		"service=s,env=e,model=m2,provider=openai,agent=a":                              {value: 1},
		"service=s,env=e,model=" + o + ",provider=" + o + ",agent=" + o:                 {value: 2},
		"service=s2,env=e,model=" + o + ",provider=" + o + ",agent=" + o:                {value: 1},
		"service=" + o + ",env=" + o + ",model=" + o + ",provider=" + o + ",agent=" + o: {value: 1},
	}, values(points(md, nameLLMCalls)))
	// spans_ingested has its own cap: three (service, span type, status)
	// sets, two admitted.
	assert.Len(t, points(md, nameSpansIngested), 3)
	f := tc.families[famLLMCalls]
	assert.Equal(t, 2, f.normal)
	assert.Equal(t, 3, f.overflowSeries)
}

func TestExpiry(t *testing.T) {
	cfg := defaultConfig()
	cfg.MetricsExpiration = time.Minute
	tc := newTestConnector(t, cfg)
	b := newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "old", "a")
	tc.consume(t, b.td)
	tc.clock.Advance(40 * time.Second)
	b = newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "new", "a")
	tc.consume(t, b.td)
	assert.Len(t, points(tc.flushed(t), nameLLMCalls), 2)

	tc.clock.Advance(30 * time.Second) // old: 70 s, new: 30 s
	md := tc.flushed(t)
	assert.Len(t, points(md, nameLLMCalls), 2, "expiry happens after the flush that still reports the series")
	ps := points(tc.flushed(t), nameLLMCalls)
	assert.Equal(t, map[string]point{"service=s,env=e,model=new,provider=openai,agent=a": {value: 1}}, values(ps))
	assert.Equal(t, 1, tc.families[famLLMCalls].normal)

	// An expired label set starts again from zero.
	b = newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "old", "a")
	tc.consume(t, b.td)
	ps = points(tc.flushed(t), nameLLMCalls)
	assert.Equal(t, 1.0, ps["service=s,env=e,model=old,provider=openai,agent=a"].value)
}

func TestNoExpiryByDefault(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "m", "a")
	tc.consume(t, b.td)
	tc.clock.Advance(1000 * time.Hour)
	tc.flushed(t)
	assert.Len(t, points(tc.flushed(t), nameLLMCalls), 1)
}

func TestCumulativeAndDelta(t *testing.T) {
	for _, temporality := range []string{temporalityCumulative, temporalityDelta} {
		t.Run(temporality, func(t *testing.T) {
			cfg := defaultConfig()
			cfg.AggregationTemporality = temporality
			tc := newTestConnector(t, cfg)
			t0 := pcommon.NewTimestampFromTime(tc.clock.Now())
			b := newTraces("s", "e", v.ScopeRastir)
			llmSpan(b, "m1", "a")
			llmSpan(b, "m2", "a")
			tc.consume(t, b.td)
			tc.clock.Advance(15 * time.Second)
			t1 := pcommon.NewTimestampFromTime(tc.clock.Now())
			first := points(tc.flushed(t), nameLLMCalls)
			require.Len(t, first, 2)
			for _, p := range first {
				assert.Equal(t, 1.0, p.value)
				assert.Equal(t, t0, p.start)
				assert.Equal(t, t1, p.ts)
			}

			b = newTraces("s", "e", v.ScopeRastir)
			llmSpan(b, "m1", "a")
			tc.consume(t, b.td)
			tc.clock.Advance(15 * time.Second)
			t2 := pcommon.NewTimestampFromTime(tc.clock.Now())
			md := tc.flushed(t)
			second := points(md, nameLLMCalls)
			m1 := second["service=s,env=e,model=m1,provider=openai,agent=a"]
			assert.Equal(t, t2, m1.ts)
			temp := metricByName(t, md, nameLLMCalls).Sum().AggregationTemporality()
			if temporality == temporalityCumulative {
				assert.Equal(t, pmetric.AggregationTemporalityCumulative, temp)
				assert.Len(t, second, 2)
				assert.Equal(t, 2.0, m1.value)
				assert.Equal(t, t0, m1.start)
			} else {
				assert.Equal(t, pmetric.AggregationTemporalityDelta, temp)
				assert.Len(t, second, 1, "delta sends only the series updated since the last flush")
				assert.Equal(t, 1.0, m1.value)
				assert.Equal(t, t1, m1.start)
				assert.Equal(t, 1.0, points(md, nameSpansIngested)["service=s,env=e,span_type=llm,status=OK"].value)
			}
		})
	}
}

// TestDeltaSeriesStartAfterQuietFlush checks that a delta series that
// missed a flush starts where its previous point ended: the Prometheus
// exporter adds a delta to a series only when its start is the previous
// point's time, and otherwise restarts the series from the delta (a
// counter that goes back).
func TestDeltaSeriesStartAfterQuietFlush(t *testing.T) {
	cfg := defaultConfig()
	cfg.AggregationTemporality = temporalityDelta
	tc := newTestConnector(t, cfg)
	key := "service=s,env=e,model=m,provider=openai,agent=a"
	b := newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "m", "a")
	tc.consume(t, b.td)
	tc.clock.Advance(15 * time.Second)
	first := points(tc.flushed(t), nameLLMCalls)[key]
	require.NotZero(t, first.ts)

	// A quiet interval: the series has no point in this flush.
	tc.clock.Advance(15 * time.Second)
	require.NotContains(t, points(tc.flushed(t), nameLLMCalls), key)

	b = newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "m", "a")
	tc.consume(t, b.td)
	tc.clock.Advance(15 * time.Second)
	third := points(tc.flushed(t), nameLLMCalls)[key]
	assert.Equal(t, 1.0, third.value)
	assert.Equal(t, first.ts, third.start, "the delta continues the series' previous point")
}

func TestExemplars(t *testing.T) {
	cfg := defaultConfig()
	cfg.Exemplars = ExemplarsConfig{Enabled: true, MaxPerDataPoint: 2}
	tc := newTestConnector(t, cfg)
	b := newTraces("s", "e", v.ScopeRastir)
	for i := range 3 {
		s := b.span("chat", 0, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyDurationMs: float64(100 * (i + 1)),
			v.GenAIUsageInputTokens: 10, v.RastirCostUSD: 0.1})
		s.SetTraceID(pcommon.TraceID{byte(i + 1)})
		s.SetSpanID(pcommon.SpanID{byte(i + 1)})
	}
	tool := b.span("t", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool})
	tool.SetTraceID(pcommon.TraceID{9})
	noTrace := b.span("r", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool, v.GenAIToolName: "nt"})
	noTrace.SetTraceID(pcommon.TraceID{})
	tc.consume(t, b.td)
	md := tc.flushed(t)

	// A histogram keeps the latest exemplar of each bucket: 0.1 s, 0.2 s
	// and 0.3 s fall in the buckets le=0.1, le=0.25 and le=0.5.
	dur := points(md, nameDuration)["service=s,env=e,span_type=llm,model=,provider=,agent="]
	require.Len(t, dur.exemplars, 3, "one per bucket")
	for i, ex := range dur.exemplars {
		assert.Equal(t, pcommon.TraceID{byte(i + 1)}, ex.TraceID())
		assert.Equal(t, pcommon.SpanID{byte(i + 1)}, ex.SpanID())
		assert.InDelta(t, 0.1*float64(i+1), ex.DoubleValue(), 1e-12)
		assert.Equal(t, pcommon.NewTimestampFromTime(tc.clock.Now()), ex.Timestamp())
	}

	// A counter keeps the latest max_per_data_point.
	errs := points(md, nameErrors)["service=s,env=e,span_type=llm,error_type=unknown,model=,provider=,agent="]
	require.Len(t, errs.exemplars, 2, "the latest two")
	assert.Equal(t, pcommon.TraceID{2}, errs.exemplars[0].TraceID())
	assert.Equal(t, pcommon.TraceID{3}, errs.exemplars[1].TraceID())
	assert.Equal(t, 1.0, errs.exemplars[1].DoubleValue())
	assert.Len(t, points(md, nameLLMCalls)["service=s,env=e,model=,provider=,agent="].exemplars, 2)
	toolPts := points(md, nameToolCalls)
	assert.Len(t, toolPts["service=s,env=e,tool_name=t,agent=,model=,provider="].exemplars, 1)
	assert.Empty(t, toolPts["service=s,env=e,tool_name=nt,agent=,model=,provider="].exemplars, "no trace id, no exemplar")
	// Not on the other families.
	for _, name := range []string{nameSpansIngested, nameTokensInput, nameTokensPerCall, nameCostTotal, nameCostPerCall} {
		for _, p := range points(md, name) {
			assert.Empty(t, p.exemplars, name)
		}
	}
	// Cumulative points keep their exemplars across flushes, as a
	// Prometheus client does.
	again := tc.flushed(t)
	assert.Len(t, points(again, nameDuration)["service=s,env=e,span_type=llm,model=,provider=,agent="].exemplars, 3)
	assert.Len(t, points(again, nameErrors)["service=s,env=e,span_type=llm,error_type=unknown,model=,provider=,agent="].exemplars, 2)
}

func TestExemplarsDelta(t *testing.T) {
	cfg := defaultConfig()
	cfg.Exemplars = ExemplarsConfig{Enabled: true, MaxPerDataPoint: 1}
	cfg.AggregationTemporality = temporalityDelta
	tc := newTestConnector(t, cfg)
	b := newTraces("s", "e", v.ScopeRastir)
	s := b.span("chat", 0, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyDurationMs: 100.0})
	s.SetTraceID(pcommon.TraceID{1})
	tc.consume(t, b.td)
	require.Len(t, points(tc.flushed(t), nameDuration)["service=s,env=e,span_type=llm,model=,provider=,agent="].exemplars, 1)

	// The next delta carries only what happened since: a new observation
	// and its exemplar, not the previous one.
	b = newTraces("s", "e", v.ScopeRastir)
	s = b.span("chat", 0, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyDurationMs: 5000.0})
	s.SetTraceID(pcommon.TraceID{2})
	tc.consume(t, b.td)
	ex := points(tc.flushed(t), nameDuration)["service=s,env=e,span_type=llm,model=,provider=,agent="].exemplars
	require.Len(t, ex, 1)
	assert.Equal(t, pcommon.TraceID{2}, ex[0].TraceID())
}

func TestNoExemplarsByDefault(t *testing.T) {
	tc := newTestConnector(t, defaultConfig())
	b := newTraces("s", "e", v.ScopeRastir)
	b.span("chat", 0, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.WireKeyDurationMs: 5.0})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	for _, name := range []string{nameDuration, nameErrors, nameLLMCalls} {
		for _, p := range points(md, name) {
			assert.Empty(t, p.exemplars, name)
		}
	}
}

func TestSemconvMetrics(t *testing.T) {
	cfg := defaultConfig()
	cfg.GenAISemconvMetrics.Enabled = true
	tc := newTestConnector(t, cfg)
	b := newTraces("svc", "prod", otlpScope)
	b.span("chat gpt-4o", 2*time.Second, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM,
		v.GenAIOperationName: v.OperationChat, v.GenAIProviderName: v.ProviderOpenAI, v.GenAIRequestModel: "gpt-4o",
		v.GenAIResponseModel: "gpt-4o-2024-08-06", v.ServerAddress: "api.openai.com",
		v.GenAIUsageInputTokens: 100, v.GenAIUsageOutputTokens: 20})
	b.span("embeddings", time.Second, true, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM,
		v.GenAIOperationName: v.OperationEmbeddings, v.GenAIRequestModel: "e5", v.GenAIUsageInputTokens: 7})
	b.span("tool", time.Second, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeTool,
		v.GenAIOperationName: v.OperationExecuteTool})
	tc.consume(t, b.td)
	b2 := newTraces("other", "prod", otlpScope)
	b2.span("x", time.Second, false, map[string]any{v.GenAIOperationName: v.OperationTextCompletion,
		v.GenAIRequestModel: "m", v.ErrorType: "timeout"})
	tc.consume(t, b2.td)
	md := tc.flushed(t)

	require.Equal(t, 3, md.ResourceMetrics().Len(), "rastir_* plus one per source resource")
	rm := md.ResourceMetrics().At(1)
	svc, _ := rm.Resource().Attributes().Get(v.ResourceServiceName)
	assert.Equal(t, "svc", svc.Str())
	ms := rm.ScopeMetrics().At(0).Metrics()
	require.Equal(t, 2, ms.Len())
	assert.Equal(t, "gen_ai.client.token.usage", ms.At(0).Name())
	assert.Equal(t, "{token}", ms.At(0).Unit())
	assert.Equal(t, "gen_ai.client.operation.duration", ms.At(1).Name())
	assert.Equal(t, "s", ms.At(1).Unit())
	dp := ms.At(0).Histogram().DataPoints().At(0)
	assert.Equal(t, semconvTokenBuckets, dp.ExplicitBounds().AsRaw())

	chat := "gen_ai.operation.name=chat,gen_ai.provider.name=openai,gen_ai.request.model=gpt-4o,gen_ai.response.model=gpt-4o-2024-08-06"
	tokens := points(md, nameGenAITokenUsage)
	assert.Equal(t, map[string]point{
		chat + ",gen_ai.token.type=input,server.address=api.openai.com":                    {value: 1},
		chat + ",gen_ai.token.type=output,server.address=api.openai.com":                   {value: 1},
		"gen_ai.operation.name=embeddings,gen_ai.request.model=e5,gen_ai.token.type=input": {value: 1},
	}, values(tokens))
	assert.Equal(t, 100.0, tokens[chat+",gen_ai.token.type=input,server.address=api.openai.com"].sum)
	durations := points(md, nameGenAIOperationDuration)
	assert.Equal(t, map[string]point{
		chat + ",server.address=api.openai.com":                                           {value: 1},
		"gen_ai.operation.name=embeddings,gen_ai.request.model=e5,error.type=_OTHER":      {value: 1},
		"gen_ai.operation.name=text_completion,gen_ai.request.model=m,error.type=timeout": {value: 1},
	}, values(durations))
	assert.Equal(t, 2.0, durations[chat+",server.address=api.openai.com"].sum)
	// The provider keeps its semconv value here whatever rastir_provider_names says.
	assert.Contains(t, points(md, nameLLMCalls), "service=svc,env=prod,model=gpt-4o,provider=openai,agent=")
}

// TestSemconvAttributeSets checks the attributes of each semconv metric
// (semconv v1.41.0): server.port, an int, on both when the span has it;
// error.type on gen_ai.client.operation.duration only.
func TestSemconvAttributeSets(t *testing.T) {
	cfg := defaultConfig()
	cfg.GenAISemconvMetrics.Enabled = true
	tc := newTestConnector(t, cfg)
	b := newTraces("svc", "prod", otlpScope)
	b.span("chat", time.Second, true, map[string]any{v.GenAIOperationName: v.OperationChat,
		v.GenAIProviderName: v.ProviderOpenAI, v.GenAIRequestModel: "gpt-4o", v.ServerAddress: "api.openai.com",
		v.ServerPort: 443, v.ErrorType: "timeout", v.GenAIUsageInputTokens: 12})
	b.span("chat", time.Second, false, map[string]any{v.GenAIOperationName: v.OperationChat,
		v.GenAIProviderName: v.ProviderOpenAI, v.GenAIRequestModel: "gpt-4o", v.ServerAddress: "localhost",
		v.ServerPort: "8080", v.GenAIUsageInputTokens: 3})
	tc.consume(t, b.td)
	md := tc.flushed(t)

	attrs := func(name string) []map[string]any {
		var out []map[string]any
		for _, dp := range metricByName(t, md, name).Histogram().DataPoints().All() {
			out = append(out, dp.Attributes().AsRaw())
		}
		return out
	}
	op := map[string]any{v.GenAIOperationName: v.OperationChat, v.GenAIProviderName: v.ProviderOpenAI, v.GenAIRequestModel: "gpt-4o"}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, x := range op {
			m[k] = x
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	assert.ElementsMatch(t, []map[string]any{
		with(v.ServerAddress, "api.openai.com", v.ServerPort, int64(443), v.GenAITokenType, v.GenAITokenTypeInput),
		// A port of another type than int counts as absent.
		with(v.ServerAddress, "localhost", v.GenAITokenType, v.GenAITokenTypeInput),
	}, attrs(nameGenAITokenUsage))
	assert.ElementsMatch(t, []map[string]any{
		with(v.ServerAddress, "api.openai.com", v.ServerPort, int64(443), v.ErrorType, "timeout"),
		with(v.ServerAddress, "localhost"),
	}, attrs(nameGenAIOperationDuration))
}

// TestSemconvSameResourceAnyAttributeOrder checks that a resource is one
// source whatever the order of its attributes: two ResourceMetrics with the
// same attributes are one series to the Prometheus exporter, which keeps
// the last point sent, so one of the two counts was lost.
func TestSemconvSameResourceAnyAttributeOrder(t *testing.T) {
	cfg := defaultConfig()
	cfg.GenAISemconvMetrics.Enabled = true
	tc := newTestConnector(t, cfg)
	b := newTraces("svc", "prod", otlpScope)
	b.span("c", time.Second, false, map[string]any{v.GenAIOperationName: v.OperationChat})
	tc.consume(t, b.td)
	reversed := newTraces("", "", otlpScope)
	res := reversed.td.ResourceSpans().At(0).Resource().Attributes()
	res.PutStr(v.ResourceDeploymentEnvironmentName, "prod")
	res.PutStr(v.ResourceServiceName, "svc")
	reversed.span("c", time.Second, false, map[string]any{v.GenAIOperationName: v.OperationChat})
	tc.consume(t, reversed.td)
	md := tc.flushed(t)
	require.Equal(t, 2, md.ResourceMetrics().Len(), "rastir_* plus one source resource")
	assert.Equal(t, map[string]point{"gen_ai.operation.name=chat": {value: 2}}, values(points(md, nameGenAIOperationDuration)))
}

func TestSemconvResourcesExpire(t *testing.T) {
	cfg := defaultConfig()
	cfg.GenAISemconvMetrics.Enabled = true
	cfg.MetricsExpiration = time.Minute
	tc := newTestConnector(t, cfg)
	for i := range 3 {
		b := newTraces(fmt.Sprint("svc", i), "prod", otlpScope)
		b.span("c", time.Second, false, map[string]any{v.GenAIOperationName: v.OperationChat})
		tc.consume(t, b.td)
	}
	assert.Len(t, tc.resources, 3)
	tc.clock.Advance(2 * time.Minute)
	tc.flushed(t)
	assert.Empty(t, tc.resources)
	assert.Empty(t, tc.opDuration.series)
}

func TestOwnTelemetry(t *testing.T) {
	tel := componenttest.NewTelemetry()
	t.Cleanup(func() { require.NoError(t, tel.Shutdown(context.Background())) })
	cfg := defaultConfig()
	cfg.MaxSeriesPerMetric = 1
	cfg.MetricsExpiration = time.Minute
	sink := new(consumertest.MetricsSink)
	set := connectortest.NewNopSettings(metadata.Type)
	set.TelemetrySettings = tel.NewTelemetrySettings()
	c, err := newConnector(set, cfg, sink)
	require.NoError(t, err)
	clock := &fakeClock{t: time.Now()}
	c.now = clock.Now
	b := newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "m1", "a")
	llmSpan(b, "m2", "a")
	llmSpan(b, "m3", "a") // the overflow series are capped too: all labels overflow
	require.NoError(t, c.ConsumeTraces(context.Background(), b.td))
	c.flush(context.Background())

	family := func(name string) attribute.Set { return attribute.NewSet(attribute.String(telemetryAttrFamily, name)) }
	metadatatest.AssertEqualConnectorSpanmetricsllmOverflowObservations(t, tel, []metricdata.DataPoint[int64]{
		{Value: 2, Attributes: family(nameLLMCalls)},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualConnectorSpanmetricsllmSeries(t, tel, []metricdata.DataPoint[int64]{
		{Value: 3, Attributes: family(nameLLMCalls)},
		{Value: 1, Attributes: family(nameSpansIngested)},
	}, metricdatatest.IgnoreTimestamp())

	clock.Advance(2 * time.Minute)
	c.flush(context.Background())
	c.flush(context.Background())
	metadatatest.AssertEqualConnectorSpanmetricsllmExpiredSeries(t, tel, []metricdata.DataPoint[int64]{
		{Value: 3, Attributes: family(nameLLMCalls)},
		{Value: 1, Attributes: family(nameSpansIngested)},
	}, metricdatatest.IgnoreTimestamp())
	metadatatest.AssertEqualConnectorSpanmetricsllmSeries(t, tel, []metricdata.DataPoint[int64]{
		{Value: 0, Attributes: family(nameLLMCalls)},
		{Value: 0, Attributes: family(nameSpansIngested)},
	}, metricdatatest.IgnoreTimestamp())
}

func TestStartShutdownFlushes(t *testing.T) {
	cfg := defaultConfig()
	cfg.MetricsFlushInterval = time.Hour
	sink := new(consumertest.MetricsSink)
	c, err := NewFactory().CreateTracesToMetrics(context.Background(), connectortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	require.NoError(t, c.Start(context.Background(), componenttest.NewNopHost()))
	b := newTraces("s", "e", v.ScopeRastir)
	llmSpan(b, "m", "a")
	require.NoError(t, c.ConsumeTraces(context.Background(), b.td))
	assert.Empty(t, sink.AllMetrics())
	require.NoError(t, c.Shutdown(context.Background()))
	require.Len(t, sink.AllMetrics(), 1, "the last aggregates are sent on shutdown")
	assert.Len(t, points(sink.AllMetrics()[0], nameLLMCalls), 1)
	require.NoError(t, c.Shutdown(context.Background()))
}

func TestSemconvResourcesWithoutSeriesAreForgotten(t *testing.T) {
	cfg := defaultConfig()
	cfg.GenAISemconvMetrics.Enabled = true
	tc := newTestConnector(t, cfg)
	for i := range 3 {
		b := newTraces(fmt.Sprint("svc", i), "prod", otlpScope)
		b.span("agent", time.Second, false, map[string]any{v.GenAIOperationName: v.OperationInvokeAgent})
		tc.consume(t, b.td)
	}
	b := newTraces("llm", "prod", otlpScope)
	b.span("c", time.Second, false, map[string]any{v.GenAIOperationName: v.OperationChat})
	tc.consume(t, b.td)
	assert.Len(t, tc.resources, 4)
	tc.flushed(t)
	require.Len(t, tc.resources, 1, "only the resource with semconv series is kept")
	for _, e := range tc.resources {
		svc, _ := e.attrs.Get(v.ResourceServiceName)
		assert.Equal(t, "llm", svc.Str())
	}
}

// TestSharedKeyAfterOverflow checks the families that share llm_calls'
// key when llm_calls is at its cap and the token families are not.
func TestSharedKeyAfterOverflow(t *testing.T) {
	cfg := defaultConfig()
	cfg.MaxSeriesPerMetric = 1
	tc := newTestConnector(t, cfg)
	b := newTraces("s", "e", v.ScopeRastir)
	b.span("c", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIRequestModel: "m1"})
	b.span("c", 0, false, map[string]any{v.RastirSpanTypeKey: v.SpanTypeLLM, v.GenAIRequestModel: "m2",
		v.GenAIUsageInputTokens: 5, v.GenAIUsageOutputTokens: 3})
	tc.consume(t, b.td)
	md := tc.flushed(t)
	o := v.OverflowValue
	assert.Equal(t, map[string]point{
		"service=s,env=e,model=m1,provider=,agent=":                     {value: 1},
		"service=s,env=e,model=" + o + ",provider=" + o + ",agent=" + o: {value: 1},
	}, values(points(md, nameLLMCalls)))
	assert.Equal(t, map[string]point{"service=s,env=e,model=m2,provider=,agent=": {value: 5}}, values(points(md, nameTokensInput)))
	assert.Equal(t, map[string]point{"service=s,env=e,model=m2,provider=,agent=": {value: 3}}, values(points(md, nameTokensOutput)))
}
