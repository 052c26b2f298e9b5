package dialect

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// rastir maps the Rastir client's attributes (spans of the rastir scope).
type rastir struct{ opts Options }

// NewRastir returns the mapper of the Rastir client's dialect.
func NewRastir(opts Options) Mapper { return rastir{opts: opts} }

var _ Mapper = rastir{}

// operationBySpanType gives the semconv operation of a Rastir span type.
func operationBySpanType(spanType string) string {
	switch spanType {
	case vocabulary.SpanTypeLLM:
		return vocabulary.OperationChat
	case vocabulary.SpanTypeTool:
		return vocabulary.OperationExecuteTool
	case vocabulary.SpanTypeAgent:
		return vocabulary.OperationInvokeAgent
	case vocabulary.SpanTypeRetrieval:
		return vocabulary.OperationRetrieval
	}
	return ""
}

// rastirFields is what one pass over a span's attributes finds: the Rastir
// values (copied out, since writing to the map may move its entries) and
// which canonical keys are already set.
type rastirFields struct {
	spanType, model, provider, agent, pricingProfile             string
	guardrailID, guardrailVersion, guardrailAction, guardrailCat string
	tokensIn, tokensOut                                          int64
	cost, ttftMs                                                 float64

	hasTokensIn, hasTokensOut, hasCost, hasTTFT, pricingMissing bool
	// hasPricingMissing says the client sent pricing_missing (it priced
	// the call itself).
	hasPricingMissing                                       bool
	hasGuardrailID, hasGuardrailAction, hasGuardrailVersion bool
	hasGuardrailCat                                         bool
	// remote is Rastir's MCP side flag, the string "true" or "false".
	remote, hasRemote bool

	// Canonical keys present before mapping.
	setSpanType, setOperation, setModel, setProvider, setAgent, setTool bool
	setTokensIn, setTokensOut, setCost, setProfile, setMissing, setTTFT bool
	setGuardrailID, setGuardrailVersion, setGuardrailAction             bool
	setGuardrailCat, setRemote                                          bool
}

// Map reads spans of the rastir scope only: Rastir's keys ("model",
// "agent", ...) are too generic to trust on spans of other instrumentation.
func (r rastir) Map(scope pcommon.InstrumentationScope, span ptrace.Span) {
	if scope.Name() != vocabulary.ScopeRastir {
		return
	}
	attrs := span.Attributes()
	var f rastirFields
	// One pass: pdata maps are slices, so a lookup per key would scan the
	// attributes a dozen times per span.
	for k, v := range attrs.All() {
		switch k {
		case vocabulary.WireKeySpanType:
			f.spanType = stringValue(v)
		case vocabulary.RastirAttrModel:
			f.model = stringValue(v)
		case vocabulary.RastirAttrProvider:
			f.provider = stringValue(v)
		case vocabulary.RastirAttrAgent:
			f.agent = stringValue(v)
		case vocabulary.RastirAttrTokensInput:
			f.tokensIn, f.hasTokensIn = TokenCount(v)
		case vocabulary.RastirAttrTokensOutput:
			f.tokensOut, f.hasTokensOut = TokenCount(v)
		case vocabulary.RastirAttrCostUSD:
			f.cost, f.hasCost = number(v)
		case vocabulary.RastirAttrPricingProfile:
			f.pricingProfile = stringValue(v)
		case vocabulary.RastirAttrPricingMissing:
			f.pricingMissing, f.hasPricingMissing = truthy(v), v.Type() == pcommon.ValueTypeBool
		case vocabulary.RastirAttrTTFTMs:
			f.ttftMs, f.hasTTFT = number(v)
		case vocabulary.RastirAttrGuardrailID:
			f.guardrailID, f.hasGuardrailID = v.AsString(), truthy(v)
		case vocabulary.RastirAttrGuardrailVersion:
			f.guardrailVersion, f.hasGuardrailVersion = v.AsString(), true
		case vocabulary.RastirAttrGuardrailAction:
			f.guardrailAction, f.hasGuardrailAction = v.AsString(), truthy(v)
		case vocabulary.RastirAttrGuardrailCat:
			f.guardrailCat, f.hasGuardrailCat = v.AsString(), true
		case vocabulary.RastirAttrRemote:
			if v.Type() == pcommon.ValueTypeStr && (v.Str() == vocabulary.RastirRemoteTrue || v.Str() == vocabulary.RastirRemoteFalse) {
				f.remote, f.hasRemote = v.Str() == vocabulary.RastirRemoteTrue, true
			}
		case vocabulary.RastirRemote:
			f.setRemote = true
		case vocabulary.RastirSpanTypeKey:
			f.setSpanType = true
		case vocabulary.GenAIOperationName:
			f.setOperation = true
		case vocabulary.GenAIRequestModel:
			f.setModel = true
		case vocabulary.GenAIProviderName:
			f.setProvider = true
		case vocabulary.GenAIAgentName:
			f.setAgent = true
		case vocabulary.GenAIToolName:
			f.setTool = true
		case vocabulary.GenAIUsageInputTokens:
			f.setTokensIn = true
		case vocabulary.GenAIUsageOutputTokens:
			f.setTokensOut = true
		case vocabulary.RastirCostUSD:
			f.setCost = true
		case vocabulary.RastirPricingProfile:
			f.setProfile = true
		case vocabulary.RastirPricingMissing:
			f.setMissing = true
		case vocabulary.GenAIResponseTimeToFirstChunk:
			f.setTTFT = true
		case vocabulary.RastirGuardrailID:
			f.setGuardrailID = true
		case vocabulary.RastirGuardrailVersion:
			f.setGuardrailVersion = true
		case vocabulary.RastirGuardrailAction:
			f.setGuardrailAction = true
		case vocabulary.RastirGuardrailCategory:
			f.setGuardrailCat = true
		}
	}

	spanType := vocabulary.NormalizeRastirSpanType(f.spanType)
	// Grow the attributes once for every key written below: appending them
	// one by one reallocated the span's attribute slice several times.
	attrs.EnsureCapacity(attrs.Len() + f.writes(spanType))
	if !f.setSpanType {
		attrs.PutStr(vocabulary.RastirSpanTypeKey, spanType)
	}
	if op := operationBySpanType(spanType); op != "" && !f.setOperation {
		attrs.PutStr(vocabulary.GenAIOperationName, op)
	}
	rm := sourceKeys{on: r.opts.RemoveSourceKeys}
	if f.model != "" && !f.setModel {
		attrs.PutStr(vocabulary.GenAIRequestModel, f.model)
		rm.add(vocabulary.RastirAttrModel)
	}
	if f.provider != "" && !f.setProvider {
		canonical := canonicalProvider(f.provider)
		attrs.PutStr(vocabulary.GenAIProviderName, canonical)
		if vocabulary.RastirProviderLabel(canonical) != f.provider {
			attrs.PutStr(vocabulary.RastirProviderLabelKey, f.provider)
		}
		rm.add(vocabulary.RastirAttrProvider)
	}
	if f.agent != "" && !f.setAgent {
		attrs.PutStr(vocabulary.GenAIAgentName, f.agent)
		rm.add(vocabulary.RastirAttrAgent)
	}
	if spanType == vocabulary.SpanTypeTool && !f.setTool {
		// Rastir names tools by the span name, not by its tool_name attribute.
		attrs.PutStr(vocabulary.GenAIToolName, span.Name())
	}
	if f.hasTokensIn && !f.setTokensIn {
		attrs.PutInt(vocabulary.GenAIUsageInputTokens, f.tokensIn)
		rm.add(vocabulary.RastirAttrTokensInput)
	}
	if f.hasTokensOut && !f.setTokensOut {
		attrs.PutInt(vocabulary.GenAIUsageOutputTokens, f.tokensOut)
		rm.add(vocabulary.RastirAttrTokensOutput)
	}
	// The client's own cost is authoritative when positive (Rastir records
	// no cost for 0 or less).
	if f.hasCost && f.cost > 0 {
		if !f.setCost {
			attrs.PutDouble(vocabulary.RastirCostUSD, f.cost)
			rm.add(vocabulary.RastirAttrCostUSD)
		}
		if !f.setProfile {
			profile := f.pricingProfile
			if profile == "" {
				profile = "default"
			} else {
				rm.add(vocabulary.RastirAttrPricingProfile)
			}
			attrs.PutStr(vocabulary.RastirPricingProfile, profile)
		}
	}
	if f.pricingMissing && !f.setMissing {
		attrs.PutBool(vocabulary.RastirPricingMissing, true)
		rm.add(vocabulary.RastirAttrPricingMissing)
	} else if f.pricesAtZero() && !f.setMissing {
		// The client had a price and it came to 0 (a model its table
		// lists as free): no cost, as in Rastir, and no price computed
		// from another table.
		attrs.PutBool(vocabulary.RastirPricingMissing, false)
		rm.add(vocabulary.RastirAttrPricingMissing)
	}
	if f.hasTTFT && f.ttftMs >= 0 && !f.setTTFT {
		attrs.PutDouble(vocabulary.GenAIResponseTimeToFirstChunk, f.ttftMs/1000)
		rm.add(vocabulary.RastirAttrTTFTMs)
	}
	if f.hasRemote && !f.setRemote {
		attrs.PutBool(vocabulary.RastirRemote, f.remote)
		rm.add(vocabulary.RastirAttrRemote)
	}
	mapRastirGuardrail(attrs, &f, &rm)
	rm.removeFrom(attrs)
}

// writes counts the canonical keys Map writes (an upper bound where a
// value may still turn out empty).
func (f *rastirFields) writes(spanType string) int {
	n := 0
	add := func(cond bool) {
		if cond {
			n++
		}
	}
	add(!f.setSpanType)
	add(operationBySpanType(spanType) != "" && !f.setOperation)
	add(f.model != "" && !f.setModel)
	add(f.provider != "" && !f.setProvider)
	add(f.provider != "" && !f.setProvider) // room for rastir.provider.label
	add(f.agent != "" && !f.setAgent)
	add(spanType == vocabulary.SpanTypeTool && !f.setTool)
	add(f.hasTokensIn && !f.setTokensIn)
	add(f.hasTokensOut && !f.setTokensOut)
	add(f.hasCost && f.cost > 0 && !f.setCost)
	add(f.hasCost && f.cost > 0 && !f.setProfile)
	add((f.pricingMissing || f.pricesAtZero()) && !f.setMissing)
	add(f.hasTTFT && !f.setTTFT)
	add(f.hasGuardrailID && !f.setGuardrailID)
	add(f.hasGuardrailID && f.hasGuardrailVersion && !f.setGuardrailVersion)
	add(f.hasGuardrailAction && !f.setGuardrailAction)
	add(f.hasGuardrailAction && !f.setGuardrailCat)
	add(f.hasRemote && !f.setRemote)
	return n
}

// pricesAtZero reports whether the client priced the call at no cost:
// pricing_missing false without a positive cost_usd.
func (f *rastirFields) pricesAtZero() bool {
	return f.hasPricingMissing && !f.pricingMissing && !(f.hasCost && f.cost > 0)
}

// mapRastirGuardrail copies the guardrail attributes, bounding action and
// category to their enums (a missing category is out of the enum too, as in
// Rastir). An action or category outside the enum keeps its input key:
// the canonical key cannot hold its value.
func mapRastirGuardrail(attrs pcommon.Map, f *rastirFields, rm *sourceKeys) {
	if f.hasGuardrailID {
		if !f.setGuardrailID {
			attrs.PutStr(vocabulary.RastirGuardrailID, f.guardrailID)
			rm.add(vocabulary.RastirAttrGuardrailID)
		}
		if f.hasGuardrailVersion && !f.setGuardrailVersion {
			attrs.PutStr(vocabulary.RastirGuardrailVersion, f.guardrailVersion)
			rm.add(vocabulary.RastirAttrGuardrailVersion)
		}
	}
	if f.hasGuardrailAction {
		if !f.setGuardrailAction {
			action := vocabulary.BoundGuardrailAction(f.guardrailAction)
			attrs.PutStr(vocabulary.RastirGuardrailAction, action)
			if action == f.guardrailAction {
				rm.add(vocabulary.RastirAttrGuardrailAction)
			}
		}
		if !f.setGuardrailCat {
			category := vocabulary.OverflowValue
			if f.hasGuardrailCat {
				category = vocabulary.BoundGuardrailCategory(f.guardrailCat)
			}
			attrs.PutStr(vocabulary.RastirGuardrailCategory, category)
			if f.hasGuardrailCat && category == f.guardrailCat {
				rm.add(vocabulary.RastirAttrGuardrailCat)
			}
		}
	}
}

func stringValue(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}
