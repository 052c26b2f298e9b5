package dialect

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/inference"
)

// rastir maps the Rastir client's attributes (spans of the rastir scope).
type rastir struct{}

// NewRastir returns the mapper of the Rastir client's dialect.
func NewRastir() Mapper { return rastir{} }

var _ Mapper = rastir{}

func (rastir) Applies(scope pcommon.InstrumentationScope) bool {
	return scope.Name() == vocabulary.ScopeRastir
}

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

func (rastir) Map(span ptrace.Span) {
	attrs := span.Attributes()

	raw := ""
	if v, ok := attrs.Get(vocabulary.WireKeySpanType); ok && v.Type() == pcommon.ValueTypeStr {
		raw = v.Str()
	}
	spanType := vocabulary.NormalizeRastirSpanType(raw)
	putStrIfAbsent(attrs, vocabulary.RastirSpanTypeKey, spanType)
	if op := operationBySpanType(spanType); op != "" {
		putStrIfAbsent(attrs, vocabulary.GenAIOperationName, op)
	}

	if v, ok := attrs.Get(vocabulary.RastirAttrModel); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
		putStrIfAbsent(attrs, vocabulary.GenAIRequestModel, v.Str())
	}
	if v, ok := attrs.Get(vocabulary.RastirAttrProvider); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
		provider := v.Str()
		if canonical, known := inference.NormalizeProvider(provider); known {
			provider = canonical
		}
		putStrIfAbsent(attrs, vocabulary.GenAIProviderName, provider)
	}
	if v, ok := attrs.Get(vocabulary.RastirAttrAgent); ok && v.Type() == pcommon.ValueTypeStr && v.Str() != "" {
		putStrIfAbsent(attrs, vocabulary.GenAIAgentName, v.Str())
	}
	if spanType == vocabulary.SpanTypeTool {
		// Rastir names tools by the span name, not by its tool_name attribute.
		putStrIfAbsent(attrs, vocabulary.GenAIToolName, span.Name())
	}

	if v, ok := attrs.Get(vocabulary.RastirAttrTokensInput); ok && v.Type() == pcommon.ValueTypeInt {
		putIntIfAbsent(attrs, vocabulary.GenAIUsageInputTokens, v.Int())
	}
	if v, ok := attrs.Get(vocabulary.RastirAttrTokensOutput); ok && v.Type() == pcommon.ValueTypeInt {
		putIntIfAbsent(attrs, vocabulary.GenAIUsageOutputTokens, v.Int())
	}

	// Cost as the client computed it: authoritative when positive (Rastir
	// records no cost for 0 or less).
	if v, ok := attrs.Get(vocabulary.RastirAttrCostUSD); ok {
		if cost, isNum := number(v); isNum && cost > 0 {
			putDoubleIfAbsent(attrs, vocabulary.RastirCostUSD, cost)
			profile := "default"
			if p, ok := attrs.Get(vocabulary.RastirAttrPricingProfile); ok && p.Type() == pcommon.ValueTypeStr {
				profile = p.Str()
			}
			putStrIfAbsent(attrs, vocabulary.RastirPricingProfile, profile)
		}
	}
	if v, ok := attrs.Get(vocabulary.RastirAttrPricingMissing); ok && truthy(v) {
		if _, set := attrs.Get(vocabulary.RastirPricingMissing); !set {
			attrs.PutBool(vocabulary.RastirPricingMissing, true)
		}
	}

	if v, ok := attrs.Get(vocabulary.RastirAttrTTFTMs); ok {
		if ms, isNum := number(v); isNum && ms >= 0 {
			putDoubleIfAbsent(attrs, vocabulary.GenAIResponseTimeToFirstChunk, ms/1000)
		}
	}

	mapRastirGuardrail(attrs)
}

// mapRastirGuardrail copies the guardrail attributes, bounding action and
// category to their enums.
func mapRastirGuardrail(attrs pcommon.Map) {
	id, hasID := attrs.Get(vocabulary.RastirAttrGuardrailID)
	if hasID && truthy(id) {
		putStrIfAbsent(attrs, vocabulary.RastirGuardrailID, id.AsString())
		if ver, ok := attrs.Get(vocabulary.RastirAttrGuardrailVersion); ok {
			putStrIfAbsent(attrs, vocabulary.RastirGuardrailVersion, ver.AsString())
		}
	}
	if action, ok := attrs.Get(vocabulary.RastirAttrGuardrailAction); ok && truthy(action) {
		putStrIfAbsent(attrs, vocabulary.RastirGuardrailAction, vocabulary.BoundGuardrailAction(action.AsString()))
		category := vocabulary.OverflowValue
		if c, ok := attrs.Get(vocabulary.RastirAttrGuardrailCat); ok {
			category = vocabulary.BoundGuardrailCategory(c.AsString())
		}
		putStrIfAbsent(attrs, vocabulary.RastirGuardrailCategory, category)
	}
}
