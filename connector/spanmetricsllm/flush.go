package spanmetricsllm

import (
	"context"
	"strconv"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.uber.org/zap"

	"github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm/internal/metadata"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// maxIntSum is 2^63: an integer sum below it converts to int64.
const maxIntSum = 0x1p63

// telemetryAttrFamily is the attribute of the connector's own metrics that
// names the metric family (metadata.yaml).
const telemetryAttrFamily = "family"

// flush builds the metrics, resets what lives only until a flush, expires
// old series and sends the metrics to the next consumer.
func (c *spanmetricsLLM) flush(ctx context.Context) {
	c.mu.Lock()
	now := c.now()
	md := c.buildMetrics(pcommon.NewTimestampFromTime(now))
	c.afterFlush(now)
	c.mu.Unlock()
	c.report(ctx)
	if md.DataPointCount() == 0 {
		return
	}
	if err := c.next.ConsumeMetrics(ctx, md); err != nil {
		c.logger.Error("Failed to send the span-derived metrics", zap.Error(err))
	}
}

// allFamilies calls fn on every family.
func (c *spanmetricsLLM) allFamilies(fn func(*family)) {
	for _, f := range c.families {
		fn(f)
	}
	if c.tokenUsage != nil {
		fn(c.tokenUsage)
		fn(c.opDuration)
	}
}

// afterFlush resets what delta temporality sent, and removes
// the series and resources that expired.
func (c *spanmetricsLLM) afterFlush(now time.Time) {
	ts := pcommon.NewTimestampFromTime(now)
	c.allFamilies(func(f *family) { f.afterFlush(c.delta, ts) })
	if c.cfg.MetricsExpiration > 0 {
		cutoff := pcommon.NewTimestampFromTime(now.Add(-c.cfg.MetricsExpiration))
		c.allFamilies(func(f *family) { f.expire(cutoff) })
	}
	// A resource whose spans made no series of their own (none were model
	// calls, or all went to the overflow series) is forgotten, so that
	// resources are bounded by the series.
	for k, e := range c.resources {
		if e.refs <= 0 {
			delete(c.resources, k)
		}
	}
}

// report adds what happened since the last flush to the own telemetry.
func (c *spanmetricsLLM) report(ctx context.Context) {
	type delta struct {
		name                      string
		series, overflow, expired int64
	}
	var deltas []delta
	c.mu.Lock()
	c.allFamilies(func(f *family) {
		n := int64(len(f.order))
		d := delta{name: f.name, series: n - f.reportedSeries, overflow: f.overflowObservations, expired: f.expired}
		f.reportedSeries, f.overflowObservations, f.expired = n, 0, 0
		if d.series != 0 || d.overflow != 0 || d.expired != 0 {
			deltas = append(deltas, d)
		}
	})
	c.mu.Unlock()
	for _, d := range deltas {
		attrs := metric.WithAttributeSet(attribute.NewSet(attribute.String(telemetryAttrFamily, d.name)))
		if d.series != 0 {
			c.telemetry.ConnectorSpanmetricsllmSeries.Add(ctx, d.series, attrs)
		}
		if d.overflow != 0 {
			c.telemetry.ConnectorSpanmetricsllmOverflowObservations.Add(ctx, d.overflow, attrs)
		}
		if d.expired != 0 {
			c.telemetry.ConnectorSpanmetricsllmExpiredSeries.Add(ctx, d.expired, attrs)
		}
	}
}

// buildMetrics puts the rastir_* families in one ResourceMetrics with an
// empty resource (so that the Prometheus exporter adds no job, instance or
// target_info and the label sets are Rastir's) and the semconv families
// under their source resources.
func (c *spanmetricsLLM) buildMetrics(now pcommon.Timestamp) pmetric.Metrics {
	md := pmetric.NewMetrics()
	temporality := pmetric.AggregationTemporalityCumulative
	if c.delta {
		temporality = pmetric.AggregationTemporalityDelta
	}
	var sm pmetric.ScopeMetrics
	for _, f := range c.families {
		if !c.hasPoints(f) {
			continue
		}
		if sm == (pmetric.ScopeMetrics{}) {
			sm = md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty()
			sm.Scope().SetName(metadata.ScopeName)
		}
		c.buildFamily(sm.Metrics().AppendEmpty(), f, nil, now, temporality)
	}
	if c.tokenUsage == nil {
		return md
	}
	// Semconv series grouped by source resource, in order of first sight.
	scopes := make(map[*resourceEntry]pmetric.ScopeMetrics)
	var order []*resourceEntry
	for _, f := range []*family{c.tokenUsage, c.opDuration} {
		for _, s := range f.order {
			if _, ok := scopes[s.res]; !ok && c.emits(s) {
				rm := md.ResourceMetrics().AppendEmpty()
				if s.res != nil {
					s.res.attrs.CopyTo(rm.Resource().Attributes())
				}
				rsm := rm.ScopeMetrics().AppendEmpty()
				rsm.Scope().SetName(metadata.ScopeName)
				scopes[s.res] = rsm
				order = append(order, s.res)
			}
		}
	}
	for _, res := range order {
		rsm := scopes[res]
		for _, f := range []*family{c.tokenUsage, c.opDuration} {
			if c.hasPointsOf(f, res) {
				c.buildFamily(rsm.Metrics().AppendEmpty(), f, res, now, temporality)
			}
		}
	}
	return md
}

// emits says whether a series has a data point in this flush.
func (c *spanmetricsLLM) emits(s *series) bool {
	return !c.delta || s.dirty
}

func (c *spanmetricsLLM) hasPoints(f *family) bool {
	for _, s := range f.order {
		if c.emits(s) {
			return true
		}
	}
	return false
}

func (c *spanmetricsLLM) hasPointsOf(f *family, res *resourceEntry) bool {
	for _, s := range f.order {
		if s.res == res && c.emits(s) {
			return true
		}
	}
	return false
}

// buildFamily writes the family's series (those of res) into m.
func (c *spanmetricsLLM) buildFamily(m pmetric.Metric, f *family, res *resourceEntry, now pcommon.Timestamp, temporality pmetric.AggregationTemporality) {
	m.SetName(f.name)
	m.SetDescription(f.description)
	m.SetUnit(f.unit)
	if f.kind == kindHistogram {
		h := m.SetEmptyHistogram()
		h.SetAggregationTemporality(temporality)
		dps := h.DataPoints()
		for _, s := range f.order {
			if s.res != res || !c.emits(s) {
				continue
			}
			dp := dps.AppendEmpty()
			setPoint(f, s, dp.Attributes())
			dp.SetStartTimestamp(c.startOf(s))
			dp.SetTimestamp(now)
			dp.SetCount(s.count)
			dp.SetSum(s.sum)
			dp.ExplicitBounds().FromRaw(f.bounds)
			dp.BucketCounts().FromRaw(s.buckets)
			s.orderedExemplars(func(e exemplar) { setExemplar(dp.Exemplars().AppendEmpty(), e) })
		}
		return
	}
	sum := m.SetEmptySum()
	sum.SetIsMonotonic(true)
	sum.SetAggregationTemporality(temporality)
	dps := sum.DataPoints()
	for _, s := range f.order {
		if s.res != res || !c.emits(s) {
			continue
		}
		dp := dps.AppendEmpty()
		setPoint(f, s, dp.Attributes())
		dp.SetStartTimestamp(c.startOf(s))
		dp.SetTimestamp(now)
		if f.kind == kindIntSum && s.sum < maxIntSum {
			dp.SetIntValue(int64(s.sum))
		} else {
			// A sum past the range of int64 (huge token counts) stays
			// a number instead of wrapping to a negative one.
			dp.SetDoubleValue(s.sum)
		}
		s.orderedExemplars(func(e exemplar) { setExemplar(dp.Exemplars().AppendEmpty(), e) })
	}
}

func setPoint(f *family, s *series, attrs pcommon.Map) {
	attrs.EnsureCapacity(len(f.labels))
	for i, name := range f.labels {
		if f.omitEmpty && s.values[i] == "" {
			continue
		}
		if name == vocabulary.ServerPort {
			// An int in semconv; the overflow value stays a string.
			if port, err := strconv.ParseInt(s.values[i], 10, 64); err == nil {
				attrs.PutInt(name, port)
				continue
			}
		}
		attrs.PutStr(name, s.values[i])
	}
}

// startOf is the start of a series' data point: its creation under
// cumulative temporality; under delta, the previous flush that sent the
// series (or its creation, before its first point). A series that missed
// flushes had no observation since its previous point, so its stream has
// no gap: a delta-to-cumulative conversion (the Prometheus exporter's)
// adds the point to the previous one instead of restarting the series.
func (c *spanmetricsLLM) startOf(s *series) pcommon.Timestamp {
	if c.delta && s.sent != 0 {
		return s.sent
	}
	return s.start
}

func setExemplar(ex pmetric.Exemplar, e exemplar) {
	ex.SetTimestamp(e.ts)
	ex.SetDoubleValue(e.value)
	ex.SetTraceID(e.traceID)
	ex.SetSpanID(e.spanID)
}
