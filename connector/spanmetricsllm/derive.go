package spanmetricsllm

import (
	"math"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// spanFields is what one pass over a span's attributes finds, in the
// canonical vocabulary llmenrichprocessor writes.
type spanFields struct {
	spanType, wireStatus, requestModel, responseModel, provider, agent string
	errorCategory, toolName, pricingProfile                            string
	guardrailID, guardrailVersion, guardrailAction, guardrailCategory  string
	operation, serverAddress, errorType                                string
	providerLabel                                                      string

	tokensIn, tokensOut, serverPort int64
	cost, ttft, wireMs              float64

	hasTokensIn, hasTokensOut, hasTTFT, hasWireMs, hasServerPort, pricingMissing bool
}

// readSpan fills f from the span's attributes in one pass (pdata maps are
// slices: a lookup per key would scan them a dozen times).
func readSpan(attrs pcommon.Map, f *spanFields) {
	*f = spanFields{}
	for k, v := range attrs.All() {
		switch k {
		case vocabulary.RastirSpanTypeKey:
			f.spanType = str(v)
		case vocabulary.WireKeyStatus:
			f.wireStatus = str(v)
		case vocabulary.GenAIRequestModel:
			f.requestModel = str(v)
		case vocabulary.GenAIResponseModel:
			f.responseModel = str(v)
		case vocabulary.GenAIProviderName:
			f.provider = str(v)
		case vocabulary.RastirProviderLabelKey:
			f.providerLabel = str(v)
		case vocabulary.GenAIAgentName:
			f.agent = str(v)
		case vocabulary.RastirErrorCategoryKey:
			f.errorCategory = str(v)
		case vocabulary.GenAIToolName:
			f.toolName = str(v)
		case vocabulary.GenAIUsageInputTokens:
			f.tokensIn, f.hasTokensIn = integer(v)
		case vocabulary.GenAIUsageOutputTokens:
			f.tokensOut, f.hasTokensOut = integer(v)
		case vocabulary.RastirCostUSD:
			f.cost, _ = number(v)
		case vocabulary.RastirPricingProfile:
			f.pricingProfile = str(v)
		case vocabulary.RastirPricingMissing:
			f.pricingMissing = v.Type() == pcommon.ValueTypeBool && v.Bool()
		case vocabulary.GenAIResponseTimeToFirstChunk:
			f.ttft, f.hasTTFT = number(v)
		case vocabulary.RastirGuardrailID:
			f.guardrailID = str(v)
		case vocabulary.RastirGuardrailVersion:
			f.guardrailVersion = str(v)
		case vocabulary.RastirGuardrailAction:
			f.guardrailAction = str(v)
		case vocabulary.RastirGuardrailCategory:
			f.guardrailCategory = str(v)
		case vocabulary.WireKeyDurationMs:
			f.wireMs, f.hasWireMs = number(v)
		case vocabulary.GenAIOperationName:
			f.operation = str(v)
		case vocabulary.ServerAddress:
			f.serverAddress = str(v)
		case vocabulary.ServerPort:
			if port, ok := integer(v); ok && port > 0 && port <= maxPort {
				f.serverPort, f.hasServerPort = port, true
			}
		case vocabulary.ErrorType:
			f.errorType = str(v)
		}
	}
}

// maxPort is the largest valid server.port.
const maxPort = 65535

// str returns a string attribute's value; any other type counts as absent.
func str(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// integer reads a token count: an int, or a double holding an integer.
func integer(v pcommon.Value) (int64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeDouble:
		d := v.Double()
		if d == math.Trunc(d) && math.Abs(d) < 1<<53 {
			return int64(d), true
		}
	}
	return 0, false
}

// number reads a finite int or double.
func number(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		d := v.Double()
		if !math.IsNaN(d) && !math.IsInf(d, 0) {
			return d, true
		}
	}
	return 0, false
}

// clip keeps the first n runes of v (Rastir's clip counts characters).
// The overflow value of the cardinality processor stays whole, as Rastir's
// guard returns it.
func clip(v string, n int) string {
	if len(v) <= n {
		return v // n bytes hold at most n runes
	}
	if v == vocabulary.OverflowValue {
		return v
	}
	i := 0
	for range n {
		_, size := utf8.DecodeRuneInString(v[i:])
		i += size
		if i >= len(v) {
			return v
		}
	}
	return v[:i]
}

// spanDuration is the latency Rastir observes, in seconds: the client's
// duration_ms when the span carries it; none for a Rastir span without it
// (Rastir observes nothing then); end minus start for any other span.
func spanDuration(span ptrace.Span, rastirScope bool, f *spanFields) (float64, bool) {
	if f.hasWireMs {
		return f.wireMs / 1000, true
	}
	if rastirScope {
		return 0, false
	}
	start, end := span.StartTimestamp(), span.EndTimestamp()
	if start == 0 || end < start {
		return 0, false
	}
	return float64(end-start) / 1e9, true
}
