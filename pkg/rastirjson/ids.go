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
//   - the original string is kept under rastir.wire.trace_id / rastir.wire.span_id /
//     rastir.wire.parent_span_id whenever the OTLP id cannot reproduce it.
//   - a missing, null or empty id gets a random one.
//   - an all-zero id, which OTLP reads as no id at all (backends refuse such
//     a trace or span id), is hashed from its string like a non-hex one, so
//     a parent id of zeros still names the span whose id is those zeros
//     (Rastir, too, reads any non-empty parent id as a parent).

func (st *state) traceID(v *fastjson.Value) (id pcommon.TraceID, keepRaw bool, err *Error) {
	s, present, err := st.idString(v, vocabulary.WireTraceID)
	if err != nil || !present {
		return randomTraceID(), false, err
	}
	if isHex, lower := decodeHex(id[:], s); isHex && !id.IsEmpty() {
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
	if isHex, lower := decodeHex(id[:], s); isHex && !id.IsEmpty() {
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

// hexDigit maps a byte to its hex value in the low four bits, with
// hexUpper set for 'A'-'F' and hexInvalid for anything that is not hex, so
// that OR-ing the entries of a string tells both at once.
var hexDigit = func() (t [256]byte) {
	for i := range t {
		t[i] = hexInvalid
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = (byte(c-'a') + 10) | hexUpper
	}
	return t
}()

const (
	hexUpper   = 0x40
	hexInvalid = 0x80
)

// decodeHex fills dst from the first 2*len(dst) hex digits of s, a shorter
// s right-aligned (left-padded with zeros), and reports whether all of s is
// hex and whether it is lower case.
func decodeHex(dst []byte, s string) (isHex, lower bool) {
	var seen byte
	n := 2 * len(dst)
	if len(s) >= n {
		// The common case (the Python client's 32-digit ids): whole bytes.
		for i := 0; i < len(dst); i++ {
			hi, lo := hexDigit[s[2*i]], hexDigit[s[2*i+1]]
			seen |= hi | lo
			dst[i] = hi<<4 | lo&0x0f
		}
		for i := n; i < len(s); i++ {
			seen |= hexDigit[s[i]]
		}
	} else {
		clear(dst)
		pad := n - len(s)
		for i := 0; i < len(s); i++ {
			d := hexDigit[s[i]]
			seen |= d
			if pos := i + pad; pos%2 == 0 {
				dst[pos/2] = d << 4
			} else {
				dst[pos/2] |= d & 0x0f
			}
		}
	}
	return seen&hexInvalid == 0, seen&hexUpper == 0
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
