package llmenrichprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// safetyFilterSpan is one span of scope, with attrs.
func safetyFilterSpan(t testing.TB, scope string, attrs map[string]any) ptrace.Traces {
	t.Helper()
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetName(scope)
	span := ss.Spans().AppendEmpty()
	span.SetName("chat")
	require.NoError(t, span.Attributes().FromRaw(attrs))
	return td
}

// TestSafetyFilterGuardrail: a call a provider's own safety filter stopped
// is a guardrail intervention, in every dialect and spelling of the finish
// reason, as the Go SDK's adapters record it.
func TestSafetyFilterGuardrail(t *testing.T) {
	const absent = "<absent>"
	tests := []struct {
		name   string
		scope  string
		in     map[string]any
		action string
		cat    string
	}{
		{
			name:  "semconv OpenAI content_filter",
			scope: "opentelemetry.instrumentation.openai_v2",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIProviderName: "openai",
				vocabulary.GenAIResponseFinishReasons: []any{"content_filter"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name: "semconv Azure OpenAI content_filter on the second choice",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIProviderName: "azure.ai.openai",
				vocabulary.GenAIResponseFinishReasons: []any{"stop", "content_filter"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name: "semconv Anthropic refusal",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIProviderName: "anthropic",
				vocabulary.GenAIResponseFinishReasons: []any{"refusal"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name: "semconv Gemini safety, lower case",
			in: map[string]any{
				vocabulary.GenAIOperationName: "generate_content", vocabulary.GenAIProviderName: "gcp.gemini",
				vocabulary.GenAIResponseFinishReasons: []any{"safety"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name: "Gemini SAFETY as Google's enum spells it",
			in: map[string]any{
				vocabulary.GenAIOperationName: "generate_content", vocabulary.GenAIProviderName: "gcp.vertex_ai",
				vocabulary.GenAIResponseFinishReasons: []any{"SAFETY"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name: "Gemini image_prohibited_content",
			in: map[string]any{
				vocabulary.GenAIOperationName: "generate_content", vocabulary.GenAIResponseFinishReasons: []any{"image_prohibited_content"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name: "Gemini BLOCKLIST: word policy",
			in: map[string]any{
				vocabulary.GenAIOperationName: "generate_content", vocabulary.GenAIResponseFinishReasons: []any{"BLOCKLIST"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryWordPolicy,
		},
		{
			name: "Gemini spii: sensitive information, the first filter of several choices",
			in: map[string]any{
				vocabulary.GenAIOperationName: "generate_content", vocabulary.GenAIResponseFinishReasons: []any{"stop", "spii", "safety"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategorySensitiveInformation,
		},
		{
			name: "finish reasons as one string",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: "content_filter",
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name:  "OpenLIT Gemini span, SAFETY",
			scope: "openlit.otel.tracing",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAISystemDeprecated: "gemini",
				vocabulary.OpenLITSDKVersion: "1.35.0", vocabulary.GenAIResponseFinishReasons: []any{"SAFETY"},
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name:  "OpenLLMetry llm.response.finish_reason",
			scope: "opentelemetry.instrumentation.openai.v1",
			in: map[string]any{
				vocabulary.OpenLLMetryRequestType: "chat", vocabulary.GenAISystemDeprecated: "openai",
				vocabulary.OpenLLMetryResponseFinishReason: "content_filter",
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name:  "OpenLLMetry llm.response.stop_reason",
			scope: "opentelemetry.instrumentation.anthropic",
			in: map[string]any{
				vocabulary.OpenLLMetryRequestType: "chat", vocabulary.GenAISystemDeprecated: "Anthropic",
				vocabulary.OpenLLMetryResponseStopReason: "refusal",
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name:  "OpenLLMetry flattened choice finish reason",
			scope: "opentelemetry.instrumentation.vertexai",
			in: map[string]any{
				vocabulary.OpenLLMetryRequestType: "chat", vocabulary.GenAISystemDeprecated: "Google",
				"gen_ai.completion.0.finish_reason": "SAFETY",
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryContentPolicy,
		},
		{
			name: "an ordinary finish reason is no intervention",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"stop", "length"},
			},
			action: absent, cat: absent,
		},
		{
			name: "a Bedrock model's own content_filtered is no guardrail action",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIProviderName: "aws.bedrock",
				vocabulary.GenAIResponseFinishReasons: []any{"content_filtered"},
			},
			action: absent, cat: absent,
		},
		{
			name: "a span that is no LLM call is left alone",
			in: map[string]any{
				vocabulary.GenAIOperationName: "invoke_agent", vocabulary.GenAIResponseFinishReasons: []any{"content_filter"},
			},
			action: absent, cat: absent,
		},
		{
			name: "an action of its own is kept, and no category is added to it",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"content_filter"},
				vocabulary.RastirGuardrailAction: vocabulary.GuardrailActionIntervened,
			},
			action: vocabulary.GuardrailActionIntervened, cat: absent,
		},
		{
			name: "an action and category of its own are kept",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"safety"},
				vocabulary.RastirGuardrailAction: vocabulary.GuardrailActionNone, vocabulary.RastirGuardrailCategory: "WORD_POLICY",
			},
			action: vocabulary.GuardrailActionNone, cat: "WORD_POLICY",
		},
		{
			name: "a Bedrock guardrail action decides",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"content_filter"},
				vocabulary.AWSBedrockGuardrailID: "gr-abc123", vocabulary.AWSBedrockGuardrailAction: "NONE",
			},
			action: vocabulary.GuardrailActionNone, cat: absent,
		},
		{
			name: "a Bedrock assessment in which no policy acted decides",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"refusal"},
				vocabulary.AWSBedrockGuardrailAssessment: traceDetectOnly,
			},
			action: vocabulary.GuardrailActionNone, cat: absent,
		},
		{
			name: "a Bedrock policy that acted gives its category",
			in: map[string]any{
				vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"guardrail_intervened", "safety"},
				vocabulary.AWSBedrockGuardrailAssessment: invokeTraceTopic,
			},
			action: vocabulary.GuardrailActionIntervened, cat: vocabulary.GuardrailCategoryDeniedTopic,
		},
		{
			name:  "Rastir spans are unchanged: the Rastir server counts no finish reason",
			scope: vocabulary.ScopeRastir,
			in: map[string]any{
				vocabulary.WireKeySpanType: "llm", vocabulary.RastirAttrFinishReason: "content_filter",
				vocabulary.RastirAttrProvider: "openai",
			},
			action: absent, cat: absent,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := enrich(t, createDefaultConfig().(*Config), safetyFilterSpan(t, tt.scope, tt.in))
			attrs := allSpans(out)[0].Attributes()
			assert.Equal(t, tt.action, str(attrs, vocabulary.RastirGuardrailAction))
			assert.Equal(t, tt.cat, str(attrs, vocabulary.RastirGuardrailCategory))
			// The connector labels a missing id; none is made up.
			if _, ok := tt.in[vocabulary.AWSBedrockGuardrailID]; !ok {
				assert.Equal(t, absent, str(attrs, vocabulary.RastirGuardrailID))
			}
		})
	}
}

// TestSafetyFilterGuardrailRastirSpanUnchanged: a Rastir span comes out of
// the processor as it does without the safety-filter step, attribute for
// attribute, so the Rastir-compatible metrics of Rastir clients stay.
func TestSafetyFilterGuardrailRastirSpanUnchanged(t *testing.T) {
	in := map[string]any{
		vocabulary.WireKeySpanType: "llm", vocabulary.RastirAttrModel: "gemini-2.5-flash",
		vocabulary.RastirAttrProvider: "gemini", vocabulary.RastirAttrFinishReason: "SAFETY",
	}
	on := enrich(t, createDefaultConfig().(*Config), safetyFilterSpan(t, vocabulary.ScopeRastir, in))
	cfg := createDefaultConfig().(*Config)
	cfg.Guardrails.Enabled = false
	off := enrich(t, cfg, safetyFilterSpan(t, vocabulary.ScopeRastir, in))
	assert.Equal(t, allSpans(off)[0].Attributes().AsRaw(), allSpans(on)[0].Attributes().AsRaw())
}

// TestSafetyFilterGuardrailIdempotent: a second pass (two llm_enrich
// processors in a row, or a span sent through two collectors) changes
// nothing.
func TestSafetyFilterGuardrailIdempotent(t *testing.T) {
	for _, in := range []map[string]any{
		{vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"content_filter"}},
		{vocabulary.OpenLLMetryRequestType: "chat", vocabulary.OpenLLMetryResponseStopReason: "refusal"},
		{vocabulary.GenAIOperationName: "chat", vocabulary.GenAIResponseFinishReasons: []any{"SPII"}, vocabulary.AWSBedrockGuardrailAssessment: traceGrounding},
	} {
		cfg := createDefaultConfig().(*Config)
		once := enrich(t, cfg, safetyFilterSpan(t, "", in))
		first := allSpans(once)[0].Attributes().AsRaw()
		require.Contains(t, first, vocabulary.RastirGuardrailAction)
		twice := enrich(t, cfg, once)
		assert.Equal(t, first, allSpans(twice)[0].Attributes().AsRaw())
	}
}
