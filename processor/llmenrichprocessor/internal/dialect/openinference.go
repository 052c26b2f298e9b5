package dialect

import (
	"math"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// openInference maps the OpenInference conventions (Arize; used by Phoenix
// and the openinference-instrumentation-* packages for OpenAI, Anthropic,
// LangChain, LlamaIndex, smolagents, ...).
type openInference struct{ opts Options }

// NewOpenInference returns the mapper of the OpenInference dialect. A span
// speaks it when it has openinference.span.kind, whatever its
// instrumentation scope; without that key its generic keys (session.id,
// tool.name, agent.name) are not trusted.
func NewOpenInference(opts Options) Mapper { return openInference{opts: opts} }

var _ Mapper = openInference{}

// openInferenceKind is the canonical reading of one openinference.span.kind.
type openInferenceKind struct {
	kind, spanType, operation string
}

// openInferenceKinds departs from contrib's genainormalizer value mapping
// where that mapping claims an operation the span did not perform:
//   - CHAIN is glue code (a LangChain runnable, a LlamaIndex query engine),
//     not an agent: span type system and no operation, where contrib says
//     invoke_agent, which would count every chain step as an agent call.
//   - PROMPT renders a prompt template and calls no model: system and no
//     operation, where contrib says text_completion.
//   - GUARDRAIL is a check (regex, classifier or LLM judge) and names no
//     model: system, so that it does not count as an LLM call; a model it
//     calls has its own LLM span.
//   - EVALUATOR is evaluation, which semconv has no operation for.
//
// RERANKER is a retrieval step (contrib agrees). UNKNOWN and any value not
// listed become system, as Rastir does with unknown span types.
var openInferenceKinds = [...]openInferenceKind{
	{vocabulary.OpenInferenceKindLLM, vocabulary.SpanTypeLLM, vocabulary.OperationChat},
	{vocabulary.OpenInferenceKindEmbedding, vocabulary.SpanTypeLLM, vocabulary.OperationEmbeddings},
	{vocabulary.OpenInferenceKindTool, vocabulary.SpanTypeTool, vocabulary.OperationExecuteTool},
	{vocabulary.OpenInferenceKindAgent, vocabulary.SpanTypeAgent, vocabulary.OperationInvokeAgent},
	{vocabulary.OpenInferenceKindRetriever, vocabulary.SpanTypeRetrieval, vocabulary.OperationRetrieval},
	{vocabulary.OpenInferenceKindReranker, vocabulary.SpanTypeRetrieval, vocabulary.OperationRetrieval},
	{vocabulary.OpenInferenceKindEvaluator, vocabulary.SpanTypeEvaluation, ""},
	{vocabulary.OpenInferenceKindChain, vocabulary.SpanTypeSystem, ""},
	{vocabulary.OpenInferenceKindPrompt, vocabulary.SpanTypeSystem, ""},
	{vocabulary.OpenInferenceKindGuardrail, vocabulary.SpanTypeSystem, ""},
}

// OpenInferenceSpanKind gives the canonical span type and gen_ai operation
// ("" when none fits) of an openinference.span.kind value, ignoring case
// and surrounding space.
func OpenInferenceSpanKind(kind string) (spanType, operation string) {
	kind = strings.TrimSpace(kind)
	for _, k := range openInferenceKinds {
		if strings.EqualFold(kind, k.kind) {
			return k.spanType, k.operation
		}
	}
	return vocabulary.SpanTypeSystem, ""
}

// openInferenceContentPrefixes are the flattened, indexed content keys.
var openInferenceContentPrefixes = [...]string{
	vocabulary.OpenInferenceInputMessagesPrefix,
	vocabulary.OpenInferenceOutputMessagesPrefix,
	vocabulary.OpenInferencePromptsPrefix,
	vocabulary.OpenInferenceChoicesPrefix,
	vocabulary.OpenInferenceEmbeddingsPrefix,
	vocabulary.OpenInferenceRetrievalDocumentsPrefix,
	vocabulary.OpenInferenceRerankerInputDocumentsPrefix,
	vocabulary.OpenInferenceRerankerOutputDocumentsPrefix,
}

// IsOpenInferenceContentKey reports whether an attribute carries
// OpenInference content: input.value, output.value, the prompt template's
// variables, a reranker's query, or a flattened message, prompt, choice,
// embedding or document (llm.input_messages.0.message.content, ...).
// Metadata keys (input.mime_type, llm.invocation_parameters, tool
// schemas) are not content.
func IsOpenInferenceContentKey(k string) bool {
	switch k {
	case vocabulary.OpenInferenceInputValue, vocabulary.OpenInferenceOutputValue,
		vocabulary.OpenInferencePromptTemplateVariables, vocabulary.OpenInferenceRerankerQuery:
		return true
	}
	// Every prefix starts with 'l', 'e', 'r': skip the rest cheaply.
	if k == "" || (k[0] != 'l' && k[0] != 'e' && k[0] != 'r') {
		return false
	}
	for _, p := range openInferenceContentPrefixes {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// oiCount is a token count read from an attribute.
type oiCount struct {
	n  int64
	ok bool
}

// oiUSD is an amount in US dollars read from an attribute.
type oiUSD struct {
	v  float64
	ok bool
}

// openInferenceFields is what one pass over a span's attributes finds: the
// OpenInference values (strings copied out, since writing to the map may
// move its entries) and which canonical keys are already set.
type openInferenceFields struct {
	speaks bool
	kind   string

	model, requestModel, responseModel, embeddingModel, rerankerModel string
	provider, system                                                  string
	toolName, toolCallID, toolID, agentName, sessionID                string

	promptTokens, completionTokens, cacheRead, cacheWrite, reasoning oiCount
	costTotal, costPrompt, costCompletion                            oiUSD

	// Canonical keys present before mapping.
	setSpanType, setOperation, setRequestModel, setResponseModel, setProvider bool
	setInput, setOutput, setCacheRead, setCacheCreation, setReasoning         bool
	setCost, setProfile, setTool, setToolCallID, setAgent, setConversation    bool
}

// Map reads the span in one pass and writes the canonical keys it lacks.
// Spans of the rastir scope never carry OpenInference keys and are skipped.
func (o openInference) Map(scope pcommon.InstrumentationScope, span ptrace.Span) {
	if scope.Name() == vocabulary.ScopeRastir {
		return
	}
	attrs := span.Attributes()
	var f openInferenceFields
	for k, v := range attrs.All() {
		f.read(k, v)
	}
	if !f.speaks {
		return
	}
	rm := sourceKeys{on: o.opts.RemoveSourceKeys}
	f.write(attrs, &rm)
	rm.removeFrom(attrs)
}

func (f *openInferenceFields) read(k string, v pcommon.Value) {
	switch k {
	case vocabulary.OpenInferenceSpanKind:
		f.speaks, f.kind = true, stringValue(v)
	case vocabulary.OpenInferenceLLMModelName:
		f.model = stringValue(v)
	case vocabulary.OpenInferenceLLMRequestModelName:
		f.requestModel = stringValue(v)
	case vocabulary.OpenInferenceLLMResponseModelName:
		f.responseModel = stringValue(v)
	case vocabulary.OpenInferenceEmbeddingModelName:
		f.embeddingModel = stringValue(v)
	case vocabulary.OpenInferenceRerankerModelName:
		f.rerankerModel = stringValue(v)
	case vocabulary.OpenInferenceLLMProvider:
		f.provider = providerHint(stringValue(v))
	case vocabulary.OpenInferenceLLMSystem:
		f.system = providerHint(stringValue(v))
	case vocabulary.OpenInferenceTokenCountPrompt:
		f.promptTokens = readOICount(v)
	case vocabulary.OpenInferenceTokenCountCompletion:
		f.completionTokens = readOICount(v)
	case vocabulary.OpenInferenceTokenCountCacheRead:
		f.cacheRead = readOICount(v)
	case vocabulary.OpenInferenceTokenCountCacheWrite:
		f.cacheWrite = readOICount(v)
	case vocabulary.OpenInferenceTokenCountReasoning:
		f.reasoning = readOICount(v)
	case vocabulary.OpenInferenceCostTotal:
		f.costTotal = readOIUSD(v)
	case vocabulary.OpenInferenceCostPrompt:
		f.costPrompt = readOIUSD(v)
	case vocabulary.OpenInferenceCostCompletion:
		f.costCompletion = readOIUSD(v)
	case vocabulary.OpenInferenceToolName:
		f.toolName = stringValue(v)
	case vocabulary.OpenInferenceToolCallID:
		f.toolCallID = stringValue(v)
	case vocabulary.OpenInferenceToolID:
		f.toolID = stringValue(v)
	case vocabulary.OpenInferenceAgentName:
		f.agentName = stringValue(v)
	case vocabulary.OpenInferenceSessionID:
		f.sessionID = stringValue(v)
	case vocabulary.RastirSpanTypeKey:
		f.setSpanType = true
	case vocabulary.GenAIOperationName:
		f.setOperation = true
	case vocabulary.GenAIRequestModel:
		f.setRequestModel = true
	case vocabulary.GenAIResponseModel:
		f.setResponseModel = true
	case vocabulary.GenAIProviderName:
		f.setProvider = true
	case vocabulary.GenAIUsageInputTokens:
		f.setInput = true
	case vocabulary.GenAIUsageOutputTokens:
		f.setOutput = true
	case vocabulary.GenAIUsageCacheReadTokens:
		f.setCacheRead = true
	case vocabulary.GenAIUsageCacheCreationTokens:
		f.setCacheCreation = true
	case vocabulary.GenAIUsageReasoningTokens:
		f.setReasoning = true
	case vocabulary.RastirCostUSD:
		f.setCost = true
	case vocabulary.RastirPricingProfile:
		f.setProfile = true
	case vocabulary.GenAIToolName:
		f.setTool = true
	case vocabulary.GenAIToolCallID:
		f.setToolCallID = true
	case vocabulary.GenAIAgentName:
		f.setAgent = true
	case vocabulary.GenAIConversationID:
		f.setConversation = true
	}
}

// write writes the canonical keys and notes in rm the input keys they were
// written from. openinference.span.kind is not among them: system stands
// for several kinds (CHAIN, PROMPT, GUARDRAIL), and OpenInference backends
// read the kind.
func (f *openInferenceFields) write(attrs pcommon.Map, rm *sourceKeys) {
	spanType, operation := OpenInferenceSpanKind(f.kind)
	if !f.setSpanType {
		attrs.PutStr(vocabulary.RastirSpanTypeKey, spanType)
	}
	if operation != "" && !f.setOperation {
		attrs.PutStr(vocabulary.GenAIOperationName, operation)
	}
	// The request model: the explicit one first, then llm.model_name (the
	// spec wants the response model there when known, the closest there
	// is), then the model keys of EMBEDDING and RERANKER spans.
	if m := oiFirstSource(
		oiSource{f.requestModel, vocabulary.OpenInferenceLLMRequestModelName},
		oiSource{f.model, vocabulary.OpenInferenceLLMModelName},
		oiSource{f.embeddingModel, vocabulary.OpenInferenceEmbeddingModelName},
		oiSource{f.rerankerModel, vocabulary.OpenInferenceRerankerModelName},
	); m.value != "" && !f.setRequestModel {
		attrs.PutStr(vocabulary.GenAIRequestModel, m.value)
		rm.add(m.key)
	}
	if f.responseModel != "" && !f.setResponseModel {
		attrs.PutStr(vocabulary.GenAIResponseModel, f.responseModel)
		rm.add(vocabulary.OpenInferenceLLMResponseModelName)
	}
	// llm.provider says where the call went (azure, groq, fireworks);
	// llm.system names the API product, which several providers serve.
	if p := oiFirstSource(
		oiSource{f.provider, vocabulary.OpenInferenceLLMProvider},
		oiSource{f.system, vocabulary.OpenInferenceLLMSystem},
	); p.value != "" && !f.setProvider {
		attrs.PutStr(vocabulary.GenAIProviderName, canonicalProvider(p.value))
		rm.add(p.key)
	}
	putOICount(attrs, rm, vocabulary.GenAIUsageInputTokens, vocabulary.OpenInferenceTokenCountPrompt, f.promptTokens, f.setInput)
	putOICount(attrs, rm, vocabulary.GenAIUsageOutputTokens, vocabulary.OpenInferenceTokenCountCompletion, f.completionTokens, f.setOutput)
	putOICount(attrs, rm, vocabulary.GenAIUsageCacheReadTokens, vocabulary.OpenInferenceTokenCountCacheRead, f.cacheRead, f.setCacheRead)
	putOICount(attrs, rm, vocabulary.GenAIUsageCacheCreationTokens, vocabulary.OpenInferenceTokenCountCacheWrite, f.cacheWrite, f.setCacheCreation)
	putOICount(attrs, rm, vocabulary.GenAIUsageReasoningTokens, vocabulary.OpenInferenceTokenCountReasoning, f.reasoning, f.setReasoning)
	// The span's own cost is authoritative when positive; the profile says
	// where it came from, and is written only with a cost written here (a
	// cost already on the span keeps its own profile, or none).
	if cost, ok := f.cost(); ok && !f.setCost {
		attrs.PutDouble(vocabulary.RastirCostUSD, cost)
		if !f.setProfile {
			attrs.PutStr(vocabulary.RastirPricingProfile, vocabulary.PricingProfileOpenInference)
		}
		// A cost summed from prompt and completion costs keeps them: the
		// split is not canonical.
		if f.costTotal.ok {
			rm.add(vocabulary.OpenInferenceCostTotal)
		}
	}
	putOIString(attrs, rm, vocabulary.GenAIToolName, oiSource{f.toolName, vocabulary.OpenInferenceToolName}, f.setTool)
	// tool.id is the call id a TOOL span answers (it corresponds to
	// tool_call.id); instrumentations write either.
	putOIString(attrs, rm, vocabulary.GenAIToolCallID, oiFirstSource(
		oiSource{f.toolCallID, vocabulary.OpenInferenceToolCallID},
		oiSource{f.toolID, vocabulary.OpenInferenceToolID},
	), f.setToolCallID)
	putOIString(attrs, rm, vocabulary.GenAIAgentName, oiSource{f.agentName, vocabulary.OpenInferenceAgentName}, f.setAgent)
	putOIString(attrs, rm, vocabulary.GenAIConversationID, oiSource{f.sessionID, vocabulary.OpenInferenceSessionID}, f.setConversation)
}

// cost is llm.cost.total when positive, else llm.cost.prompt plus
// llm.cost.completion when both are there and the sum is positive (the
// spec defines the total as that sum). Zero is not a cost: the pricing
// table decides such a call.
func (f *openInferenceFields) cost() (float64, bool) {
	if f.costTotal.ok && f.costTotal.v > 0 {
		return f.costTotal.v, true
	}
	if f.costTotal.ok || !f.costPrompt.ok || !f.costCompletion.ok {
		return 0, false
	}
	sum := f.costPrompt.v + f.costCompletion.v
	return sum, sum > 0
}

// readOICount accepts a non-negative int, or a double holding a whole
// number (JavaScript instrumentations may send counts as doubles).
func readOICount(v pcommon.Value) oiCount {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		if n := v.Int(); n >= 0 {
			return oiCount{n: n, ok: true}
		}
	case pcommon.ValueTypeDouble:
		// NaN and -Inf fail the first test, +Inf the last; the bound
		// (2^63) is exact in float64, so int64(d) cannot overflow.
		if d := v.Double(); d >= 0 && d == math.Trunc(d) && d < math.MaxInt64 {
			return oiCount{n: int64(d), ok: true}
		}
	}
	return oiCount{}
}

// readOIUSD accepts a finite, non-negative int or double.
func readOIUSD(v pcommon.Value) oiUSD {
	if x, ok := number(v); ok && x >= 0 && !math.IsInf(x, 1) {
		return oiUSD{v: x, ok: true}
	}
	return oiUSD{}
}

func putOICount(attrs pcommon.Map, rm *sourceKeys, key, source string, c oiCount, set bool) {
	if c.ok && !set {
		attrs.PutInt(key, c.n)
		rm.add(source)
	}
}

func putOIString(attrs pcommon.Map, rm *sourceKeys, key string, s oiSource, set bool) {
	if s.value != "" && !set {
		attrs.PutStr(key, s.value)
		rm.add(s.key)
	}
}

// oiSource is a value and the input key it was read from.
type oiSource struct{ value, key string }

func oiFirstSource(sources ...oiSource) oiSource {
	for _, s := range sources {
		if s.value != "" {
			return s
		}
	}
	return oiSource{}
}
