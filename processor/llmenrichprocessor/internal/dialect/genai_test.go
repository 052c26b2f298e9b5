package dialect

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// spanWith builds a span from raw attributes, as an instrumentation of the
// named scope would send it.
func spanWith(attrs map[string]any) ptrace.Span {
	s := ptrace.NewSpan()
	_ = s.Attributes().FromRaw(attrs)
	return s
}

// benchmarkMapFresh maps a fresh copy of src each time; the copies are
// made batch at a time with the timer stopped.
func benchmarkMapFresh(b *testing.B, m Mapper, scope pcommon.InstrumentationScope, src ptrace.Span, batch int) {
	spans := make([]ptrace.Span, 0, batch)
	b.ReportAllocs()
	for b.Loop() {
		if len(spans) == 0 {
			b.StopTimer()
			for range batch {
				s := ptrace.NewSpan()
				src.CopyTo(s)
				spans = append(spans, s)
			}
			b.StartTimer()
		}
		m.Map(scope, spans[len(spans)-1])
		spans = spans[:len(spans)-1]
	}
}

func TestGenAI(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any // keys that must hold these values afterwards
		none []string       // keys that must stay absent
	}{
		{
			name: "semconv v1.36 chat span (OpenLLMetry 0.4, older OTel instrumentations)",
			in: map[string]any{
				"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
				"gen_ai.usage.prompt_tokens": int64(120), "gen_ai.usage.completion_tokens": int64(45),
				"gen_ai.usage.cache_read_input_tokens": int64(100),
			},
			want: map[string]any{
				vocabulary.GenAIProviderName: "openai", vocabulary.GenAIRequestModel: "gpt-4o", vocabulary.GenAIUsageInputTokens: int64(120),
				vocabulary.GenAIUsageOutputTokens: int64(45), vocabulary.GenAIUsageCacheReadTokens: int64(100),
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
			},
		},
		{
			name: "deprecated provider values are renamed",
			in:   map[string]any{"gen_ai.system": "az.ai.openai", "gen_ai.operation.name": "text_completion"},
			want: map[string]any{vocabulary.GenAIProviderName: vocabulary.ProviderAzureAIOpenAI, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			name: "semconv v1.41 tool span",
			in:   map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeTool},
			none: []string{vocabulary.GenAIProviderName},
		},
		{
			name: "agent span",
			in:   map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent},
		},
		{
			name: "current keys are never replaced by deprecated ones",
			in: map[string]any{
				"gen_ai.provider.name": "aws.bedrock", "gen_ai.system": "anthropic",
				"gen_ai.usage.input_tokens": int64(7), "gen_ai.usage.prompt_tokens": int64(9),
				"rastir.span_type": "agent", "gen_ai.operation.name": "chat",
			},
			want: map[string]any{
				vocabulary.GenAIProviderName: "aws.bedrock", vocabulary.GenAIUsageInputTokens: int64(7),
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent,
			},
		},
		{
			name: "a framework in gen_ai.system is no provider",
			in:   map[string]any{"gen_ai.system": "agno", "gen_ai.operation.name": "invoke_agent"},
			want: map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeAgent},
			none: []string{vocabulary.GenAIProviderName},
		},
		{
			name: "a provider in gen_ai.system replaces a framework in gen_ai.provider.name",
			in:   map[string]any{"gen_ai.system": "anthropic", "gen_ai.provider.name": "LangChain", "gen_ai.operation.name": "chat"},
			want: map[string]any{vocabulary.GenAIProviderName: vocabulary.ProviderAnthropic, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM},
		},
		{
			name: "a span without GenAI keys is left alone",
			in:   map[string]any{"http.request.method": "GET"},
			none: []string{vocabulary.RastirSpanTypeKey, vocabulary.GenAIProviderName},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			span := spanWith(tt.in)
			NewGenAI(Options{}).Map(pcommon.NewInstrumentationScope(), span)
			for k, v := range tt.want {
				got, ok := span.Attributes().Get(k)
				if assert.True(t, ok, "%s missing", k) {
					assert.Equal(t, v, got.AsRaw(), k)
				}
			}
			for _, k := range tt.none {
				_, ok := span.Attributes().Get(k)
				assert.False(t, ok, "%s must stay absent", k)
			}
			// Input keys stay.
			for k := range tt.in {
				_, ok := span.Attributes().Get(k)
				assert.True(t, ok, "input key %s removed", k)
			}
		})
	}
}

// TestGenAIFrameworkProviderRemoved: a framework the instrumentation wrote
// in gen_ai.provider.name itself (OpenLIT's framework instrumentations
// today, OpenLLMetry's CrewAI and LangGraph ones) is no provider: the key
// goes, whatever remove_source_keys says, and inference or the agent
// context may then give the span one.
func TestGenAIFrameworkProviderRemoved(t *testing.T) {
	for _, opts := range []Options{{}, {RemoveSourceKeys: true}} {
		span := spanWith(map[string]any{
			"gen_ai.provider.name": "crewai", "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "researcher",
		})
		NewGenAI(opts).Map(pcommon.NewInstrumentationScope(), span)
		_, ok := span.Attributes().Get(vocabulary.GenAIProviderName)
		assert.False(t, ok, "%+v: gen_ai.provider.name kept", opts)
		assert.Equal(t, 3, span.Attributes().Len(), "%+v: %v", opts, span.Attributes().AsRaw())
	}
}

func TestFoldKnownProvider(t *testing.T) {
	tests := []struct{ in, want string }{
		{"OpenAI", "openai"},
		{"ANTHROPIC", "anthropic"},
		{"\tAzure.AI.OpenAI", "azure.ai.openai"},
		{"openai\n", "openai"},
		{"Mistral_AI", "mistral_ai"},
		{"openai", ""},
		{"gcp.gemini", ""},
		{"MyCorpLLM", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := foldKnownProvider(tt.in); got != tt.want {
			t.Errorf("foldKnownProvider(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if allocs := testing.AllocsPerRun(100, func() { _ = foldKnownProvider("openai") }); allocs != 0 {
		t.Errorf("foldKnownProvider of a canonical value allocates %v times", allocs)
	}
}
