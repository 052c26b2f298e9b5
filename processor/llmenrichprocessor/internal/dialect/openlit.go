package dialect

import (
	"math"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// openLIT maps what OpenLIT writes beyond the GenAI semantic conventions:
// its own cost, its older spellings of the stream flag and of reasoning and
// cache token counts, its time to first token, and its operation names that
// semconv lacks; and it adds the prompt cache to the input tokens of its
// Anthropic spans, which leave it out. gen_ai.system and the other
// deprecated semconv keys are the GenAI mapper's.
type openLIT struct{ opts Options }

// NewOpenLIT returns the mapper of the OpenLIT dialect. OpenLIT's
// telemetry.sdk.name is on the resource, which a mapper does not see, so a
// span speaks OpenLIT when it has a key only OpenLIT writes
// (gen_ai.usage.cost, gen_ai.request.is_stream, gen_ai.sdk.version,
// gen_ai.server.time_to_first_token and the other metric names OpenLIT
// records on spans, gen_ai.environment, gen_ai.application_name,
// gen_ai.endpoint, openlit.sdk.version), or telemetry.sdk.name "openlit" on
// the span itself, which the Python SDK writes there too.
func NewOpenLIT(opts Options) Mapper { return openLIT{opts: opts} }

var _ Mapper = openLIT{}

// OpenLITOperationSpanType gives the canonical span type of a
// gen_ai.operation.name value that OpenLIT writes and semconv does not
// define, or "". OpenLIT's "framework" spans (LangChain, LlamaIndex,
// Haystack pipelines, ...) are workflows, as OpenLIT itself now writes
// invoke_workflow for them.
func OpenLITOperationSpanType(op string) string {
	switch op {
	case vocabulary.OpenLITOperationCompletion, vocabulary.OpenLITOperationEmbedding,
		vocabulary.OpenLITOperationImage, vocabulary.OpenLITOperationAudio:
		return vocabulary.SpanTypeLLM
	case vocabulary.OpenLITOperationVectorDB:
		return vocabulary.SpanTypeRetrieval
	case vocabulary.OpenLITOperationFramework, vocabulary.OpenLITOperationAgent,
		vocabulary.OpenLITOperationExecuteTask:
		return vocabulary.SpanTypeAgent
	}
	return ""
}

// openLITFields is what one pass over a span's attributes finds: the
// OpenLIT values and which canonical keys are already set.
type openLITFields struct {
	speaks    bool
	operation string
	// reasoningKey, cacheReadKey and cacheWriteKey are the keys the
	// reasoning and cache counts were read from.
	reasoningKey, cacheReadKey, cacheWriteKey string

	cost, ttft                       float64
	reasoning, cacheRead, cacheWrite int64
	stream                           bool
	// notStreamed is true when gen_ai.request.is_stream or
	// gen_ai.request.stream says false.
	notStreamed bool

	// The call's provider (gen_ai.provider.name, else gen_ai.system) and
	// token counts, for the input tokens of Anthropic calls: input and
	// output as the span has them, the total OpenLIT wrote
	// (gen_ai.client.token.usage or gen_ai.usage.total_tokens), and the
	// canonical cache counts already on the span.
	providerName, system            string
	input, output, total            int64
	canonCacheRead, canonCacheWrite int64
	hasInput, hasTotal              bool

	hasCost, hasTTFT, hasReasoning, hasCacheRead, hasCacheWrite, hasStream bool

	setSpanType, setCost, setProfile, setStream, setTTFT         bool
	setReasoning, setCacheRead, setCacheWrite, setPricingMissing bool
}

// Map reads the span in one pass and writes the canonical keys it lacks.
// Spans of the rastir scope are the Rastir mapper's and are not read.
func (o openLIT) Map(scope pcommon.InstrumentationScope, span ptrace.Span) {
	if scope.Name() == vocabulary.ScopeRastir {
		return
	}
	attrs := span.Attributes()
	var f openLITFields
	for k, v := range attrs.All() {
		f.read(k, v)
	}
	if f.speaks {
		rm := sourceKeys{on: o.opts.RemoveSourceKeys}
		f.write(attrs, &rm)
		rm.removeFrom(attrs)
	}
}

func (f *openLITFields) read(k string, v pcommon.Value) {
	switch k {
	case vocabulary.OpenLITUsageCost:
		f.speaks = true
		f.cost, f.hasCost = number(v)
	case vocabulary.OpenLITRequestIsStream:
		f.speaks = true
		f.stream, f.hasStream = v.Bool(), v.Type() == pcommon.ValueTypeBool
		f.notStreamed = f.notStreamed || f.hasStream && !f.stream
	case vocabulary.OpenLITServerTimeToFirstToken:
		f.speaks = true
		f.ttft, f.hasTTFT = number(v)
	case vocabulary.OpenLITClientTokenUsage:
		f.speaks = true
		f.total, f.hasTotal = TokenCount(v)
	case vocabulary.OpenLITUsageTotalTokens:
		if !f.hasTotal {
			f.total, f.hasTotal = TokenCount(v)
		}
	case vocabulary.OpenLITServerTimePerOutputToken, vocabulary.OpenLITSDKVersion,
		vocabulary.OpenLITGoSDKVersion, vocabulary.OpenLITEnvironment, vocabulary.OpenLITApplicationName,
		vocabulary.OpenLITEndpoint:
		f.speaks = true
	case vocabulary.OpenLITTelemetrySDKName:
		if strings.EqualFold(stringValue(v), vocabulary.OpenLITSDKName) {
			f.speaks = true
		}
	case vocabulary.OpenLITUsageReasoningTokens, vocabulary.OpenLITUsageReasoningTokensDetail,
		vocabulary.OpenLITUsageReasoningTokensDetailPython:
		if !f.hasReasoning {
			f.reasoning, f.hasReasoning = TokenCount(v)
			f.reasoningKey = k
		}
	case vocabulary.OpenLITUsageCacheReadTokensDetail, vocabulary.OpenLITUsageCacheReadTokensDetailPython:
		if !f.hasCacheRead {
			f.cacheRead, f.hasCacheRead = TokenCount(v)
			f.cacheReadKey = k
		}
	case vocabulary.OpenLITUsageCacheWriteTokensDetail, vocabulary.OpenLITUsageCacheWriteTokensDetailPython:
		if !f.hasCacheWrite {
			f.cacheWrite, f.hasCacheWrite = TokenCount(v)
			f.cacheWriteKey = k
		}

	case vocabulary.GenAIOperationName:
		f.operation = stringValue(v)
	case vocabulary.GenAIProviderName:
		f.providerName = stringValue(v)
	case vocabulary.GenAISystemDeprecated:
		f.system = stringValue(v)
	case vocabulary.GenAIUsageInputTokens:
		f.input, f.hasInput = TokenCount(v)
	case vocabulary.GenAIUsageOutputTokens:
		f.output, _ = TokenCount(v)
	case vocabulary.RastirSpanTypeKey:
		f.setSpanType = true
	case vocabulary.RastirCostUSD:
		f.setCost = true
	case vocabulary.RastirPricingProfile:
		f.setProfile = true
	case vocabulary.RastirPricingMissing:
		f.setPricingMissing = true
	case vocabulary.GenAIRequestStream:
		f.setStream = true
		f.notStreamed = f.notStreamed || v.Type() == pcommon.ValueTypeBool && !v.Bool()
	case vocabulary.GenAIResponseTimeToFirstChunk:
		f.setTTFT = true
	case vocabulary.GenAIUsageReasoningTokens:
		f.setReasoning = true
	case vocabulary.GenAIUsageCacheReadTokens:
		f.setCacheRead = true
		f.canonCacheRead, _ = TokenCount(v)
	case vocabulary.GenAIUsageCacheCreationTokens:
		f.setCacheWrite = true
		f.canonCacheWrite, _ = TokenCount(v)
	}
}

// write writes the canonical keys and notes in rm the input keys they were
// written from; OpenLIT's 0 cost and 0 time to first token, which write
// nothing, stay.
func (f *openLITFields) write(attrs pcommon.Map, rm *sourceKeys) {
	if !f.setSpanType {
		spanType := SpanTypeForOperation(f.operation)
		if spanType == "" {
			spanType = OpenLITOperationSpanType(f.operation)
		}
		if spanType != "" {
			attrs.PutStr(vocabulary.RastirSpanTypeKey, spanType)
		}
	}
	// OpenLIT's own cost is authoritative when positive: it writes 0 for a
	// model it has no price for, which is no price, not a free call, so
	// the processor's price table gets its turn. A cost or a "no price"
	// already on the span is kept, and the profile is written only with
	// the cost it labels.
	if f.hasCost && f.cost > 0 && !math.IsInf(f.cost, 0) && !f.setCost && !f.setPricingMissing {
		attrs.PutDouble(vocabulary.RastirCostUSD, f.cost)
		rm.add(vocabulary.OpenLITUsageCost)
		if !f.setProfile {
			attrs.PutStr(vocabulary.RastirPricingProfile, vocabulary.PricingProfileOpenLIT)
		}
	}
	if f.hasStream && !f.setStream {
		attrs.PutBool(vocabulary.GenAIRequestStream, f.stream)
		rm.add(vocabulary.OpenLITRequestIsStream)
	}
	// For a call that was not streamed OpenLIT writes 0, or the whole
	// call's duration (its Python instrumentations): no first chunk.
	if f.hasTTFT && f.ttft > 0 && !math.IsInf(f.ttft, 0) && !f.notStreamed && !f.setTTFT {
		attrs.PutDouble(vocabulary.GenAIResponseTimeToFirstChunk, f.ttft)
		rm.add(vocabulary.OpenLITServerTimeToFirstToken)
	}
	if f.hasReasoning && !f.setReasoning {
		attrs.PutInt(vocabulary.GenAIUsageReasoningTokens, f.reasoning)
		rm.add(f.reasoningKey)
	}
	if f.hasCacheRead && !f.setCacheRead {
		attrs.PutInt(vocabulary.GenAIUsageCacheReadTokens, f.cacheRead)
		rm.add(f.cacheReadKey)
	}
	if f.hasCacheWrite && !f.setCacheWrite {
		attrs.PutInt(vocabulary.GenAIUsageCacheCreationTokens, f.cacheWrite)
		rm.add(f.cacheWriteKey)
	}
	if cache := f.anthropicCacheLeftOut(); cache > 0 {
		attrs.PutInt(vocabulary.GenAIUsageInputTokens, f.input+cache)
	}
}

// anthropicCacheLeftOut gives the prompt cache's reads plus writes when the
// span is an Anthropic call whose input tokens leave them out, else 0.
// OpenLIT's Anthropic instrumentations (Python, TypeScript and Go SDKs)
// write Anthropic's usage.input_tokens, which excludes the cache; semconv's
// gen_ai.usage.input_tokens includes it. The count is taken to leave the
// cache out when it plus the output tokens makes the total OpenLIT wrote
// from them, or, on a span without a total (TypeScript SDK), when it is
// smaller than the cache alone. Once the cache is added neither holds, so a
// second llm_enrich in the path (an agent collector, then a gateway) adds
// nothing; without a total, a count at least as large as the cache is left
// as reported.
func (f *openLITFields) anthropicCacheLeftOut() int64 {
	provider := f.providerName
	if provider == "" {
		provider = f.system
	}
	if !f.hasInput || f.input < 0 || !strings.EqualFold(provider, vocabulary.ProviderAnthropic) {
		return 0
	}
	cacheRead, cacheWrite := f.canonCacheRead, f.canonCacheWrite
	if !f.setCacheRead && f.hasCacheRead {
		cacheRead = f.cacheRead
	}
	if !f.setCacheWrite && f.hasCacheWrite {
		cacheWrite = f.cacheWrite
	}
	cache, ok := sumCounts(cacheRead, cacheWrite)
	if !ok || cache == 0 {
		return 0
	}
	if _, ok := sumCounts(f.input, cache); !ok {
		return 0
	}
	if f.hasTotal {
		if sum, ok := sumCounts(f.input, f.output); !ok || sum != f.total {
			return 0
		}
	} else if f.input >= cache {
		return 0
	}
	return cache
}

// sumCounts adds two token counts, a negative one as 0; ok is false when
// the sum does not fit an int64.
func sumCounts(a, b int64) (int64, bool) {
	a, b = max(a, 0), max(b, 0)
	if a > math.MaxInt64-b {
		return 0, false
	}
	return a + b, true
}
