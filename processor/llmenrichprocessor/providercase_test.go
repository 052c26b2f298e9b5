package llmenrichprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TestProviderNameCase: a known provider in gen_ai.provider.name is one
// provider whatever its case (one cardinality slot, one label value); an
// unknown one stays as sent.
func TestProviderNameCase(t *testing.T) {
	tests := []struct {
		name, scope, in string
		key             string // the provider key sent
		want            string // gen_ai.provider.name after
		wantLabel       string // rastir.provider.label after
	}{
		{name: "OpenAI", in: "OpenAI", key: vocabulary.GenAIProviderName, want: "openai", wantLabel: "<absent>"},
		{name: "openai", in: "openai", key: vocabulary.GenAIProviderName, want: "openai", wantLabel: "<absent>"},
		{name: "Anthropic", in: "Anthropic", key: vocabulary.GenAIProviderName, want: "anthropic", wantLabel: "<absent>"},
		{name: "AWS.Bedrock", in: "AWS.Bedrock", key: vocabulary.GenAIProviderName, want: "aws.bedrock", wantLabel: "<absent>"},
		{name: "spaces around", in: " openai ", key: vocabulary.GenAIProviderName, want: "openai", wantLabel: "<absent>"},
		{name: "a known alias keeps its spelling, in lower case", in: "Gemini", key: vocabulary.GenAIProviderName, want: "gemini", wantLabel: "<absent>"},
		{name: "unknown stays as sent", in: "MyCorpLLM", key: vocabulary.GenAIProviderName, want: "MyCorpLLM", wantLabel: "<absent>"},
		{name: "gen_ai.system, already case-insensitive", in: "OpenAI", key: vocabulary.GenAISystemDeprecated, want: "openai", wantLabel: "<absent>"},
		{
			name: "Rastir: the client's word stays the label, verbatim", scope: vocabulary.ScopeRastir,
			in: "OpenAI", key: vocabulary.RastirAttrProvider, want: "openai", wantLabel: "OpenAI",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := map[string]any{vocabulary.GenAIOperationName: "chat", tt.key: tt.in}
			if tt.scope == vocabulary.ScopeRastir {
				in = map[string]any{vocabulary.WireKeySpanType: "llm", tt.key: tt.in}
			}
			out := enrich(t, createDefaultConfig().(*Config), safetyFilterSpan(t, tt.scope, in))
			attrs := allSpans(out)[0].Attributes()
			assert.Equal(t, tt.want, str(attrs, vocabulary.GenAIProviderName))
			assert.Equal(t, tt.wantLabel, str(attrs, vocabulary.RastirProviderLabelKey))
		})
	}
}
