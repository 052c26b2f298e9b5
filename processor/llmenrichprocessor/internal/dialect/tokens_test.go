package dialect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TestTokenCountsSentAsDoubles: a token count sent as a double holding a
// whole number (JSON 55.0 from a Rastir client, an exporter that sends
// every number as a double) is a count, as the Rastir server and the
// span-metrics connector take it; a fraction is no count.
func TestTokenCountsSentAsDoubles(t *testing.T) {
	tests := []struct {
		name   string
		mapper func(Options) Mapper
		scope  string
		in     map[string]any
		want   map[string]int64
		none   []string
	}{
		{
			name: "rastir", mapper: NewRastir, scope: vocabulary.ScopeRastir,
			in:   map[string]any{"rastir.wire.span_type": "llm", "tokens_input": 55.0, "tokens_output": 7.0},
			want: map[string]int64{vocabulary.GenAIUsageInputTokens: 55, vocabulary.GenAIUsageOutputTokens: 7},
		},
		{
			name: "genai deprecated", mapper: NewGenAI,
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.usage.prompt_tokens": 120.0, "gen_ai.usage.completion_tokens": 45.0,
				"gen_ai.usage.cache_read_input_tokens": 100.0, "gen_ai.usage.cache_creation_input_tokens": 10.0,
			},
			want: map[string]int64{
				vocabulary.GenAIUsageInputTokens: 120, vocabulary.GenAIUsageOutputTokens: 45,
				vocabulary.GenAIUsageCacheReadTokens: 100, vocabulary.GenAIUsageCacheCreationTokens: 10,
			},
		},
		{
			name: "openllmetry", mapper: NewOpenLLMetry,
			in:   map[string]any{"llm.request.type": "chat", "llm.usage.prompt_tokens": 12.0, "llm.usage.completion_tokens": 3.0},
			want: map[string]int64{vocabulary.GenAIUsageInputTokens: 12, vocabulary.GenAIUsageOutputTokens: 3},
		},
		{
			name: "openlit", mapper: NewOpenLIT,
			in: map[string]any{
				"gen_ai.usage.cost": 0.1, "gen_ai.usage.reasoning_tokens": 8.0,
				"gen_ai.usage.prompt_tokens_details.cache_read": 4.0, "gen_ai.usage.prompt_tokens_details.cache_write": 2.0,
			},
			want: map[string]int64{
				vocabulary.GenAIUsageReasoningTokens: 8, vocabulary.GenAIUsageCacheReadTokens: 4,
				vocabulary.GenAIUsageCacheCreationTokens: 2,
			},
		},
		{
			name: "a fraction is no count", mapper: NewGenAI,
			in:   map[string]any{"gen_ai.operation.name": "chat", "gen_ai.usage.prompt_tokens": 1.5},
			none: []string{vocabulary.GenAIUsageInputTokens},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := spanWith(tt.in)
			scope := pcommon.NewInstrumentationScope()
			scope.SetName(tt.scope)
			tt.mapper(Options{}).Map(scope, span)
			a := span.Attributes()
			for k, want := range tt.want {
				v, ok := a.Get(k)
				if assert.True(t, ok, "%s absent: %v", k, a.AsRaw()) {
					assert.Equal(t, pcommon.ValueTypeInt, v.Type(), k)
					assert.Equal(t, want, v.Int(), k)
				}
			}
			for _, k := range tt.none {
				_, ok := a.Get(k)
				assert.False(t, ok, k)
			}
		})
	}
}
