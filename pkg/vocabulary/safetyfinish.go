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

// safetyFinishReasons maps each safety-filter finish reason to the bounded
// guardrail category of its filter.
var safetyFinishReasons = [...]struct{ reason, category string }{
	{FinishReasonContentFilter, GuardrailCategoryContentPolicy},
	{StopReasonRefusal, GuardrailCategoryContentPolicy},
	{FinishReasonSafety, GuardrailCategoryContentPolicy},
	{FinishReasonProhibitedContent, GuardrailCategoryContentPolicy},
	{FinishReasonImageSafety, GuardrailCategoryContentPolicy},
	{FinishReasonImageProhibitedContent, GuardrailCategoryContentPolicy},
	{FinishReasonBlocklist, GuardrailCategoryWordPolicy},
	{FinishReasonSPII, GuardrailCategorySensitiveInformation},
}

// SafetyFinishCategory reports whether a finish or stop reason (in any case)
// says the provider's own safety filter stopped the call, and the guardrail
// category of that filter. It is the one table the Go SDK's adapters and
// llm_enrich share. Bedrock's guardrail_intervened is not in it (the
// guardrail's own keys describe that intervention), nor is a Bedrock model's
// content_filtered, which Bedrock does not report as a guardrail action.
func SafetyFinishCategory(reason string) (string, bool) {
	for _, r := range safetyFinishReasons {
		if len(r.reason) == len(reason) && strings.EqualFold(r.reason, reason) {
			return r.category, true
		}
	}
	return "", false
}
