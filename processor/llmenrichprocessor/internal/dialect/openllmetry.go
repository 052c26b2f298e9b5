package dialect

import (
	"cmp"
	"slices"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// openLLMetry maps the OpenLLMetry (Traceloop) dialect: the llm.* keys of
// Python OpenLLMetry's LLM spans and of go-openllmetry, and the traceloop.*
// keys of the Traceloop SDK's workflow, task, agent and tool spans. The
// deprecated gen_ai.* keys that OpenLLMetry 0.4.x also sends
// (gen_ai.system, gen_ai.usage.prompt_tokens, ...) are the GenAI mapper's.
type openLLMetry struct{ opts Options }

// NewOpenLLMetry returns the mapper of the OpenLLMetry dialect. A span
// speaks it when it has traceloop.span.kind, traceloop.entity.name,
// llm.request.type, llm.vendor, an llm.usage.* key, or one of the gen_ai.*
// keys OpenLLMetry 0.5 added beyond semconv (gen_ai.is_streaming,
// gen_ai.usage.reasoning_tokens), whatever its instrumentation scope.
// traceloop.workflow.name alone does not count: the Traceloop SDK copies it
// onto every span of a workflow, HTTP and database spans included.
func NewOpenLLMetry(opts Options) Mapper { return openLLMetry{opts: opts} }

var _ Mapper = openLLMetry{}

// OpenLLMetryRequestOperation gives the gen_ai operation of an
// llm.request.type value, ignoring case, or "" (for "unknown" and anything
// else). "rerank" becomes retrieval, as in contrib's genainormalizer:
// semconv has no rerank operation, and reranking is a retrieval step.
func OpenLLMetryRequestOperation(requestType string) string {
	switch strings.ToLower(requestType) {
	case vocabulary.OpenLLMetryRequestTypeChat:
		return vocabulary.OperationChat
	case vocabulary.OpenLLMetryRequestTypeCompletion:
		return vocabulary.OperationTextCompletion
	case vocabulary.OpenLLMetryRequestTypeEmbedding:
		return vocabulary.OperationEmbeddings
	case vocabulary.OpenLLMetryRequestTypeRerank:
		return vocabulary.OperationRetrieval
	}
	return ""
}

// TraceloopSpanKind gives the canonical span type and gen_ai operation of a
// traceloop.span.kind value, ignoring case. A task is a step of a workflow
// that calls no model by itself (its LLM calls have their own spans), so it
// is system with no operation, where contrib's genainormalizer says
// invoke_agent; "unknown" and any other value are system too, as Rastir
// does with unknown span types.
func TraceloopSpanKind(kind string) (spanType, operation string) {
	switch strings.ToLower(kind) {
	case vocabulary.TraceloopSpanKindWorkflow:
		return vocabulary.SpanTypeAgent, vocabulary.OperationInvokeWorkflow
	case vocabulary.TraceloopSpanKindAgent:
		return vocabulary.SpanTypeAgent, vocabulary.OperationInvokeAgent
	case vocabulary.TraceloopSpanKindTool:
		return vocabulary.SpanTypeTool, vocabulary.OperationExecuteTool
	}
	return vocabulary.SpanTypeSystem, ""
}

// IsOpenLLMetryContentKey reports whether an attribute carries OpenLLMetry
// content: a decorated function's traceloop.entity.input / .output, or a
// flattened prompt or completion message (gen_ai.prompt.0.content,
// gen_ai.completion.0.tool_calls.0.arguments, llm.prompts.0.content, ...).
// The whole flattened message goes, role and finish reason included.
func IsOpenLLMetryContentKey(k string) bool {
	switch k {
	case vocabulary.TraceloopEntityInput, vocabulary.TraceloopEntityOutput:
		return true
	}
	if k == "" || (k[0] != 'g' && k[0] != 'l') {
		return false
	}
	return strings.HasPrefix(k, vocabulary.OpenLLMetryIndexedPromptPrefix) ||
		strings.HasPrefix(k, vocabulary.OpenLLMetryIndexedCompletionPrefix) ||
		strings.HasPrefix(k, vocabulary.OpenLLMetryPromptsPrefix) ||
		strings.HasPrefix(k, vocabulary.OpenLLMetryCompletionsPrefix)
}

// indexedReason is the finish reason of flattened completion choice i.
type indexedReason struct {
	i      int
	reason string
}

// openLLMetryFields is what one pass over a span's attributes finds: the
// OpenLLMetry values (strings copied out, since writing to the map may move
// its entries) and which canonical keys are already set.
type openLLMetryFields struct {
	speaks bool
	// llmCall is true when llm.request.type or llm.vendor says the span
	// is a model call.
	llmCall bool
	// usage is true when the span has an llm.usage.* key: a model call's
	// counts, or the totals of the model calls of a run that
	// traceloop.span.kind names (the Agno instrumentation's agent spans).
	usage bool

	requestType, spanKind, entityName, vendor, agentName  string
	requestModel, responseModel, finishReason, stopReason string
	// operation is the gen_ai.operation.name the span already has.
	operation string
	// choices are the first gen_ai.completion.<i>.finish_reason values,
	// moreChoices those beyond (rare: n > 4 in the request); kept in an
	// array so that a span's pass does not allocate.
	choices     [4]indexedReason
	nChoices    int
	moreChoices []indexedReason

	promptTokens, completionTokens, reasoning int64
	hasPrompt, hasCompletion, hasReasoning    bool
	stream, hasStream                         bool
	// streamKey and reasoningKey are the keys the stream flag and the
	// reasoning count were read from.
	streamKey, reasoningKey string

	setSpanType, setOperation, setProvider, setRequestModel, setResponseModel bool
	setInput, setOutput, setFinishReasons, setStream, setAgent, setTool       bool
	setReasoning                                                              bool
}

// Map reads the span in one pass and writes the canonical keys it lacks.
// Spans of the rastir scope are the Rastir mapper's and are not read.
func (o openLLMetry) Map(scope pcommon.InstrumentationScope, span ptrace.Span) {
	if scope.Name() == vocabulary.ScopeRastir {
		return
	}
	attrs := span.Attributes()
	var f openLLMetryFields
	for k, v := range attrs.All() {
		f.read(k, v)
	}
	if f.speaks {
		rm := sourceKeys{on: o.opts.RemoveSourceKeys}
		f.write(attrs, &rm)
		rm.removeFrom(attrs)
	}
}

func (f *openLLMetryFields) read(k string, v pcommon.Value) {
	switch k {
	case vocabulary.OpenLLMetryRequestType:
		f.speaks, f.llmCall = true, true
		f.requestType = stringValue(v)
	case vocabulary.TraceloopSpanKind:
		f.speaks = true
		f.spanKind = stringValue(v)
	case vocabulary.TraceloopEntityName:
		f.speaks = true
		f.entityName = stringValue(v)
	case vocabulary.OpenLLMetryVendor:
		f.speaks, f.llmCall = true, true
		f.vendor = providerHint(stringValue(v))
	case vocabulary.OpenLLMetryUsagePromptTokens:
		f.speaks, f.usage = true, true
		f.promptTokens, f.hasPrompt = TokenCount(v)
	case vocabulary.OpenLLMetryUsageCompletionTokens:
		f.speaks, f.usage = true, true
		f.completionTokens, f.hasCompletion = TokenCount(v)
	case vocabulary.OpenLLMetryRequestModel:
		f.requestModel = stringValue(v)
	case vocabulary.OpenLLMetryResponseModel:
		f.responseModel = stringValue(v)
	case vocabulary.OpenLLMetryAgentName:
		f.agentName = stringValue(v)
	case vocabulary.OpenLLMetryIsStreaming, vocabulary.OpenLLMetryGenAIIsStreaming:
		// gen_ai.is_streaming is OpenLLMetry's own; llm.is_streaming
		// comes with other llm.* keys.
		f.speaks = f.speaks || k == vocabulary.OpenLLMetryGenAIIsStreaming
		if !f.hasStream {
			f.stream, f.hasStream = v.Bool(), v.Type() == pcommon.ValueTypeBool
			f.streamKey = k
		}
	case vocabulary.OpenLLMetryUsageReasoningTokens:
		f.speaks = true
		f.readReasoning(k, v)
	case vocabulary.OpenLLMetryLLMUsageReasoningTokens:
		f.speaks, f.usage = true, true
		f.readReasoning(k, v)
	case vocabulary.OpenLLMetryResponseFinishReason:
		f.finishReason = stringValue(v)
	case vocabulary.OpenLLMetryResponseStopReason:
		f.stopReason = stringValue(v)

	case vocabulary.RastirSpanTypeKey:
		f.setSpanType = true
	case vocabulary.GenAIOperationName:
		f.setOperation = true
		f.operation = stringValue(v)
	case vocabulary.GenAIProviderName:
		f.setProvider = true
	case vocabulary.GenAIRequestModel:
		f.setRequestModel = true
	case vocabulary.GenAIResponseModel:
		f.setResponseModel = true
	case vocabulary.GenAIUsageInputTokens:
		f.setInput = true
	case vocabulary.GenAIUsageOutputTokens:
		f.setOutput = true
	case vocabulary.GenAIResponseFinishReasons:
		f.setFinishReasons = true
	case vocabulary.GenAIRequestStream:
		f.setStream = true
	case vocabulary.GenAIUsageReasoningTokens:
		f.setReasoning = true
	case vocabulary.GenAIAgentName:
		f.setAgent = true
	case vocabulary.GenAIToolName:
		f.setTool = true
	default:
		f.readPrefixed(k, v)
	}
}

func (f *openLLMetryFields) readReasoning(k string, v pcommon.Value) {
	if !f.hasReasoning {
		f.reasoning, f.hasReasoning = TokenCount(v)
		f.reasoningKey = k
	}
}

// readPrefixed reads the keys matched by prefix: llm.usage.* (total_tokens,
// token_type, ...) and gen_ai.completion.<i>.finish_reason.
func (f *openLLMetryFields) readPrefixed(k string, v pcommon.Value) {
	if k == "" {
		return
	}
	switch k[0] {
	case 'l':
		if strings.HasPrefix(k, vocabulary.OpenLLMetryUsagePrefix) {
			f.speaks, f.usage = true, true
		}
	case 'g':
		if i, ok := completionChoiceIndex(k); ok {
			if r := stringValue(v); r != "" {
				f.addChoice(indexedReason{i, r})
			}
		}
	}
}

func (f *openLLMetryFields) addChoice(c indexedReason) {
	if f.nChoices < len(f.choices) {
		f.choices[f.nChoices] = c
		f.nChoices++
		return
	}
	f.moreChoices = append(f.moreChoices, c)
}

// completionChoiceIndex parses gen_ai.completion.<i>.finish_reason.
func completionChoiceIndex(k string) (int, bool) {
	const minLen = len(vocabulary.OpenLLMetryIndexedCompletionPrefix) + 1 + len(vocabulary.OpenLLMetryIndexedFinishReasonSuffix)
	// Most keys are other gen_ai.* keys: the length and the last byte
	// ('n' of "reason") reject them before any comparison of strings.
	if len(k) < minLen || k[len(k)-1] != 'n' ||
		!strings.HasSuffix(k, vocabulary.OpenLLMetryIndexedFinishReasonSuffix) ||
		!strings.HasPrefix(k, vocabulary.OpenLLMetryIndexedCompletionPrefix) {
		return 0, false
	}
	digits := k[len(vocabulary.OpenLLMetryIndexedCompletionPrefix) : len(k)-len(vocabulary.OpenLLMetryIndexedFinishReasonSuffix)]
	if digits == "" || len(digits) > 6 {
		return 0, false
	}
	i := 0
	for _, c := range []byte(digits) {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
	}
	return i, true
}

// isLLMCall reports whether the span is a model call: llm.request.type or
// llm.vendor says so, and so do llm.usage.* keys on a span that
// traceloop.span.kind does not name a workflow, task, agent or tool.
func (f *openLLMetryFields) isLLMCall() bool {
	return f.llmCall || f.usage && f.spanKind == ""
}

// classify gives the span type and operation the OpenLLMetry keys say: a
// model call (isLLMCall), else traceloop.span.kind decides. A canonical
// operation the span already has decides the span type, so that the two
// agree.
func (f *openLLMetryFields) classify() (spanType, operation string) {
	switch {
	case f.isLLMCall():
		operation = OpenLLMetryRequestOperation(f.requestType)
		spanType = SpanTypeForOperation(operation)
		if spanType == "" {
			spanType = vocabulary.SpanTypeLLM
		}
	case f.spanKind != "":
		spanType, operation = TraceloopSpanKind(f.spanKind)
	}
	if existing := SpanTypeForOperation(f.operation); existing != "" {
		spanType = existing
	}
	return spanType, operation
}

// write writes the canonical keys and notes in rm the input keys they were
// written from. llm.request.type rerank and traceloop.span.kind task stay:
// retrieval and system do not say as much.
func (f *openLLMetryFields) write(attrs pcommon.Map, rm *sourceKeys) {
	spanType, operation := f.classify()
	if spanType != "" && !f.setSpanType {
		attrs.PutStr(vocabulary.RastirSpanTypeKey, spanType)
	}
	if operation != "" && !f.setOperation {
		attrs.PutStr(vocabulary.GenAIOperationName, operation)
		switch {
		case !f.isLLMCall():
			rm.add(vocabulary.TraceloopSpanKind)
		case operation != vocabulary.OperationRetrieval:
			rm.add(vocabulary.OpenLLMetryRequestType)
		}
	}
	if f.vendor != "" && !f.setProvider {
		attrs.PutStr(vocabulary.GenAIProviderName, canonicalProvider(f.vendor))
		rm.add(vocabulary.OpenLLMetryVendor)
	}
	if f.requestModel != "" && !f.setRequestModel {
		attrs.PutStr(vocabulary.GenAIRequestModel, f.requestModel)
		rm.add(vocabulary.OpenLLMetryRequestModel)
	}
	if f.responseModel != "" && !f.setResponseModel {
		attrs.PutStr(vocabulary.GenAIResponseModel, f.responseModel)
		rm.add(vocabulary.OpenLLMetryResponseModel)
	}
	if f.hasPrompt && !f.setInput {
		attrs.PutInt(vocabulary.GenAIUsageInputTokens, f.promptTokens)
		rm.add(vocabulary.OpenLLMetryUsagePromptTokens)
	}
	if f.hasCompletion && !f.setOutput {
		attrs.PutInt(vocabulary.GenAIUsageOutputTokens, f.completionTokens)
		rm.add(vocabulary.OpenLLMetryUsageCompletionTokens)
	}
	if f.hasStream && !f.setStream {
		attrs.PutBool(vocabulary.GenAIRequestStream, f.stream)
		rm.add(f.streamKey)
	}
	if f.hasReasoning && !f.setReasoning {
		attrs.PutInt(vocabulary.GenAIUsageReasoningTokens, f.reasoning)
		rm.add(f.reasoningKey)
	}
	if !f.setFinishReasons {
		f.putFinishReasons(attrs, rm)
	}
	// The entity of a decorated agent or tool function names the agent or
	// the tool; that of a workflow or task names neither.
	kind := strings.ToLower(f.spanKind)
	agent := f.agentName
	if agent == "" && kind == vocabulary.TraceloopSpanKindAgent {
		agent = f.entityName
	}
	if agent != "" && !f.setAgent {
		attrs.PutStr(vocabulary.GenAIAgentName, agent)
		if f.agentName != "" {
			rm.add(vocabulary.OpenLLMetryAgentName)
		} else {
			rm.add(vocabulary.TraceloopEntityName)
		}
	}
	if f.entityName != "" && kind == vocabulary.TraceloopSpanKindTool && !f.setTool {
		attrs.PutStr(vocabulary.GenAIToolName, f.entityName)
		rm.add(vocabulary.TraceloopEntityName)
	}
}

// putFinishReasons writes gen_ai.response.finish_reasons (a string array)
// from llm.response.finish_reason, else llm.response.stop_reason (one
// string each, for the call), else the flattened choices' finish reasons in
// choice order. The flattened choices are content keys and stay for the
// content section.
func (f *openLLMetryFields) putFinishReasons(attrs pcommon.Map, rm *sourceKeys) {
	reason, source := f.finishReason, vocabulary.OpenLLMetryResponseFinishReason
	if reason == "" {
		reason, source = f.stopReason, vocabulary.OpenLLMetryResponseStopReason
	}
	if reason != "" {
		attrs.PutEmptySlice(vocabulary.GenAIResponseFinishReasons).AppendEmpty().SetStr(reason)
		rm.add(source)
		return
	}
	if f.nChoices == 0 {
		return
	}
	choices := f.choices[:f.nChoices]
	if len(f.moreChoices) > 0 {
		choices = append(choices[:len(choices):len(choices)], f.moreChoices...)
	}
	// Stable and in place; n log n whatever the number and order of the
	// keys (an insertion sort took seconds on 40,000 keys out of order).
	slices.SortStableFunc(choices, func(a, b indexedReason) int { return cmp.Compare(a.i, b.i) })
	s := attrs.PutEmptySlice(vocabulary.GenAIResponseFinishReasons)
	s.EnsureCapacity(len(choices))
	for _, c := range choices {
		s.AppendEmpty().SetStr(c.reason)
	}
}
