package rastirjson

import (
	"bytes"
	"compress/gzip"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson/rastirjsontest"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

const fixtureDir = "../../testdata/rastir-client"

func fixtures(tb testing.TB) map[string][]byte {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no fixtures in %s: %v", fixtureDir, err)
	}
	out := map[string][]byte{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		out[filepath.Base(p)] = b
	}
	return out
}

func TestDecodeFixturesRoundTrip(t *testing.T) {
	d := NewDecoder(DefaultLimits())
	for name, body := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			td, err := d.Decode(body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if err := rastirjsontest.Compare(body, td); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestDecodeMapping(t *testing.T) {
	body := `{"service":"svc","env":"prod","version":"1.2","region":"eu","spans":[
	 {"type":"span","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7a3ce929d0e0e4736",
	  "parent_span_id":null,"span_type":"llm","name":"answer","start_time":1760000000.125,"end_time":1760000001.625,
	  "duration_ms":1500.0,"status":"ERROR","duration_seconds":1.5,
	  "attributes":{"model":"gpt-4o","tokens_input":812,"cost_usd":0.00016,"ok":true,"nothing":null,
	                "tags":["a",1,2.5],"nested":{"k":{"deep":[true]}}},
	  "events":[{"name":"exception","timestamp":1760000001.6,"attributes":{"exception.type":"RateLimitError","exception.message":"429 from upstream"}}]},
	 {"trace_id":"abc-123","span_id":"ABCDEF","parent_id":"00f067aa0ba902b7a3ce929d0e0e4736","status":"WEIRD"},
	 {}
	]}`
	td, err := NewDecoder(DefaultLimits()).Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := rastirjsontest.Compare([]byte(body), td); err != nil {
		t.Fatal(err)
	}
	res := td.ResourceSpans().At(0).Resource().Attributes()
	assertAttr(t, res, vocabulary.WireKeyBatchFieldPrefix+"region", "eu")
	if got := td.ResourceSpans().At(0).ScopeSpans().At(0).Scope().Name(); got != vocabulary.ScopeRastir {
		t.Errorf("scope %q", got)
	}
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	if spans.Len() != 3 {
		t.Fatalf("want 3 spans, got %d", spans.Len())
	}

	s0 := spans.At(0)
	if got := s0.TraceID().String(); got != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id %s", got)
	}
	if got := s0.SpanID().String(); got != "00f067aa0ba902b7" {
		t.Errorf("span id %s", got)
	}
	if s0.Kind() != ptrace.SpanKindServer {
		t.Errorf("root span kind %s", s0.Kind())
	}
	if s0.Status().Message() != "429 from upstream" {
		t.Errorf("status message %q", s0.Status().Message())
	}
	if uint64(s0.StartTimestamp()) != 1760000000125000000 {
		t.Errorf("start %d", s0.StartTimestamp())
	}
	assertAttr(t, s0.Attributes(), vocabulary.WireKeySpanFieldPrefix+"duration_seconds", 1.5)
	if _, ok := s0.Attributes().Get(vocabulary.WireKeySpanID); ok {
		t.Error("a 32-hex span id needs no raw copy")
	}

	s1 := spans.At(1)
	assertAttr(t, s1.Attributes(), vocabulary.WireKeyTraceID, "abc-123")
	assertAttr(t, s1.Attributes(), vocabulary.WireKeySpanID, "ABCDEF")
	assertAttr(t, s1.Attributes(), vocabulary.WireKeyStatus, "WEIRD")
	if got := s1.SpanID().String(); got != "0000000000abcdef" {
		t.Errorf("short hex span id %s", got)
	}
	if s1.ParentSpanID() != s0.SpanID() || s1.Kind() != ptrace.SpanKindInternal {
		t.Errorf("parent_id alias not followed")
	}
	again, _ := NewDecoder(DefaultLimits()).Decode([]byte(body))
	if again.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(1).TraceID() != s1.TraceID() {
		t.Error("a non-hex trace id must map to the same id every time")
	}

	s2 := spans.At(2)
	if s2.TraceID().IsEmpty() || s2.SpanID().IsEmpty() {
		t.Error("a span without ids gets random ids")
	}
	if s2.Name() != vocabulary.WireUnknownName || s2.Status().Code() != ptrace.StatusCodeOk {
		t.Errorf("defaults: name %q status %s", s2.Name(), s2.Status().Code())
	}
}

// TestDecodeZeroIDs: OTLP has no all-zero id (backends refuse such a trace
// or span id), so ids of zeros are hashed from their strings like non-hex
// ids: the spans naming one still share it, a parent of zeros still names
// its span, and the string is kept.
func TestDecodeZeroIDs(t *testing.T) {
	const zeros32, zeros16 = "00000000000000000000000000000000", "0000000000000000"
	body := `{"spans":[
	 {"trace_id":"` + zeros32 + `","span_id":"` + zeros16 + `","name":"root"},
	 {"trace_id":"` + zeros32 + `","span_id":"00f067aa0ba902b7","parent_span_id":"` + zeros16 + `","name":"child"},
	 {"trace_id":"0","span_id":"` + zeros32 + `","name":"short"}
	]}`
	td, err := NewDecoder(DefaultLimits()).Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if err := rastirjsontest.Compare([]byte(body), td); err != nil {
		t.Fatal(err)
	}
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	root, child, short := spans.At(0), spans.At(1), spans.At(2)
	for _, s := range []ptrace.Span{root, child, short} {
		if s.TraceID().IsEmpty() || s.SpanID().IsEmpty() {
			t.Errorf("%s: trace id %s, span id %s", s.Name(), s.TraceID(), s.SpanID())
		}
	}
	if root.TraceID() != child.TraceID() {
		t.Error("spans naming the same trace id of zeros must share a trace")
	}
	if child.ParentSpanID() != root.SpanID() || child.Kind() != ptrace.SpanKindInternal {
		t.Errorf("child's parent %s, want the root's span id %s", child.ParentSpanID(), root.SpanID())
	}
	assertAttr(t, root.Attributes(), vocabulary.WireKeyTraceID, zeros32)
	assertAttr(t, root.Attributes(), vocabulary.WireKeySpanID, zeros16)
	assertAttr(t, child.Attributes(), vocabulary.WireKeyParentSpanID, zeros16)
	assertAttr(t, short.Attributes(), vocabulary.WireKeyTraceID, "0")
	if short.TraceID() == root.TraceID() {
		t.Error("different id strings must not share a hashed id")
	}
}

func assertAttr(t *testing.T, m pcommon.Map, k string, want any) {
	t.Helper()
	v, ok := m.Get(k)
	if !ok {
		t.Errorf("attribute %q missing", k)
		return
	}
	if v.AsRaw() != want {
		t.Errorf("attribute %q = %v, want %v", k, v.AsRaw(), want)
	}
}

func TestDecodeRefusals(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"spans":[{}]}`))
	_ = zw.Close()
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	// 201 distinct keys (a repeated key counts once).
	var wideKeys strings.Builder
	for i := range 200 {
		wideKeys.WriteString(`"k` + strconv.Itoa(i) + `":1,`)
	}
	wide := `{` + wideKeys.String() + `"z":1}`
	tests := []struct {
		name, body, detail string
	}{
		{"empty body", ``, DetailInvalidJSON},
		{"not JSON", `not json`, DetailInvalidJSON},
		{"truncated", `{"spans":[{}`, DetailInvalidJSON},
		{"gzip without Content-Encoding", gz.String(), DetailInvalidJSON},
		{"Infinity literal", `{"spans":[{"duration_ms":Infinity}]}`, DetailInvalidJSON},
		{"invalid UTF-8", "{\"spans\":[{\"name\":\"\xff\"}]}", DetailInvalidJSON},
		{"too deep for the parser", `{"spans":[{"attributes":{"x":` + strings.Repeat("[", 400) + strings.Repeat("]", 400) + `}}]}`, DetailInvalidJSON},
		{"array", `[1,2]`, DetailNotObject},
		{"string", `"x"`, DetailNotObject},
		{"null", `null`, DetailNotObject},
		{"spans missing", `{"service":"svc"}`, DetailSpans},
		{"spans empty", `{"spans":[]}`, DetailSpans},
		{"spans not a list", `{"spans":{"a":1}}`, DetailSpans},
		{"span not an object", `{"spans":[{}, 3]}`, "'spans[1]' must be a JSON object, not number"},
		{"attributes not an object", `{"spans":[{"attributes":[1]}]}`, "'spans[0].attributes' must be a JSON object, not list"},
		{"events not a list", `{"spans":[{"events":{}}]}`, "'spans[0].events' must be a list, not object"},
		{"event not an object", `{"spans":[{"events":["x"]}]}`, "'spans[0].events[0]' must be a JSON object, not string"},
		{"trace id a number", `{"spans":[{"trace_id":12}]}`, "'spans[0].trace_id' must be a string, not number"},
		{"span id an object", `{"spans":[{"span_id":{}}]}`, "'spans[0].span_id' must be a string, not object"},
		{"parent id a bool", `{"spans":[{"parent_span_id":true}]}`, "'spans[0].parent_span_id' must be a string, not bool"},
		{"service a list", `{"service":["a"],"spans":[{}]}`, "'service' must be a string, not list"},
		{"env a number", `{"env":5,"spans":[{}]}`, "'env' must be a string, not number"},
		{"name a number", `{"spans":[{"name":1}]}`, "'spans[0].name' must be a string, not number"},
		{"status a number", `{"spans":[{"status":1}]}`, "'spans[0].status' must be a string, not number"},
		{"negative duration", `{"spans":[{"duration_ms":-1}]}`, "'spans[0].duration_ms' must be a finite, non-negative number"},
		{"NaN duration", `{"spans":[{"duration_ms":NaN}]}`, "'spans[0].duration_ms' must be a finite, non-negative number"},
		{"negative start", `{"spans":[{"start_time":-5}]}`, "'spans[0].start_time' must be a finite, non-negative number"},
		{"start far in the future", `{"spans":[{"start_time":1e30}]}`, "'spans[0].start_time' is out of range for Unix seconds"},
		{"start a string", `{"spans":[{"start_time":"2025-01-01"}]}`, "'spans[0].start_time' must be a number, not string"},
		{"negative tokens", `{"spans":[{"attributes":{"tokens_input":-3}}]}`, "'spans[0].attributes.tokens_input' must not be negative"},
		{"NaN attribute", `{"spans":[{"attributes":{"score":NaN}}]}`, "'spans[0].attributes.score' must be a finite number"},
		{"malformed number", `{"spans":[{"attributes":{"n":1-2}}]}`, "'spans[0].attributes.n' is not a valid JSON number"},
		{"deep attribute", `{"spans":[{"attributes":{"x":` + deep + `}}]}`, "'spans[0].attributes.x' nests lists and maps deeper than 16 levels"},
		{"wide attributes", `{"spans":[{"attributes":` + wide + `}]}`, "'spans[0].attributes' has 201 keys; at most 128 are allowed"},
		{"wide nested map", `{"spans":[{"attributes":{"m":` + wide + `}}]}`, "'spans[0].attributes.m' is a map with 201 keys; at most 128 are allowed"},
		{"wide list over the value budget", `{"spans":[{"attributes":{"ok":1,"list":[` + strings.Repeat(`1,`, 1<<18) + `1]}}]}`, "'spans[0].attributes.list' exceeds the batch's budget of 262144 attribute values; send fewer or smaller spans per batch"},
		{"empty spans over the value budget", `{"spans":[{}` + strings.Repeat(`,{}`, 1<<18) + `]}`, "'spans[262144]' exceeds the batch's budget of 262144 values (spans, events and attribute values); send fewer or smaller spans per batch"},
		{"empty events over the value budget", `{"spans":[` + strings.Repeat(`{"events":[`+strings.Repeat(`{},`, 127)+`{}]},`, 1<<11) + `{}]}`, "'spans[2032].events[15]' exceeds the batch's budget of 262144 values (spans, events and attribute values); send fewer or smaller spans per batch"},
		{"too many events", `{"spans":[{"events":[` + strings.Repeat(`{},`, 128) + `{}]}]}`, "'spans[0].events' has 129 events; at most 128 are allowed"},
		{"bad event timestamp", `{"spans":[{"events":[{"timestamp":-1}]}]}`, "'spans[0].events[0].timestamp' must be a finite, non-negative number"},
	}
	d := NewDecoder(DefaultLimits())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Decode([]byte(tt.body))
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("want *Error, got %v", err)
			}
			if de.Detail != tt.detail {
				t.Fatalf("detail = %q (reason %q), want %q", de.Detail, de.Reason, tt.detail)
			}
		})
	}
	// The decoder keeps working after refusals.
	if _, err := d.Decode([]byte(`{"spans":[{}]}`)); err != nil {
		t.Fatal(err)
	}
}

func TestDenseBodyRefusedBeforeParsing(t *testing.T) {
	// 10 MiB (the receiver's default body limit) of empty spans or of
	// numbers: the JSON parser alone held 1.6-2.5 GiB for such a body
	// before any limit was checked.
	for name, item := range map[string]string{"empty spans": `{},`, "numbers": `0,`} {
		t.Run(name, func(t *testing.T) {
			body := `{"spans":[{"attributes":{"list":[` + strings.Repeat(item, (10<<20)/len(item)) + `0]}}]}`
			if item == `{},` {
				body = `{"spans":[` + strings.Repeat(item, (10<<20)/len(item)) + `{}]}`
			}
			d := NewDecoder(DefaultLimits())
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, err := d.Decode([]byte(body))
			runtime.ReadMemStats(&after)
			t.Logf("refusing the body allocated %d KiB", (after.TotalAlloc-before.TotalAlloc)>>10)
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("refusing the body allocated %d MiB", alloc>>20)
			}
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("want *Error, got %v", err)
			}
			if want := "the batch holds more than 1048576 JSON values (4 for each of the 262144 values of its budget); send fewer or smaller spans per batch"; de.Detail != want {
				t.Errorf("detail = %q, want %q", de.Detail, want)
			}
		})
	}
}

func TestJSONValueCountSkipsStrings(t *testing.T) {
	// Commas and brackets inside strings are no values: a prompt full of
	// them passes a cap that counting bytes alone would exceed.
	d := NewDecoder(Limits{MaxValuesPerBatch: 16})
	text := strings.Repeat(`a, [b], {c}, `, 100)
	td, err := d.Decode([]byte(`{"spans":[{"name":"s","attributes":{"prompt":"` + text + `"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := td.SpanCount(); got != 1 {
		t.Fatalf("%d spans", got)
	}
	// Past the cap in values, the same limits refuse.
	_, err = d.Decode([]byte(`{"spans":[{"attributes":{"l":[` + strings.Repeat(`[],`, 64) + `[]]}}]}`))
	var de *Error
	if !errors.As(err, &de) || !strings.HasPrefix(de.Detail, "the batch holds more than 64 JSON values") {
		t.Fatalf("got %v", err)
	}
}

func TestHugeBudgetAcceptsBatches(t *testing.T) {
	// A budget so large that four times it does not fit an int (an
	// operator's way of saying "no limit") must not refuse every batch.
	for _, budget := range []int{math.MaxInt, math.MaxInt/4 + 1} {
		d := NewDecoder(Limits{MaxValuesPerBatch: budget})
		for name, body := range fixtures(t) {
			if _, err := d.Decode(body); err != nil {
				t.Fatalf("budget %d, %s: %v", budget, name, err)
			}
		}
	}
}

func TestDecodeGzipReason(t *testing.T) {
	_, err := NewDecoder(DefaultLimits()).Decode([]byte{0x1f, 0x8b, 8, 0})
	var de *Error
	if !errors.As(err, &de) || !strings.Contains(de.Reason, "Content-Encoding: gzip") {
		t.Fatalf("want a reason naming Content-Encoding, got %v", err)
	}
}

func TestExactNanos(t *testing.T) {
	tests := []struct {
		lit   string
		want  uint64
		exact bool
	}{
		{"1795736261.0072095", 1795736261007209500, true},
		{"1795736261", 1795736261000000000, true},
		{"0.000000001999", 1, true},
		{"1.5e9", 0, false},
		{"123456789012.5", 0, false},
	}
	for _, tt := range tests {
		got, exact := exactNanos([]byte(tt.lit))
		if got != tt.want || exact != tt.exact {
			t.Errorf("%s: got %d %v, want %d %v", tt.lit, got, exact, tt.want, tt.exact)
		}
	}
}

// TestSpareAttributeCapacityKeepsOutput: the receiver's option changes only
// the attributes' capacity, never what is decoded.
func TestSpareAttributeCapacityKeepsOutput(t *testing.T) {
	exact := NewDecoder(DefaultLimits())
	spare := NewDecoder(DefaultLimits(), WithSpareAttributeCapacity())
	marshaler := ptrace.JSONMarshaler{}
	for name, body := range fixtures(t) {
		t.Run(name, func(t *testing.T) {
			a, err := exact.Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			b, err := spare.Decode(body)
			if err != nil {
				t.Fatal(err)
			}
			// The fixtures carry every timestamp, so the receive time does
			// not enter the output.
			ja, _ := marshaler.MarshalTraces(a)
			jb, _ := marshaler.MarshalTraces(b)
			if !bytes.Equal(ja, jb) {
				t.Fatalf("spare capacity changed the output:\n%s\n%s", ja, jb)
			}
		})
	}
}

// TestDecoderKeepsStatesAcrossBatches: a state goes back to the free list
// after a batch unless the batch was larger than maxKeptStateBody, whose
// parser cache it would keep for good.
func TestDecoderKeepsStatesAcrossBatches(t *testing.T) {
	d := NewDecoder(DefaultLimits())
	body := fixtures(t)["0014.json"]
	if _, err := d.Decode(body); err != nil {
		t.Fatal(err)
	}
	if len(d.states) != 1 {
		t.Fatalf("%d states kept after one batch, want 1", len(d.states))
	}
	st := <-d.states
	d.putState(st, maxKeptStateBody+1)
	if len(d.states) != 0 {
		t.Fatal("the state of an oversized batch was kept")
	}
	for range cap(d.states) + 3 {
		d.putState(newState(d.limits), len(body))
	}
	if len(d.states) != cap(d.states) {
		t.Fatalf("%d states kept, want the list's bound %d", len(d.states), cap(d.states))
	}
}

// TestDecodeStartAfterEnd: a span whose start is after its end starts at
// the earlier time and lasts its duration_ms (Rastir's export), or, without
// a usable duration, has its two times swapped; a duration that would end
// it past the last timestamp is not usable.
func TestDecodeStartAfterEnd(t *testing.T) {
	const s = uint64(1e9)
	for _, tc := range []struct {
		name, duration string
		start, end     uint64
	}{
		{"with its duration", `,"duration_ms":1000`, 3 * s, 4 * s},
		{"without a duration", ``, 3 * s, 5 * s},
		{"with a zero duration", `,"duration_ms":0`, 3 * s, 5 * s},
		{"with a duration past the last timestamp", `,"duration_ms":1e30`, 3 * s, 5 * s},
		{"with the largest duration that fits", `,"duration_ms":1.8e13`, 3 * s, 3*s + 18e18},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := `{"spans":[{"name":"x","start_time":5,"end_time":3` + tc.duration + `}]}`
			td, err := NewDecoder(DefaultLimits()).Decode([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			span := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans().At(0)
			if got := uint64(span.StartTimestamp()); got != tc.start {
				t.Errorf("start %d, want %d", got, tc.start)
			}
			if got := uint64(span.EndTimestamp()); got != tc.end {
				t.Errorf("end %d, want %d", got, tc.end)
			}
		})
	}
}
