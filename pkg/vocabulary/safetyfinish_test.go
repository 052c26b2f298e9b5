package vocabulary

import "testing"

func TestSafetyFinishCategory(t *testing.T) {
	tests := []struct {
		reason, want string
		ok           bool
	}{
		// OpenAI and Azure OpenAI: finish_reason.
		{"content_filter", GuardrailCategoryContentPolicy, true},
		{"CONTENT_FILTER", GuardrailCategoryContentPolicy, true},
		// Anthropic: stop_reason.
		{"refusal", GuardrailCategoryContentPolicy, true},
		{"Refusal", GuardrailCategoryContentPolicy, true},
		// Google GenAI: the FinishReason enum, as sent (upper case) and as
		// semconv instrumentations write it (lower case).
		{"SAFETY", GuardrailCategoryContentPolicy, true},
		{"safety", GuardrailCategoryContentPolicy, true},
		{"PROHIBITED_CONTENT", GuardrailCategoryContentPolicy, true},
		{"IMAGE_SAFETY", GuardrailCategoryContentPolicy, true},
		{"image_prohibited_content", GuardrailCategoryContentPolicy, true},
		{"BLOCKLIST", GuardrailCategoryWordPolicy, true},
		{"blocklist", GuardrailCategoryWordPolicy, true},
		{"SPII", GuardrailCategorySensitiveInformation, true},
		{"spii", GuardrailCategorySensitiveInformation, true},
		// Not a provider's safety filter.
		{"stop", "", false},
		{"end_turn", "", false},
		{"STOP", "", false},
		{"RECITATION", "", false},
		{"OTHER", "", false},
		{"JAILBREAK", "", false},
		{"length", "", false},
		// Bedrock: a guardrail's intervention, which the guardrail's own
		// keys describe, and a model's own filter, which Bedrock does not
		// report as a guardrail action.
		{BedrockStopReasonGuardrailIntervened, "", false},
		{"content_filtered", "", false},
		{"CONTENT_FILTERED", "", false},
		{"", "", false},
		{"safety ", "", false},
		{"content_filters", "", false},
	}
	for _, tt := range tests {
		got, ok := SafetyFinishCategory(tt.reason)
		if got != tt.want || ok != tt.ok {
			t.Errorf("SafetyFinishCategory(%q) = %q, %v; want %q, %v", tt.reason, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSafetyFinishCategoryAllocs(t *testing.T) {
	var sink string
	allocs := testing.AllocsPerRun(100, func() {
		sink, _ = SafetyFinishCategory("IMAGE_PROHIBITED_CONTENT")
		sink, _ = SafetyFinishCategory("stop")
	})
	if allocs != 0 {
		t.Errorf("SafetyFinishCategory allocates %v times", allocs)
	}
	_ = sink
}
