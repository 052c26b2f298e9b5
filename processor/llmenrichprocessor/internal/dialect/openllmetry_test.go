package dialect

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// openLLMetryChatSpan is the span Python OpenLLMetry 0.4.x's OpenAI
// instrumentation (opentelemetry-instrumentation-openai) writes for a chat
// completion inside a Traceloop workflow, content tracing on.
func openLLMetryChatSpan() map[string]any {
	return map[string]any{
		"llm.request.type":                  "chat",
		"gen_ai.system":                     "openai",
		"gen_ai.request.model":              "gpt-4o-mini",
		"gen_ai.request.temperature":        0.7,
		"gen_ai.request.max_tokens":         int64(256),
		"gen_ai.openai.api_base":            "https://api.openai.com/v1/",
		"llm.is_streaming":                  false,
		"llm.headers":                       "None",
		"gen_ai.prompt.0.role":              "system",
		"gen_ai.prompt.0.content":           "You are a comedian.",
		"gen_ai.prompt.1.role":              "user",
		"gen_ai.prompt.1.content":           "Tell me a joke about OpenTelemetry",
		"gen_ai.response.model":             "gpt-4o-mini-2024-07-18",
		"gen_ai.response.id":                "chatcmpl-AbC123",
		"gen_ai.openai.system_fingerprint":  "fp_0ba0d124f1",
		"llm.usage.total_tokens":            int64(57),
		"gen_ai.usage.prompt_tokens":        int64(24),
		"gen_ai.usage.completion_tokens":    int64(33),
		"gen_ai.completion.0.finish_reason": "stop",
		"gen_ai.completion.0.role":          "assistant",
		"gen_ai.completion.0.content":       "Why did the span break up with the trace? It needed more context.",
		"traceloop.workflow.name":           "pirate_joke_generator",
		"traceloop.entity.path":             "joke_creation",
	}
}

// goOpenLLMetrySpan is the span go-openllmetry's LogPrompt and
// LogCompletion write (traceloop-sdk/sdk.go).
func goOpenLLMetrySpan() map[string]any {
	return map[string]any{
		"llm.vendor":                  "openai",
		"llm.request.model":           "gpt-3.5-turbo",
		"llm.request.type":            "chat",
		"traceloop.workflow.name":     "example-workflow",
		"llm.prompts.0.content":       "What is OpenTelemetry?",
		"llm.prompts.0.role":          "user",
		"llm.response.model":          "gpt-3.5-turbo-0125",
		"llm.usage.total_tokens":      int64(142),
		"llm.usage.completion_tokens": int64(130),
		"llm.usage.prompt_tokens":     int64(12),
		"llm.completions.0.content":   "OpenTelemetry is ...",
		"llm.completions.0.role":      "assistant",
	}
}

func TestOpenLLMetry(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any // keys that must hold these values afterwards
		none []string       // keys that must stay absent
	}{
		{
			name: "Python OpenLLMetry 0.4.x OpenAI chat span",
			in:   openLLMetryChatSpan(),
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
				vocabulary.GenAIRequestStream:         false,
				vocabulary.GenAIResponseFinishReasons: []any{"stop"},
			},
			// gen_ai.system and gen_ai.usage.*_tokens are the GenAI mapper's.
			none: []string{vocabulary.GenAIProviderName, vocabulary.GenAIUsageInputTokens, vocabulary.GenAIAgentName},
		},
		{
			name: "go-openllmetry LLM span",
			in:   goOpenLLMetrySpan(),
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
				vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI,
				vocabulary.GenAIRequestModel: "gpt-3.5-turbo", vocabulary.GenAIResponseModel: "gpt-3.5-turbo-0125",
				vocabulary.GenAIUsageInputTokens: int64(12), vocabulary.GenAIUsageOutputTokens: int64(130),
			},
			none: []string{vocabulary.GenAIResponseFinishReasons, vocabulary.GenAIRequestStream},
		},
		{
			name: "go-openllmetry workflow span",
			in: map[string]any{
				"traceloop.workflow.name": "example-workflow", "traceloop.span.kind": "workflow",
				"traceloop.entity.name": "example-workflow",
			},
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationInvokeWorkflow, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent,
			},
			none: []string{vocabulary.GenAIAgentName, vocabulary.GenAIToolName},
		},
		{
			name: "Traceloop task span",
			in: map[string]any{
				"traceloop.workflow.name": "pirate_joke_generator", "traceloop.span.kind": "task",
				"traceloop.entity.name": "joke_creation", "traceloop.entity.path": "",
				"traceloop.entity.input":  `{"args": [], "kwargs": {}}`,
				"traceloop.entity.output": `"Why did ..."`,
			},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem},
			none: []string{vocabulary.GenAIOperationName, vocabulary.GenAIAgentName, vocabulary.GenAIToolName},
		},
		{
			name: "Traceloop agent span",
			in: map[string]any{
				"traceloop.workflow.name": "joke_agent_flow", "traceloop.span.kind": "agent",
				"traceloop.entity.name": "joke_agent", "traceloop.entity.path": "",
			},
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationInvokeAgent, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent,
				vocabulary.GenAIAgentName: "joke_agent",
			},
			none: []string{vocabulary.GenAIToolName},
		},
		{
			name: "Traceloop tool span",
			in: map[string]any{
				"traceloop.workflow.name": "joke_agent_flow", "traceloop.span.kind": "tool",
				"traceloop.entity.name": "history_jokes", "traceloop.entity.path": "joke_agent",
			},
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool,
				vocabulary.GenAIToolName: "history_jokes",
			},
			none: []string{vocabulary.GenAIAgentName},
		},
		{
			name: "unknown span kind is system",
			in:   map[string]any{"traceloop.span.kind": "unknown", "traceloop.entity.name": "x"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem},
			none: []string{vocabulary.GenAIOperationName, vocabulary.GenAIAgentName, vocabulary.GenAIToolName},
		},
		{
			name: "entity name without span kind names nothing",
			in:   map[string]any{"traceloop.entity.name": "x"},
			none: []string{vocabulary.RastirSpanTypeKey, vocabulary.GenAIOperationName, vocabulary.GenAIAgentName},
		},
		{
			name: "completion request, vendor spelled as older OpenLLMetry did",
			in:   map[string]any{"llm.request.type": "completion", "llm.vendor": "Anthropic", "llm.response.stop_reason": "end_turn"},
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationTextCompletion, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
				vocabulary.GenAIProviderName: vocabulary.ProviderAnthropic, vocabulary.GenAIResponseFinishReasons: []any{"end_turn"},
			},
		},
		{
			name: "unknown vendor is kept, lower-cased as semconv's values",
			in:   map[string]any{"llm.request.type": "chat", "llm.vendor": " Ollama"},
			want: map[string]any{vocabulary.GenAIProviderName: "ollama", vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			name: "a framework named as vendor is no provider",
			in:   map[string]any{"llm.request.type": "chat", "llm.vendor": "LangChain"},
			want: map[string]any{vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
			none: []string{vocabulary.GenAIProviderName},
		},
		{
			name: "embedding request",
			in:   map[string]any{"llm.request.type": "embedding", "gen_ai.system": "openai", "llm.usage.total_tokens": int64(8)},
			want: map[string]any{vocabulary.GenAIOperationName: vocabulary.OperationEmbeddings, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			name: "rerank request is retrieval",
			in:   map[string]any{"llm.request.type": "rerank", "gen_ai.system": "Cohere", "gen_ai.request.model": "rerank-english-v3.0"},
			want: map[string]any{vocabulary.GenAIOperationName: vocabulary.OperationRetrieval, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeRetrieval},
		},
		{
			name: "unknown request type is an LLM call without an operation",
			in:   map[string]any{"llm.request.type": "unknown"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
			none: []string{vocabulary.GenAIOperationName},
		},
		{
			name: "values are matched ignoring case",
			in:   map[string]any{"llm.request.type": "Chat"},
			want: map[string]any{vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			name: "usage keys alone make an LLM call",
			in:   map[string]any{"llm.usage.prompt_tokens": int64(3), "llm.usage.completion_tokens": int64(4)},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIUsageInputTokens: int64(3),
				vocabulary.GenAIUsageOutputTokens: int64(4),
			},
			none: []string{vocabulary.GenAIOperationName},
		},
		{
			// opentelemetry-instrumentation-agno's Agent.run span: the
			// run's totals over the model calls, which have spans of
			// their own.
			name: "Agno agent span with the run's token totals is an agent",
			in: map[string]any{
				"gen_ai.system": "agno", "traceloop.span.kind": "agent", "gen_ai.agent.name": "finance",
				"gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": int64(812),
				"gen_ai.usage.output_tokens": int64(95), "llm.usage.total_tokens": int64(907), "agno.run.id": "r1",
			},
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationInvokeAgent, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent,
			},
		},
		{
			// opentelemetry-instrumentation-openai 0.5x: gen_ai.* keys only,
			// with OpenLLMetry's own for the stream flag and reasoning.
			name: "Python OpenLLMetry 0.5 OpenAI chat span: reasoning tokens and stream flag",
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "o3-mini",
				"gen_ai.openai.api_base": "https://api.openai.com/v1/", "gen_ai.is_streaming": true,
				"gen_ai.response.model": "o3-mini-2025-01-31", "gen_ai.usage.input_tokens": int64(1500),
				"gen_ai.usage.output_tokens": int64(300), "gen_ai.usage.total_tokens": int64(1800),
				"gen_ai.usage.reasoning_tokens": int64(192),
			},
			want: map[string]any{
				vocabulary.GenAIUsageReasoningTokens: int64(192), vocabulary.GenAIRequestStream: true,
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
			},
		},
		{
			name: "Python OpenLLMetry 0.4 reasoning tokens",
			in: map[string]any{
				"llm.request.type": "chat", "gen_ai.system": "openai", "llm.is_streaming": false,
				"llm.usage.total_tokens": int64(420), "llm.usage.reasoning_tokens": int64(64),
			},
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
				vocabulary.GenAIRequestStream: false, vocabulary.GenAIUsageReasoningTokens: int64(64),
			},
		},
		{
			name: "canonical reasoning count and stream flag are never replaced",
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.is_streaming": true, "gen_ai.usage.reasoning_tokens": int64(9),
				"llm.usage.reasoning_tokens": int64(8), "gen_ai.request.stream": false,
				"gen_ai.usage.reasoning.output_tokens": int64(7), "rastir.span_type": "llm",
			},
			want: map[string]any{vocabulary.GenAIRequestStream: false, vocabulary.GenAIUsageReasoningTokens: int64(7)},
		},
		{
			name: "finish_reason wins over stop_reason",
			in:   map[string]any{"llm.request.type": "chat", "llm.response.finish_reason": "length", "llm.response.stop_reason": "max_tokens"},
			want: map[string]any{vocabulary.GenAIResponseFinishReasons: []any{"length"}, vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			name: "flattened choices' finish reasons in choice order",
			in: map[string]any{
				"llm.request.type": "chat", "gen_ai.completion.2.finish_reason": "tool_calls",
				"gen_ai.completion.0.finish_reason": "stop", "gen_ai.completion.1.finish_reason": "length",
				"gen_ai.completion.10.finish_reason": "content_filter", "gen_ai.completion.x.finish_reason": "bogus",
				"gen_ai.completion.3.finish_reason": "",
			},
			want: map[string]any{
				vocabulary.GenAIResponseFinishReasons: []any{"stop", "length", "tool_calls", "content_filter"},
				vocabulary.GenAIOperationName:         vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
			},
		},
		{
			name: "more than four choices",
			in: map[string]any{
				"llm.request.type": "chat", "gen_ai.completion.5.finish_reason": "f", "gen_ai.completion.4.finish_reason": "e",
				"gen_ai.completion.3.finish_reason": "d", "gen_ai.completion.2.finish_reason": "c",
				"gen_ai.completion.1.finish_reason": "b", "gen_ai.completion.0.finish_reason": "a",
			},
			want: map[string]any{
				vocabulary.GenAIResponseFinishReasons: []any{"a", "b", "c", "d", "e", "f"},
				vocabulary.GenAIOperationName:         vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
			},
		},
		{
			name: "go-openllmetry agent name",
			in:   map[string]any{"llm.request.type": "chat", "llm.agent.name": "planner"},
			want: map[string]any{vocabulary.GenAIAgentName: "planner", vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			name: "an operation already on the span decides the span type",
			in:   map[string]any{"traceloop.span.kind": "task", "gen_ai.operation.name": "invoke_agent"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent, vocabulary.GenAIOperationName: vocabulary.OperationInvokeAgent},
		},
		{
			name: "canonical values are never replaced",
			in: map[string]any{
				"llm.request.type": "chat", "llm.vendor": "openai", "llm.request.model": "gpt-4o", "llm.response.model": "gpt-4o-2024-08-06",
				"llm.usage.prompt_tokens": int64(9), "llm.usage.completion_tokens": int64(8), "llm.is_streaming": true,
				"llm.response.finish_reason": "stop", "llm.agent.name": "a",
				"gen_ai.operation.name": "text_completion", "rastir.span_type": "agent", "gen_ai.provider.name": "azure.ai.openai",
				"gen_ai.request.model": "my-deployment", "gen_ai.response.model": "gpt-4o", "gen_ai.usage.input_tokens": int64(1),
				"gen_ai.usage.output_tokens": int64(2), "gen_ai.request.stream": false, "gen_ai.response.finish_reasons": []any{"length"},
				"gen_ai.agent.name": "b",
			},
			want: map[string]any{
				vocabulary.GenAIOperationName: vocabulary.OperationTextCompletion, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent,
				vocabulary.GenAIProviderName: vocabulary.ProviderAzureAIOpenAI, vocabulary.GenAIRequestModel: "my-deployment",
				vocabulary.GenAIResponseModel: "gpt-4o", vocabulary.GenAIUsageInputTokens: int64(1), vocabulary.GenAIUsageOutputTokens: int64(2),
				vocabulary.GenAIRequestStream: false, vocabulary.GenAIResponseFinishReasons: []any{"length"}, vocabulary.GenAIAgentName: "b",
			},
		},
		{
			name: "canonical tool name is never replaced",
			in:   map[string]any{"traceloop.span.kind": "tool", "traceloop.entity.name": "search", "gen_ai.tool.name": "web_search"},
			want: map[string]any{vocabulary.GenAIToolName: "web_search", vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool},
		},
		{
			name: "token counts of the wrong type are not mapped",
			in: map[string]any{
				"llm.usage.prompt_tokens": "12", "llm.is_streaming": "true", "gen_ai.is_streaming": "true",
				"gen_ai.usage.reasoning_tokens": 2.5,
			},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
			none: []string{vocabulary.GenAIUsageInputTokens, vocabulary.GenAIRequestStream, vocabulary.GenAIUsageReasoningTokens},
		},
		{
			name: "a span without OpenLLMetry keys is left alone",
			in:   map[string]any{"http.request.method": "GET", "llm.request.model": "gpt-4o", "gen_ai.completion.0.finish_reason": "stop"},
			none: []string{vocabulary.RastirSpanTypeKey, vocabulary.GenAIRequestModel, vocabulary.GenAIResponseFinishReasons},
		},
		{
			name: "workflow name alone does not make a span OpenLLMetry",
			in:   map[string]any{"traceloop.workflow.name": "w", "traceloop.entity.path": "t", "db.system": "chroma"},
			none: []string{vocabulary.RastirSpanTypeKey, vocabulary.GenAIOperationName},
		},
		{
			name: "OpenInference's llm.* keys are not OpenLLMetry's",
			in: map[string]any{
				"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.provider": "openai",
				"llm.token_count.prompt": int64(10), "llm.invocation_parameters": "{}",
			},
			none: []string{vocabulary.RastirSpanTypeKey, vocabulary.GenAIOperationName, vocabulary.GenAIProviderName},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := spanWith(tt.in)
			NewOpenLLMetry(Options{}).Map(pcommon.NewInstrumentationScope(), span)
			assertMapped(t, span, tt.in, tt.want, tt.none)
		})
	}
}

// assertMapped checks that span holds want, lacks none, kept every input
// key with its value unless want says otherwise, and gained no key beyond
// want.
func assertMapped(t *testing.T, span ptrace.Span, in, want map[string]any, none []string) {
	t.Helper()
	attrs := span.Attributes()
	for k, v := range want {
		got, ok := attrs.Get(k)
		if assert.True(t, ok, "%s missing", k) {
			assert.Equal(t, v, got.AsRaw(), k)
		}
	}
	for _, k := range none {
		_, ok := attrs.Get(k)
		assert.False(t, ok, "%s must stay absent", k)
	}
	for k, v := range in {
		got, ok := attrs.Get(k)
		if assert.True(t, ok, "input key %s removed", k) {
			if _, canonical := want[k]; !canonical {
				assert.Equal(t, v, got.AsRaw(), "input key %s changed", k)
			}
		}
	}
	for k := range attrs.All() {
		_, inIn := in[k]
		_, inWant := want[k]
		assert.True(t, inIn || inWant, "unexpected key %s written", k)
	}
}

// TestOpenLLMetryAfterGenAI runs the mappers in the processor's order on the
// Python chat span: the GenAI mapper maps the deprecated gen_ai.* keys, the
// OpenLLMetry mapper the llm.* ones, and together they give the whole
// canonical set.
func TestOpenLLMetryAfterGenAI(t *testing.T) {
	span := spanWith(openLLMetryChatSpan())
	scope := pcommon.NewInstrumentationScope()
	NewGenAI(Options{}).Map(scope, span)
	NewOpenLLMetry(Options{}).Map(scope, span)
	want := map[string]any{
		vocabulary.GenAIOperationName: vocabulary.OperationChat, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
		vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI, vocabulary.GenAIUsageInputTokens: int64(24),
		vocabulary.GenAIUsageOutputTokens: int64(33), vocabulary.GenAIRequestStream: false,
		vocabulary.GenAIResponseFinishReasons: []any{"stop"},
	}
	assertMapped(t, span, openLLMetryChatSpan(), want, nil)
}

func TestOpenLLMetryMapIsIdempotent(t *testing.T) {
	span := spanWith(goOpenLLMetrySpan())
	scope := pcommon.NewInstrumentationScope()
	NewOpenLLMetry(Options{}).Map(scope, span)
	first := span.Attributes().AsRaw()
	NewOpenLLMetry(Options{}).Map(scope, span)
	assert.Equal(t, first, span.Attributes().AsRaw())
}

func TestOpenLLMetryRequestOperation(t *testing.T) {
	for in, want := range map[string]string{
		"chat": vocabulary.OperationChat, "completion": vocabulary.OperationTextCompletion,
		"embedding": vocabulary.OperationEmbeddings, "rerank": vocabulary.OperationRetrieval,
		"EMBEDDING": vocabulary.OperationEmbeddings, "unknown": "", "": "", "image": "",
	} {
		assert.Equal(t, want, OpenLLMetryRequestOperation(in), in)
	}
}

func TestTraceloopSpanKind(t *testing.T) {
	for in, want := range map[string][2]string{
		"workflow": {vocabulary.SpanTypeAgent, vocabulary.OperationInvokeWorkflow},
		"agent":    {vocabulary.SpanTypeAgent, vocabulary.OperationInvokeAgent},
		"tool":     {vocabulary.SpanTypeTool, vocabulary.OperationExecuteTool},
		"Tool":     {vocabulary.SpanTypeTool, vocabulary.OperationExecuteTool},
		"task":     {vocabulary.SpanTypeSystem, ""},
		"unknown":  {vocabulary.SpanTypeSystem, ""},
		"":         {vocabulary.SpanTypeSystem, ""},
	} {
		spanType, op := TraceloopSpanKind(in)
		assert.Equal(t, want, [2]string{spanType, op}, in)
	}
}

func TestIsOpenLLMetryContentKey(t *testing.T) {
	for _, k := range []string{
		"traceloop.entity.input", "traceloop.entity.output", "gen_ai.prompt.0.content", "gen_ai.prompt.1.role",
		"gen_ai.completion.0.content", "gen_ai.completion.0.tool_calls.0.arguments", "llm.prompts.0.content",
		"llm.completions.0.content",
	} {
		assert.True(t, IsOpenLLMetryContentKey(k), k)
	}
	for _, k := range []string{
		"", "gen_ai.prompt", "gen_ai.completion", "traceloop.entity.name", "llm.request.functions.0.name",
		"llm.request.type", "gen_ai.request.model", "traceloop.workflow.name",
	} {
		assert.False(t, IsOpenLLMetryContentKey(k), k)
	}
}

// BenchmarkOpenLLMetry maps the Python OpenAI chat span (23 attributes, 4
// written) and the go-openllmetry span (12 attributes, 7 written). "map"
// maps a fresh copy each time (the copies are made with the timer stopped);
// "already_mapped" is the read pass alone on a span that has every canonical
// key; "not_openllmetry" is the cost to a span of another dialect.
func BenchmarkOpenLLMetry(b *testing.B) {
	m := NewOpenLLMetry(Options{})
	scope := pcommon.NewInstrumentationScope()
	const batch = 256
	for name, raw := range map[string]func() map[string]any{"python_chat": openLLMetryChatSpan, "go": goOpenLLMetrySpan} {
		src := spanWith(raw())
		b.Run(name+"/map", func(b *testing.B) { benchmarkMapFresh(b, m, scope, src, batch) })
		b.Run(name+"/already_mapped", func(b *testing.B) {
			span := ptrace.NewSpan()
			src.CopyTo(span)
			m.Map(scope, span)
			b.ReportAllocs()
			for b.Loop() {
				m.Map(scope, span)
			}
		})
	}
	b.Run("not_openllmetry", func(b *testing.B) {
		in := openLLMetryChatSpan()
		for k := range in {
			if k == vocabulary.OpenLLMetryRequestType || k == vocabulary.OpenLLMetryUsageTotalTokens {
				delete(in, k)
			}
		}
		span := spanWith(in)
		b.ReportAllocs()
		for b.Loop() {
			m.Map(scope, span)
		}
		require.Equal(b, len(in), span.Attributes().Len())
	})
}

// manyChoicesSpan is a chat span with n flattened finish reasons, in Go's
// random map order.
func manyChoicesSpan(n int) ptrace.Span {
	in := map[string]any{"llm.request.type": "chat"}
	for i := range n {
		in["gen_ai.completion."+strconv.Itoa(i)+".finish_reason"] = "r" + strconv.Itoa(i)
	}
	return spanWith(in)
}

func TestOpenLLMetryManyChoicesInOrder(t *testing.T) {
	span := manyChoicesSpan(300)
	NewOpenLLMetry(Options{}).Map(pcommon.NewInstrumentationScope(), span)
	v, ok := span.Attributes().Get(vocabulary.GenAIResponseFinishReasons)
	require.True(t, ok)
	require.Equal(t, 300, v.Slice().Len())
	for i, r := range v.Slice().All() {
		require.Equal(t, "r"+strconv.Itoa(i), r.Str())
	}
}

// BenchmarkOpenLLMetryManyChoices maps a span with 20,000 flattened finish
// reasons out of order: the cost must stay near linear in them.
func BenchmarkOpenLLMetryManyChoices(b *testing.B) {
	m := NewOpenLLMetry(Options{})
	scope := pcommon.NewInstrumentationScope()
	src := manyChoicesSpan(20000)
	span := ptrace.NewSpan()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		src.CopyTo(span)
		b.StartTimer()
		m.Map(scope, span)
	}
}

func TestOpenLLMetryLeavesRastirScope(t *testing.T) {
	scope := pcommon.NewInstrumentationScope()
	scope.SetName(vocabulary.ScopeRastir)
	span := spanWith(goOpenLLMetrySpan())
	NewOpenLLMetry(Options{}).Map(scope, span)
	assert.Equal(t, goOpenLLMetrySpan(), span.Attributes().AsRaw())
}
