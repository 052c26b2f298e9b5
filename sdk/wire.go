package rastir

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// batchMeta is the batch-level part of a Rastir body.
type batchMeta struct {
	service, env, version string
}

// appendBatch appends the JSON body of POST /v1/telemetry for spans, in the
// shape the Python client sends: {"service", "env", "version", "spans"}.
// It also appends to bounds where the spans' JSON starts and where each
// span's ends, so that the body can be cut into smaller batches
// (splitBatch).
func appendBatch(b []byte, bounds []int, meta batchMeta, spans []sdktrace.ReadOnlySpan) ([]byte, []int) {
	b = append(b, '{')
	b = appendKey(b, vocabulary.WireService)
	b = appendString(b, meta.service)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireEnv)
	b = appendString(b, meta.env)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireVersion)
	if meta.version == "" {
		b = append(b, "null"...)
	} else {
		b = appendString(b, meta.version)
	}
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireSpans)
	b = append(b, '[')
	bounds = append(bounds, len(b))
	for i, s := range spans {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendSpan(b, s)
		bounds = append(bounds, len(b))
	}
	return append(b, ']', '}'), bounds
}

// splitBatch appends to dst the batch of the spans [from, to) of body, a
// batch appendBatch made with bounds, and their bounds to dstBounds.
func splitBatch(dst []byte, dstBounds []int, body []byte, bounds []int, from, to int) ([]byte, []int) {
	dst = append(dst, body[:bounds[0]]...)
	dstBounds = append(dstBounds, len(dst))
	for i := from; i < to; i++ {
		start := bounds[i]
		if i > 0 {
			start++ // the comma before it
		}
		if i > from {
			dst = append(dst, ',')
		}
		dst = append(dst, body[start:bounds[i+1]]...)
		dstBounds = append(dstBounds, len(dst))
	}
	return append(dst, ']', '}'), dstBounds
}

// rastirFields holds the canonical attributes that map to Rastir's keys.
type rastirFields struct {
	reqModel, respModel   string
	provider              string
	ttft                  float64
	hasTTFT               bool
	finishReason          string
	remote, hasRemote     bool
	streaming, hasStream  bool
	cost                  float64
	hasCost               bool
	tokensIn, tokensOut   int64
	hasTokIn, hasTokOut   bool
	pricingMissing, hasPM bool
	// taken has the wireKeyBit of each of Rastir's keys that a canonical
	// attribute fills.
	taken uint32
}

// The bits of Rastir's attribute keys that the exporter fills from
// canonical attributes (rastirFields.taken).
const (
	keyModel uint32 = 1 << iota
	keyProvider
	keyTokensIn
	keyTokensOut
	keyFinishReason
	keyCost
	keyPricingMissing
	keyTTFT
	keyStreaming
	keyRemote
	keyErrorMessage
	keyAgent
	keyToolName
	keyPricingProfile
	keyGuardrailID
	keyGuardrailVersion
	keyGuardrailAction
	keyGuardrailCategory
)

// wireKeyBit is the bit of one of Rastir's attribute keys that the
// exporter fills from a canonical attribute, 0 for another key.
func wireKeyBit(key string) uint32 {
	switch key {
	case vocabulary.RastirAttrModel:
		return keyModel
	case vocabulary.RastirAttrProvider:
		return keyProvider
	case vocabulary.RastirAttrTokensInput:
		return keyTokensIn
	case vocabulary.RastirAttrTokensOutput:
		return keyTokensOut
	case vocabulary.RastirAttrFinishReason:
		return keyFinishReason
	case vocabulary.RastirAttrCostUSD:
		return keyCost
	case vocabulary.RastirAttrPricingMissing:
		return keyPricingMissing
	case vocabulary.RastirAttrTTFTMs:
		return keyTTFT
	case vocabulary.RastirAttrStreaming:
		return keyStreaming
	case vocabulary.RastirAttrRemote:
		return keyRemote
	case vocabulary.RastirAttrErrorMessage:
		return keyErrorMessage
	case vocabulary.RastirAttrAgent:
		return keyAgent
	case vocabulary.RastirAttrToolName:
		return keyToolName
	case vocabulary.RastirAttrPricingProfile:
		return keyPricingProfile
	case vocabulary.RastirAttrGuardrailID:
		return keyGuardrailID
	case vocabulary.RastirAttrGuardrailVersion:
		return keyGuardrailVersion
	case vocabulary.RastirAttrGuardrailAction:
		return keyGuardrailAction
	case vocabulary.RastirAttrGuardrailCat:
		return keyGuardrailCategory
	}
	return 0
}

// rastirName is Rastir's name of a canonical string attribute that goes
// out renamed, value unchanged, and the bit of that name; 0 for another
// attribute.
func rastirName(k attribute.Key) (string, uint32) {
	switch k {
	case vocabulary.GenAIAgentName:
		return vocabulary.RastirAttrAgent, keyAgent
	case vocabulary.GenAIToolName:
		return vocabulary.RastirAttrToolName, keyToolName
	case vocabulary.RastirPricingProfile:
		return vocabulary.RastirAttrPricingProfile, keyPricingProfile
	case vocabulary.RastirGuardrailID:
		return vocabulary.RastirAttrGuardrailID, keyGuardrailID
	case vocabulary.RastirGuardrailVersion:
		return vocabulary.RastirAttrGuardrailVersion, keyGuardrailVersion
	case vocabulary.RastirGuardrailAction:
		return vocabulary.RastirAttrGuardrailAction, keyGuardrailAction
	case vocabulary.RastirGuardrailCategory:
		return vocabulary.RastirAttrGuardrailCat, keyGuardrailCategory
	}
	return "", 0
}

func appendSpan(b []byte, s sdktrace.ReadOnlySpan) []byte {
	sc := s.SpanContext()
	b = append(b, '{')
	b = appendKey(b, vocabulary.WireType)
	b = appendString(b, vocabulary.WireTypeSpan)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireTraceID)
	tid, sid := sc.TraceID(), sc.SpanID()
	b = appendHexID(b, tid[:], 0)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireSpanID)
	b = appendHexID(b, sid[:], 8)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireParentSpanID)
	if pid := s.Parent().SpanID(); pid.IsValid() {
		b = appendHexID(b, pid[:], 8)
	} else {
		b = append(b, "null"...)
	}

	// First pass: the canonical attributes that make fields, names and
	// Rastir's keys; the others, which go out as attributes, are kept for
	// the second (on the stack for most spans).
	spanType, toolName, serverSide := "", "", false
	errorCategory, provider := "", ""
	var f rastirFields
	var othersBuf [32]attribute.KeyValue
	others := othersBuf[:0]
	for _, kv := range s.Attributes() {
		switch kv.Key {
		case vocabulary.RastirSpanTypeKey:
			spanType = kv.Value.AsString()
		case vocabulary.GenAIOperationName:
			// Implied by the span type.
		case vocabulary.RastirRemote:
			serverSide = kv.Value.Type() == attribute.BOOL && !kv.Value.AsBool()
			f.remote, f.hasRemote = kv.Value.AsBool(), true
		case vocabulary.GenAIProviderName:
			provider = kv.Value.AsString()
			f.provider = vocabulary.RastirProviderLabel(provider)
		case vocabulary.GenAIRequestModel:
			f.reqModel = kv.Value.AsString()
		case vocabulary.GenAIResponseModel:
			f.respModel = kv.Value.AsString()
		case vocabulary.GenAIResponseTimeToFirstChunk:
			// Milliseconds with 2 decimals, as the Python client.
			f.ttft, f.hasTTFT = math.Round(kv.Value.AsFloat64()*1e5)/100, true
		case vocabulary.GenAIResponseFinishReasons:
			if r := kv.Value.AsStringSlice(); len(r) > 0 {
				f.finishReason = r[0]
			}
		case vocabulary.GenAIRequestStream:
			f.streaming, f.hasStream = kv.Value.AsBool(), true
		case vocabulary.RastirCostUSD:
			f.cost, f.hasCost = kv.Value.AsFloat64(), true
		case vocabulary.GenAIUsageInputTokens:
			f.tokensIn, f.hasTokIn = kv.Value.AsInt64(), true
		case vocabulary.GenAIUsageOutputTokens:
			f.tokensOut, f.hasTokOut = kv.Value.AsInt64(), true
		case vocabulary.RastirPricingMissing:
			f.pricingMissing, f.hasPM = kv.Value.AsBool(), true
		default:
			switch kv.Key {
			case vocabulary.GenAIToolName:
				toolName = kv.Value.AsString()
			case vocabulary.RastirErrorCategoryKey:
				errorCategory = kv.Value.AsString()
			}
			_, bit := rastirName(kv.Key)
			f.taken |= bit
			others = append(others, kv)
		}
	}
	// Rastir names a tool by its span's name (the Python client's span is
	// the tool function's name): a tool span goes out under the tool's
	// name, not semconv's "execute_tool <name>". The server side of a
	// remote call keeps its mcpserver:<tool> name, as Rastir's MCP
	// middleware names it.
	name := s.Name()
	if spanType == vocabulary.SpanTypeTool && toolName != "" && !serverSide {
		name = toolName
	}
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireSpanType)
	b = appendString(b, wireSpanType(spanType))
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireName)
	b = appendString(b, name)
	start, end, st := s.StartTime(), s.EndTime(), s.Status()
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireStartTime)
	b = appendEpochSeconds(b, start)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireEndTime)
	b = appendEpochSeconds(b, end)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireDurationMs)
	b = appendDurationMs(b, end.Sub(start))
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireStatus)
	if st.Code == codes.Error {
		b = appendString(b, vocabulary.WireStatusError)
	} else {
		b = appendString(b, vocabulary.WireStatusOK)
	}
	// Attributes: first Rastir's keys made from canonical attributes,
	// then the others, the canonical keys in Rastir's names. An
	// attribute of the application named as one of Rastir's keys that a
	// canonical attribute fills goes out only without that canonical one,
	// so that no key appears twice.
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireAttributes)
	b = append(b, '{')
	n := 0
	key := func(bit uint32, k string) {
		if n > 0 {
			b = append(b, ',')
		}
		n++
		f.taken |= bit
		b = appendKey(b, k)
	}
	if m := f.respModel; m != "" || f.reqModel != "" {
		if m == "" {
			m = f.reqModel
		}
		key(keyModel, vocabulary.RastirAttrModel)
		b = appendString(b, m)
	}
	if f.provider != "" {
		key(keyProvider, vocabulary.RastirAttrProvider)
		b = appendString(b, f.provider)
	}
	if f.hasTokIn {
		key(keyTokensIn, vocabulary.RastirAttrTokensInput)
		b = strconv.AppendInt(b, f.tokensIn, 10)
	}
	if f.hasTokOut {
		key(keyTokensOut, vocabulary.RastirAttrTokensOutput)
		b = strconv.AppendInt(b, f.tokensOut, 10)
	}
	if f.finishReason != "" {
		key(keyFinishReason, vocabulary.RastirAttrFinishReason)
		b = appendString(b, f.finishReason)
	}
	if f.hasCost {
		key(keyCost, vocabulary.RastirAttrCostUSD)
		b = appendFloat(b, f.cost)
	}
	if f.hasPM {
		key(keyPricingMissing, vocabulary.RastirAttrPricingMissing)
		b = strconv.AppendBool(b, f.pricingMissing)
	}
	if f.hasTTFT {
		key(keyTTFT, vocabulary.RastirAttrTTFTMs)
		b = appendFloat(b, f.ttft)
	}
	if f.hasStream {
		key(keyStreaming, vocabulary.RastirAttrStreaming)
		b = strconv.AppendBool(b, f.streaming)
	}
	if f.hasRemote {
		key(keyRemote, vocabulary.RastirAttrRemote)
		if f.remote {
			b = appendString(b, vocabulary.RastirRemoteTrue)
		} else {
			b = appendString(b, vocabulary.RastirRemoteFalse)
		}
	}
	if st.Code == codes.Error && st.Description != "" {
		key(keyErrorMessage, vocabulary.RastirAttrErrorMessage)
		b = appendString(b, st.Description)
	}
	for _, kv := range others {
		if k, bit := rastirName(kv.Key); bit != 0 {
			key(bit, k)
		} else if k := string(kv.Key); f.taken&wireKeyBit(k) == 0 {
			key(0, k)
		} else {
			continue
		}
		b = appendValue(b, kv.Value)
	}
	b = append(b, '}')

	b = append(b, ',')
	b = appendKey(b, vocabulary.WireEvents)
	b = append(b, '[')
	// A Rastir server categorises a failure by the exception type of the
	// span's first exception event alone, with a table of Python names
	// that Go's type names ("*openai.Error") never match. Where it would
	// not reach the span's category, that event names the category's
	// Python type; the span's error.type keeps the Go one.
	exceptionType := ""
	if errorCategory != "" && st.Code == codes.Error {
		exceptionType = vocabulary.RastirExceptionType(errorCategory, provider)
	}
	events := s.Events()
	for i, ev := range events {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEventStart(b, ev.Name)
		exception := exceptionType != "" && ev.Name == vocabulary.EventException
		for j, kv := range ev.Attributes {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, string(kv.Key))
			if exception && kv.Key == vocabulary.AttrExceptionType && kv.Value.Type() == attribute.STRING && kv.Value.AsString() != "" {
				// The event the server reads: the later ones go as they are.
				typ := kv.Value.AsString()
				if vocabulary.RastirServerErrorCategory(typ) != errorCategory {
					typ = exceptionType
				}
				exceptionType = ""
				b = appendString(b, typ)
				continue
			}
			b = appendValue(b, kv.Value)
		}
		b = appendEventEnd(b, ev.Time)
	}
	if exceptionType != "" {
		// No exception event named a type (a span failed by its HTTP
		// status alone, FailStatus): the server would count it unknown.
		if len(events) > 0 {
			b = append(b, ',')
		}
		b = appendEventStart(b, vocabulary.EventException)
		b = appendKey(b, vocabulary.AttrExceptionType)
		b = appendString(b, exceptionType)
		b = append(b, ',')
		b = appendKey(b, vocabulary.AttrExceptionMessage)
		b = appendString(b, st.Description)
		b = appendEventEnd(b, end)
	}
	return append(b, ']', '}')
}

// appendEventStart opens an event and its attributes object.
func appendEventStart(b []byte, name string) []byte {
	b = append(b, '{')
	b = appendKey(b, vocabulary.WireEventName)
	b = appendString(b, name)
	b = append(b, ',')
	b = appendKey(b, vocabulary.WireEventAttributes)
	return append(b, '{')
}

// appendEventEnd closes an event's attributes and the event, with its time.
func appendEventEnd(b []byte, t time.Time) []byte {
	b = append(b, '}', ',')
	b = appendKey(b, vocabulary.WireEventTimestamp)
	b = appendEpochSeconds(b, t)
	return append(b, '}')
}

// wireSpanType is the span type the Python client would send: its own
// words, "trace" for a plain (system) span and for spans of other
// instrumentations.
func wireSpanType(canonical string) string {
	switch canonical {
	case vocabulary.SpanTypeAgent, vocabulary.SpanTypeLLM, vocabulary.SpanTypeTool,
		vocabulary.SpanTypeRetrieval, vocabulary.SpanTypeEvaluation, vocabulary.SpanTypeInfra:
		return canonical
	}
	return vocabulary.WireSpanTypeTrace
}

const hexDigits = "0123456789abcdef"

// appendHexID appends id as lower-case hex followed by pad zero bytes: the
// Python client's span ids have 32 hex digits, whose first 16 are the span
// id the Rastir server (and otelcol-rastir) keep.
func appendHexID(b []byte, id []byte, pad int) []byte {
	b = append(b, '"')
	for _, c := range id {
		b = append(b, hexDigits[c>>4], hexDigits[c&0x0f])
	}
	for range pad {
		b = append(b, '0', '0')
	}
	return append(b, '"')
}

// appendEpochSeconds appends t as Unix seconds with exactly its
// nanoseconds ("1795736261.0072095"), a plain decimal the receiver converts
// without rounding.
func appendEpochSeconds(b []byte, t time.Time) []byte {
	ns := t.UnixNano()
	if ns < 0 {
		ns = 0
	}
	b = strconv.AppendInt(b, ns/1e9, 10)
	return appendFraction(b, ns%1e9, 9)
}

// appendDurationMs appends d in milliseconds with its nanoseconds.
func appendDurationMs(b []byte, d time.Duration) []byte {
	ns := d.Nanoseconds()
	if ns < 0 {
		ns = 0
	}
	b = strconv.AppendInt(b, ns/1e6, 10)
	return appendFraction(b, ns%1e6, 6)
}

// appendFraction appends ".<frac>" with the given number of digits, trailing
// zeros trimmed (".0" for zero, so the value stays a float as in Python).
func appendFraction(b []byte, frac int64, digits int) []byte {
	var d [9]byte
	for i := digits - 1; i >= 0; i-- {
		d[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := digits
	for n > 1 && d[n-1] == '0' {
		n--
	}
	b = append(b, '.')
	return append(b, d[:n]...)
}

func appendFloat(b []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(b, "null"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		b = strconv.AppendFloat(b, f, 'f', -1, 64)
		return append(b, '.', '0')
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

func appendValue(b []byte, v attribute.Value) []byte {
	switch v.Type() {
	case attribute.BOOL:
		return strconv.AppendBool(b, v.AsBool())
	case attribute.INT64:
		return strconv.AppendInt(b, v.AsInt64(), 10)
	case attribute.FLOAT64:
		return appendFloat(b, v.AsFloat64())
	case attribute.STRING:
		return appendString(b, v.AsString())
	case attribute.BOOLSLICE:
		return appendSlice(b, v.AsBoolSlice(), strconv.AppendBool)
	case attribute.INT64SLICE:
		return appendSlice(b, v.AsInt64Slice(), func(b []byte, i int64) []byte { return strconv.AppendInt(b, i, 10) })
	case attribute.FLOAT64SLICE:
		return appendSlice(b, v.AsFloat64Slice(), appendFloat)
	case attribute.STRINGSLICE:
		return appendSlice(b, v.AsStringSlice(), appendString)
	case attribute.SLICE:
		return appendSlice(b, v.AsSlice(), appendValue)
	case attribute.MAP:
		b = append(b, '{')
		for i, kv := range v.AsMap() {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendKey(b, string(kv.Key))
			b = appendValue(b, kv.Value)
		}
		return append(b, '}')
	case attribute.EMPTY:
		return append(b, "null"...)
	}
	return appendString(b, v.String())
}

func appendSlice[T any](b []byte, vs []T, f func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = f(b, v)
	}
	return append(b, ']')
}

func appendKey(b []byte, k string) []byte {
	b = appendString(b, k)
	return append(b, ':')
}

// appendString appends s as a JSON string; invalid UTF-8 becomes U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0x0f])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, "\\ufffd"...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
