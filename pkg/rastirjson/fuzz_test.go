package rastirjson

import (
	"errors"
	"testing"
)

// FuzzDecode checks that no body makes the decoder panic, and that every
// body is either refused with an *Error or fully decoded.
func FuzzDecode(f *testing.F) {
	for _, body := range fixtures(f) {
		f.Add(body)
	}
	f.Add([]byte(`{"spans":[{"trace_id":"abc-123","span_id":"x","attributes":{"a":[{"b":null}]},"events":[{}]}]}`))
	f.Add([]byte(`{"spans":[{"start_time":1e400,"duration_ms":NaN}]}`))
	// Repeated keys: only the last occurrence counts, a later null
	// included, and an earlier one is not checked.
	f.Add([]byte(`{"service":"a","service":null,"env":5,"env":"e","spans":[{"type":"x","type":"span","u":NaN,"u":1,"attributes":{"k":1,"k":null,"tokens_input":-1,"tokens_input":2,"m":{"a":NaN,"a":1}},"events":[{"name":1,"name":"e","attributes":{"a":1},"attributes":null,"x":NaN,"x":2,"timestamp":-1,"timestamp":null}],"events":[{}]}],"spans":[{"trace_id":"a","trace_id":null}]}`))
	f.Add([]byte(`{"spans":[{"attributes":{"a":1,"\u0061":2,"a":3},"attributes":{"b":[{"c":1,"c":{}}]}}]}`))
	// Undefined fields, which count with the attributes against the limit.
	f.Add([]byte(`{"region":1,"zone":{"a":[1]},"spans":[{"u":1,"v":[],"type":"x","attributes":{"a":1},"events":[{"x":1,"y":null,"attributes":{"b":2}}]}]}`))
	// Small limits too, so that bodies of a few bytes reach every limit.
	decoders := []*Decoder{
		NewDecoder(DefaultLimits()),
		NewDecoder(Limits{MaxAttributes: 2, MaxEvents: 2, MaxValueDepth: 2, MaxValuesPerBatch: 16}),
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, d := range decoders {
			td, err := d.Decode(body)
			if err != nil {
				var de *Error
				if !errors.As(err, &de) || de.Detail == "" {
					t.Fatalf("error without detail: %v", err)
				}
				continue
			}
			if td.SpanCount() == 0 {
				t.Fatal("accepted a batch without spans")
			}
		}
	})
}
