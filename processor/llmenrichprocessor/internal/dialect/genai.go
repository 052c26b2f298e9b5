package dialect

import (
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/inference"
)

// genAI maps the GenAI semantic conventions: the deprecated keys that
// instrumentations on semconv v1.36 and older still send, into the current
// ones, and the span type from gen_ai.operation.name. A framework named as
// the provider (gen_ai.system or gen_ai.provider.name) is no provider.
type genAI struct{ opts Options }

// NewGenAI returns the mapper of the GenAI semantic conventions, current and
// deprecated.
func NewGenAI(opts Options) Mapper { return genAI{opts: opts} }

// SpanTypeForOperation gives the canonical span type of a gen_ai operation.
func SpanTypeForOperation(op string) string {
	switch op {
	case vocabulary.OperationChat, vocabulary.OperationTextCompletion,
		vocabulary.OperationGenerateContent, vocabulary.OperationEmbeddings:
		return vocabulary.SpanTypeLLM
	case vocabulary.OperationExecuteTool:
		return vocabulary.SpanTypeTool
	case vocabulary.OperationInvokeAgent, vocabulary.OperationCreateAgent, vocabulary.OperationInvokeWorkflow:
		return vocabulary.SpanTypeAgent
	case vocabulary.OperationRetrieval:
		return vocabulary.SpanTypeRetrieval
	}
	return ""
}

type genAIFields struct {
	speaks                                   bool
	operation, system                        string
	promptTokens, completionTokens           int64
	cacheRead, cacheCreation                 int64
	hasPrompt, hasCompletion, hasCacheRead   bool
	hasCacheCreation                         bool
	setSpanType, setProvider, setInput       bool
	setOutput, setCacheRead, setCacheCreated bool
	// frameworkProvider is true when gen_ai.provider.name names a
	// framework, which is no provider.
	frameworkProvider bool
}

// Map skips spans of the rastir scope: the Rastir mapper writes only current
// keys there, so there is nothing deprecated to read.
func (g genAI) Map(scope pcommon.InstrumentationScope, span ptrace.Span) {
	if scope.Name() == vocabulary.ScopeRastir {
		return
	}
	attrs := span.Attributes()
	var f genAIFields
	for k, v := range attrs.All() {
		if !strings.HasPrefix(k, vocabulary.GenAIKeyPrefix) {
			if k == vocabulary.RastirSpanTypeKey {
				f.setSpanType = true
			}
			continue
		}
		f.speaks = true
		switch k {
		case vocabulary.GenAIOperationName:
			f.operation = stringValue(v)
		case vocabulary.GenAISystemDeprecated:
			f.system = providerHint(stringValue(v))
		case vocabulary.GenAIProviderName:
			f.frameworkProvider = inference.IsFramework(stringValue(v))
			f.setProvider = !f.frameworkProvider
		case vocabulary.GenAIUsagePromptTokensDeprecated:
			f.promptTokens, f.hasPrompt = TokenCount(v)
		case vocabulary.GenAIUsageCompletionTokensDeprecated:
			f.completionTokens, f.hasCompletion = TokenCount(v)
		case vocabulary.GenAIUsageCacheReadTokensDeprecated:
			f.cacheRead, f.hasCacheRead = TokenCount(v)
		case vocabulary.GenAIUsageCacheCreationTokensDeprecated:
			f.cacheCreation, f.hasCacheCreation = TokenCount(v)
		case vocabulary.GenAIUsageInputTokens:
			f.setInput = true
		case vocabulary.GenAIUsageOutputTokens:
			f.setOutput = true
		case vocabulary.GenAIUsageCacheReadTokens:
			f.setCacheRead = true
		case vocabulary.GenAIUsageCacheCreationTokens:
			f.setCacheCreated = true
		}
	}
	if !f.speaks {
		return
	}
	if !f.setSpanType {
		if spanType := SpanTypeForOperation(f.operation); spanType != "" {
			attrs.PutStr(vocabulary.RastirSpanTypeKey, spanType)
		}
	}
	// gen_ai.operation.name is itself canonical: it stays.
	rm := sourceKeys{on: g.opts.RemoveSourceKeys}
	// A framework's name (OpenLIT's framework instrumentations,
	// OpenLLMetry's Agno, CrewAI and LangGraph ones) is no provider: a
	// provider gen_ai.system names replaces it, else it goes, whatever
	// remove_source_keys says, and inference may give an LLM span one.
	switch {
	case f.system != "" && !f.setProvider:
		attrs.PutStr(vocabulary.GenAIProviderName, canonicalProvider(f.system))
		rm.add(vocabulary.GenAISystemDeprecated)
	case f.frameworkProvider:
		attrs.Remove(vocabulary.GenAIProviderName)
	}
	if f.hasPrompt && !f.setInput {
		attrs.PutInt(vocabulary.GenAIUsageInputTokens, f.promptTokens)
		rm.add(vocabulary.GenAIUsagePromptTokensDeprecated)
	}
	if f.hasCompletion && !f.setOutput {
		attrs.PutInt(vocabulary.GenAIUsageOutputTokens, f.completionTokens)
		rm.add(vocabulary.GenAIUsageCompletionTokensDeprecated)
	}
	if f.hasCacheRead && !f.setCacheRead {
		attrs.PutInt(vocabulary.GenAIUsageCacheReadTokens, f.cacheRead)
		rm.add(vocabulary.GenAIUsageCacheReadTokensDeprecated)
	}
	if f.hasCacheCreation && !f.setCacheCreated {
		attrs.PutInt(vocabulary.GenAIUsageCacheCreationTokens, f.cacheCreation)
		rm.add(vocabulary.GenAIUsageCacheCreationTokensDeprecated)
	}
	rm.removeFrom(attrs)
}
