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
	// foldedProvider is gen_ai.provider.name in lower case and trimmed,
	// when it names a known provider in another spelling ("OpenAI").
	foldedProvider string
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
			provider := stringValue(v)
			f.frameworkProvider = inference.IsFramework(provider)
			f.setProvider = !f.frameworkProvider
			if f.setProvider {
				f.foldedProvider = foldKnownProvider(provider)
			}
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
	case f.foldedProvider != "":
		attrs.PutStr(vocabulary.GenAIProviderName, f.foldedProvider)
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

// foldKnownProvider returns a known provider value (a semconv value or
// another dialect's word, in any case) in lower case and trimmed, when it
// is not so already, so that "OpenAI" and "openai" are one provider, one
// cardinality slot and one label value; "" for a value already in that
// form or unknown (an unknown provider is kept as sent). It allocates only
// for a value it changes.
func foldKnownProvider(v string) string {
	if isLowerTrimmed(v) {
		return ""
	}
	if _, known := inference.NormalizeProvider(v); !known {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// isLowerTrimmed reports whether v has no ASCII upper-case letter and no
// surrounding space.
func isLowerTrimmed(v string) bool {
	if v != "" && (isSpace(v[0]) || isSpace(v[len(v)-1])) {
		return false
	}
	for i := range len(v) {
		if 'A' <= v[i] && v[i] <= 'Z' {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
