package rastirjson

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/romshark/jscan/v2"
	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Limits bound what one batch may contain, so that a single request cannot
// make the decoder (or a downstream exporter) do unbounded work.
type Limits struct {
	// MaxAttributes is the most attributes a span, an event or the
	// resource may have from the batch, and the most keys a map nested in
	// an attribute value may have. A span's or an event's are the keys of
	// its attributes object and its fields the wire format does not define
	// (kept as rastir.wire.span.* and rastir.wire.event.*); the resource's
	// are the batch's undefined fields (rastir.wire.batch.*). A repeated key
	// counts once; the attributes the decoder derives from defined fields
	// (rastir.wire.span_type, rastir.wire.duration_ms, a raw id or status,
	// service.name and the like) do not count.
	MaxAttributes int
	// MaxEvents is the most events one span may have.
	MaxEvents int
	// MaxValueDepth is the deepest an attribute value may nest lists and
	// maps (a scalar has depth 0, a list of scalars depth 1). OTLP peers
	// refuse deeply nested protobuf, so the limit protects the pipeline too.
	MaxValueDepth int
	// MaxValuesPerBatch is the most values one batch may carry: spans,
	// events and attribute values (scalars, list items and map entries,
	// counted through every level). A value costs about fifty times more
	// as pdata than as JSON, and an empty span far more, so this bounds the
	// memory one request can claim.
	MaxValuesPerBatch int
}

// DefaultLimits are generous for any real client (the Rastir client sends
// about 10 attributes and at most one event per span) and match the
// OpenTelemetry SDK's default span limits.
func DefaultLimits() Limits {
	return Limits{MaxAttributes: 128, MaxEvents: 128, MaxValueDepth: 16, MaxValuesPerBatch: 1 << 18}
}

// Decoder turns Rastir batches into pdata traces.
type Decoder struct {
	limits     Limits
	spareAttrs bool
	// droppedKeys are span attribute keys left out of the spans.
	droppedKeys []string
	// states is a free list of parser states, not a sync.Pool: a pool is
	// emptied by every second garbage collection, which under load comes
	// dozens of times a second, and a fresh state regrows its parser cache
	// and string table.
	states chan *state
}

// maxKeptStateBody is the largest body after which a state is kept: the
// parser cache grows to the largest batch parsed and never shrinks.
const maxKeptStateBody = 1 << 20

// Option configures a Decoder.
type Option func(*Decoder)

// WithSpareAttributeCapacity makes each span's attributes start with room
// for as many attributes again as it was decoded with. A processor that
// adds keys then writes them in place: llm_enrich adds canonical keys to
// nearly every Rastir span (a Rastir LLM span's 11 attributes become 20),
// and without the room it reallocates and copies every span's attributes.
func WithSpareAttributeCapacity() Option { return func(d *Decoder) { d.spareAttrs = true } }

// WithoutSpanAttributes leaves the given span attribute keys out of the
// decoded spans (a receiver that sets them from the request, such as the
// tenant, so that a client cannot say otherwise on its spans).
func WithoutSpanAttributes(keys ...string) Option {
	return func(d *Decoder) { d.droppedKeys = append(d.droppedKeys, keys...) }
}

// NewDecoder returns a Decoder that enforces limits. A zero field means no
// limit for that field.
func NewDecoder(limits Limits, opts ...Option) *Decoder {
	d := &Decoder{limits: limits}
	for _, o := range opts {
		o(d)
	}
	// Decoding is CPU-bound, so about as many states as processors are
	// busy at once; the rest of the concurrent requests use a state each
	// that is dropped afterwards.
	d.states = make(chan *state, 4*runtime.GOMAXPROCS(0))
	return d
}

func (d *Decoder) getState() *state {
	select {
	case st := <-d.states:
		return st
	default:
		st := newState(d.limits)
		st.spareAttrs = d.spareAttrs
		st.droppedKeys = d.droppedKeys
		return st
	}
}

func (d *Decoder) putState(st *state, bodyLen int) {
	if bodyLen > maxKeptStateBody {
		return
	}
	select {
	case d.states <- st:
	default:
	}
}

// Decode parses one POST /v1/telemetry body. On success every span of the
// batch is in the returned traces (one ResourceSpans, one ScopeSpans). On
// failure the error is an *Error and nothing is returned.
func (d *Decoder) Decode(body []byte) (ptrace.Traces, error) {
	// Python's json.loads, which reads Rastir's bodies, skips a UTF-8 byte
	// order mark.
	body = bytes.TrimPrefix(body, utf8BOM)
	if err := checkEncoding(body); err != nil {
		return ptrace.Traces{}, err
	}
	if err := d.checkJSONValues(body); err != nil {
		return ptrace.Traces{}, err
	}
	st := d.getState()
	td, err := st.decode(body)
	d.putState(st, len(body))
	if err != nil {
		return ptrace.Traces{}, err
	}
	return td, nil
}

var utf8BOM = []byte("\xef\xbb\xbf")

// jsonValuesPerBudgetValue is how many JSON values a batch may hold for
// each value of its budget (MaxValuesPerBatch), checked before parsing.
// The parser keeps every value it builds until it ends, about 500 bytes
// each with the copies its growing cache leaves behind, so 10 MiB of "0,"
// held 2.5 GiB before the budget could refuse it. The Rastir client's
// batches hold about 3 JSON values per budgeted value: a span's own
// fields are JSON values the budget does not count.
const jsonValuesPerBudgetValue = 4

// Bytes that open or separate JSON values: a body holds at most one value
// more than it has of them.
var (
	valueComma = []byte{','}
	listOpen   = []byte{'['}
	objectOpen = []byte{'{'}
)

// checkJSONValues refuses a body holding more JSON values than its budget
// allows before the parser builds them. Counting the bytes that open or
// separate values bounds the count from above at memory speed; only a body
// over the cap by that bound (strings count too: a prompt has commas) is
// scanned for the exact count, which stops at the cap.
func (d *Decoder) checkJSONValues(body []byte) *Error {
	if d.limits.MaxValuesPerBatch <= 0 {
		return nil
	}
	maxValues := math.MaxInt // a budget four times which overflows: no cap
	if d.limits.MaxValuesPerBatch <= math.MaxInt/jsonValuesPerBudgetValue {
		maxValues = jsonValuesPerBudgetValue * d.limits.MaxValuesPerBatch
	}
	if bytes.Count(body, valueComma)+bytes.Count(body, listOpen)+bytes.Count(body, objectOpen) < maxValues {
		return nil
	}
	values := 0
	err := jscan.Scan(body, func(*jscan.Iterator[[]byte]) bool {
		values++
		return values > maxValues
	})
	if !err.IsErr() || values <= maxValues {
		// Within the cap, or not JSON before the cap was reached: the
		// parser then says what is wrong with it.
		return nil
	}
	return fieldError("the batch holds more than %d JSON values (%d for each of the %d values of its budget); send fewer or smaller spans per batch",
		maxValues, jsonValuesPerBudgetValue, d.limits.MaxValuesPerBatch)
}

// checkEncoding refuses bodies that are not UTF-8 text, with a reason that
// tells a client what it most likely did wrong.
func checkEncoding(body []byte) *Error {
	switch {
	case len(body) >= 2 && body[0] == 0x1f && body[1] == 0x8b:
		return invalidJSON("the body is gzip-compressed; send it with the header 'Content-Encoding: gzip'")
	case len(body) >= 4 && body[0] == 0x28 && body[1] == 0xb5 && body[2] == 0x2f && body[3] == 0xfd:
		return invalidJSON("the body is zstd-compressed; send it with the header 'Content-Encoding: zstd'")
	case !utf8.Valid(body):
		return invalidJSON("the body is not valid UTF-8")
	}
	return nil
}

// maxInterned bounds the per-parser string table; keys and short values
// (attribute names, models, providers, agents) repeat across spans, so
// reusing their strings saves most string allocations.
const (
	maxInterned    = 4096
	maxInternedLen = 64
)

// spanFields holds the fields of the span being decoded, as found by one
// pass over its JSON object (a repeated key keeps its last value, as in
// Python's json module).
type spanFields struct {
	traceID, spanID, parentSpanID, parentID *fastjson.Value
	spanType, name, start, end, duration    *fastjson.Value
	status, attributes, events              *fastjson.Value
	// wireType is the last "type"; extra holds every occurrence of the
	// other fields (and of a "type" other than "span").
	wireType *fastjson.Value
	extra    []extraField
}

// eventFields holds the fields of the event being decoded, as spanFields
// does for the span.
type eventFields struct {
	name, timestamp, attributes *fastjson.Value
	// others counts the occurrences of fields events do not define.
	others int
}

type extraField struct {
	key   string
	value *fastjson.Value
}

// state is the per-goroutine part of a Decoder.
type state struct {
	limits      Limits
	spareAttrs  bool
	droppedKeys []string
	parser      fastjson.Parser
	intern      map[string]string
	recent      [256]string // a direct-mapped cache in front of intern
	num         []byte

	// Per-batch and per-span scratch.
	now       pcommon.Timestamp
	spanIndex int
	values    int
	fields    spanFields
	event     eventFields

	// Method values cached once, so that visiting objects does not
	// allocate a closure per span or event.
	visitSpanField, visitEventField func(key []byte, v *fastjson.Value)
}

func newState(limits Limits) *state {
	st := &state{limits: limits, intern: make(map[string]string, 256)}
	st.visitSpanField = st.collectSpanField
	st.visitEventField = st.collectEventField
	return st
}

func (st *state) decode(body []byte) (ptrace.Traces, *Error) {
	root, err := st.parser.ParseBytes(body)
	if err != nil {
		return ptrace.Traces{}, invalidJSON(err.Error())
	}
	batch, err := root.Object()
	if err != nil {
		return ptrace.Traces{}, &Error{Detail: DetailNotObject}
	}
	spansValue := lastValue(batch, vocabulary.WireSpans)
	if spansValue == nil || spansValue.Type() != fastjson.TypeArray {
		return ptrace.Traces{}, &Error{Detail: DetailSpans}
	}
	spans, _ := spansValue.Array()
	if len(spans) == 0 {
		return ptrace.Traces{}, &Error{Detail: DetailSpans}
	}

	st.now = pcommon.NewTimestampFromTime(time.Now())
	st.values = 0
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	if e := st.decodeBatchFields(batch, rs.Resource().Attributes()); e != nil {
		return ptrace.Traces{}, e
	}
	scope := rs.ScopeSpans().AppendEmpty()
	// The Rastir client is the spans' instrumentation; the scope also tells
	// later components which dialect the attributes speak.
	scope.Scope().SetName(vocabulary.ScopeRastir)
	out := scope.Spans()
	out.EnsureCapacity(len(spans))
	for i, sv := range spans {
		st.spanIndex = i
		obj, err := sv.Object()
		if err != nil {
			return ptrace.Traces{}, fieldError("'spans[%d]' must be a JSON object, not %s", i, typeName(sv))
		}
		if st.overBudget() {
			return ptrace.Traces{}, st.budgetError(st.at(""))
		}
		if e := st.decodeSpan(obj, out.AppendEmpty()); e != nil {
			return ptrace.Traces{}, e
		}
	}
	return td, nil
}

// lastValue is the value of key in obj. A repeated key keeps its last
// value, as in Python's json module (fastjson's Get returns the first).
func lastValue(obj *fastjson.Object, key string) *fastjson.Value {
	var last *fastjson.Value
	obj.Visit(func(k []byte, v *fastjson.Value) {
		if string(k) == key {
			last = v
		}
	})
	return last
}

// decodeBatchFields maps service, env and version to resource attributes and
// keeps any other batch field under rastir.wire.batch.*.
func (st *state) decodeBatchFields(batch *fastjson.Object, res pcommon.Map) *Error {
	// The last occurrence of each field, so that a later null gives the
	// default as if it had been sent alone.
	var serviceValue, envValue, versionValue *fastjson.Value
	others := 0
	batch.Visit(func(key []byte, v *fastjson.Value) {
		switch string(key) {
		case vocabulary.WireSpans:
		case vocabulary.WireService:
			serviceValue = v
		case vocabulary.WireEnv:
			envValue = v
		case vocabulary.WireVersion:
			versionValue = v
		default:
			others++
		}
	})
	if others > 0 {
		if e := st.decodeOtherBatchFields(batch, others, res); e != nil {
			return e
		}
	}
	service, ok, e := st.optionalString(serviceValue, batchField(vocabulary.WireService))
	if e != nil {
		return e
	}
	if !ok {
		service = vocabulary.UnknownService
	}
	env, ok, e := st.optionalString(envValue, batchField(vocabulary.WireEnv))
	if e != nil {
		return e
	}
	if !ok {
		env = vocabulary.UnknownEnv
	}
	version, hasVersion, e := st.optionalString(versionValue, batchField(vocabulary.WireVersion))
	if e != nil {
		return e
	}
	res.PutStr(vocabulary.ResourceServiceName, service)
	res.PutStr(vocabulary.ResourceDeploymentEnvironmentName, env)
	if hasVersion {
		res.PutStr(vocabulary.ResourceServiceVersion, version)
	}
	return nil
}

// decodeOtherBatchFields keeps the batch's fields the wire format does not
// define as rastir.wire.batch.* resource attributes; at most MaxAttributes
// of them. others counts their occurrences.
func (st *state) decodeOtherBatchFields(batch *fastjson.Object, others int, res pcommon.Map) *Error {
	if st.limits.MaxAttributes > 0 && others > st.limits.MaxAttributes {
		// Counted again with each key once.
		if n := distinctOtherKeys(batch, isBatchField); n > st.limits.MaxAttributes {
			return fieldError("the batch has %d fields the wire format does not define (kept as resource attributes %s<field>); at most %d are allowed",
				n, vocabulary.WireKeyBatchFieldPrefix, st.limits.MaxAttributes)
		}
	}
	res.EnsureCapacity(st.capacity(others) + 3)
	var last lastValues
	var e *Error
	batch.Visit(func(key []byte, v *fastjson.Value) {
		if e != nil {
			return
		}
		if isBatchField(key) {
			return
		}
		k := vocabulary.WireKeyBatchFieldPrefix + string(key)
		if err := st.setValue(res.PutEmpty(k), v, 0); err != nil && !last.superseded(batch, string(key), v) {
			e = err.at(string(key))
		}
	})
	return e
}

// lastValues maps each key of an object to the value of its last
// occurrence.
type lastValues map[string]*fastjson.Value

// superseded reports whether v, a value of key in obj, is followed by a
// later occurrence of key. Python's json.loads keeps the last occurrence of
// a repeated key, so an earlier one is neither kept (the later one
// overwrites it) nor checked: a problem found in it is dropped when this
// reports true. It is only asked once a problem is found, and builds the
// map the first time, so the common path builds nothing and a body that
// repeats a bad key many times still costs linear time.
func (lv *lastValues) superseded(obj *fastjson.Object, key string, v *fastjson.Value) bool {
	if *lv == nil {
		m := make(lastValues, obj.Len())
		obj.Visit(func(k []byte, kv *fastjson.Value) { m[string(k)] = kv })
		*lv = m
	}
	return (*lv)[key] != v
}

// distinctKeys counts the keys of obj, a repeated key once, as a limit on
// keys must count them. It builds a set, so it is only called for an
// object whose Len is over the limit.
func distinctKeys(obj *fastjson.Object) int { return distinctOtherKeys(obj, nil) }

// distinctOtherKeys counts the keys of obj that defined (if not nil) does
// not report, a repeated key once. Only called over the limit.
func distinctOtherKeys(obj *fastjson.Object, defined func(key []byte) bool) int {
	seen := make(map[string]struct{}, obj.Len())
	obj.Visit(func(k []byte, _ *fastjson.Value) {
		if _, ok := seen[string(k)]; !ok && (defined == nil || !defined(k)) {
			seen[string(k)] = struct{}{}
		}
	})
	return len(seen)
}

// isBatchField reports whether the wire format defines key for the batch.
func isBatchField(key []byte) bool {
	switch string(key) {
	case vocabulary.WireSpans, vocabulary.WireService, vocabulary.WireEnv, vocabulary.WireVersion:
		return true
	}
	return false
}

// isEventField reports whether the wire format defines key for an event.
func isEventField(key []byte) bool {
	switch string(key) {
	case vocabulary.WireEventName, vocabulary.WireEventTimestamp, vocabulary.WireEventAttributes:
		return true
	}
	return false
}

// occurrences is the number of key occurrences in obj, which may be nil.
func occurrences(obj *fastjson.Object) int {
	if obj == nil {
		return 0
	}
	return obj.Len()
}

// distinctFields counts the span's fields the wire format does not define,
// a repeated one once. Only called over the limit.
func distinctFields(fields []extraField) int {
	seen := make(map[string]struct{}, len(fields))
	for _, x := range fields {
		seen[x.key] = struct{}{}
	}
	return len(seen)
}

// attributeCountError refuses a span or an event (at where) whose
// attributes are over MaxAttributes: the keys of its attributes object
// (obj, which may be nil) and its fields the wire format does not define,
// which the decoder keeps as attributes under prefix. Callers compare
// occurrences with the limit first; this counts a repeated key once, so it
// returns nil for an object over the limit only by repeating keys.
func (st *state) attributeCountError(where fieldPath, attributesField string, obj *fastjson.Object, fields int, prefix string) *Error {
	keys := 0
	if obj != nil {
		keys = distinctKeys(obj)
	}
	if keys+fields <= st.limits.MaxAttributes {
		return nil
	}
	if fields == 0 {
		return fieldError("'%s' has %d keys; at most %d are allowed", where.with(attributesField), keys, st.limits.MaxAttributes)
	}
	return fieldError("'%s' has %d attributes: %d in '%s' and %d from fields the wire format does not define (kept as %s<field>); at most %d are allowed",
		where, keys+fields, keys, attributesField, fields, prefix, st.limits.MaxAttributes)
}

// capacity is the room to make for n attribute occurrences: no more than
// the limit allows to be distinct, since a repeated key takes one place.
func (st *state) capacity(n int) int {
	if st.limits.MaxAttributes > 0 && n > st.limits.MaxAttributes {
		return st.limits.MaxAttributes
	}
	return n
}

func (st *state) collectSpanField(key []byte, v *fastjson.Value) {
	f := &st.fields
	switch string(key) {
	case vocabulary.WireTraceID:
		f.traceID = v
	case vocabulary.WireSpanID:
		f.spanID = v
	case vocabulary.WireParentSpanID:
		f.parentSpanID = v
	case vocabulary.WireParentID:
		f.parentID = v
	case vocabulary.WireSpanType:
		f.spanType = v
	case vocabulary.WireName:
		f.name = v
	case vocabulary.WireStartTime:
		f.start = v
	case vocabulary.WireEndTime:
		f.end = v
	case vocabulary.WireDurationMs:
		f.duration = v
	case vocabulary.WireStatus:
		f.status = v
	case vocabulary.WireAttributes:
		f.attributes = v
	case vocabulary.WireEvents:
		f.events = v
	case vocabulary.WireType:
		// Clients always send "span"; any other value is kept.
		f.wireType = v
		if isSpanTypeSpan(v) {
			return
		}
		f.extra = append(f.extra, extraField{key: st.str(key), value: v})
	default:
		// A repeated field is kept once: its attribute is put again.
		f.extra = append(f.extra, extraField{key: st.str(key), value: v})
	}
}

// isSpanTypeSpan reports whether v is the string "span", what clients send
// as the span's type.
func isSpanTypeSpan(v *fastjson.Value) bool {
	b, err := v.StringBytes()
	return err == nil && string(b) == vocabulary.WireTypeSpan
}

func (st *state) decodeSpan(obj *fastjson.Object, span ptrace.Span) *Error {
	st.fields = spanFields{extra: st.fields.extra[:0]}
	obj.Visit(st.visitSpanField)
	f := &st.fields
	if len(f.extra) > 0 && f.wireType != nil && isSpanTypeSpan(f.wireType) {
		// A later "type":"span" makes an earlier other type absent.
		f.extra = slices.DeleteFunc(f.extra, func(x extraField) bool { return x.key == vocabulary.WireType })
	}
	attrs := span.Attributes()
	// Room for the decoded attributes and the two the decoder may add.
	n := st.capacity(objectLen(f.attributes)+len(f.extra)) + 2
	if st.spareAttrs {
		n *= 2
	}
	attrs.EnsureCapacity(n)

	// Attributes first: the status message may come from error.message.
	if err := st.decodeAttributes(f.attributes, f.extra, attrs); err != nil {
		return err
	}
	exceptionMessage, err := st.decodeEvents(f.events, span.Events())
	if err != nil {
		return err
	}

	// Ids.
	traceID, keepTrace, err := st.traceID(f.traceID)
	if err != nil {
		return err
	}
	span.SetTraceID(traceID)
	if keepTrace {
		attrs.PutStr(vocabulary.WireKeyTraceID, st.rawString(f.traceID))
	}
	spanID, keepSpan, present, err := st.spanID(f.spanID, vocabulary.WireSpanID)
	if err != nil {
		return err
	}
	if !present {
		spanID = randomSpanID()
	}
	span.SetSpanID(spanID)
	if keepSpan {
		attrs.PutStr(vocabulary.WireKeySpanID, st.rawString(f.spanID))
	}
	parentValue, parentField := f.parentSpanID, vocabulary.WireParentSpanID
	if !truthyString(parentValue) && truthyString(f.parentID) {
		parentValue, parentField = f.parentID, vocabulary.WireParentID
	}
	parentID, keepParent, hasParent, err := st.spanID(parentValue, parentField)
	if err != nil {
		return err
	}
	if hasParent {
		span.SetParentSpanID(parentID)
		span.SetKind(ptrace.SpanKindInternal)
		if keepParent {
			attrs.PutStr(vocabulary.WireKeyParentSpanID, st.rawString(parentValue))
		}
	} else {
		// Rastir exports its root spans as SERVER spans.
		span.SetKind(ptrace.SpanKindServer)
	}

	// Name and type.
	name, ok, err := st.optionalString(f.name, st.at(vocabulary.WireName))
	if err != nil {
		return err
	}
	if !ok {
		name = vocabulary.WireUnknownName
	}
	span.SetName(name)
	if spanType, ok, err := st.optionalString(f.spanType, st.at(vocabulary.WireSpanType)); err != nil {
		return err
	} else if ok {
		attrs.PutStr(vocabulary.WireKeySpanType, spanType)
	}

	// Times.
	start, hasStart, err := st.timestamp(f.start, vocabulary.WireStartTime)
	if err != nil {
		return err
	}
	end, hasEnd, err := st.timestamp(f.end, vocabulary.WireEndTime)
	if err != nil {
		return err
	}
	durationMs, hasDuration, err := st.nonNegative(f.duration, st.at(vocabulary.WireDurationMs))
	if err != nil {
		return err
	}
	if hasDuration {
		attrs.PutDouble(vocabulary.WireKeyDurationMs, durationMs)
	}
	if !hasStart {
		start = st.now
	}
	if !hasEnd {
		end = st.now
	}
	if start > end {
		// The rule of Rastir's OTLP export: trust the measured duration,
		// else assume the two times were swapped. A duration that would
		// end the span past the last timestamp is no measurement.
		room := math.MaxUint64 - uint64(end)
		if d := durationMs * 1e6; durationMs > 0 && d < float64(room) && uint64(d) <= room {
			start = end
			end = start + pcommon.Timestamp(d)
		} else {
			start, end = end, start
		}
	}
	span.SetStartTimestamp(start)
	span.SetEndTimestamp(end)

	// Status.
	status, ok, err := st.optionalString(f.status, st.at(vocabulary.WireStatus))
	if err != nil {
		return err
	}
	switch {
	case !ok || status == vocabulary.WireStatusOK:
		span.Status().SetCode(ptrace.StatusCodeOk)
	case status == vocabulary.WireStatusError:
		span.Status().SetCode(ptrace.StatusCodeError)
		if msg, found := attrs.Get(vocabulary.RastirAttrErrorMessage); found && msg.Type() == pcommon.ValueTypeStr && msg.Str() != "" {
			span.Status().SetMessage(msg.Str())
		} else {
			span.Status().SetMessage(exceptionMessage)
		}
	default:
		// Rastir treats every status but "ERROR" as success and labels
		// metrics with the raw string, so keep it.
		span.Status().SetCode(ptrace.StatusCodeOk)
		attrs.PutStr(vocabulary.WireKeyStatus, status)
	}

	var last lastValues
	for _, x := range f.extra {
		k := vocabulary.WireKeySpanFieldPrefix + x.key
		if err := st.setValue(attrs.PutEmpty(k), x.value, 0); err != nil && !last.superseded(obj, x.key, x.value) {
			return err.at(st.spanPath(x.key))
		}
	}
	return nil
}

// decodeAttributes puts the span's attributes object in attrs, after
// checking that it and the span's fields the wire format does not define
// (which become attributes too) are within MaxAttributes.
func (st *state) decodeAttributes(v *fastjson.Value, fields []extraField, attrs pcommon.Map) *Error {
	var obj *fastjson.Object
	if v != nil && v.Type() != fastjson.TypeNull {
		o, err := v.Object()
		if err != nil {
			return fieldError("'%s' must be a JSON object, not %s", st.spanPath(vocabulary.WireAttributes), typeName(v))
		}
		obj = o
	}
	if st.limits.MaxAttributes > 0 && occurrences(obj)+len(fields) > st.limits.MaxAttributes {
		if e := st.attributeCountError(st.at(""), vocabulary.WireAttributes, obj, distinctFields(fields), vocabulary.WireKeySpanFieldPrefix); e != nil {
			return e
		}
	}
	if obj == nil {
		return nil
	}
	var last lastValues
	var e *Error
	obj.Visit(func(key []byte, v *fastjson.Value) {
		if e != nil {
			return
		}
		k, known := rastirAttributeKey(key)
		if !known {
			k = st.str(key)
		}
		if len(st.droppedKeys) > 0 && slices.Contains(st.droppedKeys, k) {
			return
		}
		val := attrs.PutEmpty(k)
		if verr := st.setValue(val, v, 0); verr != nil {
			if !last.superseded(obj, k, v) {
				e = verr.at(st.spanPath(vocabulary.WireAttributes + "." + k))
			}
			return
		}
		// The number as already converted: parsing it again cost more than
		// the check.
		if isNegative(val) && isNonNegativeKey(k) && !last.superseded(obj, k, v) {
			e = fieldError("'%s' must not be negative", st.spanPath(vocabulary.WireAttributes+"."+k))
		}
	})
	return e
}

// rastirAttributeKey returns the constant for a key the Rastir client sends
// on most spans; a switch on the bytes finds it faster than a map lookup.
func rastirAttributeKey(b []byte) (string, bool) {
	switch string(b) {
	case vocabulary.RastirAttrModel:
		return vocabulary.RastirAttrModel, true
	case vocabulary.RastirAttrProvider:
		return vocabulary.RastirAttrProvider, true
	case vocabulary.RastirAttrAgent:
		return vocabulary.RastirAttrAgent, true
	case vocabulary.RastirAttrTokensInput:
		return vocabulary.RastirAttrTokensInput, true
	case vocabulary.RastirAttrTokensOutput:
		return vocabulary.RastirAttrTokensOutput, true
	case vocabulary.RastirAttrCostUSD:
		return vocabulary.RastirAttrCostUSD, true
	case vocabulary.RastirAttrPricingProfile:
		return vocabulary.RastirAttrPricingProfile, true
	case vocabulary.RastirAttrPricingMissing:
		return vocabulary.RastirAttrPricingMissing, true
	case vocabulary.RastirAttrTTFTMs:
		return vocabulary.RastirAttrTTFTMs, true
	}
	return "", false
}

// isNegative reports whether v is a number below zero.
func isNegative(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int() < 0
	case pcommon.ValueTypeDouble:
		return v.Double() < 0
	}
	return false
}

func isNonNegativeKey(k string) bool {
	for _, n := range vocabulary.NonNegativeRastirNumbers {
		if k == n {
			return true
		}
	}
	return false
}

// decodeEvents appends the span's events and returns the message of its
// first exception event (Rastir's fallback for the status message).
func (st *state) decodeEvents(v *fastjson.Value, events ptrace.SpanEventSlice) (string, *Error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return "", nil
	}
	list, err := v.Array()
	if err != nil {
		return "", fieldError("'%s' must be a list, not %s", st.spanPath(vocabulary.WireEvents), typeName(v))
	}
	if st.limits.MaxEvents > 0 && len(list) > st.limits.MaxEvents {
		return "", fieldError("'%s' has %d events; at most %d are allowed", st.spanPath(vocabulary.WireEvents), len(list), st.limits.MaxEvents)
	}
	events.EnsureCapacity(len(list))
	exceptionMessage := ""
	for j, ev := range list {
		path := fieldPath{span: st.spanIndex, event: j}
		obj, err := ev.Object()
		if err != nil {
			return "", fieldError("'%s' must be a JSON object, not %s", path, typeName(ev))
		}
		if st.overBudget() {
			return "", st.budgetError(path)
		}
		out := events.AppendEmpty()
		st.event = eventFields{}
		obj.Visit(st.visitEventField)
		f := &st.event
		name, _, e := st.optionalString(f.name, path.with(vocabulary.WireEventName))
		if e != nil {
			return "", e
		}
		out.SetName(name)
		ts, hasTimestamp, e := st.seconds(f.timestamp, path.with(vocabulary.WireEventTimestamp))
		if e != nil {
			return "", e
		}
		if !hasTimestamp {
			ts = st.now
		}
		out.SetTimestamp(ts)
		if e := st.decodeEventAttributes(obj, path, out.Attributes()); e != nil {
			return "", e
		}
		if exceptionMessage == "" && name == vocabulary.EventException {
			if m, ok := out.Attributes().Get(vocabulary.AttrExceptionMessage); ok && m.Type() == pcommon.ValueTypeStr {
				exceptionMessage = m.Str()
			}
		}
	}
	return exceptionMessage, nil
}

// collectEventField notes the last occurrence of each field an event
// defines, and counts the others.
func (st *state) collectEventField(key []byte, v *fastjson.Value) {
	f := &st.event
	switch string(key) {
	case vocabulary.WireEventName:
		f.name = v
	case vocabulary.WireEventTimestamp:
		f.timestamp = v
	case vocabulary.WireEventAttributes:
		f.attributes = v
	default:
		f.others++
	}
}

// decodeEventAttributes puts an event's attributes, and the fields the wire
// format does not define for events as rastir.wire.event.*, in attrs.
func (st *state) decodeEventAttributes(ev *fastjson.Object, path fieldPath, attrs pcommon.Map) *Error {
	f := &st.event
	var obj *fastjson.Object
	if f.attributes != nil && f.attributes.Type() != fastjson.TypeNull {
		o, err := f.attributes.Object()
		if err != nil {
			return fieldError("'%s' must be a JSON object, not %s", path.with(vocabulary.WireEventAttributes), typeName(f.attributes))
		}
		obj = o
	}
	if st.limits.MaxAttributes > 0 && occurrences(obj)+f.others > st.limits.MaxAttributes {
		fields := 0
		if f.others > 0 {
			fields = distinctOtherKeys(ev, isEventField)
		}
		if e := st.attributeCountError(path, vocabulary.WireEventAttributes, obj, fields, vocabulary.WireKeyEventFieldPrefix); e != nil {
			return e
		}
	}
	var last lastValues
	var e *Error
	if obj != nil {
		attrs.EnsureCapacity(st.capacity(obj.Len() + f.others))
		obj.Visit(func(key []byte, v *fastjson.Value) {
			if e != nil {
				return
			}
			k := st.str(key)
			if err := st.setValue(attrs.PutEmpty(k), v, 0); err != nil && !last.superseded(obj, k, v) {
				e = err.at(path.with(vocabulary.WireEventAttributes + "." + k).String())
			}
		})
		if e != nil {
			return e
		}
	}
	if f.others == 0 {
		return nil
	}
	var lastField lastValues
	ev.Visit(func(key []byte, v *fastjson.Value) {
		if e != nil {
			return
		}
		if isEventField(key) {
			return
		}
		k := vocabulary.WireKeyEventFieldPrefix + string(key)
		if err := st.setValue(attrs.PutEmpty(k), v, 0); err != nil && !lastField.superseded(ev, string(key), v) {
			e = err.at(path.with(string(key)).String())
		}
	})
	return e
}

// valueError is an attribute value the decoder refuses; at() names where.
type valueError struct {
	problem string
}

func (v *valueError) at(path string) *Error {
	if v.problem == "" {
		return nil
	}
	return fieldError("'%s' %s", path, v.problem)
}

// setValue stores a JSON value in a pdata value, keeping its JSON type:
// strings, integers (when the literal is an integer that fits int64),
// doubles, booleans, null (an empty value), lists and maps.
func (st *state) setValue(dst pcommon.Value, v *fastjson.Value, depth int) *valueError {
	if st.overBudget() {
		return &valueError{problem: "exceeds the batch's budget of " + strconv.Itoa(st.limits.MaxValuesPerBatch) + " attribute values; send fewer or smaller spans per batch"}
	}
	switch v.Type() {
	case fastjson.TypeString:
		b, _ := v.StringBytes()
		dst.SetStr(st.str(b))
	case fastjson.TypeNumber:
		st.num = v.MarshalTo(st.num[:0])
		if isIntegerLiteral(st.num) {
			if i, err := strconv.ParseInt(unsafeString(st.num), 10, 64); err == nil {
				dst.SetInt(i)
				return nil
			}
		}
		f, err := strconv.ParseFloat(unsafeString(st.num), 64)
		ok := err == nil
		if !ok {
			return &valueError{problem: "is not a valid JSON number"}
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return &valueError{problem: "must be a finite number"}
		}
		dst.SetDouble(f)
	case fastjson.TypeTrue:
		dst.SetBool(true)
	case fastjson.TypeFalse:
		dst.SetBool(false)
	case fastjson.TypeNull:
		// An empty pdata value is OTLP's null.
	case fastjson.TypeArray:
		if st.limits.MaxValueDepth > 0 && depth >= st.limits.MaxValueDepth {
			return &valueError{problem: "nests lists and maps deeper than " + strconv.Itoa(st.limits.MaxValueDepth) + " levels"}
		}
		list, _ := v.Array()
		s := dst.SetEmptySlice()
		s.EnsureCapacity(len(list))
		for _, item := range list {
			if err := st.setValue(s.AppendEmpty(), item, depth+1); err != nil {
				return err
			}
		}
	case fastjson.TypeObject:
		if st.limits.MaxValueDepth > 0 && depth >= st.limits.MaxValueDepth {
			return &valueError{problem: "nests lists and maps deeper than " + strconv.Itoa(st.limits.MaxValueDepth) + " levels"}
		}
		obj, _ := v.Object()
		if st.limits.MaxAttributes > 0 && obj.Len() > st.limits.MaxAttributes {
			if n := distinctKeys(obj); n > st.limits.MaxAttributes {
				return &valueError{problem: "is a map with " + strconv.Itoa(n) + " keys; at most " + strconv.Itoa(st.limits.MaxAttributes) + " are allowed"}
			}
		}
		m := dst.SetEmptyMap()
		m.EnsureCapacity(st.capacity(obj.Len()))
		var last lastValues
		var e *valueError
		obj.Visit(func(key []byte, item *fastjson.Value) {
			if e == nil {
				k := st.str(key)
				e = st.setValue(m.PutEmpty(k), item, depth+1)
				if e != nil && last.superseded(obj, k, item) {
					e = nil
				}
			}
		})
		return e
	}
	return nil
}

// overBudget counts one more value (an attribute value, a span or an
// event) and reports whether the batch is over MaxValuesPerBatch. Spans and
// events count because even an empty one, "{}" on the wire, costs hundreds
// of bytes as pdata.
func (st *state) overBudget() bool {
	st.values++
	return st.limits.MaxValuesPerBatch > 0 && st.values > st.limits.MaxValuesPerBatch
}

// budgetError is the refusal of a span or an event over the batch's budget.
func (st *state) budgetError(path fieldPath) *Error {
	return fieldError("'%s' exceeds the batch's budget of %d values (spans, events and attribute values); send fewer or smaller spans per batch", path, st.limits.MaxValuesPerBatch)
}

// optionalString reads a field that must be a string when present; null and
// absence both report ok=false.
func (st *state) optionalString(v *fastjson.Value, path fieldPath) (string, bool, *Error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return "", false, nil
	}
	b, err := v.StringBytes()
	if err != nil {
		return "", false, fieldError("'%s' must be a string, not %s", path, typeName(v))
	}
	return st.str(b), true, nil
}

// nonNegative reads a field that must be a finite, non-negative number when
// present.
func (st *state) nonNegative(v *fastjson.Value, path fieldPath) (float64, bool, *Error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return 0, false, nil
	}
	if v.Type() != fastjson.TypeNumber {
		return 0, false, fieldError("'%s' must be a number, not %s", path, typeName(v))
	}
	f, ok := st.float(v)
	if !ok {
		return 0, false, fieldError("'%s' is not a valid JSON number", path)
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, false, fieldError("'%s' must be a finite, non-negative number", path)
	}
	return f, true, nil
}

func (st *state) timestamp(v *fastjson.Value, field string) (pcommon.Timestamp, bool, *Error) {
	return st.seconds(v, st.at(field))
}

// float parses a JSON number with strconv, which rounds correctly (the
// parser's own float conversion is off in the last digit for values such as
// 1.68e-05, and attribute values must arrive unchanged).
func (st *state) float(v *fastjson.Value) (float64, bool) {
	st.num = v.MarshalTo(st.num[:0])
	f, err := strconv.ParseFloat(unsafeString(st.num), 64)
	return f, err == nil
}

// isIntegerLiteral reports whether a JSON number literal is written as an
// integer (the JSON type Python's json module gives int), e.g. 120 but not
// 120.0 or 1e2.
func isIntegerLiteral(lit []byte) bool {
	for _, c := range lit {
		if c == '.' || c == 'e' || c == 'E' || c == 'n' || c == 'N' || c == 'i' || c == 'I' {
			return false
		}
	}
	return len(lit) > 0
}

// maxEpochSeconds keeps nanoseconds within uint64 (the year 2554).
const maxEpochSeconds = math.MaxUint64 / 1e9

// seconds converts Unix epoch seconds to a timestamp. Plain decimal
// literals (what clients send) convert exactly to the nanosecond, without
// the rounding of a float64 multiplication.
func (st *state) seconds(v *fastjson.Value, path fieldPath) (pcommon.Timestamp, bool, *Error) {
	if v != nil && v.Type() == fastjson.TypeNumber {
		// Fast path: a plain decimal literal is non-negative and in range
		// by construction.
		st.num = v.MarshalTo(st.num[:0])
		if ns, exact := exactNanos(st.num); exact {
			return pcommon.Timestamp(ns), true, nil
		}
	}
	f, ok, err := st.nonNegative(v, path)
	if err != nil || !ok {
		return 0, ok, err
	}
	if f >= maxEpochSeconds {
		return 0, false, fieldError("'%s' is out of range for Unix seconds", path)
	}
	return pcommon.Timestamp(f * 1e9), true, nil
}

// exactNanos converts a non-negative decimal literal without exponent
// ("1795736261.0072095") to nanoseconds, truncating digits below 1 ns.
func exactNanos(lit []byte) (uint64, bool) {
	var secs, frac uint64
	i := 0
	for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
		secs = secs*10 + uint64(lit[i]-'0')
	}
	if i == 0 || i > 10 {
		return 0, false
	}
	digits := 0
	if i < len(lit) && lit[i] == '.' {
		i++
		for ; i < len(lit) && lit[i] >= '0' && lit[i] <= '9'; i++ {
			if digits < 9 {
				frac = frac*10 + uint64(lit[i]-'0')
				digits++
			}
		}
	}
	if i != len(lit) {
		return 0, false
	}
	for ; digits < 9; digits++ {
		frac *= 10
	}
	return secs*1e9 + frac, true
}

func (st *state) spanPath(field string) string {
	return st.at(field).String()
}

// at names a field of the current span.
func (st *state) at(field string) fieldPath {
	return fieldPath{span: st.spanIndex, event: -1, field: field}
}

// fieldPath names a field for an error message, e.g.
// spans[3].events[0].timestamp. It is formatted only when an error is
// reported, so the hot path builds no strings.
type fieldPath struct {
	span, event int // -1: not inside a span / an event
	field       string
}

func batchField(field string) fieldPath { return fieldPath{span: -1, event: -1, field: field} }

func (p fieldPath) with(field string) fieldPath {
	p.field = field
	return p
}

func (p fieldPath) String() string {
	var b strings.Builder
	if p.span >= 0 {
		b.WriteString("spans[" + strconv.Itoa(p.span) + "]")
	}
	if p.event >= 0 {
		b.WriteString("." + vocabulary.WireEvents + "[" + strconv.Itoa(p.event) + "]")
	}
	if p.field != "" {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p.field)
	}
	return b.String()
}

// str returns b as a string, reusing the string of an earlier equal short
// value so that repeated keys and label values do not allocate.
func (st *state) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > maxInternedLen {
		return string(b)
	}
	// The same keys and values come back span after span: comparing the
	// bytes with the one string in their slot of recent is cheaper than
	// hashing them for the map.
	slot := &st.recent[(len(b)*31+int(b[0])*7+int(b[len(b)/2])*3+int(b[len(b)-1]))%len(st.recent)]
	if *slot == string(b) {
		return *slot
	}
	s, ok := st.intern[string(b)]
	if !ok {
		s = string(b)
		if len(st.intern) < maxInterned {
			st.intern[s] = s
		}
	}
	*slot = s
	return s
}

// rawString is the string of an id field already known to be a string.
func (st *state) rawString(v *fastjson.Value) string {
	b, _ := v.StringBytes()
	return string(b)
}

func objectLen(v *fastjson.Value) int {
	if v == nil || v.Type() != fastjson.TypeObject {
		return 0
	}
	o, _ := v.Object()
	return o.Len()
}

func truthyString(v *fastjson.Value) bool {
	if v == nil || v.Type() != fastjson.TypeString {
		return false
	}
	b, _ := v.StringBytes()
	return len(b) > 0
}

func randomSpanID() pcommon.SpanID {
	var id pcommon.SpanID
	putUint64(id[:], rand.Uint64()|1)
	return id
}

func randomTraceID() pcommon.TraceID {
	var id pcommon.TraceID
	putUint64(id[:8], rand.Uint64())
	putUint64(id[8:], rand.Uint64()|1)
	return id
}

// typeName names a JSON type the way a client developer would.
func typeName(v *fastjson.Value) string {
	switch v.Type() {
	case fastjson.TypeTrue, fastjson.TypeFalse:
		return "bool"
	case fastjson.TypeArray:
		return "list"
	case fastjson.TypeObject:
		return "object"
	}
	return v.Type().String()
}
