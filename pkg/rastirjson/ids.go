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
	if isHex, lower := decodeHex(id[:], s); isHex {
		return id, len(s) != 32 || !lower, nil
	}
	id = pcommon.TraceID{}
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
	if isHex, lower := decodeHex(id[:], s); isHex {
		return id, (len(s) != 16 && len(s) != 32) || !lower, true, nil
	}
	id = pcommon.SpanID{}
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

// hexDigit maps a byte to its hex value, or to notHex.
var hexDigit = func() (t [256]byte) {
	for i := range t {
		t[i] = notHex
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()

const notHex = 0xff

// decodeHex fills dst from the first 2*len(dst) hex digits of s, a shorter
// s right-aligned (left-padded with zeros), in one pass that also reports
// whether all of s is hex and whether it is lower case.
func decodeHex(dst []byte, s string) (isHex, lower bool) {
	lower = true
	// Ids longer than dst keep their first digits, as Rastir's export does.
	pad := max(0, 2*len(dst)-len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		v := hexDigit[c]
		if v == notHex {
			return false, false
		}
		if c >= 'A' && c <= 'F' {
			lower = false
		}
		pos := i + pad // digit position within dst
		if pos < 0 || pos >= 2*len(dst) {
			continue
		}
		if pos%2 == 0 {
			dst[pos/2] = v << 4
		} else {
			dst[pos/2] |= v
		}
	}
	return true, lower
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
