package cardinalityprocessor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// capOneModel returns a state whose model dimension admits one value, so
// that every later model collapses to the overflow value.
func capOneModel(t *testing.T) *state {
	cfg := createDefaultConfig().(*Config)
	cfg.Dimensions[0].MaxValues = 1
	return newTestState(t, cfg)
}

func labels(model string) map[string]any {
	return map[string]any{vocabulary.LabelService: "svc", vocabulary.LabelModel: model}
}

func oneMetric(md pmetric.Metrics) pmetric.Metric {
	return md.ResourceMetrics().At(0).ScopeMetrics().At(0).Metrics().At(0)
}

func TestMergeSums(t *testing.T) {
	s := capOneModel(t)
	md := sumMetric(pmetric.AggregationTemporalityCumulative,
		point{attrs: labels("m1"), v: 1, ts: 100, start: 10},
		point{attrs: labels("m2"), v: 2, ts: 100, start: 5},
		point{attrs: labels("m3"), v: 3, ts: 100, start: 20},
		point{attrs: labels("m4"), v: 4, ts: 200, start: 20}, // another time: not merged
		point{attrs: map[string]any{vocabulary.LabelModel: "m5", vocabulary.LabelService: "svc"}, v: 5, ts: 100, start: 7},
	)
	dp := oneMetric(md).Sum().DataPoints()
	dp.At(1).Exemplars().AppendEmpty().SetIntValue(2)
	dp.At(2).Exemplars().AppendEmpty().SetIntValue(3)
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)

	require.Equal(t, 3, dp.Len())
	assert.Equal(t, labels("m1"), dp.At(0).Attributes().AsRaw())
	assert.Equal(t, int64(1), dp.At(0).IntValue())
	// m2, m3 and m5 (attributes in another order) collapse into one point.
	assert.Equal(t, labels(overflow), dp.At(1).Attributes().AsRaw())
	assert.Equal(t, int64(2+3+5), dp.At(1).IntValue())
	assert.Equal(t, pcommon.Timestamp(5), dp.At(1).StartTimestamp())
	assert.Equal(t, 2, dp.At(1).Exemplars().Len())
	assert.Equal(t, labels(overflow), dp.At(2).Attributes().AsRaw())
	assert.Equal(t, pcommon.Timestamp(200), dp.At(2).Timestamp())
}

func TestMergeSumsMixedValueTypes(t *testing.T) {
	s := capOneModel(t)
	md := sumMetric(pmetric.AggregationTemporalityDelta,
		point{attrs: labels("m1"), v: 1},
		point{attrs: labels("m2"), v: 2},
		point{attrs: labels("m3"), v: 3},
	)
	dp := oneMetric(md).Sum().DataPoints()
	dp.At(2).SetDoubleValue(0.5)
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 2, dp.Len())
	assert.Equal(t, pmetric.NumberDataPointValueTypeDouble, dp.At(1).ValueType())
	assert.InDelta(t, 2.5, dp.At(1).DoubleValue(), 1e-12)
}

func TestMergeNoRecordedValue(t *testing.T) {
	s := capOneModel(t)
	md := sumMetric(pmetric.AggregationTemporalityDelta,
		point{attrs: labels("m1"), v: 1},
		point{attrs: labels("m2"), v: 2},
		point{attrs: labels("m3"), v: 3},
		point{attrs: labels("m4"), v: 4},
	)
	dp := oneMetric(md).Sum().DataPoints()
	dp.At(1).SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	dp.At(3).SetFlags(pmetric.DefaultDataPointFlags.WithNoRecordedValue(true))
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 2, dp.Len())
	assert.False(t, dp.At(1).Flags().NoRecordedValue())
	assert.Equal(t, int64(3), dp.At(1).IntValue())
}

func TestMergeGauges(t *testing.T) {
	s := capOneModel(t)
	md := pmetric.NewMetrics()
	g := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyGauge()
	for i, m := range []string{"m1", "m2", "m3"} {
		dp := g.DataPoints().AppendEmpty()
		require.NoError(t, dp.Attributes().FromRaw(labels(m)))
		dp.SetTimestamp(100)
		dp.SetDoubleValue(float64(i + 1))
		dp.Exemplars().AppendEmpty().SetDoubleValue(float64(i + 1))
	}
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 2, g.DataPoints().Len())
	assert.InDelta(t, 3.0, g.DataPoints().At(1).DoubleValue(), 0, "the later point wins")
	assert.Equal(t, 2, g.DataPoints().At(1).Exemplars().Len(), "both points' exemplars kept")
}

func histogramMetrics(t *testing.T, bounds [][]float64, counts [][]uint64) (pmetric.Metrics, pmetric.HistogramDataPointSlice) {
	md := pmetric.NewMetrics()
	h := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyHistogram()
	h.SetAggregationTemporality(pmetric.AggregationTemporalityCumulative)
	for i := range bounds {
		dp := h.DataPoints().AppendEmpty()
		require.NoError(t, dp.Attributes().FromRaw(labels([]string{"m1", "m2", "m3", "m4"}[i])))
		dp.SetTimestamp(100)
		dp.ExplicitBounds().FromRaw(bounds[i])
		dp.BucketCounts().FromRaw(counts[i])
		var n uint64
		for _, c := range counts[i] {
			n += c
		}
		dp.SetCount(n)
		dp.SetSum(float64(10 * (i + 1)))
		dp.SetMin(float64(i + 1))
		dp.SetMax(float64(100 * (i + 1)))
	}
	return md, h.DataPoints()
}

func TestMergeHistograms(t *testing.T) {
	s := capOneModel(t)
	md, dps := histogramMetrics(t,
		[][]float64{{1, 2}, {1, 2}, {1, 2}, {1, 5}},
		[][]uint64{{1, 0, 0}, {1, 2, 3}, {0, 1, 4}, {7, 0, 0}})
	dps.At(2).RemoveMin()
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 3, dps.Len(), "bounds {1,5} cannot merge and stay apart")
	merged := dps.At(1)
	assert.Equal(t, []uint64{1, 3, 7}, merged.BucketCounts().AsRaw())
	assert.Equal(t, uint64(11), merged.Count())
	assert.InDelta(t, 50.0, merged.Sum(), 0)
	assert.InDelta(t, 2.0, merged.Min(), 0)
	assert.InDelta(t, 300.0, merged.Max(), 0)
	assert.Equal(t, []float64{1, 5}, dps.At(2).ExplicitBounds().AsRaw())
	assert.Equal(t, labels(overflow), dps.At(2).Attributes().AsRaw())
}

func TestMergeHistogramSumMissing(t *testing.T) {
	s := capOneModel(t)
	md, dps := histogramMetrics(t, [][]float64{{1}, {1}, {1}}, [][]uint64{{1, 1}, {1, 1}, {1, 1}})
	dps.At(2).RemoveSum()
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 2, dps.Len())
	assert.False(t, dps.At(1).HasSum(), "a sum is only known when both points have one")
	assert.Equal(t, []uint64{2, 2}, dps.At(1).BucketCounts().AsRaw())
}

type expPoint struct {
	scale          int32
	posOff, negOff int32
	pos, neg       []uint64
	zero           uint64
	zeroThreshold  float64
}

func expHistogramMetrics(t *testing.T, pts ...expPoint) (pmetric.Metrics, pmetric.ExponentialHistogramDataPointSlice) {
	md := pmetric.NewMetrics()
	h := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptyExponentialHistogram()
	for i, p := range pts {
		dp := h.DataPoints().AppendEmpty()
		require.NoError(t, dp.Attributes().FromRaw(labels([]string{"m1", "m2", "m3", "m4"}[i])))
		dp.SetTimestamp(100)
		dp.SetScale(p.scale)
		dp.Positive().SetOffset(p.posOff)
		dp.Positive().BucketCounts().FromRaw(p.pos)
		dp.Negative().SetOffset(p.negOff)
		dp.Negative().BucketCounts().FromRaw(p.neg)
		dp.SetZeroCount(p.zero)
		dp.SetZeroThreshold(p.zeroThreshold)
		n := p.zero
		for _, c := range append(append([]uint64{}, p.pos...), p.neg...) {
			n += c
		}
		dp.SetCount(n)
		dp.SetSum(1)
	}
	return md, h.DataPoints()
}

func TestMergeExponentialHistograms(t *testing.T) {
	t.Run("same scale, different offsets", func(t *testing.T) {
		s := capOneModel(t)
		md, dps := expHistogramMetrics(t,
			expPoint{scale: 2},
			expPoint{scale: 2, posOff: 3, pos: []uint64{1, 2}, zero: 1},
			expPoint{scale: 2, posOff: 1, pos: []uint64{5, 0, 0, 1}, negOff: -2, neg: []uint64{4}, zero: 2},
		)
		_, err := s.processMetrics(context.Background(), md)
		require.NoError(t, err)
		require.Equal(t, 2, dps.Len())
		m := dps.At(1)
		assert.Equal(t, int32(2), m.Scale())
		assert.Equal(t, int32(1), m.Positive().Offset())
		assert.Equal(t, []uint64{5, 0, 1, 3}, m.Positive().BucketCounts().AsRaw())
		assert.Equal(t, int32(-2), m.Negative().Offset())
		assert.Equal(t, []uint64{4}, m.Negative().BucketCounts().AsRaw())
		assert.Equal(t, uint64(3), m.ZeroCount())
		assert.Equal(t, uint64(3+1+5+1+4+2), m.Count())
		assert.InDelta(t, 2.0, m.Sum(), 0)
	})
	t.Run("finer scale brought down", func(t *testing.T) {
		s := capOneModel(t)
		md, dps := expHistogramMetrics(t,
			expPoint{scale: 1},
			expPoint{scale: 1, posOff: 0, pos: []uint64{1, 1}},
			// scale 3 indexes -3..4 become scale 1 indexes -1..1 (>>2).
			expPoint{scale: 3, posOff: -3, pos: []uint64{1, 1, 1, 1, 1, 1, 1, 1}},
		)
		_, err := s.processMetrics(context.Background(), md)
		require.NoError(t, err)
		require.Equal(t, 2, dps.Len())
		m := dps.At(1)
		assert.Equal(t, int32(1), m.Scale())
		assert.Equal(t, int32(-1), m.Positive().Offset())
		assert.Equal(t, []uint64{3, 4 + 1, 1 + 1}, m.Positive().BucketCounts().AsRaw())
		assert.Equal(t, uint64(10), m.Count())
	})
	t.Run("different zero thresholds stay apart", func(t *testing.T) {
		s := capOneModel(t)
		md, dps := expHistogramMetrics(t,
			expPoint{scale: 1},
			expPoint{scale: 1, zero: 1, zeroThreshold: 0.1},
			expPoint{scale: 1, zero: 1, zeroThreshold: 0.2},
		)
		_, err := s.processMetrics(context.Background(), md)
		require.NoError(t, err)
		assert.Equal(t, 3, dps.Len())
	})
}

// TestMergeExponentialHistogramsBucketsBounded merges two points as an SDK
// sends them for series with one observation each: at the finest scale,
// one bucket each, far apart (0.1 s and 10 s). Merged at that scale they
// would span millions of buckets; the scale is lowered until they fit.
func TestMergeExponentialHistogramsBucketsBounded(t *testing.T) {
	s := capOneModel(t)
	const lowIdx, highIdx = -3_483_295, 3_483_294 // 0.1 and 10 at scale 20
	md, dps := expHistogramMetrics(t,
		expPoint{scale: 20},
		expPoint{scale: 20, posOff: lowIdx, pos: []uint64{1}},
		expPoint{scale: 20, posOff: highIdx, pos: []uint64{1}, negOff: lowIdx, neg: []uint64{2}},
	)
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 2, dps.Len())
	m := dps.At(1)
	require.LessOrEqual(t, m.Positive().BucketCounts().Len(), maxMergedBuckets)
	shift := uint(20 - m.Scale())
	pos := m.Positive()
	at := func(b pmetric.ExponentialHistogramDataPointBuckets, idx int64) uint64 {
		i := idx>>shift - int64(b.Offset())
		require.True(t, i >= 0 && i < int64(b.BucketCounts().Len()), "index %d outside the buckets", idx)
		return b.BucketCounts().At(int(i))
	}
	assert.Equal(t, uint64(1), at(pos, lowIdx))
	assert.Equal(t, uint64(1), at(pos, highIdx))
	assert.Equal(t, uint64(2), at(m.Negative(), lowIdx))
	assert.Equal(t, uint64(4), m.Count())
	var n uint64
	for _, c := range pos.BucketCounts().AsRaw() {
		n += c
	}
	assert.Equal(t, uint64(2), n)
}

func TestMergeSummaries(t *testing.T) {
	s := capOneModel(t)
	md := pmetric.NewMetrics()
	sm := md.ResourceMetrics().AppendEmpty().ScopeMetrics().AppendEmpty().Metrics().AppendEmpty().SetEmptySummary()
	for i, m := range []string{"m1", "m2", "m3"} {
		dp := sm.DataPoints().AppendEmpty()
		require.NoError(t, dp.Attributes().FromRaw(labels(m)))
		dp.SetTimestamp(100)
		dp.SetCount(uint64(i + 1))
	}
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 2, sm.DataPoints().Len())
	assert.Equal(t, uint64(3), sm.DataPoints().At(1).Count())
	assert.Equal(t, labels(overflow), sm.DataPoints().At(1).Attributes().AsRaw())
}

func TestMergeExemplarsBounded(t *testing.T) {
	s := capOneModel(t)
	var pts []point
	for i := range 40 {
		pts = append(pts, point{attrs: labels([]string{"m1", "m2", "m3"}[min(i, 2)] + string(rune('a'+i))), v: 1})
	}
	md := sumMetric(pmetric.AggregationTemporalityDelta, pts...)
	dps := oneMetric(md).Sum().DataPoints()
	for i := 0; i < dps.Len(); i++ {
		dps.At(i).Exemplars().AppendEmpty().SetIntValue(int64(i))
	}
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 2, dps.Len())
	assert.Equal(t, int64(39), dps.At(1).IntValue())
	assert.Equal(t, maxMergedExemplars, dps.At(1).Exemplars().Len())
}

func TestUnchangedMetricKeepsDuplicates(t *testing.T) {
	// Points that were identical before the processor are left as they
	// came: merging only repairs collisions the processor made.
	s := newTestState(t, createDefaultConfig().(*Config))
	md := sumMetric(pmetric.AggregationTemporalityDelta, point{attrs: labels("m1"), v: 1}, point{attrs: labels("m1"), v: 2})
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	assert.Equal(t, 2, oneMetric(md).Sum().DataPoints().Len())
}

func TestDuplicatesLeftWhenAnotherPointChanged(t *testing.T) {
	// Two points of m1 arrive identical (a resent batch); m2 and m3
	// collapse to the overflow value. Only the points the processor made
	// identical merge.
	s := capOneModel(t)
	md := sumMetric(pmetric.AggregationTemporalityCumulative,
		point{attrs: labels("m1"), v: 1, ts: 100},
		point{attrs: labels("m1"), v: 1, ts: 100},
		point{attrs: labels("m2"), v: 2, ts: 100},
		point{attrs: labels("m3"), v: 3, ts: 100},
	)
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	dp := oneMetric(md).Sum().DataPoints()
	require.Equal(t, 3, dp.Len())
	assert.Equal(t, labels("m1"), dp.At(0).Attributes().AsRaw())
	assert.Equal(t, int64(1), dp.At(0).IntValue())
	assert.Equal(t, labels("m1"), dp.At(1).Attributes().AsRaw())
	assert.Equal(t, int64(1), dp.At(1).IntValue())
	assert.Equal(t, labels(overflow), dp.At(2).Attributes().AsRaw())
	assert.Equal(t, int64(5), dp.At(2).IntValue())
}

func TestMergeHistogramsWithTheSameOtherBounds(t *testing.T) {
	// m2 and m3 have the same bounds, other than m1's overflow point: they
	// merge with each other.
	s := capOneModel(t)
	md, dps := histogramMetrics(t,
		[][]float64{{1}, {1}, {5}, {5}},
		[][]uint64{{1, 0}, {1, 0}, {0, 1}, {2, 1}})
	_, err := s.processMetrics(context.Background(), md)
	require.NoError(t, err)
	require.Equal(t, 3, dps.Len())
	assert.Equal(t, []float64{5}, dps.At(2).ExplicitBounds().AsRaw())
	assert.Equal(t, []uint64{2, 2}, dps.At(2).BucketCounts().AsRaw())
	assert.Equal(t, labels(overflow), dps.At(2).Attributes().AsRaw())
}
