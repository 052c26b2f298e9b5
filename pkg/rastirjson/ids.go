package rastirjson

import (
	"encoding/binary"

	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Id mapping (docs/rastir-wire.md):
//   - hex ids convert as Rastir's OTLP export does: the first 32 (trace) or
//     16 (span) hex digits, shorter ids left-padded with zeros. The Python
//     client's span ids are 32 hex digits; their first 16 become the span id.
//   - other strings (e.g. "abc-123") get an id hashed from the string, so
//     all spans naming the same id still share it.
//   - the original string is kept under rastir.trace_id / rastir.span_id /
//     rastir.parent_span_id whenever the OTLP id cannot reproduce it.
//   - a missing, null or empty id gets a random one.

func (st *state) traceID(v *fastjson.Value) (id pcommon.TraceID, keepRaw bool, err *Error) {
	s, present, err := st.idString(v, vocabulary.WireTraceID)
	if err != nil || !present {
		return randomTraceID(), false, err
	}
	if isHex(s) {
		decodeHexPadded(id[:], s)
		return id, len(s) != 32 || !isLowerHex(s), nil
	}
	putUint64(id[:8], fnv64a(s, fnvOffset))
	putUint64(id[8:], fnv64a(s, fnvOffsetAlt)|1)
	return id, true, nil
}

// spanID maps span_id, parent_span_id or parent_id. present is false when the
// field is missing, null or empty.
func (st *state) spanID(v *fastjson.Value, field string) (id pcommon.SpanID, keepRaw, present bool, err *Error) {
	s, present, err := st.idString(v, field)
	if err != nil || !present {
		return id, false, false, err
	}
	if isHex(s) {
		decodeHexPadded(id[:], s)
		return id, (len(s) != 16 && len(s) != 32) || !isLowerHex(s), true, nil
	}
	putUint64(id[:], fnv64a(s, fnvOffset)|1)
	return id, true, true, nil
}

func (st *state) idString(v *fastjson.Value, field string) (string, bool, *Error) {
	if v == nil || v.Type() == fastjson.TypeNull {
		return "", false, nil
	}
	b, err := v.StringBytes()
	if err != nil {
		return "", false, fieldError("'%s' must be a string, not %s", st.spanPath(field), typeName(v))
	}
	if len(b) == 0 {
		return "", false, nil
	}
	// Ids are looked at, not stored (except in the rare raw-keeping case),
	// so a zero-copy view is enough.
	return unsafeString(b), true, nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if hexValue(s[i]) < 0 {
			return false
		}
	}
	return true
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'F' {
			return false
		}
	}
	return true
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// decodeHexPadded fills dst from the first 2*len(dst) hex digits of s; a
// shorter s is right-aligned (left-padded with zeros).
func decodeHexPadded(dst []byte, s string) {
	if len(s) > 2*len(dst) {
		s = s[:2*len(dst)]
	}
	pad := 2*len(dst) - len(s)
	for i := range dst {
		hi, lo := 2*i-pad, 2*i+1-pad
		var b int
		if hi >= 0 {
			b = hexValue(s[hi]) << 4
		}
		if lo >= 0 {
			b |= hexValue(s[lo])
		}
		dst[i] = byte(b)
	}
}

const (
	fnvOffset    = 14695981039346656037
	fnvOffsetAlt = 0x9ae16a3b2f90404f
	fnvPrime     = 1099511628211
)

// fnv64a is FNV-1a over s from the given offset basis.
func fnv64a(s string, h uint64) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func putUint64(b []byte, v uint64) { binary.BigEndian.PutUint64(b, v) }
