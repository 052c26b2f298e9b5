package vocabulary

import "testing"

func TestBoundBedrockGuardrailAction(t *testing.T) {
	for in, want := range map[string]string{
		"INTERVENED":           GuardrailActionIntervened,
		"GUARDRAIL_INTERVENED": GuardrailActionIntervened,
		"NONE":                 GuardrailActionNone,
		"BLOCKED":              OverflowValue,
		"":                     OverflowValue,
	} {
		if got := BoundBedrockGuardrailAction(in); got != want {
			t.Errorf("BoundBedrockGuardrailAction(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBedrockPolicyCategory(t *testing.T) {
	tests := []struct{ policy, findingType, want string }{
		{"topicPolicy", "DENY", GuardrailCategoryDeniedTopic},
		{"topicPolicy", "", GuardrailCategoryTopicPolicy},
		{"contentPolicy", "VIOLENCE", GuardrailCategoryContentPolicy},
		{"wordPolicy", "PROFANITY", GuardrailCategoryWordPolicy},
		{"sensitiveInformationPolicy", "EMAIL", GuardrailCategorySensitiveInformation},
		{"contextualGroundingPolicy", "GROUNDING", GuardrailCategoryContextualGrounding},
		{"automatedReasoningPolicy", "", OverflowValue},
	}
	for _, tt := range tests {
		if got := BedrockPolicyCategory(tt.policy, tt.findingType); got != tt.want {
			t.Errorf("BedrockPolicyCategory(%q, %q) = %q, want %q", tt.policy, tt.findingType, got, tt.want)
		}
	}
}
