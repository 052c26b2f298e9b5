package spanmetricsllm

import (
	"encoding/binary"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// kind is the shape of a family.
type kind uint8

const (
	kindIntSum kind = iota
	kindDoubleSum
	kindHistogram
)

// family is one metric (a Prometheus family) and its series.
type family struct {
	name, description, unit string
	kind                    kind
	// labels are the label (attribute) names, in their order of definition.
	labels []string
	// bounds are the explicit bucket bounds of a histogram.
	bounds []float64
	// exemplars is true when the family records exemplars.
	exemplars bool
	// keep is how many leading labels keep their value on the overflow
	// series (service and env on the rastir_* families).
	keep int
	// omitEmpty leaves labels with an empty value off the data points
	// (semconv attributes are absent, not empty).
	omitEmpty bool

	// series by key; order keeps insertion order, so that output is stable.
	series map[string]*series
	order  []*series
	// normal counts the series that are not overflow series (the cap
	// applies to them), overflowSeries the others.
	normal, overflowSeries int

	// Counts since the last flush, for the connector's own telemetry.
	overflowObservations int64
	expired              int64
	reportedSeries       int64
}

// series is one label set of a family and its aggregate.
type series struct {
	key    string
	values []string
	// res is the source resource of a semconv series; nil for rastir_*.
	res *resourceEntry

	sum     float64
	count   uint64
	buckets []uint64

	start, lastSeen pcommon.Timestamp
	// sent is the time of the last flush that sent the series under
	// delta temporality: the start of its next point, so that its points
	// form an uninterrupted stream even across flushes it missed.
	sent pcommon.Timestamp
	// dirty says an observation arrived since the last flush (delta
	// temporality emits only those).
	dirty    bool
	overflow bool

	// exemplars of a sum series: the latest maxExemplars, in a ring. A
	// histogram series keeps the latest exemplar of each bucket instead
	// (bucketExemplars, allocated with its first exemplar), as Prometheus's
	// client does, so every latency bucket can point at a trace.
	exemplars       []exemplar
	exNext          int
	bucketExemplars []exemplar
}

type exemplar struct {
	ts      pcommon.Timestamp
	value   float64
	traceID pcommon.TraceID
	spanID  pcommon.SpanID
}

// observation is what one span adds to one series.
type observation struct {
	now     pcommon.Timestamp
	traceID pcommon.TraceID
	spanID  pcommon.SpanID
	// maxExemplars is 0 when exemplars are off.
	maxExemplars int
}

// keyScratch holds reusable key buffers: key for the label set asked
// for, over for its overflow series (so that key survives an overflow and
// can be reused by a family with the same labels).
type keyScratch struct {
	key, over []byte
}

// limits bound a family's series.
type limits struct {
	maxSeries int
}

func newFamily(name, unit, description string, k kind, labels []string, bounds []float64, exemplars bool, keep int) *family {
	return &family{
		name: name, unit: unit, description: description, kind: k,
		labels: labels, bounds: bounds, exemplars: exemplars, keep: keep,
		series: make(map[string]*series),
	}
}

// appendKey appends an unambiguous encoding of a label value: its length,
// then its bytes.
func appendKey(b []byte, v string) []byte {
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// lookup returns the series of values (and res), creating it if the family
// is under its cap, else returning the overflow series. Values are not
// retained unless a series is created.
func (f *family) lookup(ks *keyScratch, res *resourceEntry, values []string, lim limits, now pcommon.Timestamp) *series {
	ks.key = buildKey(ks.key[:0], res, values)
	return f.lookupKey(ks, res, values, lim, now)
}

// buildKey appends the key of values (and res) to b.
func buildKey(b []byte, res *resourceEntry, values []string) []byte {
	if res != nil {
		b = binary.AppendUvarint(b, res.id)
	}
	for _, v := range values {
		b = appendKey(b, v)
	}
	return b
}

// lookupKey is lookup with the key of values already in ks.key, so that
// families with the same labels share one key.
func (f *family) lookupKey(ks *keyScratch, res *resourceEntry, values []string, lim limits, now pcommon.Timestamp) *series {
	// A map index with string(bytes) does not allocate.
	if s, ok := f.series[string(ks.key)]; ok {
		return s
	}
	if f.normal < lim.maxSeries {
		// Series hold valid UTF-8 only (the Prometheus exporter refuses
		// any other label value): a value with invalid bytes is looked up
		// with U+FFFD in their place. Checked only before a series is
		// created: a key with invalid bytes is never stored, so it always
		// gets here. (At the cap it goes to the overflow series, whose
		// kept labels, service and env, are valid already.)
		var fixed [maxLabels]string
		if validValues(values, fixed[:len(values)]) {
			values = fixed[:len(values)]
			ks.key = buildKey(ks.key[:0], res, values)
			if s, ok := f.series[string(ks.key)]; ok {
				return s
			}
		}
		f.normal++
		return f.insert(string(ks.key), res, values, false, now)
	}
	return f.lookupOverflow(ks, res, values, lim, now)
}

// validValues fills fixed with values, invalid UTF-8 sequences replaced by
// U+FFFD, and reports whether any value had to be fixed.
func validValues(values, fixed []string) bool {
	changed := false
	for i, v := range values {
		if utf8.ValidString(v) {
			fixed[i] = v
			continue
		}
		fixed[i] = strings.ToValidUTF8(v, string(utf8.RuneError))
		changed = true
	}
	return changed
}

// validUTF8 returns v with each invalid UTF-8 sequence replaced by U+FFFD.
func validUTF8(v string) string {
	if utf8.ValidString(v) {
		return v
	}
	return strings.ToValidUTF8(v, string(utf8.RuneError))
}

// lookupOverflow returns the overflow series of values: the first keep
// labels (and the resource) keep their value, the others become
// OverflowValue. The overflow series themselves are capped too; past that
// cap every label (and the resource) is OverflowValue, so memory stays
// bounded whatever the input.
func (f *family) lookupOverflow(ks *keyScratch, res *resourceEntry, values []string, lim limits, now pcommon.Timestamp) *series {
	f.overflowObservations++
	var ov [maxLabels]string
	over := ov[:len(values)]
	for i := range over {
		over[i] = vocabulary.OverflowValue
	}
	if f.overflowSeries < lim.maxSeries {
		copy(over, values[:f.keep])
	} else {
		res = nil
	}
	b := buildKey(ks.over[:0], res, over)
	ks.over = b
	if s, ok := f.series[string(b)]; ok {
		return s
	}
	f.overflowSeries++
	return f.insert(string(b), res, over, true, now)
}

func (f *family) insert(key string, res *resourceEntry, values []string, overflow bool, now pcommon.Timestamp) *series {
	s := &series{key: key, res: res, start: now, overflow: overflow}
	s.values = make([]string, len(values))
	for i, v := range values {
		// The span's strings may share memory with a large request buffer.
		s.values[i] = strings.Clone(v)
	}
	if f.kind == kindHistogram {
		s.buckets = make([]uint64, len(f.bounds)+1)
	}
	if res != nil {
		res.refs++
	}
	f.series[key] = s
	f.order = append(f.order, s)
	return s
}

// add adds v to a sum series.
func (f *family) add(s *series, v float64, o *observation) {
	s.sum += v
	s.lastSeen = o.now
	s.dirty = true
	if f.exemplars && o.maxExemplars > 0 {
		s.addExemplar(v, o)
	}
}

// observe records v on a histogram series.
func (f *family) observe(s *series, v float64, o *observation) {
	// Bucket i counts values <= bounds[i] (Prometheus's le).
	bucket := sort.SearchFloat64s(f.bounds, v)
	s.buckets[bucket]++
	s.sum += v
	s.count++
	s.lastSeen = o.now
	s.dirty = true
	if f.exemplars && o.maxExemplars > 0 && !o.traceID.IsEmpty() {
		if s.bucketExemplars == nil {
			s.bucketExemplars = make([]exemplar, len(s.buckets))
		}
		s.bucketExemplars[bucket] = exemplar{ts: o.now, value: v, traceID: o.traceID, spanID: o.spanID}
	}
}

// addExemplar keeps the latest maxExemplars exemplars in a ring.
func (s *series) addExemplar(v float64, o *observation) {
	if o.traceID.IsEmpty() {
		return
	}
	e := exemplar{ts: o.now, value: v, traceID: o.traceID, spanID: o.spanID}
	if len(s.exemplars) < o.maxExemplars {
		s.exemplars = append(s.exemplars, e)
		return
	}
	s.exemplars[s.exNext] = e
	s.exNext = (s.exNext + 1) % len(s.exemplars)
}

// orderedExemplars calls fn on the exemplars: a sum's oldest first, a
// histogram's bucket by bucket.
func (s *series) orderedExemplars(fn func(exemplar)) {
	n := len(s.exemplars)
	for i := range n {
		fn(s.exemplars[(s.exNext+i)%n])
	}
	for _, e := range s.bucketExemplars {
		if e.ts != 0 {
			fn(e)
		}
	}
}

// afterFlush clears what only lives until a flush under delta temporality:
// the aggregate of the series sent at now, and the exemplars.
func (f *family) afterFlush(delta bool, now pcommon.Timestamp) {
	for _, s := range f.order {
		if !delta {
			// Cumulative points keep their latest exemplars, as a
			// Prometheus client's do: a scrape between two flushes, or
			// one after a quiet minute, still finds the trace.
			s.dirty = false
			continue
		}
		s.exemplars = s.exemplars[:0]
		s.exNext = 0
		clear(s.bucketExemplars)
		if s.dirty {
			s.sum, s.count = 0, 0
			clear(s.buckets)
			s.sent = now
		}
		s.dirty = false
	}
}

// expire removes the series no observation touched since cutoff.
func (f *family) expire(cutoff pcommon.Timestamp) {
	kept := f.order[:0]
	for _, s := range f.order {
		if s.lastSeen >= cutoff {
			kept = append(kept, s)
			continue
		}
		delete(f.series, s.key)
		if s.overflow {
			f.overflowSeries--
		} else {
			f.normal--
		}
		if s.res != nil {
			s.res.refs--
		}
		f.expired++
	}
	clear(f.order[len(kept):])
	f.order = kept
	if cap(f.order) > 64 && len(f.order) < cap(f.order)/4 {
		// Give back the memory of a burst of series that expired.
		f.order = slices.Clone(f.order)
	}
}
