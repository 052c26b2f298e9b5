package spanmetricsllm

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/connector/connectortest"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm/internal/metadata"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testConnector is a connector whose flushes the test drives.
type testConnector struct {
	*spanmetricsLLM
	sink  *consumertest.MetricsSink
	clock *fakeClock
}

func newTestConnector(t testing.TB, cfg *Config) *testConnector {
	t.Helper()
	require.NoError(t, cfg.Validate())
	sink := new(consumertest.MetricsSink)
	c, err := newConnector(connectortest.NewNopSettings(metadata.Type), cfg, sink)
	require.NoError(t, err)
	clock := &fakeClock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c.now = clock.Now
	return &testConnector{spanmetricsLLM: c, sink: sink, clock: clock}
}

func defaultConfig() *Config { return createDefaultConfig().(*Config) }

// flushed flushes and returns what was sent (an empty Metrics when
// nothing was).
func (tc *testConnector) flushed(t testing.TB) pmetric.Metrics {
	t.Helper()
	tc.sink.Reset()
	tc.flush(context.Background())
	all := tc.sink.AllMetrics()
	require.LessOrEqual(t, len(all), 1)
	if len(all) == 0 {
		return pmetric.NewMetrics()
	}
	return all[0]
}

func (tc *testConnector) consume(t testing.TB, td ptrace.Traces) {
	t.Helper()
	require.NoError(t, tc.ConsumeTraces(context.Background(), td))
}

// point is one data point in a comparable form.
type point struct {
	value     float64 // sum value, or histogram count
	sum       float64 // histogram sum
	buckets   []uint64
	exemplars []pmetric.Exemplar
	start, ts pcommon.Timestamp
}

// points returns the data points of metric name by their labels written
// "k=v,k=v" in the data point's attribute order, from every resource.
func points(md pmetric.Metrics, name string) map[string]point {
	out := map[string]point{}
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() != name {
					continue
				}
				switch m.Type() {
				case pmetric.MetricTypeSum:
					for _, dp := range m.Sum().DataPoints().All() {
						v := dp.DoubleValue()
						if dp.ValueType() == pmetric.NumberDataPointValueTypeInt {
							v = float64(dp.IntValue())
						}
						out[labelString(dp.Attributes())] = point{value: v, exemplars: exemplarList(dp.Exemplars()),
							start: dp.StartTimestamp(), ts: dp.Timestamp()}
					}
				case pmetric.MetricTypeHistogram:
					for _, dp := range m.Histogram().DataPoints().All() {
						out[labelString(dp.Attributes())] = point{value: float64(dp.Count()), sum: dp.Sum(),
							buckets: dp.BucketCounts().AsRaw(), exemplars: exemplarList(dp.Exemplars()),
							start: dp.StartTimestamp(), ts: dp.Timestamp()}
					}
				default:
				}
			}
		}
	}
	return out
}

func exemplarList(es pmetric.ExemplarSlice) []pmetric.Exemplar {
	var out []pmetric.Exemplar
	for _, e := range es.All() {
		out = append(out, e)
	}
	return out
}

func labelString(m pcommon.Map) string {
	var b strings.Builder
	for k, v := range m.All() {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(v.AsString())
	}
	return b.String()
}

// spanBuilder builds traces for tests.
type spanBuilder struct {
	td ptrace.Traces
	ss ptrace.ScopeSpans
}

// newTraces starts traces of one resource (service, env) and one scope.
func newTraces(service, env, scope string) *spanBuilder {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	if service != "" {
		rs.Resource().Attributes().PutStr(vocabulary.ResourceServiceName, service)
	}
	if env != "" {
		rs.Resource().Attributes().PutStr(vocabulary.ResourceDeploymentEnvironmentName, env)
	}
	ss := rs.ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scope)
	return &spanBuilder{td: td, ss: ss}
}

var (
	testTraceID = pcommon.TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	testSpanID  = pcommon.SpanID{1, 2, 3, 4, 5, 6, 7, 8}
)

// span appends a span of the given name lasting d, with attrs (string,
// int64, float64 or bool values).
func (b *spanBuilder) span(name string, d time.Duration, errStatus bool, attrs map[string]any) ptrace.Span {
	s := b.ss.Spans().AppendEmpty()
	s.SetName(name)
	s.SetTraceID(testTraceID)
	s.SetSpanID(testSpanID)
	start := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	s.SetStartTimestamp(pcommon.NewTimestampFromTime(start))
	s.SetEndTimestamp(pcommon.NewTimestampFromTime(start.Add(d)))
	if errStatus {
		s.Status().SetCode(ptrace.StatusCodeError)
	} else {
		s.Status().SetCode(ptrace.StatusCodeOk)
	}
	for k, v := range attrs {
		switch x := v.(type) {
		case string:
			s.Attributes().PutStr(k, x)
		case int:
			s.Attributes().PutInt(k, int64(x))
		case float64:
			s.Attributes().PutDouble(k, x)
		case bool:
			s.Attributes().PutBool(k, x)
		default:
			panic("unsupported attribute type")
		}
	}
	return s
}

func metricByName(t testing.TB, md pmetric.Metrics, name string) pmetric.Metric {
	t.Helper()
	for _, rm := range md.ResourceMetrics().All() {
		for _, sm := range rm.ScopeMetrics().All() {
			for _, m := range sm.Metrics().All() {
				if m.Name() == name {
					return m
				}
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return pmetric.Metric{}
}
