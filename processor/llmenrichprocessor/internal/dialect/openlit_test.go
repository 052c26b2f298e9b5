package dialect

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// openLITChatSpan is the span the current OpenLIT Python SDK writes for a
// non-streamed OpenAI chat completion (instrumentation/openai/utils.py and
// __helpers.common_span_attributes).
func openLITChatSpan() map[string]any {
	return map[string]any{
		"telemetry.sdk.name":                       "openlit",
		"gen_ai.operation.name":                    "chat",
		"gen_ai.provider.name":                     "openai",
		"server.address":                           "api.openai.com",
		"server.port":                              int64(443),
		"gen_ai.request.model":                     "gpt-4o",
		"gen_ai.response.model":                    "gpt-4o-2024-08-06",
		"deployment.environment":                   "default",
		"service.name":                             "default",
		"gen_ai.request.stream":                    false,
		"gen_ai.server.time_per_output_token":      0.0,
		"gen_ai.server.time_to_first_token":        0.0,
		"gen_ai.sdk.version":                       "1.36.0",
		"gen_ai.request.temperature":               1.0,
		"gen_ai.response.id":                       "chatcmpl-AbC123",
		"gen_ai.response.finish_reasons":           []any{"stop"},
		"gen_ai.usage.input_tokens":                int64(20),
		"gen_ai.usage.output_tokens":               int64(10),
		"gen_ai.client.token.usage":                int64(30),
		"gen_ai.usage.cost":                        0.00015,
		"gen_ai.usage.cache_read.input_tokens":     int64(0),
		"gen_ai.usage.cache_creation.input_tokens": int64(0),
	}
}

// openLITLegacyStreamSpan is a streamed chat span of an OpenLIT Python SDK
// release of 2024 (gen_ai.system, gen_ai.request.is_stream, gen_ai.endpoint).
func openLITLegacyStreamSpan() map[string]any {
	return map[string]any{
		"telemetry.sdk.name":                "openlit",
		"gen_ai.system":                     "openai",
		"gen_ai.operation.name":             "chat",
		"gen_ai.endpoint":                   "openai.chat.completions",
		"gen_ai.environment":                "production",
		"gen_ai.application_name":           "chatbot",
		"gen_ai.request.model":              "gpt-4o-mini",
		"gen_ai.request.is_stream":          true,
		"gen_ai.server.time_to_first_token": 0.42,
		"gen_ai.usage.input_tokens":         int64(120),
		"gen_ai.usage.output_tokens":        int64(80),
		"gen_ai.usage.total_tokens":         int64(200),
		"gen_ai.usage.cost":                 0.0021,
	}
}

// openLITGoChatSpan is the span the OpenLIT Go SDK's OpenAI instrumentation
// writes (sdk/go/instrumentation/openai/instrumentor.go).
func openLITGoChatSpan() map[string]any {
	return map[string]any{
		"gen_ai.operation.name":                            "chat",
		"gen_ai.system":                                    "openai",
		"gen_ai.request.model":                             "o3-mini",
		"server.address":                                   "api.openai.com",
		"server.port":                                      int64(443),
		"gen_ai.request.is_stream":                         false,
		"gen_ai.response.model":                            "o3-mini-2025-01-31",
		"gen_ai.response.id":                               "chatcmpl-XyZ",
		"gen_ai.response.finish_reasons":                   []any{"stop"},
		"gen_ai.usage.input_tokens":                        int64(1500),
		"gen_ai.usage.output_tokens":                       int64(300),
		"gen_ai.usage.total_tokens":                        int64(1800),
		"gen_ai.usage.completion_tokens_details.reasoning": int64(192),
		"gen_ai.usage.prompt_tokens_details.cache_read":    int64(1024),
		"gen_ai.usage.cost":                                0.0042,
	}
}

func TestOpenLIT(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any // keys that must hold these values afterwards
		none []string       // keys that must stay absent
	}{
		{
			name: "Python SDK chat span: its cost is authoritative",
			in:   openLITChatSpan(),
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.RastirCostUSD: 0.00015,
				vocabulary.RastirPricingProfile: vocabulary.PricingProfileOpenLIT,
			},
			// A time to first token of 0 is a call that was not streamed.
			none: []string{vocabulary.GenAIResponseTimeToFirstChunk, vocabulary.RastirPricingMissing},
		},
		{
			name: "2024 Python SDK streamed span",
			in:   openLITLegacyStreamSpan(),
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIRequestStream: true,
				vocabulary.GenAIResponseTimeToFirstChunk: 0.42, vocabulary.RastirCostUSD: 0.0021,
				vocabulary.RastirPricingProfile: vocabulary.PricingProfileOpenLIT,
			},
			// gen_ai.system is the GenAI mapper's.
			none: []string{vocabulary.GenAIProviderName},
		},
		{
			name: "Go SDK chat span: reasoning and cache read counts",
			in:   openLITGoChatSpan(),
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIRequestStream: false,
				vocabulary.GenAIUsageReasoningTokens: int64(192), vocabulary.GenAIUsageCacheReadTokens: int64(1024),
				vocabulary.RastirCostUSD: 0.0042, vocabulary.RastirPricingProfile: vocabulary.PricingProfileOpenLIT,
			},
			none: []string{vocabulary.GenAIUsageCacheCreationTokens},
		},
		{
			name: "Go SDK streamed Anthropic span: time to first token and cache write",
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.system": "anthropic", "gen_ai.request.is_stream": true,
				"gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.usage.input_tokens": int64(12),
				"gen_ai.usage.output_tokens": int64(400), "gen_ai.usage.prompt_tokens_details.cache_write": int64(2048),
				"gen_ai.server.time_to_first_token": 0.35, "gen_ai.usage.cost": 0.0135,
			},
			want: map[string]any{
				vocabulary.GenAIRequestStream: true, vocabulary.GenAIResponseTimeToFirstChunk: 0.35,
				vocabulary.GenAIUsageCacheCreationTokens: int64(2048), vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
				// Anthropic's input_tokens exclude the cache write.
				vocabulary.GenAIUsageInputTokens: int64(2060),
				vocabulary.RastirCostUSD:         0.0135, vocabulary.RastirPricingProfile: vocabulary.PricingProfileOpenLIT,
			},
		},
		{
			name: "Go SDK embedding span without a price: no cost, the processor prices it",
			in: map[string]any{
				"gen_ai.operation.name": "embedding", "gen_ai.system": "openai", "gen_ai.request.model": "my-embedder",
				"gen_ai.response.model": "my-embedder", "gen_ai.usage.input_tokens": int64(8),
				"gen_ai.usage.total_tokens": int64(8), "gen_ai.usage.cost": 0.0,
			},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
			none: []string{vocabulary.RastirCostUSD, vocabulary.RastirPricingProfile, vocabulary.RastirPricingMissing},
		},
		{
			name: "Python reasoning tokens",
			in: map[string]any{
				"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "chat", "gen_ai.usage.reasoning_tokens": int64(64),
			},
			want: map[string]any{vocabulary.GenAIUsageReasoningTokens: int64(64), vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			// The LangChain callback handler of 2025 releases (ChatAnthropic,
			// llm_output usage) and today's Google ADK instrumentation.
			name: "Python SDK's OpenAI-shaped detail keys",
			in: map[string]any{
				"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "chat", "gen_ai.system": "anthropic",
				"gen_ai.usage.input_tokens": int64(30), "gen_ai.usage.output_tokens": int64(250),
				"gen_ai.usage.completion_tokens_details.reasoning_tokens":  int64(32),
				"gen_ai.usage.prompt_tokens_details.cached_tokens":         int64(512),
				"gen_ai.usage.prompt_tokens_details.cache_creation_tokens": int64(64),
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIUsageReasoningTokens: int64(32),
				vocabulary.GenAIUsageCacheReadTokens: int64(512), vocabulary.GenAIUsageCacheCreationTokens: int64(64),
				// Anthropic's raw usage: the cache is added.
				vocabulary.GenAIUsageInputTokens: int64(30 + 512 + 64),
			},
		},
		{
			name: "vector database span is retrieval",
			in: map[string]any{
				"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "vectordb", "db.system.name": "chroma",
				"db.operation.name": "query", "db.collection.name": "docs", "gen_ai.sdk.version": "1.36.0",
			},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeRetrieval},
		},
		{
			name: "framework span is a workflow",
			in:   map[string]any{"gen_ai.operation.name": "framework", "gen_ai.system": "langchain", "gen_ai.environment": "dev"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent},
		},
		{
			name: "CrewAI task span",
			in:   map[string]any{"gen_ai.operation.name": "execute_task", "gen_ai.system": "crewai", "gen_ai.sdk.version": "1.36.0"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent},
		},
		{
			name: "an operation OpenLIT does not name gives no span type",
			in:   map[string]any{"gen_ai.operation.name": "tool_coordination", "gen_ai.sdk.version": "1.36.0"},
			none: []string{vocabulary.RastirSpanTypeKey},
		},
		{
			name: "canonical values are never replaced",
			in: map[string]any{
				"gen_ai.operation.name": "embedding", "gen_ai.usage.cost": 0.01, "gen_ai.request.is_stream": true,
				"gen_ai.server.time_to_first_token": 0.5, "gen_ai.usage.reasoning_tokens": int64(5),
				"gen_ai.usage.prompt_tokens_details.cache_read": int64(6), "gen_ai.usage.prompt_tokens_details.cache_write": int64(7),
				"rastir.span_type": "system", "rastir.cost.usd": 0.02, "gen_ai.request.stream": false,
				"gen_ai.response.time_to_first_chunk": 0.25, "gen_ai.usage.reasoning.output_tokens": int64(1),
				"gen_ai.usage.cache_read.input_tokens": int64(2), "gen_ai.usage.cache_creation.input_tokens": int64(3),
			},
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem, vocabulary.RastirCostUSD: 0.02,
				vocabulary.GenAIRequestStream: false, vocabulary.GenAIResponseTimeToFirstChunk: 0.25,
				vocabulary.GenAIUsageReasoningTokens: int64(1), vocabulary.GenAIUsageCacheReadTokens: int64(2),
				vocabulary.GenAIUsageCacheCreationTokens: int64(3),
			},
			// The profile labels a cost this mapper did not write: left alone.
			none: []string{vocabulary.RastirPricingProfile},
		},
		{
			name: "a client's statement that it had no price is kept",
			in:   map[string]any{"gen_ai.usage.cost": 0.01, "rastir.pricing.missing": true},
			none: []string{vocabulary.RastirCostUSD, vocabulary.RastirPricingProfile},
		},
		{
			name: "negative and infinite costs and times are ignored",
			in:   map[string]any{"gen_ai.usage.cost": math.Inf(1), "gen_ai.server.time_to_first_token": -1.0},
			none: []string{vocabulary.RastirCostUSD, vocabulary.GenAIResponseTimeToFirstChunk},
		},
		{
			name: "negative cost is ignored",
			in:   map[string]any{"gen_ai.usage.cost": -0.5},
			none: []string{vocabulary.RastirCostUSD},
		},
		{
			name: "a semconv span without OpenLIT keys is left alone",
			in: map[string]any{
				"gen_ai.operation.name": "embedding", "gen_ai.provider.name": "openai",
				"gen_ai.usage.reasoning_tokens": int64(3), "gen_ai.usage.prompt_tokens_details.cache_read": int64(4),
			},
			none: []string{vocabulary.RastirSpanTypeKey, vocabulary.GenAIUsageReasoningTokens, vocabulary.GenAIUsageCacheReadTokens},
		},
		{
			name: "another SDK's telemetry.sdk.name on the span does not count",
			in:   map[string]any{"telemetry.sdk.name": "opentelemetry", "gen_ai.operation.name": "vectordb"},
			none: []string{vocabulary.RastirSpanTypeKey},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := spanWith(tt.in)
			NewOpenLIT(Options{}).Map(pcommon.NewInstrumentationScope(), span)
			assertMapped(t, span, tt.in, tt.want, tt.none)
		})
	}
}

// TestOpenLITNonStreamedTTFT: for a call that was not streamed, OpenLIT's
// Python instrumentations (Anthropic, OpenAI, Ollama, GPT4All, ...) record
// the whole call as the time to first token (scope._ttft = end - start).
// A call without streamed chunks has no time to first chunk.
func TestOpenLITNonStreamedTTFT(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
	}{
		{"is_stream false", map[string]any{
			"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "chat", "gen_ai.system": "anthropic",
			"gen_ai.request.model": "claude-3-5-sonnet-latest", "gen_ai.request.is_stream": false,
			"gen_ai.server.time_to_first_token": 2.75, "gen_ai.server.time_per_output_token": 0.0,
			"gen_ai.sdk.version": "1.36.0",
		}},
		{"gen_ai.request.stream false", map[string]any{
			"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "embeddings", "gen_ai.provider.name": "openai",
			"gen_ai.request.model": "text-embedding-3-small", "gen_ai.request.stream": false,
			"gen_ai.server.time_to_first_token": 0.31, "gen_ai.sdk.version": "1.36.0",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := spanWith(tt.in)
			NewOpenLIT(Options{}).Map(pcommon.NewInstrumentationScope(), span)
			assertMapped(t, span, tt.in, map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM, vocabulary.GenAIRequestStream: false,
			}, []string{vocabulary.GenAIResponseTimeToFirstChunk})
		})
	}
}

// TestOpenLITAfterGenAI runs the mappers in the processor's order on the
// 2024 streamed span: gen_ai.system becomes the provider, and the OpenLIT
// mapper adds the rest.
func TestOpenLITAfterGenAI(t *testing.T) {
	span := spanWith(openLITLegacyStreamSpan())
	scope := pcommon.NewInstrumentationScope()
	NewGenAI(Options{}).Map(scope, span)
	NewOpenLIT(Options{}).Map(scope, span)
	want := map[string]any{
		vocabulary.GenAIProviderName: vocabulary.ProviderOpenAI, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
		vocabulary.GenAIRequestStream: true, vocabulary.GenAIResponseTimeToFirstChunk: 0.42,
		vocabulary.RastirCostUSD: 0.0021, vocabulary.RastirPricingProfile: vocabulary.PricingProfileOpenLIT,
		// OpenLIT writes the model and token counts under semconv keys.
		vocabulary.GenAIRequestModel: "gpt-4o-mini", vocabulary.GenAIUsageInputTokens: int64(120),
		vocabulary.GenAIUsageOutputTokens: int64(80),
	}
	assertMapped(t, span, openLITLegacyStreamSpan(), want, nil)
}

// openLITAnthropicSpan is the span the current OpenLIT Python SDK writes
// for a non-streamed Anthropic messages call that read 3000 tokens from the
// prompt cache and wrote 200 (instrumentation/anthropic/utils.py): its
// gen_ai.usage.input_tokens is Anthropic's usage.input_tokens, which
// excludes both, and gen_ai.client.token.usage is that count plus the output.
func openLITAnthropicSpan() map[string]any {
	return map[string]any{
		"telemetry.sdk.name":                       "openlit",
		"gen_ai.operation.name":                    "chat",
		"gen_ai.provider.name":                     "anthropic",
		"server.address":                           "api.anthropic.com",
		"server.port":                              int64(443),
		"gen_ai.request.model":                     "claude-sonnet-4-5",
		"gen_ai.response.model":                    "claude-sonnet-4-5-20250929",
		"gen_ai.request.stream":                    false,
		"gen_ai.server.time_per_output_token":      0.0,
		"gen_ai.server.time_to_first_token":        3.1,
		"gen_ai.sdk.version":                       "1.45.0",
		"gen_ai.request.max_tokens":                int64(1024),
		"gen_ai.response.id":                       "msg_01AbC",
		"gen_ai.response.finish_reasons":           []any{"end_turn"},
		"gen_ai.usage.input_tokens":                int64(25),
		"gen_ai.usage.output_tokens":               int64(180),
		"gen_ai.client.token.usage":                int64(205),
		"gen_ai.usage.cost":                        0.00459,
		"gen_ai.usage.cache_read.input_tokens":     int64(3000),
		"gen_ai.usage.cache_creation.input_tokens": int64(200),
	}
}

// TestOpenLITAnthropicInputIncludesCache: OpenLIT's Anthropic
// instrumentations (Python, TypeScript and Go SDKs) write Anthropic's
// input_tokens, which exclude the prompt cache's reads and writes; semconv's
// gen_ai.usage.input_tokens includes them. The cache is added once, and only
// to what OpenLIT reported that way.
func TestOpenLITAnthropicInputIncludesCache(t *testing.T) {
	with := func(base map[string]any, changes map[string]any) map[string]any {
		for k, v := range changes {
			if v == nil {
				delete(base, k)
				continue
			}
			base[k] = v
		}
		return base
	}
	tests := []struct {
		name  string
		in    map[string]any
		input int64 // gen_ai.usage.input_tokens afterwards
	}{
		{name: "Python SDK: input, output and OpenLIT's total agree", in: openLITAnthropicSpan(), input: 3225},
		{
			name: "Go SDK: cache counts under its own keys, total_tokens",
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.system": "anthropic", "gen_ai.request.is_stream": false,
				"gen_ai.request.model": "claude-sonnet-4-5", "gen_ai.usage.input_tokens": int64(12),
				"gen_ai.usage.output_tokens": int64(400), "gen_ai.usage.total_tokens": int64(412),
				"gen_ai.usage.prompt_tokens_details.cache_read":  int64(2048),
				"gen_ai.usage.prompt_tokens_details.cache_write": int64(512), "gen_ai.usage.cost": 0.0081,
			},
			input: 12 + 2048 + 512,
		},
		{
			name: "TypeScript SDK: no total, fewer input tokens than the cache holds",
			in: map[string]any{
				"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
				"gen_ai.sdk.version": "1.15.0", "gen_ai.request.is_stream": false, "gen_ai.request.model": "claude-haiku-4-5",
				"gen_ai.usage.input_tokens": int64(40), "gen_ai.usage.output_tokens": int64(90),
				"gen_ai.usage.cache_creation.input_tokens": int64(1500), "gen_ai.usage.cost": 0.0023,
			},
			input: 1540,
		},
		{
			// Without a total, a count at least as large as the cache may
			// already include it: it is left as reported.
			name: "TypeScript SDK: no total, more input tokens than the cache holds",
			in: map[string]any{
				"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
				"gen_ai.sdk.version": "1.15.0", "gen_ai.usage.input_tokens": int64(5000),
				"gen_ai.usage.output_tokens": int64(90), "gen_ai.usage.cache_read.input_tokens": int64(100),
			},
			input: 5000,
		},
		{
			name:  "input already includes the cache: the total no longer agrees (a second llm_enrich)",
			in:    with(openLITAnthropicSpan(), map[string]any{"gen_ai.usage.input_tokens": int64(3225)}),
			input: 3225,
		},
		{
			name:  "no cache read or written",
			in:    with(openLITAnthropicSpan(), map[string]any{"gen_ai.usage.cache_read.input_tokens": int64(0), "gen_ai.usage.cache_creation.input_tokens": int64(0)}),
			input: 25,
		},
		{
			name:  "OpenAI's prompt_tokens include its cached tokens",
			in:    with(openLITAnthropicSpan(), map[string]any{"gen_ai.provider.name": "openai"}),
			input: 25,
		},
		{
			name: "counts too large to add are left as reported",
			in: with(openLITAnthropicSpan(), map[string]any{
				"gen_ai.usage.input_tokens": int64(math.MaxInt64 - 1000), "gen_ai.usage.output_tokens": int64(0),
				"gen_ai.client.token.usage": int64(math.MaxInt64 - 1000),
			}),
			input: math.MaxInt64 - 1000,
		},
		{
			// 25 + MaxInt64 wraps around to MinInt64 + 24.
			name: "input and output too large to add make no total",
			in: with(openLITAnthropicSpan(), map[string]any{
				"gen_ai.usage.output_tokens": int64(math.MaxInt64), "gen_ai.client.token.usage": int64(math.MinInt64 + 24),
			}),
			input: 25,
		},
		{
			// OpenLLMetry's Anthropic instrumentation adds the cache itself.
			name:  "not an OpenLIT span",
			in:    with(openLITAnthropicSpan(), map[string]any{"telemetry.sdk.name": nil, "gen_ai.sdk.version": nil, "gen_ai.usage.cost": nil, "gen_ai.client.token.usage": nil, "gen_ai.server.time_to_first_token": nil, "gen_ai.server.time_per_output_token": nil, "gen_ai.usage.input_tokens": int64(3225)}),
			input: 3225,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := spanWith(tt.in)
			scope := pcommon.NewInstrumentationScope()
			NewOpenLIT(Options{}).Map(scope, span)
			once := span.Attributes().AsRaw()
			v, _ := span.Attributes().Get(vocabulary.GenAIUsageInputTokens)
			if v.Int() != tt.input {
				t.Errorf("input tokens %d, want %d", v.Int(), tt.input)
			}
			NewOpenLIT(Options{}).Map(scope, span)
			if again := span.Attributes().AsRaw(); !assert.Equal(t, once, again) {
				t.Error("mapping twice changed the span")
			}
		})
	}
}

func TestOpenLITOperationSpanType(t *testing.T) {
	for in, want := range map[string]string{
		"completion": vocabulary.SpanTypeLLM, "embedding": vocabulary.SpanTypeLLM, "image": vocabulary.SpanTypeLLM,
		"audio": vocabulary.SpanTypeLLM, "vectordb": vocabulary.SpanTypeRetrieval, "framework": vocabulary.SpanTypeAgent,
		"agent": vocabulary.SpanTypeAgent, "execute_task": vocabulary.SpanTypeAgent, "chat": "", "": "", "fine_tuning": "",
	} {
		if got := OpenLITOperationSpanType(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

// BenchmarkOpenLIT maps the Python SDK's chat span (22 attributes, 3
// written). "map" maps a fresh copy each time (the copies are made with the
// timer stopped); "anthropic_cache" does the same with its Anthropic span
// (20 attributes, 3 written, the input tokens corrected); "already_mapped"
// is the read pass alone on a span that has every canonical key;
// "not_openlit" is the cost to a span of another dialect.
func BenchmarkOpenLIT(b *testing.B) {
	src := spanWith(openLITChatSpan())
	m := NewOpenLIT(Options{})
	scope := pcommon.NewInstrumentationScope()
	const batch = 256
	b.Run("map", func(b *testing.B) { benchmarkMapFresh(b, m, scope, src, batch) })
	b.Run("anthropic_cache", func(b *testing.B) {
		benchmarkMapFresh(b, m, scope, spanWith(openLITAnthropicSpan()), batch)
	})
	b.Run("already_mapped", func(b *testing.B) {
		span := ptrace.NewSpan()
		src.CopyTo(span)
		m.Map(scope, span)
		b.ReportAllocs()
		for b.Loop() {
			m.Map(scope, span)
		}
	})
	b.Run("not_openlit", func(b *testing.B) {
		span := spanWith(openLLMetryChatSpan())
		b.ReportAllocs()
		for b.Loop() {
			m.Map(scope, span)
		}
	})
}

func TestOpenLITLeavesRastirScope(t *testing.T) {
	scope := pcommon.NewInstrumentationScope()
	scope.SetName(vocabulary.ScopeRastir)
	span := spanWith(openLITChatSpan())
	NewOpenLIT(Options{}).Map(scope, span)
	if got := span.Attributes().Len(); got != len(openLITChatSpan()) {
		t.Errorf("%d attributes, want %d", got, len(openLITChatSpan()))
	}
}
