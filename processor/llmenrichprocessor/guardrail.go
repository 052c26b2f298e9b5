package llmenrichprocessor

import (
	"bytes"
	"strings"

	"github.com/valyala/fastjson"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/dialect"
)

// maxAssessmentDepth bounds the walk of a guardrail assessment; Bedrock's
// are five levels deep, so anything far deeper is not one.
const maxAssessmentDepth = 16

// assessmentParsers parse assessments sent as JSON strings.
var assessmentParsers fastjson.ParserPool

var policySuffix = []byte(vocabulary.BedrockPolicySuffix)

// guardrailFields is what one pass over a span's attributes finds.
type guardrailFields struct {
	id, policyID, version, action string
	// assessment is the value of AWSBedrockGuardrailAssessment; read before
	// anything is written, since writing may move the map's entries.
	assessment       pcommon.Value
	hasAssessment    bool
	finishIntervened bool
	// safetyCategory is the guardrail category of the first finish reason
	// with which a provider's own safety filter stopped the call.
	safetyCategory string
	safetyStopped  bool

	setID, setVersion, setAction, setCategory bool
}

// mapGuardrail writes the canonical guardrail keys of a Bedrock call from
// the keys instrumentations write (semconv aws.bedrock.guardrail.id, the
// draft gen_ai.guardrail.policy.*, the action and assessment Bedrock
// returned, a guardrail_intervened finish reason), and those of an LLM call
// that a provider's own safety filter stopped (a finish reason such as
// content_filter, refusal or SAFETY). Values the span already has are kept.
func mapGuardrail(span ptrace.Span) {
	attrs := span.Attributes()
	var f guardrailFields
	for k, v := range attrs.All() {
		switch k {
		case vocabulary.AWSBedrockGuardrailID:
			f.id = stringOf(v)
		case vocabulary.GenAIGuardrailPolicyID:
			f.policyID = stringOf(v)
		case vocabulary.GenAIGuardrailPolicyVersion:
			if v.Type() == pcommon.ValueTypeStr || v.Type() == pcommon.ValueTypeInt {
				f.version = v.AsString()
			}
		case vocabulary.AWSBedrockGuardrailAction:
			f.action = stringOf(v)
		case vocabulary.AWSBedrockGuardrailAssessment:
			f.assessment, f.hasAssessment = v, true
		case vocabulary.GenAIResponseFinishReasons:
			f.readFinishReasons(v)
		case vocabulary.RastirGuardrailID:
			f.setID = true
		case vocabulary.RastirGuardrailVersion:
			f.setVersion = true
		case vocabulary.RastirGuardrailAction:
			f.setAction = true
		case vocabulary.RastirGuardrailCategory:
			f.setCategory = true
		}
	}
	var a assessment
	if f.hasAssessment {
		a.read(f.assessment)
	}
	if f.id == "" {
		f.id = f.policyID
	}
	if f.id != "" {
		if !f.setID {
			attrs.PutStr(vocabulary.RastirGuardrailID, f.id)
		}
		if f.version != "" && !f.setVersion {
			attrs.PutStr(vocabulary.RastirGuardrailVersion, f.version)
		}
	}
	action := ""
	switch {
	case f.action != "":
		action = vocabulary.BoundBedrockGuardrailAction(f.action)
	case a.action != "":
		action = vocabulary.BoundBedrockGuardrailAction(a.action)
	case f.finishIntervened || a.acted:
		action = vocabulary.GuardrailActionIntervened
	case a.ok && !a.cut:
		// A readable assessment in which no policy acted.
		action = vocabulary.GuardrailActionNone
	case f.safetyStopped && !f.setAction && llmCall(attrs):
		// No guardrail of the call's own decides: the provider's safety
		// filter stopped it, as the Go SDK's adapters record. No id: the
		// connector labels the intervention as one without.
		if !f.setCategory {
			attrs.PutStr(vocabulary.RastirGuardrailCategory, f.safetyCategory)
		}
		attrs.PutStr(vocabulary.RastirGuardrailAction, vocabulary.GuardrailActionIntervened)
		return
	}
	if action == "" {
		return
	}
	if !f.setAction {
		attrs.PutStr(vocabulary.RastirGuardrailAction, action)
	}
	if action != vocabulary.GuardrailActionNone && !f.setCategory {
		category := vocabulary.OverflowValue
		if a.acted {
			category = a.category
		}
		attrs.PutStr(vocabulary.RastirGuardrailCategory, category)
	}
}

// assessment is what a Bedrock guardrail trace says: the category of the
// first policy that acted on the call (in the order Bedrock lists them),
// and an overall action outside any policy (ApplyGuardrail's, or the
// trace's own).
type assessment struct {
	// ok is set when the assessment was read to its end: a walk cut off
	// at maxAssessmentDepth may have missed the policy that acted.
	ok       bool
	cut      bool
	acted    bool
	category string
	action   string
}

// read walks an assessment sent as a JSON string or an OTLP map or list.
// A string that is not JSON is no assessment.
func (a *assessment) read(v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		p := assessmentParsers.Get()
		defer assessmentParsers.Put(p)
		doc, err := p.Parse(v.Str())
		if err != nil || (doc.Type() != fastjson.TypeObject && doc.Type() != fastjson.TypeArray) {
			return
		}
		a.ok = true
		a.walkJSON(doc, "", 0)
	case pcommon.ValueTypeMap, pcommon.ValueTypeSlice:
		a.ok = true
		a.walkValue(v, "", 0)
	}
}

// walkValue visits an OTLP value; policy is the policy field the value is
// under, if any.
func (a *assessment) walkValue(v pcommon.Value, policy string, depth int) {
	if depth > maxAssessmentDepth {
		a.cut = true
		return
	}
	switch v.Type() {
	case pcommon.ValueTypeMap:
		m := v.Map()
		if policy != "" && !a.acted {
			if act, ok := m.Get(vocabulary.BedrockAssessmentAction); ok && acts(stringOf(act)) {
				findingType := ""
				if t, ok := m.Get(vocabulary.BedrockAssessmentType); ok {
					findingType = stringOf(t)
				}
				a.acted, a.category = true, vocabulary.BedrockPolicyCategory(policy, findingType)
			}
		}
		for k, child := range m.All() {
			switch {
			case strings.HasSuffix(k, vocabulary.BedrockPolicySuffix):
				a.walkValue(child, k, depth+1)
			case policy == "" && k == vocabulary.BedrockAssessmentAction:
				if a.action == "" {
					a.action = stringOf(child)
				}
			default:
				a.walkValue(child, policy, depth+1)
			}
		}
	case pcommon.ValueTypeSlice:
		for _, child := range v.Slice().All() {
			a.walkValue(child, policy, depth+1)
		}
	}
}

// walkJSON is walkValue for an assessment sent as JSON.
func (a *assessment) walkJSON(v *fastjson.Value, policy string, depth int) {
	if depth > maxAssessmentDepth {
		a.cut = true
		return
	}
	switch v.Type() {
	case fastjson.TypeObject:
		if policy != "" && !a.acted && actsJSON(v.Get(vocabulary.BedrockAssessmentAction)) {
			findingType := jsonString(v.Get(vocabulary.BedrockAssessmentType))
			a.acted, a.category = true, vocabulary.BedrockPolicyCategory(policy, findingType)
		}
		obj, _ := v.Object()
		obj.Visit(func(key []byte, child *fastjson.Value) {
			switch {
			case bytes.HasSuffix(key, policySuffix):
				a.walkJSON(child, string(key), depth+1)
			case policy == "" && string(key) == vocabulary.BedrockAssessmentAction:
				if a.action == "" {
					a.action = jsonString(child)
				}
			default:
				a.walkJSON(child, policy, depth+1)
			}
		})
	case fastjson.TypeArray:
		items, _ := v.Array()
		for _, child := range items {
			a.walkJSON(child, policy, depth+1)
		}
	}
}

// acts reports whether a policy finding's action changed the call
// (BLOCKED, ANONYMIZED, ...): NONE is a finding in detect mode.
func acts(action string) bool {
	return action != "" && action != vocabulary.BedrockAssessmentActionNone
}

// actsJSON is acts for a JSON value, without copying the string out.
func actsJSON(v *fastjson.Value) bool {
	if v == nil || v.Type() != fastjson.TypeString {
		return false
	}
	action := v.GetStringBytes()
	return len(action) > 0 && string(action) != vocabulary.BedrockAssessmentActionNone
}

func jsonString(v *fastjson.Value) string {
	if v == nil || v.Type() != fastjson.TypeString {
		return ""
	}
	return string(v.GetStringBytes())
}

func stringOf(v pcommon.Value) string {
	if v.Type() == pcommon.ValueTypeStr {
		return v.Str()
	}
	return ""
}

// readFinishReasons reads gen_ai.response.finish_reasons (a string array;
// some instrumentations write one string): whether it holds Bedrock's
// guardrail_intervened, and the first reason with which a provider's own
// safety filter stopped the call.
func (f *guardrailFields) readFinishReasons(v pcommon.Value) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		f.readFinishReason(v.Str())
	case pcommon.ValueTypeSlice:
		for _, r := range v.Slice().All() {
			if r.Type() == pcommon.ValueTypeStr {
				f.readFinishReason(r.Str())
			}
		}
	}
}

func (f *guardrailFields) readFinishReason(reason string) {
	if reason == vocabulary.BedrockStopReasonGuardrailIntervened {
		f.finishIntervened = true
		return
	}
	if !f.safetyStopped {
		f.safetyCategory, f.safetyStopped = vocabulary.SafetyFinishCategory(reason)
	}
}

// llmCall reports whether the span is a model call, by its span type or,
// without one, its operation. Looked up only for a span a safety filter
// stopped, so that the common span's pass has two keys fewer to match.
func llmCall(attrs pcommon.Map) bool {
	if t, ok := attrs.Get(vocabulary.RastirSpanTypeKey); ok {
		return stringOf(t) == vocabulary.SpanTypeLLM
	}
	op, _ := attrs.Get(vocabulary.GenAIOperationName)
	return dialect.SpanTypeForOperation(stringOf(op)) == vocabulary.SpanTypeLLM
}
