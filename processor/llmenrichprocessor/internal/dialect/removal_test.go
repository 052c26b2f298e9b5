package dialect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TestRemoveSourceKeys checks, per dialect, which input keys go once their
// value is in a canonical key, and which stay: content keys, rastir.wire.*
// keys, keys whose canonical key was already set, and keys the canonical
// key cannot hold.
func TestRemoveSourceKeys(t *testing.T) {
	tests := []struct {
		name    string
		mapper  func(Options) Mapper
		scope   string
		in      map[string]any
		removed []string
		kept    []string
	}{
		{
			name:   "rastir",
			mapper: NewRastir,
			scope:  vocabulary.ScopeRastir,
			in: map[string]any{
				"rastir.wire.span_type": "llm", "model": "gpt-4o", "provider": "azure_openai", "agent": "triage",
				"tokens_input": int64(100), "tokens_output": int64(20), "cost_usd": 0.01, "pricing_profile": "team",
				"pricing_missing": false, "ttft_ms": 120.0, "guardrail_id": "gr-1", "guardrail_version": "3",
				"guardrail_action": "GUARDRAIL_INTERVENED", "guardrail_category": "TOTALLY_MADE_UP_CATEGORY",
				"prompt_text": "hello", "finish_reason": "stop",
			},
			removed: []string{
				"model", "provider", "agent", "tokens_input", "tokens_output", "cost_usd", "pricing_profile",
				"ttft_ms", "guardrail_id", "guardrail_version", "guardrail_action",
			},
			kept: []string{
				// wire key, out-of-enum category, content, unmapped keys.
				"rastir.wire.span_type", "guardrail_category", "prompt_text", "finish_reason", "pricing_missing",
			},
		},
		{
			name:   "rastir: a canonical value already there keeps its input key",
			mapper: NewRastir,
			scope:  vocabulary.ScopeRastir,
			in: map[string]any{
				"rastir.wire.span_type": "llm", "model": "gpt-4o", vocabulary.GenAIRequestModel: "gpt-4o-2024-08-06",
				"pricing_missing": true, "cost_usd": 0.0,
			},
			removed: []string{"pricing_missing"},
			kept:    []string{"model", "cost_usd"},
		},
		{
			name:   "genai deprecated keys",
			mapper: NewGenAI,
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.usage.prompt_tokens": int64(5),
				"gen_ai.usage.completion_tokens": int64(7), "gen_ai.usage.cache_read_input_tokens": int64(1),
				"gen_ai.usage.cache_creation_input_tokens": int64(2), "gen_ai.prompt": "hi",
			},
			removed: []string{
				"gen_ai.system", "gen_ai.usage.prompt_tokens", "gen_ai.usage.completion_tokens",
				"gen_ai.usage.cache_read_input_tokens", "gen_ai.usage.cache_creation_input_tokens",
			},
			kept: []string{"gen_ai.operation.name", "gen_ai.prompt"},
		},
		{
			name:   "openinference LLM span",
			mapper: NewOpenInference,
			in: map[string]any{
				"openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.provider": "openai", "llm.system": "openai",
				"llm.token_count.prompt": int64(10), "llm.token_count.completion": int64(3), "llm.token_count.total": int64(13),
				"llm.token_count.prompt_details.cache_read": int64(4), "llm.cost.total": 0.002, "session.id": "s1",
				"input.value": "hi", "llm.input_messages.0.message.content": "hi",
			},
			removed: []string{
				"llm.model_name", "llm.provider", "llm.token_count.prompt", "llm.token_count.completion",
				"llm.token_count.prompt_details.cache_read", "llm.cost.total", "session.id",
			},
			kept: []string{
				// the kind (system stands for several), the product name not
				// written, the total (not canonical), content.
				"openinference.span.kind", "llm.system", "llm.token_count.total", "input.value",
				"llm.input_messages.0.message.content",
			},
		},
		{
			name:   "openinference: a summed cost keeps its parts; tool keys go",
			mapper: NewOpenInference,
			in: map[string]any{
				"openinference.span.kind": "TOOL", "tool.name": "search", "tool_call.id": "c1", "tool.id": "c1",
				"llm.cost.prompt": 0.001, "llm.cost.completion": 0.002,
			},
			removed: []string{"tool.name", "tool_call.id"},
			kept:    []string{"openinference.span.kind", "tool.id", "llm.cost.prompt", "llm.cost.completion"},
		},
		{
			name:   "openllmetry LLM span",
			mapper: NewOpenLLMetry,
			in: map[string]any{
				"llm.request.type": "chat", "llm.vendor": "openai", "llm.request.model": "gpt-4o", "llm.response.model": "gpt-4o-2024-08-06",
				"llm.usage.prompt_tokens": int64(10), "llm.usage.completion_tokens": int64(2), "llm.usage.total_tokens": int64(12),
				"llm.is_streaming": true, "llm.response.finish_reason": "stop", "llm.response.stop_reason": "end_turn",
				"gen_ai.completion.0.finish_reason": "stop", "traceloop.entity.input": "{}",
			},
			removed: []string{
				"llm.request.type", "llm.vendor", "llm.request.model", "llm.response.model", "llm.usage.prompt_tokens",
				"llm.usage.completion_tokens", "llm.is_streaming", "llm.response.finish_reason",
			},
			kept: []string{
				"llm.usage.total_tokens", "llm.response.stop_reason", "gen_ai.completion.0.finish_reason", "traceloop.entity.input",
			},
		},
		{
			name:   "openllmetry 0.5 gen_ai.* keys",
			mapper: NewOpenLLMetry,
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.is_streaming": true, "gen_ai.usage.reasoning_tokens": int64(64),
				"gen_ai.usage.total_tokens": int64(100),
			},
			removed: []string{"gen_ai.is_streaming", "gen_ai.usage.reasoning_tokens"},
			kept:    []string{"gen_ai.operation.name", "gen_ai.usage.total_tokens"},
		},
		{
			name:    "openllmetry 0.4 reasoning tokens",
			mapper:  NewOpenLLMetry,
			in:      map[string]any{"llm.request.type": "chat", "llm.usage.reasoning_tokens": int64(64)},
			removed: []string{"llm.request.type", "llm.usage.reasoning_tokens"},
		},
		{
			name:    "openllmetry tool span",
			mapper:  NewOpenLLMetry,
			in:      map[string]any{"traceloop.span.kind": "tool", "traceloop.entity.name": "search", "traceloop.workflow.name": "w"},
			removed: []string{"traceloop.span.kind", "traceloop.entity.name"},
			kept:    []string{"traceloop.workflow.name"},
		},
		{
			name:    "openllmetry: rerank and task say more than their canonical keys",
			mapper:  NewOpenLLMetry,
			in:      map[string]any{"llm.request.type": "rerank", "traceloop.span.kind": "task", "traceloop.entity.name": "step"},
			removed: nil,
			kept:    []string{"llm.request.type", "traceloop.span.kind", "traceloop.entity.name"},
		},
		{
			name:   "openlit",
			mapper: NewOpenLIT,
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.usage.cost": 0.003, "gen_ai.request.is_stream": false,
				"gen_ai.server.time_to_first_token": 0.0, "gen_ai.usage.completion_tokens_details.reasoning": int64(8),
				"gen_ai.usage.prompt_tokens_details.cache_read": int64(3), "gen_ai.sdk.version": "1.3.0",
			},
			removed: []string{
				"gen_ai.usage.cost", "gen_ai.request.is_stream", "gen_ai.usage.completion_tokens_details.reasoning",
				"gen_ai.usage.prompt_tokens_details.cache_read",
			},
			// 0 is "not streamed", not a time to first chunk.
			kept: []string{"gen_ai.operation.name", "gen_ai.server.time_to_first_token", "gen_ai.sdk.version"},
		},
		{
			name:   "openlit Python detail keys",
			mapper: NewOpenLIT,
			in: map[string]any{
				"telemetry.sdk.name": "openlit", "gen_ai.usage.completion_tokens_details.reasoning_tokens": int64(8),
				"gen_ai.usage.prompt_tokens_details.cached_tokens":         int64(3),
				"gen_ai.usage.prompt_tokens_details.cache_creation_tokens": int64(2),
			},
			removed: []string{
				"gen_ai.usage.completion_tokens_details.reasoning_tokens", "gen_ai.usage.prompt_tokens_details.cached_tokens",
				"gen_ai.usage.prompt_tokens_details.cache_creation_tokens",
			},
			kept: []string{"telemetry.sdk.name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			scope := pcommon.NewInstrumentationScope()
			scope.SetName(tt.scope)

			span := spanWith(tt.in)
			tt.mapper(Options{RemoveSourceKeys: true}).Map(scope, span)
			for _, k := range tt.removed {
				_, ok := span.Attributes().Get(k)
				assert.False(t, ok, "%s should be removed", k)
			}
			for _, k := range tt.kept {
				_, ok := span.Attributes().Get(k)
				assert.True(t, ok, "%s should be kept", k)
			}

			// Off (the default), every input key stays.
			span = spanWith(tt.in)
			tt.mapper(Options{}).Map(scope, span)
			for k := range tt.in {
				_, ok := span.Attributes().Get(k)
				assert.True(t, ok, "%s should be kept when removal is off", k)
			}
		})
	}
}
