package llmenrichprocessor

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Guardrail traces as the Bedrock runtime API returns them (API reference:
// ConverseOutput.trace.guardrail, InvokeModel's amazon-bedrock-trace,
// ApplyGuardrail's response).
const (
	converseTraceContent = `{"inputAssessment":{"gr-abc123":{
		"contentPolicy":{"filters":[{"type":"VIOLENCE","confidence":"HIGH","filterStrength":"HIGH","action":"BLOCKED","detected":true}]},
		"invocationMetrics":{"guardrailProcessingLatency":120,"usage":{"topicPolicyUnits":1,"contentPolicyUnits":1}}}},
		"actionReason":"Guardrail blocked."}`
	converseTraceOutputPII = `{"inputAssessment":{"gr-abc123":{"topicPolicy":{"topics":[{"name":"Investment","type":"DENY","action":"NONE","detected":true}]}}},
		"outputAssessments":{"gr-abc123":[{"sensitiveInformationPolicy":{"piiEntities":[{"type":"EMAIL","match":"a@b.c","action":"ANONYMIZED","detected":true}]}}]}}`
	invokeTraceTopic = `{"input":{"gr-abc123":{"topicPolicy":{"topics":[{"name":"Investment","type":"DENY","action":"BLOCKED"}]},
		"wordPolicy":{"customWords":[{"match":"x","action":"BLOCKED"}]}}},"outputs":[]}`
	traceDetectOnly = `{"inputAssessment":{"gr-abc123":{"contentPolicy":{"filters":[{"type":"HATE","confidence":"LOW","action":"NONE","detected":true}]}}}}`
	traceGrounding  = `{"outputAssessments":{"gr-abc123":[{"contextualGroundingPolicy":{"filters":[{"type":"GROUNDING","threshold":0.7,"score":0.2,"action":"BLOCKED"}]}}]}}`
	traceReasoning  = `{"outputAssessments":{"gr-abc123":[{"automatedReasoningPolicy":{"findings":[{"action":"BLOCKED"}]}}]}}`
	applyGuardrail  = `{"usage":{"topicPolicyUnits":1},"action":"GUARDRAIL_INTERVENED","outputs":[{"text":"Sorry."}],
		"assessments":[{"wordPolicy":{"managedWordLists":[{"match":"damn","type":"PROFANITY","action":"BLOCKED"}]}}]}`
)

func TestBedrockGuardrail(t *testing.T) {
	tests := []struct {
		name  string
		scope string
		in    map[string]any
		want  map[string]string // canonical keys and their values; "<absent>" for none
	}{
		{
			name: "Converse blocked by a content filter",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.GenAIGuardrailPolicyVersion: "3",
				vocabulary.GenAIResponseFinishReasons:    []any{"guardrail_intervened"},
				vocabulary.AWSBedrockGuardrailAssessment: converseTraceContent,
			},
			want: map[string]string{
				vocabulary.RastirGuardrailID: "gr-abc123", vocabulary.RastirGuardrailVersion: "3",
				vocabulary.RastirGuardrailAction:   vocabulary.GuardrailActionIntervened,
				vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategoryContentPolicy,
			},
		},
		{
			name: "InvokeModel INTERVENED on a denied topic: the first policy that acted",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.AWSBedrockGuardrailAction: "INTERVENED",
				vocabulary.AWSBedrockGuardrailAssessment: invokeTraceTopic,
			},
			want: map[string]string{
				vocabulary.RastirGuardrailID:       "gr-abc123",
				vocabulary.RastirGuardrailAction:   vocabulary.GuardrailActionIntervened,
				vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategoryDeniedTopic,
			},
		},
		{
			name: "a detected topic that was not blocked does not count; the anonymised output does",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.AWSBedrockGuardrailAssessment: converseTraceOutputPII,
			},
			want: map[string]string{
				vocabulary.RastirGuardrailAction:   vocabulary.GuardrailActionIntervened,
				vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategorySensitiveInformation,
			},
		},
		{
			name: "assessment as an OTLP map",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailAssessment: map[string]any{"outputAssessments": map[string]any{"gr-1": []any{
					map[string]any{"contextualGroundingPolicy": map[string]any{"filters": []any{map[string]any{"type": "RELEVANCE", "action": "BLOCKED"}}}},
				}}},
			},
			want: map[string]string{
				vocabulary.RastirGuardrailID:       "<absent>",
				vocabulary.RastirGuardrailAction:   vocabulary.GuardrailActionIntervened,
				vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategoryContextualGrounding,
			},
		},
		{
			name: "contextual grounding",
			in:   map[string]any{vocabulary.AWSBedrockGuardrailAssessment: traceGrounding},
			want: map[string]string{vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategoryContextualGrounding},
		},
		{
			name: "ApplyGuardrail: its own action, a word policy",
			in: map[string]any{
				vocabulary.GenAIGuardrailPolicyID: "gr-9", vocabulary.GenAIGuardrailPolicyVersion: int64(2),
				vocabulary.AWSBedrockGuardrailAssessment: applyGuardrail,
			},
			want: map[string]string{
				vocabulary.RastirGuardrailID: "gr-9", vocabulary.RastirGuardrailVersion: "2",
				vocabulary.RastirGuardrailAction:   vocabulary.GuardrailActionIntervened,
				vocabulary.RastirGuardrailCategory: vocabulary.GuardrailCategoryWordPolicy,
			},
		},
		{
			name: "detect mode: findings without action are NONE, no category",
			in:   map[string]any{vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.AWSBedrockGuardrailAssessment: traceDetectOnly},
			want: map[string]string{
				vocabulary.RastirGuardrailAction: vocabulary.GuardrailActionNone, vocabulary.RastirGuardrailCategory: "<absent>",
			},
		},
		{
			name: "explicit NONE",
			in:   map[string]any{vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.AWSBedrockGuardrailAction: "NONE"},
			want: map[string]string{
				vocabulary.RastirGuardrailID:     "gr-abc123",
				vocabulary.RastirGuardrailAction: vocabulary.GuardrailActionNone, vocabulary.RastirGuardrailCategory: "<absent>",
			},
		},
		{
			name: "stop reason alone: intervened, category unknown",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.GenAIResponseFinishReasons: []any{"guardrail_intervened"},
			},
			want: map[string]string{
				vocabulary.RastirGuardrailAction:   vocabulary.GuardrailActionIntervened,
				vocabulary.RastirGuardrailCategory: vocabulary.OverflowValue,
			},
		},
		{
			name: "unknown action and unknown policy become the overflow value",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailAction: "INJECTED_ACTION_VALUE", vocabulary.AWSBedrockGuardrailAssessment: traceReasoning,
			},
			want: map[string]string{
				vocabulary.RastirGuardrailAction:   vocabulary.OverflowValue,
				vocabulary.RastirGuardrailCategory: vocabulary.OverflowValue,
			},
		},
		{
			name: "id only: configured, no outcome",
			in:   map[string]any{vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.GenAIResponseFinishReasons: []any{"end_turn"}},
			want: map[string]string{
				vocabulary.RastirGuardrailID: "gr-abc123", vocabulary.RastirGuardrailVersion: "<absent>",
				vocabulary.RastirGuardrailAction: "<absent>", vocabulary.RastirGuardrailCategory: "<absent>",
			},
		},
		{
			name: "semconv id wins over the draft policy id",
			in:   map[string]any{vocabulary.AWSBedrockGuardrailID: "gr-a", vocabulary.GenAIGuardrailPolicyID: "gr-b"},
			want: map[string]string{vocabulary.RastirGuardrailID: "gr-a"},
		},
		{
			name: "canonical values already present are kept",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.AWSBedrockGuardrailAction: "INTERVENED",
				vocabulary.AWSBedrockGuardrailAssessment: converseTraceContent,
				vocabulary.RastirGuardrailID:             "mine", vocabulary.RastirGuardrailAction: "NONE",
				vocabulary.RastirGuardrailCategory: "WORD_POLICY",
			},
			want: map[string]string{
				vocabulary.RastirGuardrailID: "mine", vocabulary.RastirGuardrailAction: "NONE",
				vocabulary.RastirGuardrailCategory: "WORD_POLICY",
			},
		},
		{
			name: "an assessment that is not JSON is ignored",
			in:   map[string]any{vocabulary.AWSBedrockGuardrailAssessment: `{"inputAssessment":`},
			want: map[string]string{vocabulary.RastirGuardrailAction: "<absent>", vocabulary.RastirGuardrailCategory: "<absent>"},
		},
		{
			name: "a deeply nested assessment is cut off, not followed",
			in: map[string]any{
				vocabulary.AWSBedrockGuardrailAssessment: strings.Repeat(`{"a":`, 200) + `{"contentPolicy":{"action":"BLOCKED"}}` + strings.Repeat(`}`, 200),
			},
			want: map[string]string{vocabulary.RastirGuardrailAction: "<absent>"},
		},
		{
			name:  "Rastir spans are left to the Rastir dialect",
			scope: vocabulary.ScopeRastir,
			in:    map[string]any{vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.AWSBedrockGuardrailAction: "INTERVENED"},
			want:  map[string]string{vocabulary.RastirGuardrailID: "<absent>", vocabulary.RastirGuardrailAction: "<absent>"},
		},
		{
			name: "spans without guardrail keys get none",
			in:   map[string]any{vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"stop"}},
			want: map[string]string{
				vocabulary.RastirGuardrailID: "<absent>", vocabulary.RastirGuardrailAction: "<absent>",
				vocabulary.RastirGuardrailCategory: "<absent>",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ptrace.NewTraces()
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			ss.Scope().SetName(tt.scope)
			span := ss.Spans().AppendEmpty()
			span.SetName("chat")
			require.NoError(t, span.Attributes().FromRaw(tt.in))
			out := enrich(t, createDefaultConfig().(*Config), td)
			attrs := allSpans(out)[0].Attributes()
			for k, want := range tt.want {
				assert.Equal(t, want, str(attrs, k), k)
			}
		})
	}
}

func TestBedrockGuardrailDisabled(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Guardrails.Enabled = false
	td := ptrace.NewTraces()
	span := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans().AppendEmpty()
	span.Attributes().PutStr(vocabulary.AWSBedrockGuardrailID, "gr-abc123")
	span.Attributes().PutStr(vocabulary.AWSBedrockGuardrailAction, "INTERVENED")
	attrs := allSpans(enrich(t, cfg, td))[0].Attributes()
	assert.Equal(t, "<absent>", str(attrs, vocabulary.RastirGuardrailID))
	assert.Equal(t, "<absent>", str(attrs, vocabulary.RastirGuardrailAction))
}

// BenchmarkBedrockGuardrail: the cost of the guardrail step on a chat span
// without guardrail keys (the common case), on a Converse call that a
// guardrail blocked, with its assessment as JSON, and on a call a
// provider's content filter stopped.
func BenchmarkBedrockGuardrail(b *testing.B) {
	chat := map[string]any{
		vocabulary.GenAIOperationName: "chat", vocabulary.GenAIProviderName: "openai", vocabulary.GenAIRequestModel: "gpt-4o",
		vocabulary.GenAIUsageInputTokens: int64(812), vocabulary.GenAIUsageOutputTokens: int64(64),
		vocabulary.GenAIResponseFinishReasons: []any{"stop"}, vocabulary.ServerAddress: "api.openai.com",
	}
	blocked := map[string]any{
		vocabulary.GenAIOperationName: "chat", vocabulary.GenAIProviderName: "aws.bedrock",
		vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.GenAIGuardrailPolicyVersion: "3",
		vocabulary.GenAIResponseFinishReasons:    []any{"guardrail_intervened"},
		vocabulary.AWSBedrockGuardrailAssessment: converseTraceContent,
	}
	filtered := map[string]any{
		vocabulary.GenAIOperationName: "chat", vocabulary.GenAIProviderName: "azure.ai.openai", vocabulary.GenAIRequestModel: "gpt-4o",
		vocabulary.GenAIUsageInputTokens: int64(812), vocabulary.GenAIUsageOutputTokens: int64(0),
		vocabulary.GenAIResponseFinishReasons: []any{"content_filter"}, vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeLLM,
	}
	for _, bc := range []struct {
		name  string
		attrs map[string]any
	}{{"no guardrail", chat}, {"blocked", blocked}, {"safety filter", filtered}} {
		b.Run(bc.name, func(b *testing.B) {
			src := ptrace.NewSpan()
			require.NoError(b, src.Attributes().FromRaw(bc.attrs))
			// Fresh copies, made with the timer stopped, since the step
			// writes to its span.
			var spans []ptrace.Span
			b.ReportAllocs()
			for b.Loop() {
				if len(spans) == 0 {
					b.StopTimer()
					for range 1024 {
						span := ptrace.NewSpan()
						src.CopyTo(span)
						spans = append(spans, span)
					}
					b.StartTimer()
				}
				mapGuardrail(spans[len(spans)-1])
				spans = spans[:len(spans)-1]
			}
		})
	}
}
