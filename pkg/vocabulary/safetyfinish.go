package vocabulary

import "strings"

// Finish and stop reasons with which a provider's own safety filter stops a
// call (the provider's spelling; instrumentations write them in either case).
const (
	// FinishReasonContentFilter is OpenAI's and Azure OpenAI's finish_reason
	// of a choice a content filter stopped.
	FinishReasonContentFilter = "content_filter"
	// StopReasonRefusal is Anthropic's stop_reason of a message Claude's
	// safety classifiers stopped.
	StopReasonRefusal = "refusal"
	// Google GenAI's FinishReason values of its safety filters.
	FinishReasonSafety                 = "SAFETY"
	FinishReasonProhibitedContent      = "PROHIBITED_CONTENT"
	FinishReasonImageSafety            = "IMAGE_SAFETY"
	FinishReasonImageProhibitedContent = "IMAGE_PROHIBITED_CONTENT"
	FinishReasonBlocklist              = "BLOCKLIST"
	FinishReasonSPII                   = "SPII"
)

// SafetyFinishCategory reports whether a finish or stop reason (in any case)
// says the provider's own safety filter stopped the call, and the guardrail
// category of that filter. It is the one table the Go SDK's adapters and
// llm_enrich share. Bedrock's guardrail_intervened is not in it (the
// guardrail's own keys describe that intervention), nor is a Bedrock model's
// content_filtered, which Bedrock does not report as a guardrail action.
func SafetyFinishCategory(reason string) (string, bool) {
	// The reasons differ in length (the compiler rejects two cases of one
	// length), so that a reason is compared with one of them at most.
	var known, category string
	switch len(reason) {
	case len(FinishReasonContentFilter):
		known, category = FinishReasonContentFilter, GuardrailCategoryContentPolicy
	case len(StopReasonRefusal):
		known, category = StopReasonRefusal, GuardrailCategoryContentPolicy
	case len(FinishReasonSafety):
		known, category = FinishReasonSafety, GuardrailCategoryContentPolicy
	case len(FinishReasonProhibitedContent):
		known, category = FinishReasonProhibitedContent, GuardrailCategoryContentPolicy
	case len(FinishReasonImageSafety):
		known, category = FinishReasonImageSafety, GuardrailCategoryContentPolicy
	case len(FinishReasonImageProhibitedContent):
		known, category = FinishReasonImageProhibitedContent, GuardrailCategoryContentPolicy
	case len(FinishReasonBlocklist):
		known, category = FinishReasonBlocklist, GuardrailCategoryWordPolicy
	case len(FinishReasonSPII):
		known, category = FinishReasonSPII, GuardrailCategorySensitiveInformation
	default:
		return "", false
	}
	if !strings.EqualFold(reason, known) {
		return "", false
	}
	return category, true
}
