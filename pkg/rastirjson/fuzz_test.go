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
	d := NewDecoder(DefaultLimits())
	f.Fuzz(func(t *testing.T, body []byte) {
		td, err := d.Decode(body)
		if err != nil {
			var de *Error
			if !errors.As(err, &de) || de.Detail == "" {
				t.Fatalf("error without detail: %v", err)
			}
			return
		}
		if td.SpanCount() == 0 {
			t.Fatal("accepted a batch without spans")
		}
	})
}
