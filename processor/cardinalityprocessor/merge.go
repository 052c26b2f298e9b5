package cardinalityprocessor

import (
	"encoding/binary"
	"slices"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// maxMergedExemplars bounds the exemplars a merged point keeps: those of
// the first point, then those of the points merged into it up to this many.
const maxMergedExemplars = 16

// maxMergedBuckets is the most buckets a side (positive, negative) of a
// merged exponential histogram point has, unless an input point had more:
// the SDKs' default maximum size. SDKs start at the finest scale, so two
// series with few observations each can be far apart at that scale.
const maxMergedBuckets = 160

// merger merges the data points of one metric that have identical
// attribute sets and timestamps once values were replaced. Its buffers are
// reused across the metrics of a batch. It only runs on metrics where a
// value changed, so its allocations are off the common path.
type merger struct {
	keys   []string
	buf    []byte
	index  map[string]int
	remove []bool
	// changed[i] is set when the processor changed point i of the metric
	// (or, after a merge, when every point merged into i was changed).
	changed []bool
	// apart[k] is the next point kept apart from k although it has k's
	// key (-1: none), for histograms that cannot merge.
	apart []int
}

// markChanged records that the processor changed point i of a metric of n
// points; first clears the flags left by the previous metric.
func (m *merger) markChanged(i, n int, first bool) {
	if first {
		m.changed = slices.Grow(m.changed[:0], n)[:n]
		clear(m.changed)
	}
	m.changed[i] = true
}

// mergeable reports whether point i may merge into point j, the first
// point with its key: only collisions the processor made are merged, so
// points that arrived identical stay apart (a changed point merges into
// one of them).
func (m *merger) mergeable(i, j int) bool {
	return m.changed[i] || m.changed[j]
}

// mergeInto merges point i into the first point with its key, j, or,
// when they cannot merge (histograms with other bounds), into one of the
// points of that key kept apart; i is kept apart when none accepts it.
func (m *merger) mergeInto(i, j int, merge func(dst, src int) bool) {
	if !m.mergeable(i, j) {
		return
	}
	last := j
	for k := j; k >= 0; k = m.apart[k] {
		if m.mergeable(i, k) && merge(k, i) {
			m.remove[i] = true
			m.merged(i, k)
			return
		}
		last = k
	}
	m.apart[last] = i
}

// resetApart empties the chains of points kept apart for n points.
func (m *merger) resetApart(n int) {
	m.apart = slices.Grow(m.apart[:0], n)[:n]
	for i := range m.apart {
		m.apart[i] = -1
	}
}

// merged records that point i merged into point j.
func (m *merger) merged(i, j int) {
	m.changed[j] = m.changed[j] && m.changed[i]
}

// pointKey identifies a point by its attributes (in key order) and its
// timestamp.
func (m *merger) pointKey(attrs pcommon.Map, ts pcommon.Timestamp) string {
	m.keys = m.keys[:0]
	attrs.Range(func(k string, _ pcommon.Value) bool {
		m.keys = append(m.keys, k)
		return true
	})
	slices.Sort(m.keys)
	b := m.buf[:0]
	for _, k := range m.keys {
		v, _ := attrs.Get(k)
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = append(b, byte(v.Type()))
		s := v.AsString()
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.BigEndian.AppendUint64(b, uint64(ts))
	m.buf = b
	return string(b)
}

// plan finds, for each point, the first earlier point with the same key:
// dup[i] is that point's index, or -1.
func (m *merger) plan(n int, key func(i int) string) []int {
	if m.index == nil {
		m.index = make(map[string]int, n)
	} else {
		clear(m.index)
	}
	dup := make([]int, n)
	for i := range n {
		k := key(i)
		if j, ok := m.index[k]; ok {
			dup[i] = j
			continue
		}
		m.index[k] = i
		dup[i] = -1
	}
	return dup
}

// removeMarked returns a RemoveIf predicate for the points marked in
// m.remove, visited in order.
func (m *merger) removeMarked() func() bool {
	i := 0
	return func() bool {
		r := m.remove[i]
		i++
		return r
	}
}

func (m *merger) resetRemove(n int) {
	m.remove = slices.Grow(m.remove[:0], n)[:n]
	clear(m.remove)
}

// mergeNumbers merges sum points (add == true: values add, the earliest
// start time is kept) or gauge points (the later point in the batch wins).
func (m *merger) mergeNumbers(dps pmetric.NumberDataPointSlice, add bool) {
	if dps.Len() < 2 {
		return
	}
	dup := m.plan(dps.Len(), func(i int) string {
		p := dps.At(i)
		return m.pointKey(p.Attributes(), p.Timestamp())
	})
	m.resetRemove(dps.Len())
	for i, j := range dup {
		if j < 0 || !m.mergeable(i, j) {
			continue
		}
		dst, src := dps.At(j), dps.At(i)
		if add {
			addNumber(dst, src)
		} else {
			keepLater(dst, src)
		}
		m.remove[i] = true
		m.merged(i, j)
	}
	next := m.removeMarked()
	dps.RemoveIf(func(pmetric.NumberDataPoint) bool { return next() })
}

func addNumber(dst, src pmetric.NumberDataPoint) {
	if src.Flags().NoRecordedValue() {
		return
	}
	if dst.Flags().NoRecordedValue() {
		start := minStart(dst.StartTimestamp(), src.StartTimestamp())
		ex := pmetric.NewExemplarSlice()
		dst.Exemplars().MoveAndAppendTo(ex)
		src.CopyTo(dst)
		dst.SetStartTimestamp(start)
		appendExemplars(dst.Exemplars(), ex)
		return
	}
	switch {
	case dst.ValueType() == pmetric.NumberDataPointValueTypeInt && src.ValueType() == pmetric.NumberDataPointValueTypeInt:
		dst.SetIntValue(dst.IntValue() + src.IntValue())
	default:
		dst.SetDoubleValue(numberValue(dst) + numberValue(src))
	}
	dst.SetStartTimestamp(minStart(dst.StartTimestamp(), src.StartTimestamp()))
	appendExemplars(dst.Exemplars(), src.Exemplars())
}

func numberValue(p pmetric.NumberDataPoint) float64 {
	if p.ValueType() == pmetric.NumberDataPointValueTypeInt {
		return float64(p.IntValue())
	}
	return p.DoubleValue()
}

// keepLater replaces dst by src (a gauge has no meaningful sum across
// series: the later point of the batch wins) and keeps both points'
// exemplars, bounded.
func keepLater(dst, src pmetric.NumberDataPoint) {
	ex := pmetric.NewExemplarSlice()
	dst.Exemplars().MoveAndAppendTo(ex)
	src.CopyTo(dst)
	appendExemplars(dst.Exemplars(), ex)
}

func minStart(a, b pcommon.Timestamp) pcommon.Timestamp {
	switch {
	case a == 0:
		return b
	case b == 0:
		return a
	}
	return min(a, b)
}

func appendExemplars(dst, src pmetric.ExemplarSlice) {
	for i := 0; i < src.Len() && dst.Len() < maxMergedExemplars; i++ {
		src.At(i).CopyTo(dst.AppendEmpty())
	}
}

// mergeHistograms merges histogram points with equal bucket bounds: counts,
// sums, bucket counts add; min and max are combined. Points whose bounds
// differ cannot be merged and stay as they are.
func (m *merger) mergeHistograms(dps pmetric.HistogramDataPointSlice) {
	if dps.Len() < 2 {
		return
	}
	dup := m.plan(dps.Len(), func(i int) string {
		p := dps.At(i)
		return m.pointKey(p.Attributes(), p.Timestamp())
	})
	m.resetRemove(dps.Len())
	m.resetApart(dps.Len())
	merge := func(dst, src int) bool { return mergeHistogram(dps.At(dst), dps.At(src)) }
	for i, j := range dup {
		if j >= 0 {
			m.mergeInto(i, j, merge)
		}
	}
	next := m.removeMarked()
	dps.RemoveIf(func(pmetric.HistogramDataPoint) bool { return next() })
}

func mergeHistogram(dst, src pmetric.HistogramDataPoint) bool {
	if src.Flags().NoRecordedValue() {
		return true
	}
	if dst.Flags().NoRecordedValue() {
		start := minStart(dst.StartTimestamp(), src.StartTimestamp())
		src.CopyTo(dst)
		dst.SetStartTimestamp(start)
		return true
	}
	if !slices.Equal(dst.ExplicitBounds().AsRaw(), src.ExplicitBounds().AsRaw()) ||
		dst.BucketCounts().Len() != src.BucketCounts().Len() {
		return false
	}
	for b := 0; b < dst.BucketCounts().Len(); b++ {
		dst.BucketCounts().SetAt(b, dst.BucketCounts().At(b)+src.BucketCounts().At(b))
	}
	dst.SetCount(dst.Count() + src.Count())
	if dst.HasSum() && src.HasSum() {
		dst.SetSum(dst.Sum() + src.Sum())
	} else {
		dst.RemoveSum()
	}
	mergeMinMax(dst.HasMin(), dst.Min(), src.HasMin(), src.Min(), dst.SetMin, minFloat)
	mergeMinMax(dst.HasMax(), dst.Max(), src.HasMax(), src.Max(), dst.SetMax, maxFloat)
	dst.SetStartTimestamp(minStart(dst.StartTimestamp(), src.StartTimestamp()))
	appendExemplars(dst.Exemplars(), src.Exemplars())
	return true
}

// mergeMinMax sets the combined min (or max) when src has one; when only
// dst has one it stays (the other point recorded none).
func mergeMinMax(dstHas bool, dstV float64, srcHas bool, srcV float64, set func(float64), pick func(a, b float64) float64) {
	switch {
	case srcHas && dstHas:
		set(pick(dstV, srcV))
	case srcHas:
		set(srcV)
	}
}

// mergeExponentialHistograms merges exponential histogram points with the
// same zero threshold; the finer scale is brought down to the coarser one.
func (m *merger) mergeExponentialHistograms(dps pmetric.ExponentialHistogramDataPointSlice) {
	if dps.Len() < 2 {
		return
	}
	dup := m.plan(dps.Len(), func(i int) string {
		p := dps.At(i)
		return m.pointKey(p.Attributes(), p.Timestamp())
	})
	m.resetRemove(dps.Len())
	m.resetApart(dps.Len())
	merge := func(dst, src int) bool { return mergeExponentialHistogram(dps.At(dst), dps.At(src)) }
	for i, j := range dup {
		if j >= 0 {
			m.mergeInto(i, j, merge)
		}
	}
	next := m.removeMarked()
	dps.RemoveIf(func(pmetric.ExponentialHistogramDataPoint) bool { return next() })
}

func mergeExponentialHistogram(dst, src pmetric.ExponentialHistogramDataPoint) bool {
	if src.Flags().NoRecordedValue() {
		return true
	}
	if dst.Flags().NoRecordedValue() {
		start := minStart(dst.StartTimestamp(), src.StartTimestamp())
		src.CopyTo(dst)
		dst.SetStartTimestamp(start)
		return true
	}
	if dst.ZeroThreshold() != src.ZeroThreshold() {
		return false
	}
	scale := min(dst.Scale(), src.Scale())
	limit := int64(max(maxMergedBuckets, dst.Positive().BucketCounts().Len(), src.Positive().BucketCounts().Len(),
		dst.Negative().BucketCounts().Len(), src.Negative().BucketCounts().Len()))
	// Lower the scale until both sides fit (each step halves the span; an
	// index fits in 32 bits, so this ends).
	for bucketSpan(dst.Positive(), src.Positive(), uint(dst.Scale()-scale), uint(src.Scale()-scale)) > limit ||
		bucketSpan(dst.Negative(), src.Negative(), uint(dst.Scale()-scale), uint(src.Scale()-scale)) > limit {
		scale--
	}
	dstShift, srcShift := uint(dst.Scale()-scale), uint(src.Scale()-scale)
	mergeBuckets(dst.Positive(), src.Positive(), dstShift, srcShift)
	mergeBuckets(dst.Negative(), src.Negative(), dstShift, srcShift)
	dst.SetScale(scale)
	dst.SetZeroCount(dst.ZeroCount() + src.ZeroCount())
	dst.SetCount(dst.Count() + src.Count())
	if dst.HasSum() && src.HasSum() {
		dst.SetSum(dst.Sum() + src.Sum())
	} else {
		dst.RemoveSum()
	}
	mergeMinMax(dst.HasMin(), dst.Min(), src.HasMin(), src.Min(), dst.SetMin, minFloat)
	mergeMinMax(dst.HasMax(), dst.Max(), src.HasMax(), src.Max(), dst.SetMax, maxFloat)
	dst.SetStartTimestamp(minStart(dst.StartTimestamp(), src.StartTimestamp()))
	appendExemplars(dst.Exemplars(), src.Exemplars())
	return true
}

// mergeBuckets adds src's buckets into dst's after lowering each side's
// scale by its shift (bucket index i becomes i >> shift: floor division,
// right for negative indexes too).
func mergeBuckets(dst, src pmetric.ExponentialHistogramDataPointBuckets, dstShift, srcShift uint) {
	lo, hi, found := bucketRange(dst, src, dstShift, srcShift)
	if !found {
		return
	}
	counts := make([]uint64, hi-lo+1)
	for _, s := range [2]bucketSide{{dst, dstShift}, {src, srcShift}} {
		bc := s.b.BucketCounts()
		for i := 0; i < bc.Len(); i++ {
			idx := (int64(s.b.Offset()) + int64(i)) >> s.shift
			counts[idx-lo] += bc.At(i)
		}
	}
	dst.SetOffset(int32(lo))
	dst.BucketCounts().FromRaw(counts)
}

type bucketSide struct {
	b     pmetric.ExponentialHistogramDataPointBuckets
	shift uint
}

// bucketSpan returns how many buckets dst and src cover together once their
// indexes are shifted by dstShift and srcShift.
func bucketSpan(dst, src pmetric.ExponentialHistogramDataPointBuckets, dstShift, srcShift uint) int64 {
	lo, hi, found := bucketRange(dst, src, dstShift, srcShift)
	if !found {
		return 0
	}
	return hi - lo + 1
}

// bucketRange returns the lowest and highest bucket index of dst and src
// once their indexes are shifted; found is false when both are empty.
func bucketRange(dst, src pmetric.ExponentialHistogramDataPointBuckets, dstShift, srcShift uint) (lo, hi int64, found bool) {
	for _, s := range [2]bucketSide{{dst, dstShift}, {src, srcShift}} {
		n := s.b.BucketCounts().Len()
		if n == 0 {
			continue
		}
		first := int64(s.b.Offset()) >> s.shift
		last := (int64(s.b.Offset()) + int64(n) - 1) >> s.shift
		if !found || first < lo {
			lo = first
		}
		if !found || last > hi {
			hi = last
		}
		found = true
	}
	return lo, hi, found
}

// mergeSummaries keeps the later of two summary points of a batch:
// quantiles of different series cannot be combined.
func (m *merger) mergeSummaries(dps pmetric.SummaryDataPointSlice) {
	if dps.Len() < 2 {
		return
	}
	dup := m.plan(dps.Len(), func(i int) string {
		p := dps.At(i)
		return m.pointKey(p.Attributes(), p.Timestamp())
	})
	m.resetRemove(dps.Len())
	for i, j := range dup {
		if j < 0 || !m.mergeable(i, j) {
			continue
		}
		dps.At(i).CopyTo(dps.At(j))
		m.remove[i] = true
		m.merged(i, j)
	}
	next := m.removeMarked()
	dps.RemoveIf(func(pmetric.SummaryDataPoint) bool { return next() })
}

func minFloat(a, b float64) float64 { return min(a, b) }

func maxFloat(a, b float64) float64 { return max(a, b) }
