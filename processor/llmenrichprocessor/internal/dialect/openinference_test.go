package dialect

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// openAIChatSpan is an LLM span as openinference-instrumentation-openai
// records a chat completion that calls a tool: flattened, indexed messages
// and tool calls, llm.model_name from the response, and the token details
// of the usage object.
func openAIChatSpan() map[string]any {
	return map[string]any{
		"openinference.span.kind":              "LLM",
		"llm.system":                           "openai",
		"llm.provider":                         "openai",
		"llm.model_name":                       "gpt-4o-2024-08-06",
		"llm.invocation_parameters":            `{"model": "gpt-4o", "temperature": 0.2, "tool_choice": "auto"}`,
		"input.value":                          `{"messages": [{"role": "system", "content": "You are a weather bot."}, {"role": "user", "content": "Weather in Paris?"}], "model": "gpt-4o"}`,
		"input.mime_type":                      "application/json",
		"output.value":                         `{"id": "chatcmpl-AbC123", "choices": [{"finish_reason": "tool_calls"}]}`,
		"output.mime_type":                     "application/json",
		"llm.input_messages.0.message.role":    "system",
		"llm.input_messages.0.message.content": "You are a weather bot.",
		"llm.input_messages.1.message.role":    "user",
		"llm.input_messages.1.message.content": "Weather in Paris?",
		"llm.output_messages.0.message.role":   "assistant",
		"llm.output_messages.0.message.tool_calls.0.tool_call.id":                 "call_Xy12",
		"llm.output_messages.0.message.tool_calls.0.tool_call.function.name":      "get_weather",
		"llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": `{"city": "Paris"}`,
		"llm.tools.0.tool.json_schema":                                            `{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}`,
		"llm.token_count.prompt":                                                  int64(1582),
		"llm.token_count.completion":                                              int64(18),
		"llm.token_count.total":                                                   int64(1600),
		"llm.token_count.prompt_details.cache_read":                               int64(1280),
		"llm.token_count.completion_details.reasoning":                            int64(0),
	}
}

// The parts of a prompt and completion cost, as variables so that the
// expected sum is computed the way the mapper computes it.
var costPrompt, costCompletion = 0.0015, 0.0006

func TestOpenInference(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		// want holds every canonical value afterwards: the keys written
		// must be exactly those of want missing from in.
		want map[string]any
	}{
		{
			name: "LLM span of the OpenAI instrumentation",
			in:   openAIChatSpan(),
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:         vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:        vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:         "gpt-4o-2024-08-06",
				vocabulary.GenAIProviderName:         vocabulary.ProviderOpenAI,
				vocabulary.GenAIUsageInputTokens:     int64(1582),
				vocabulary.GenAIUsageOutputTokens:    int64(18),
				vocabulary.GenAIUsageCacheReadTokens: int64(1280),
				vocabulary.GenAIUsageReasoningTokens: int64(0),
			},
		},
		{
			name: "LLM span of the Anthropic instrumentation with request and response models, cache write and cost",
			in: map[string]any{
				"openinference.span.kind": "LLM", "llm.system": "anthropic", "llm.provider": "anthropic",
				"llm.model_name": "claude-sonnet-4-5-20250929", "llm.request.model_name": "claude-sonnet-4-5",
				"llm.response.model_name": "claude-sonnet-4-5-20250929",
				"llm.token_count.prompt":  int64(2100), "llm.token_count.completion": int64(350),
				"llm.token_count.prompt_details.cache_read": int64(1024), "llm.token_count.prompt_details.cache_write": int64(900),
				"llm.cost.total": 0.012417, "llm.cost.prompt": 0.007167, "llm.cost.completion": 0.00525,
				"llm.input_messages.0.message.role": "user", "llm.input_messages.0.message.content": "Summarise this.",
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:             vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:            vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:             "claude-sonnet-4-5",
				vocabulary.GenAIResponseModel:            "claude-sonnet-4-5-20250929",
				vocabulary.GenAIProviderName:             vocabulary.ProviderAnthropic,
				vocabulary.GenAIUsageInputTokens:         int64(2100),
				vocabulary.GenAIUsageOutputTokens:        int64(350),
				vocabulary.GenAIUsageCacheReadTokens:     int64(1024),
				vocabulary.GenAIUsageCacheCreationTokens: int64(900),
				vocabulary.RastirCostUSD:                 0.012417,
				vocabulary.RastirPricingProfile:          vocabulary.PricingProfileOpenInference,
			},
		},
		{
			name: "llm.provider says where the call went, over llm.system",
			in: map[string]any{
				"openinference.span.kind": "LLM", "llm.system": "openai", "llm.provider": "azure",
				"llm.model_name": "gpt-4o-mini",
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName: vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:  "gpt-4o-mini",
				vocabulary.GenAIProviderName:  vocabulary.ProviderAzureAIOpenAI,
			},
		},
		{
			name: "llm.system alone is normalised; lower-case kind",
			in:   map[string]any{"openinference.span.kind": "llm", "llm.system": "vertexai", "llm.model_name": "gemini-2.5-flash"},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName: vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:  "gemini-2.5-flash",
				vocabulary.GenAIProviderName:  vocabulary.ProviderGCPVertexAI,
			},
		},
		{
			name: "an unknown provider is kept as sent",
			in:   map[string]any{"openinference.span.kind": "LLM", "llm.provider": "fireworks", "llm.system": "openai"},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName: vocabulary.OperationChat,
				vocabulary.GenAIProviderName:  "fireworks",
			},
		},
		{
			name: "a framework is no provider: llm.system is used instead",
			in:   map[string]any{"openinference.span.kind": "LLM", "llm.provider": "langchain", "llm.system": "anthropic"},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIOperationName: vocabulary.OperationChat,
				vocabulary.GenAIProviderName: vocabulary.ProviderAnthropic,
			},
		},
		{
			name: "counts as whole doubles are read, fractional or negative ones are not; cost from its parts",
			in: map[string]any{
				"openinference.span.kind": "LLM",
				"llm.token_count.prompt":  float64(120), "llm.token_count.completion": 45.5,
				"llm.token_count.prompt_details.cache_read": int64(-1),
				"llm.cost.prompt": costPrompt, "llm.cost.completion": costCompletion,
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:     vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:    vocabulary.OperationChat,
				vocabulary.GenAIUsageInputTokens: int64(120),
				vocabulary.RastirCostUSD:         costPrompt + costCompletion,
				vocabulary.RastirPricingProfile:  vocabulary.PricingProfileOpenInference,
			},
		},
		{
			name: "a zero cost is no cost (the pricing table decides)",
			in: map[string]any{
				"openinference.span.kind": "LLM", "llm.model_name": "llama3.2", "llm.provider": "ollama",
				"llm.cost.total": 0.0, "llm.cost.prompt": 0.0, "llm.cost.completion": 0.0,
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName: vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:  "llama3.2",
				vocabulary.GenAIProviderName:  "ollama",
			},
		},
		{
			name: "TOOL span",
			in: map[string]any{
				"openinference.span.kind": "TOOL", "tool.name": "get_weather",
				"tool.description": "Current weather for a city.", "tool.parameters": `{"type": "object", "properties": {"city": {"type": "string"}}}`,
				"tool_call.id": "call_Xy12", "session.id": "sess-7f3a",
				"input.value": `{"city": "Paris"}`, "input.mime_type": "application/json", "output.value": "Rainy, 14°C",
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:   vocabulary.SpanTypeTool,
				vocabulary.GenAIOperationName:  vocabulary.OperationExecuteTool,
				vocabulary.GenAIToolName:       "get_weather",
				vocabulary.GenAIToolCallID:     "call_Xy12",
				vocabulary.GenAIConversationID: "sess-7f3a",
			},
		},
		{
			name: "TOOL span naming its call by tool.id",
			in:   map[string]any{"openinference.span.kind": "TOOL", "tool.name": "Bash", "tool.id": "toolu_01A"},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeTool,
				vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool,
				vocabulary.GenAIToolName:      "Bash",
				vocabulary.GenAIToolCallID:    "toolu_01A",
			},
		},
		{
			name: "AGENT span",
			in: map[string]any{
				"openinference.span.kind": "AGENT", "agent.name": "triage", "graph.node.id": "triage",
				"graph.node.parent_id": "", "session.id": "sess-7f3a", "user.id": "u-19",
				"input.value": "Book me a table for two.", "output.value": "Handed off to booking.",
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:   vocabulary.SpanTypeAgent,
				vocabulary.GenAIOperationName:  vocabulary.OperationInvokeAgent,
				vocabulary.GenAIAgentName:      "triage",
				vocabulary.GenAIConversationID: "sess-7f3a",
			},
		},
		{
			name: "RETRIEVER span of the LlamaIndex instrumentation",
			in: map[string]any{
				"openinference.span.kind": "RETRIEVER", "input.value": "What did the author do growing up?",
				"retrieval.documents.0.document.id":       "b2b3c1d0-8e4f-4a55-9a0e-0c1d2e3f4a5b",
				"retrieval.documents.0.document.content":  "I wrote short stories.",
				"retrieval.documents.0.document.score":    0.8237,
				"retrieval.documents.0.document.metadata": `{"file_name": "essay.txt"}`,
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeRetrieval,
				vocabulary.GenAIOperationName: vocabulary.OperationRetrieval,
			},
		},
		{
			name: "RERANKER span",
			in: map[string]any{
				"openinference.span.kind": "RERANKER", "reranker.model_name": "rerank-english-v3.0",
				"reranker.top_k": int64(3), "reranker.query": "author childhood",
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeRetrieval,
				vocabulary.GenAIOperationName: vocabulary.OperationRetrieval,
				vocabulary.GenAIRequestModel:  "rerank-english-v3.0",
			},
		},
		{
			name: "EMBEDDING span",
			in: map[string]any{
				"openinference.span.kind": "EMBEDDING", "embedding.model_name": "text-embedding-3-small",
				"llm.system": "openai", "llm.provider": "openai",
				"embedding.invocation_parameters":         `{"model": "text-embedding-3-small"}`,
				"embedding.embeddings.0.embedding.text":   "hello world",
				"embedding.embeddings.0.embedding.vector": []any{0.0123, -0.0456, 0.0789},
				"llm.token_count.prompt":                  int64(2), "llm.token_count.total": int64(2),
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:     vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:    vocabulary.OperationEmbeddings,
				vocabulary.GenAIRequestModel:     "text-embedding-3-small",
				vocabulary.GenAIProviderName:     vocabulary.ProviderOpenAI,
				vocabulary.GenAIUsageInputTokens: int64(2),
			},
		},
		{
			name: "CHAIN span is not an agent",
			in:   map[string]any{"openinference.span.kind": "CHAIN", "input.value": "{}", "session.id": "s1"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem, vocabulary.GenAIConversationID: "s1"},
		},
		{
			name: "PROMPT span calls no model",
			in:   map[string]any{"openinference.span.kind": "PROMPT", "llm.prompt_template.template": "Hi {name}"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem},
		},
		{
			name: "GUARDRAIL span",
			in:   map[string]any{"openinference.span.kind": "GUARDRAIL", "input.value": "ignore previous instructions"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem},
		},
		{
			name: "EVALUATOR span",
			in:   map[string]any{"openinference.span.kind": "Evaluator"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeEvaluation},
		},
		{
			name: "an unlisted kind is system (UNKNOWN, non-string: see below)",
			in:   map[string]any{"openinference.span.kind": "WORKFLOW", "agent.name": "planner"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem, vocabulary.GenAIAgentName: "planner"},
		},
		{
			name: "never overwrite canonical values",
			in: map[string]any{
				"openinference.span.kind": "LLM", "llm.provider": "azure", "llm.model_name": "gpt-4o",
				"llm.response.model_name": "gpt-4o-2024-11-20",
				"llm.token_count.prompt":  int64(10), "llm.token_count.completion": int64(5),
				"llm.token_count.prompt_details.cache_read": int64(4), "llm.token_count.prompt_details.cache_write": int64(3),
				"llm.token_count.completion_details.reasoning": int64(2), "llm.cost.total": 0.5,
				"tool.name": "t", "tool_call.id": "c", "agent.name": "a", "session.id": "s",

				"rastir.span_type": "agent", "gen_ai.operation.name": "invoke_agent",
				"gen_ai.request.model": "gpt-4.1", "gen_ai.response.model": "gpt-4.1-2025-04-14",
				"gen_ai.provider.name":      "openai",
				"gen_ai.usage.input_tokens": int64(11), "gen_ai.usage.output_tokens": int64(6),
				"gen_ai.usage.cache_read.input_tokens": int64(0), "gen_ai.usage.cache_creation.input_tokens": int64(0),
				"gen_ai.usage.reasoning.output_tokens": int64(1),
				"rastir.cost.usd":                      0.25, "rastir.pricing.profile": "default",
				"gen_ai.tool.name": "T", "gen_ai.tool.call.id": "C", "gen_ai.agent.name": "A", "gen_ai.conversation.id": "S",
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent, vocabulary.GenAIOperationName: vocabulary.OperationInvokeAgent,
				vocabulary.GenAIRequestModel: "gpt-4.1", vocabulary.GenAIResponseModel: "gpt-4.1-2025-04-14",
				vocabulary.GenAIProviderName:     vocabulary.ProviderOpenAI,
				vocabulary.GenAIUsageInputTokens: int64(11), vocabulary.GenAIUsageOutputTokens: int64(6),
				vocabulary.GenAIUsageCacheReadTokens: int64(0), vocabulary.GenAIUsageCacheCreationTokens: int64(0),
				vocabulary.GenAIUsageReasoningTokens: int64(1),
				vocabulary.RastirCostUSD:             0.25, vocabulary.RastirPricingProfile: "default",
				vocabulary.GenAIToolName: "T", vocabulary.GenAIToolCallID: "C", vocabulary.GenAIAgentName: "A",
				vocabulary.GenAIConversationID: "S",
			},
		},
		{
			name: "a cost already on the span keeps its profile, or none",
			in:   map[string]any{"openinference.span.kind": "LLM", "llm.cost.total": 0.5, "rastir.cost.usd": 0.25},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIOperationName: vocabulary.OperationChat,
				vocabulary.RastirCostUSD: 0.25,
			},
		},
		{
			name: "a profile already on the span is kept",
			in:   map[string]any{"openinference.span.kind": "LLM", "llm.cost.total": 0.5, "rastir.pricing.profile": "phoenix"},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIOperationName: vocabulary.OperationChat,
				vocabulary.RastirCostUSD: 0.5, vocabulary.RastirPricingProfile: "phoenix",
			},
		},
		{
			name: "a span without openinference.span.kind is left alone",
			in: map[string]any{
				"llm.model_name": "gpt-4o", "llm.provider": "openai", "llm.token_count.prompt": int64(5),
				"llm.cost.total": 0.1, "tool.name": "search", "agent.name": "a", "session.id": "s",
			},
			want: map[string]any{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := spanWith(tt.in)
			NewOpenInference(Options{}).Map(pcommon.NewInstrumentationScope(), span)
			attrs := span.Attributes()
			for k, v := range tt.want {
				got, ok := attrs.Get(k)
				if assert.True(t, ok, "%s missing", k) {
					assert.Equal(t, v, got.AsRaw(), k)
				}
			}
			// Input keys stay, with their values.
			for k, v := range tt.in {
				got, ok := attrs.Get(k)
				if assert.True(t, ok, "input key %s removed", k) {
					assert.Equal(t, spanWith(map[string]any{k: v}).Attributes().AsRaw()[k], got.AsRaw(), "input key %s changed", k)
				}
			}
			// Nothing but the wanted keys is written.
			var written, wanted []string
			for k := range attrs.All() {
				if _, in := tt.in[k]; !in {
					written = append(written, k)
				}
			}
			for k := range tt.want {
				if _, in := tt.in[k]; !in {
					wanted = append(wanted, k)
				}
			}
			sort.Strings(written)
			sort.Strings(wanted)
			assert.Equal(t, wanted, written, "keys written")
		})
	}
}

func TestOpenInferenceNonStringKind(t *testing.T) {
	span := spanWith(map[string]any{"openinference.span.kind": int64(1), "llm.model_name": "m"})
	NewOpenInference(Options{}).Map(pcommon.NewInstrumentationScope(), span)
	assert.Equal(t, map[string]any{
		"openinference.span.kind": int64(1), "llm.model_name": "m",
		vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem, vocabulary.GenAIRequestModel: "m",
	}, span.Attributes().AsRaw())
}

// Every kind that gets an operation gets the span type the GenAI mapper
// derives from that operation, so the two dialects agree.
func TestOpenInferenceSpanKindAgreesWithOperations(t *testing.T) {
	for _, k := range openInferenceKinds {
		spanType, op := OpenInferenceSpanKind(k.kind)
		assert.Equal(t, k.spanType, spanType, k.kind)
		if op != "" {
			assert.Equal(t, SpanTypeForOperation(op), spanType, k.kind)
		}
		assert.Equal(t, vocabulary.NormalizeRastirSpanType(spanType), spanType, "%s: %s is not canonical", k.kind, spanType)
	}
	for _, kind := range []string{"", "UNKNOWN", "unknown", "WORKFLOW"} {
		spanType, op := OpenInferenceSpanKind(kind)
		assert.Equal(t, vocabulary.SpanTypeSystem, spanType, kind)
		assert.Empty(t, op, kind)
	}
	spanType, op := OpenInferenceSpanKind(" Retriever ")
	assert.Equal(t, vocabulary.SpanTypeRetrieval, spanType)
	assert.Equal(t, vocabulary.OperationRetrieval, op)
}

func TestIsOpenInferenceContentKey(t *testing.T) {
	for k := range openAIChatSpan() {
		want := k == "input.value" || k == "output.value" ||
			(len(k) > len("llm.input_messages.") && k[:len("llm.input_messages.")] == "llm.input_messages.") ||
			(len(k) > len("llm.output_messages.") && k[:len("llm.output_messages.")] == "llm.output_messages.")
		assert.Equal(t, want, IsOpenInferenceContentKey(k), k)
	}
	for _, k := range []string{
		"llm.prompts.0.prompt.text", "llm.choices.0.completion.text", "embedding.embeddings.0.embedding.vector",
		"retrieval.documents.3.document.content", "reranker.input_documents.0.document.content",
		"reranker.output_documents.0.document.content", "reranker.query", "llm.prompt_template.variables",
	} {
		assert.True(t, IsOpenInferenceContentKey(k), k)
	}
	for _, k := range []string{
		"", "input.mime_type", "llm.invocation_parameters", "llm.tools.0.tool.json_schema", "tool.parameters",
		"embedding.model_name", "llm.prompt_template.template", "llm.input_messages", "gen_ai.input.messages",
	} {
		assert.False(t, IsOpenInferenceContentKey(k), k)
	}
}

// BenchmarkOpenInference maps the OpenAI instrumentation's LLM span (23
// attributes, 8 written). "map" maps a fresh copy each time (the copies are
// made with the timer stopped); "already_mapped" is the read pass alone on a
// span that has every canonical key; "not_openinference" is the cost to a
// span of another dialect.
func BenchmarkOpenInference(b *testing.B) {
	src := spanWith(openAIChatSpan())
	m := NewOpenInference(Options{})
	scope := pcommon.NewInstrumentationScope()
	const batch = 1024
	b.Run("map", func(b *testing.B) { benchmarkMapFresh(b, m, scope, src, batch) })
	b.Run("already_mapped", func(b *testing.B) {
		span := ptrace.NewSpan()
		src.CopyTo(span)
		m.Map(scope, span)
		b.ReportAllocs()
		for b.Loop() {
			m.Map(scope, span)
		}
	})
	b.Run("not_openinference", func(b *testing.B) {
		span := spanWith(openAIChatSpan())
		span.Attributes().Remove(vocabulary.OpenInferenceSpanKind)
		b.ReportAllocs()
		for b.Loop() {
			m.Map(scope, span)
		}
		require.Equal(b, len(openAIChatSpan())-1, span.Attributes().Len())
	})
}
