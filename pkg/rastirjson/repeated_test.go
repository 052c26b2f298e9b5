package rastirjson

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// A span with ids and times, so that decoding it twice gives the same
// output (a span without them gets random ids and the receive time).
const fixedSpan = `"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","start_time":1,"end_time":2`

// TestRepeatedKeysLastOccurrence: a key repeated in one JSON object counts
// only by its last occurrence, as Python's json.loads (and so Rastir) reads
// it: each body decodes exactly as the body that holds only the last
// occurrence of each key (where Python's dict keeps it: at the first one's
// place). A later null is a null, so a field with a default gets it.
func TestRepeatedKeysLastOccurrence(t *testing.T) {
	span := func(fields string) string { return `{"spans":[{` + fixedSpan + fields + `}]}` }
	event := func(fields string) string {
		return span(`,"events":[{"name":"e","timestamp":1.5` + fields + `}]`)
	}
	attrs := func(obj string) string { return span(`,"attributes":` + obj) }
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	wide := func(key string) string { return `{` + strings.Repeat(`"`+key+`":1,`, 200) + `"z":1}` }
	tests := []struct {
		name, body, last string
	}{
		// The batch.
		{"service, later null", `{"service":"a","service":null,"spans":[{` + fixedSpan + `}]}`, `{"service":null,"spans":[{` + fixedSpan + `}]}`},
		{"env, later null", `{"env":"prod","env":null,"spans":[{` + fixedSpan + `}]}`, `{"env":null,"spans":[{` + fixedSpan + `}]}`},
		{"version, later null", `{"version":"1.2","version":null,"spans":[{` + fixedSpan + `}]}`, `{"version":null,"spans":[{` + fixedSpan + `}]}`},
		{"service, earlier not a string", `{"service":5,"service":"a","spans":[{` + fixedSpan + `}]}`, `{"service":"a","spans":[{` + fixedSpan + `}]}`},
		{"batch field, later null", `{"region":"eu","region":null,"spans":[{` + fixedSpan + `}]}`, `{"region":null,"spans":[{` + fixedSpan + `}]}`},
		{"batch field, earlier not finite", `{"region":NaN,"region":"eu","spans":[{` + fixedSpan + `}]}`, `{"region":"eu","spans":[{` + fixedSpan + `}]}`},
		{"spans, earlier not a list", `{"spans":5,"spans":[{` + fixedSpan + `}]}`, `{"spans":[{` + fixedSpan + `}]}`},

		// The span's fields.
		{"trace_id, earlier not a string", `{"spans":[{"trace_id":5,` + fixedSpan + `}]}`, span(``)},
		{"parent_span_id, later null", span(`,"parent_span_id":"1111111111111111","parent_span_id":null,"parent_id":"2222222222222222"`), span(`,"parent_span_id":null,"parent_id":"2222222222222222"`)},
		{"parent_id, later null", span(`,"parent_id":"2222222222222222","parent_id":null`), span(`,"parent_id":null`)},
		{"name, later null", span(`,"name":"x","name":null`), span(`,"name":null`)},
		{"span_type, later null", span(`,"span_type":"llm","span_type":null`), span(`,"span_type":null`)},
		{"duration_ms, later null", span(`,"duration_ms":5,"duration_ms":null`), span(`,"duration_ms":null`)},
		{"duration_ms, earlier negative", span(`,"duration_ms":-5,"duration_ms":5`), span(`,"duration_ms":5`)},
		{"status, later null", span(`,"status":"ERROR","status":null`), span(`,"status":null`)},
		{"attributes, later null", span(`,"attributes":{"model":"m"},"attributes":null`), span(`,"attributes":null`)},
		{"attributes, earlier not an object", span(`,"attributes":[1],"attributes":{"model":"m"}`), span(`,"attributes":{"model":"m"}`)},
		{"events, later null", span(`,"events":[{"name":"e","timestamp":1}],"events":null`), span(`,"events":null`)},
		{"type, later span", span(`,"type":"other","type":"span"`), span(`,"type":"span"`)},
		{"type, later other", span(`,"type":"span","type":"other"`), span(`,"type":"other"`)},
		{"unknown field, later null", span(`,"duration_seconds":1.5,"duration_seconds":null`), span(`,"duration_seconds":null`)},
		{"unknown field, earlier not finite", span(`,"duration_seconds":NaN,"duration_seconds":1.5`), span(`,"duration_seconds":1.5`)},

		// A span's attributes and the maps in their values.
		{"attribute, later null", attrs(`{"model":"a","provider":"p","model":null}`), attrs(`{"model":null,"provider":"p"}`)},
		{"attribute, earlier negative", attrs(`{"tokens_input":-1,"tokens_input":5}`), attrs(`{"tokens_input":5}`)},
		{"attribute, repeated in another spelling", attrs(`{"tokens_input":-1,"tokens_\u0069nput":5}`), attrs(`{"tokens_input":5}`)},
		{"attribute, earlier not finite", attrs(`{"score":NaN,"score":0.5}`), attrs(`{"score":0.5}`)},
		{"attribute, earlier too deep", attrs(`{"x":` + deep + `,"x":1}`), attrs(`{"x":1}`)},
		{"attribute, earlier a map too wide", attrs(`{"m":` + wide("k") + `,"m":1}`), attrs(`{"m":1}`)},
		{"attributes, repeated keys within the cap", attrs(wide("k")), attrs(`{"k":1,"z":1}`)},
		{"map key, later null", attrs(`{"m":{"k":1,"j":2,"k":null}}`), attrs(`{"m":{"k":null,"j":2}}`)},
		{"map key, earlier not finite", attrs(`{"m":{"k":NaN,"k":1}}`), attrs(`{"m":{"k":1}}`)},
		{"map, repeated keys within the cap", attrs(`{"m":` + wide("k") + `}`), attrs(`{"m":{"k":1,"z":1}}`)},

		// Events.
		{"event name, later null", event(`,"name":null`), span(`,"events":[{"name":null,"timestamp":1.5}]`)},
		{"event name, earlier not a string", span(`,"events":[{"name":5,"timestamp":1.5,"name":"e"}]`), event(``)},
		{"event timestamp, earlier negative", span(`,"events":[{"name":"e","timestamp":-1,"timestamp":1.5}]`), event(``)},
		{"event attributes, later null", event(`,"attributes":{"a":1},"attributes":null`), event(`,"attributes":null`)},
		{"event attributes, repeated", event(`,"attributes":{"a":1},"attributes":{"b":2}`), event(`,"attributes":{"b":2}`)},
		{"event attributes, earlier not an object", event(`,"attributes":5,"attributes":{"b":2}`), event(`,"attributes":{"b":2}`)},
		{"event attribute, earlier not finite", event(`,"attributes":{"a":NaN,"a":1}`), event(`,"attributes":{"a":1}`)},
		{"event attributes, repeated keys within the cap", event(`,"attributes":` + wide("k")), event(`,"attributes":{"k":1,"z":1}`)},
		{"event field, later null", event(`,"level":"warn","level":null`), event(`,"level":null`)},
		{"event field, earlier not finite", event(`,"level":NaN,"level":"warn"`), event(`,"level":"warn"`)},
	}
	d := NewDecoder(DefaultLimits())
	var m ptrace.JSONMarshaler
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, err := d.Decode([]byte(tt.last))
			if err != nil {
				t.Fatalf("the body with the last occurrences only: %v", err)
			}
			got, err := d.Decode([]byte(tt.body))
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			wantJSON, _ := m.MarshalTraces(want)
			gotJSON, _ := m.MarshalTraces(got)
			if !bytes.Equal(gotJSON, wantJSON) {
				t.Errorf("got\n%s\nwant\n%s", gotJSON, wantJSON)
			}
		})
	}
}

// TestRepeatedKeysLaterNullGetsDefault covers the fields whose default is
// random or the receive time, so that two decodes cannot be compared.
func TestRepeatedKeysLaterNullGetsDefault(t *testing.T) {
	const hexTrace, hexSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	body := `{"spans":[
	 {"trace_id":"` + hexTrace + `","trace_id":null,"span_id":"` + hexSpan + `","span_id":null},
	 {"start_time":1,"start_time":null,"end_time":2,"end_time":null},
	 {"events":[{"timestamp":1,"timestamp":null}]}
	]}`
	before := pcommon.NewTimestampFromTime(time.Now())
	td, err := NewDecoder(DefaultLimits()).Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	spans := td.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
	ids := spans.At(0)
	if got := ids.TraceID().String(); got == hexTrace {
		t.Error("a later null trace_id must give a random trace id, not the earlier one")
	}
	if got := ids.SpanID().String(); got == hexSpan {
		t.Error("a later null span_id must give a random span id, not the earlier one")
	}
	if ids.TraceID().IsEmpty() || ids.SpanID().IsEmpty() {
		t.Error("random ids are never empty")
	}
	times := spans.At(1)
	if times.StartTimestamp() < before || times.EndTimestamp() < before {
		t.Errorf("later null times must be the receive time: start %d, end %d, decode began %d", times.StartTimestamp(), times.EndTimestamp(), before)
	}
	ev := spans.At(2).Events().At(0)
	if ev.Timestamp() < before {
		t.Errorf("a later null event timestamp must be the receive time, got %d (decode began %d)", ev.Timestamp(), before)
	}
}

// TestRepeatedKeysLastOccurrenceChecked: the last occurrence is still
// validated, whatever came before it.
func TestRepeatedKeysLastOccurrenceChecked(t *testing.T) {
	tests := []struct {
		name, body, detail string
	}{
		{"service", `{"service":"a","service":5,"spans":[{}]}`, "'service' must be a string, not number"},
		{"trace_id", `{"spans":[{"trace_id":"abc","trace_id":5}]}`, "'spans[0].trace_id' must be a string, not number"},
		{"unknown field", `{"spans":[{"x":1,"x":NaN}]}`, "'spans[0].x' must be a finite number"},
		{"attribute", `{"spans":[{"attributes":{"tokens_input":5,"tokens_input":-1}}]}`, "'spans[0].attributes.tokens_input' must not be negative"},
		{"map key", `{"spans":[{"attributes":{"m":{"k":1,"k":NaN}}}]}`, "'spans[0].attributes.m' must be a finite number"},
		{"event name", `{"spans":[{"events":[{"name":"e","name":5}]}]}`, "'spans[0].events[0].name' must be a string, not number"},
		{"event timestamp", `{"spans":[{"events":[{"timestamp":1,"timestamp":-1}]}]}`, "'spans[0].events[0].timestamp' must be a finite, non-negative number"},
		{"event attributes", `{"spans":[{"events":[{"attributes":{},"attributes":5}]}]}`, "'spans[0].events[0].attributes' must be a JSON object, not number"},
		{"event attribute", `{"spans":[{"events":[{"attributes":{"a":1,"a":NaN}}]}]}`, "'spans[0].events[0].attributes.a' must be a finite number"},
		{"event field", `{"spans":[{"events":[{"level":1,"level":NaN}]}]}`, "'spans[0].events[0].level' must be a finite number"},
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
				t.Fatalf("detail = %q, want %q", de.Detail, tt.detail)
			}
		})
	}
}

// TestRepeatedKeysCountOnceAgainstTheCap: a repeated key is one attribute,
// so a span, an event or a map over the cap only by repeating keys is
// accepted, and one over it in distinct keys is refused with their number.
func TestRepeatedKeysCountOnceAgainstTheCap(t *testing.T) {
	d := NewDecoder(Limits{MaxAttributes: 2})
	for _, body := range []string{
		`{"spans":[{"attributes":{"a":1,"b":1,"a":2,"b":2}}]}`,
		`{"spans":[{"attributes":{"m":{"a":1,"b":1,"a":2}}}]}`,
		`{"spans":[{"events":[{"attributes":{"a":1,"b":1,"a":2}}]}]}`,
	} {
		if _, err := d.Decode([]byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
	_, err := d.Decode([]byte(`{"spans":[{"attributes":{"a":1,"b":1,"a":2,"c":1}}]}`))
	var de *Error
	if !errors.As(err, &de) || de.Detail != "'spans[0].attributes' has 3 keys; at most 2 are allowed" {
		t.Fatalf("got %v", err)
	}
}
