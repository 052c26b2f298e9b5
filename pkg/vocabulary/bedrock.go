package vocabulary

import "strings"

// Amazon Bedrock guardrail span attributes that llmenrichprocessor reads and
// maps to the rastir.guardrail.* keys (spans of instrumentations other than
// the Rastir client, whose own guardrail_* keys are in wire.go).
const (
	// AWSBedrockGuardrailID is the guardrail a Bedrock call was made with
	// (semconv v1.41 AWS registry): the request's
	// guardrailConfig.guardrailIdentifier (Converse) or
	// X-Amzn-Bedrock-GuardrailIdentifier header (InvokeModel).
	AWSBedrockGuardrailID = "aws.bedrock.guardrail.id"
	// AWSBedrockGuardrailAction is the guardrail's decision as Bedrock
	// returned it: the InvokeModel response field
	// amazon-bedrock-guardrailAction (INTERVENED or NONE), or the
	// GuardrailAction of Converse and ApplyGuardrail (GUARDRAIL_INTERVENED
	// or NONE). Not a semantic convention: written by the Go SDK, next to
	// semconv's aws.bedrock.guardrail.id.
	AWSBedrockGuardrailAction = "aws.bedrock.guardrail.action"
	// AWSBedrockGuardrailAssessment is the guardrail trace as Bedrock
	// returned it, as a JSON string or an OTLP map: Converse's
	// trace.guardrail (inputAssessment, outputAssessments), InvokeModel's
	// amazon-bedrock-trace.guardrail (input, outputs) or ApplyGuardrail's
	// response (action, assessments). Not a semantic convention: written by
	// the Go SDK when guardrailConfig.trace is enabled.
	AWSBedrockGuardrailAssessment = "aws.bedrock.guardrail.assessment"
	// GenAIGuardrailPolicyID and GenAIGuardrailPolicyVersion identify the
	// guardrail policy applied (semantic-conventions-genai draft
	// gen-ai-guardrails.md; for Bedrock the guardrail id and version).
	GenAIGuardrailPolicyID      = "gen_ai.guardrail.policy.id"
	GenAIGuardrailPolicyVersion = "gen_ai.guardrail.policy.version"
)

// Bedrock's guardrail values.
const (
	// BedrockGuardrailActionIntervened is InvokeModel's
	// amazon-bedrock-guardrailAction value for an intervention (Converse
	// and ApplyGuardrail say GuardrailActionIntervened).
	BedrockGuardrailActionIntervened = "INTERVENED"
	// BedrockStopReasonGuardrailIntervened is Converse's stopReason when a
	// guardrail blocked the call; instrumentations record it in
	// gen_ai.response.finish_reasons.
	BedrockStopReasonGuardrailIntervened = "guardrail_intervened"
	// BedrockAssessmentAction is the field that holds an assessment's (or a
	// policy finding's) action; BedrockAssessmentActionNone means the
	// finding did not change the call (detect mode).
	BedrockAssessmentAction     = "action"
	BedrockAssessmentActionNone = "NONE"
	// BedrockAssessmentType is the field that holds a policy finding's type;
	// a topic finding's type is BedrockTopicTypeDeny.
	BedrockAssessmentType = "type"
	BedrockTopicTypeDeny  = "DENY"

	// The policies of a guardrail assessment.
	BedrockPolicyTopic               = "topicPolicy"
	BedrockPolicyContent             = "contentPolicy"
	BedrockPolicyWord                = "wordPolicy"
	BedrockPolicySensitiveInfo       = "sensitiveInformationPolicy"
	BedrockPolicyContextualGrounding = "contextualGroundingPolicy"
	// BedrockPolicySuffix ends every policy field of an assessment,
	// including ones newer than this list (automatedReasoningPolicy).
	BedrockPolicySuffix = "Policy"
)

// BoundBedrockGuardrailAction maps a Bedrock guardrail action to the bounded
// action: INTERVENED (InvokeModel) and GUARDRAIL_INTERVENED (Converse,
// ApplyGuardrail) to GuardrailActionIntervened, NONE to GuardrailActionNone,
// anything else to OverflowValue.
func BoundBedrockGuardrailAction(v string) string {
	switch v {
	case BedrockGuardrailActionIntervened, GuardrailActionIntervened:
		return GuardrailActionIntervened
	case GuardrailActionNone:
		return GuardrailActionNone
	}
	return OverflowValue
}

// BedrockPolicyCategory gives the bounded category of an assessment policy
// that acted on a call, from the policy's field name and the type of the
// finding that acted: a topic finding of type DENY (a denied topic, the only
// topic type Bedrock has) is GuardrailCategoryDeniedTopic, other topic
// findings GuardrailCategoryTopicPolicy; a policy not in the bounded set is
// OverflowValue.
func BedrockPolicyCategory(policy, findingType string) string {
	switch policy {
	case BedrockPolicyTopic:
		if strings.EqualFold(findingType, BedrockTopicTypeDeny) {
			return GuardrailCategoryDeniedTopic
		}
		return GuardrailCategoryTopicPolicy
	case BedrockPolicyContent:
		return GuardrailCategoryContentPolicy
	case BedrockPolicyWord:
		return GuardrailCategoryWordPolicy
	case BedrockPolicySensitiveInfo:
		return GuardrailCategorySensitiveInformation
	case BedrockPolicyContextualGrounding:
		return GuardrailCategoryContextualGrounding
	}
	return OverflowValue
}
