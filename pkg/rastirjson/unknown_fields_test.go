package rastirjson

import (
	"errors"
	"testing"
)

// TestUnknownFieldsCountAgainstTheCap: a field the wire format does not
// define becomes an attribute (rastir.wire.span.*, rastir.wire.event.*, or
// rastir.wire.batch.* on the resource), so it counts against MaxAttributes
// like a key of the attributes object; a repeated one counts once. The
// attributes the decoder derives from defined fields (span_type,
// duration_ms, a raw id or status) do not count.
func TestUnknownFieldsCountAgainstTheCap(t *testing.T) {
	d := NewDecoder(Limits{MaxAttributes: 3})
	accepted := []string{
		`{"spans":[{"attributes":{"a":1,"b":1},"u":1}]}`,
		`{"spans":[{"attributes":{"a":1,"b":1},"u":1,"u":2}]}`,
		`{"spans":[{"u":1,"v":1,"w":1}]}`,
		`{"spans":[{"type":"span","trace_id":"abc","span_id":"x","parent_id":"y","span_type":"llm","duration_ms":1,"status":"WEIRD","attributes":{"a":1,"b":1,"c":1}}]}`,
		`{"spans":[{"events":[{"name":"e","timestamp":1,"attributes":{"a":1,"b":1},"x":1,"x":2}]}]}`,
		`{"spans":[{"events":[{"x":1,"y":1,"z":1}]}]}`,
		`{"region":"eu","zone":"a","rack":1,"service":"s","env":"e","version":"v","spans":[{}]}`,
	}
	for _, body := range accepted {
		if _, err := d.Decode([]byte(body)); err != nil {
			t.Errorf("%s: %v", body, err)
		}
	}
	refused := []struct {
		name, body, detail string
	}{
		{"span", `{"spans":[{"attributes":{"a":1,"b":1,"c":1},"u":1}]}`,
			"'spans[0]' has 4 attributes: 3 in 'attributes' and 1 from fields the wire format does not define (kept as rastir.wire.span.<field>); at most 3 are allowed"},
		{"span without attributes", `{"spans":[{"u":1,"v":1,"w":1,"x":1,"u":2}]}`,
			"'spans[0]' has 4 attributes: 0 in 'attributes' and 4 from fields the wire format does not define (kept as rastir.wire.span.<field>); at most 3 are allowed"},
		{"span type other than span", `{"spans":[{"type":"other","attributes":{"a":1,"b":1,"c":1}}]}`,
			"'spans[0]' has 4 attributes: 3 in 'attributes' and 1 from fields the wire format does not define (kept as rastir.wire.span.<field>); at most 3 are allowed"},
		{"event", `{"spans":[{"events":[{"attributes":{"a":1,"b":1,"c":1},"x":1}]}]}`,
			"'spans[0].events[0]' has 4 attributes: 3 in 'attributes' and 1 from fields the wire format does not define (kept as rastir.wire.event.<field>); at most 3 are allowed"},
		{"event without attributes", `{"spans":[{"events":[{"name":"e","w":1,"x":1,"y":1,"z":1}]}]}`,
			"'spans[0].events[0]' has 4 attributes: 0 in 'attributes' and 4 from fields the wire format does not define (kept as rastir.wire.event.<field>); at most 3 are allowed"},
		{"batch", `{"region":"eu","zone":"a","rack":1,"row":2,"service":"s","spans":[{}]}`,
			"the batch has 4 fields the wire format does not define (kept as resource attributes rastir.wire.batch.<field>); at most 3 are allowed"},
	}
	for _, tt := range refused {
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
