package spanmetricsllm

import (
	v "github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Rastir's exposition names (collector spec §3.4). The Prometheus exporter
// runs without suffix translation, so these are the names on /metrics.
const (
	nameSpansIngested       = "rastir_spans_ingested_total"
	nameDuration            = "rastir_duration_seconds"
	nameErrors              = "rastir_errors_total"
	nameLLMCalls            = "rastir_llm_calls_total"
	nameTokensInput         = "rastir_tokens_input_total"
	nameTokensOutput        = "rastir_tokens_output_total"
	nameTokensPerCall       = "rastir_tokens_per_call"
	nameCostTotal           = "rastir_cost_total"
	nameCostPerCall         = "rastir_cost_per_call_usd"
	namePricingMissing      = "rastir_pricing_missing_total"
	nameTTFT                = "rastir_ttft_seconds"
	nameGuardrailRequests   = "rastir_guardrail_requests_total"
	nameGuardrailViolations = "rastir_guardrail_violations_total"
	nameToolCalls           = "rastir_tool_calls_total"
	nameRetrievalCalls      = "rastir_retrieval_calls_total"

	// GenAI semantic conventions client metrics.
	nameGenAITokenUsage        = "gen_ai.client.token.usage"
	nameGenAIOperationDuration = "gen_ai.client.operation.duration"
)

// maxLabels is the most labels a family has (guardrail violations).
const maxLabels = 8

// serviceEnv is how many leading labels (service, env) the rastir_*
// families keep on their overflow series.
const serviceEnv = 2

// Indexes of the rastir_* families, in the order of §3.4 (the order of the
// output too).
const (
	famSpansIngested = iota
	famDuration
	famErrors
	famLLMCalls
	famTokensInput
	famTokensOutput
	famTokensPerCall
	famCostTotal
	famCostPerCall
	famPricingMissing
	famTTFT
	famGuardrailRequests
	famGuardrailViolations
	famToolCalls
	famRetrievalCalls
	numRastirFamilies
)

// Label sets in Rastir's order of definition.
var (
	labelsSpansIngested  = []string{v.LabelService, v.LabelEnv, v.LabelSpanType, v.LabelStatus}
	labelsDuration       = []string{v.LabelService, v.LabelEnv, v.LabelSpanType, v.LabelModel, v.LabelProvider, v.LabelAgent}
	labelsErrors         = []string{v.LabelService, v.LabelEnv, v.LabelSpanType, v.LabelErrorType, v.LabelModel, v.LabelProvider, v.LabelAgent}
	labelsModelAgent     = []string{v.LabelService, v.LabelEnv, v.LabelModel, v.LabelProvider, v.LabelAgent}
	labelsModelProvider  = []string{v.LabelService, v.LabelEnv, v.LabelModel, v.LabelProvider}
	labelsCostTotal      = []string{v.LabelService, v.LabelEnv, v.LabelModel, v.LabelProvider, v.LabelAgent, v.LabelPricingProfile}
	labelsCostPerCall    = []string{v.LabelService, v.LabelEnv, v.LabelModel}
	labelsGuardrailReq   = []string{v.LabelService, v.LabelEnv, v.LabelProvider, v.LabelModel, v.LabelAgent, v.LabelGuardrailID, v.LabelGuardrailVersion}
	labelsGuardrailViol  = []string{v.LabelService, v.LabelEnv, v.LabelProvider, v.LabelModel, v.LabelAgent, v.LabelGuardrailID, v.LabelGuardrailAction, v.LabelGuardrailCategory}
	labelsToolCalls      = []string{v.LabelService, v.LabelEnv, v.LabelToolName, v.LabelAgent, v.LabelModel, v.LabelProvider}
	labelsRetrievalCalls = []string{v.LabelService, v.LabelEnv, v.LabelAgent, v.LabelModel, v.LabelProvider}

	// The attributes of each metric in semconv v1.41.0: error.type is
	// not one of gen_ai.client.token.usage's.
	labelsGenAITokenUsage = []string{v.GenAIOperationName, v.GenAIProviderName, v.GenAIRequestModel, v.GenAIResponseModel,
		v.GenAITokenType, v.ServerAddress, v.ServerPort}
	labelsGenAIDuration = []string{v.GenAIOperationName, v.GenAIProviderName, v.GenAIRequestModel, v.GenAIResponseModel,
		v.ServerAddress, v.ServerPort, v.ErrorType}
)

// newRastirFamilies returns the fifteen span-derived families of §3.4.
func newRastirFamilies(cfg *Config) []*family {
	ex := cfg.Exemplars.Enabled
	return []*family{
		famSpansIngested: newFamily(nameSpansIngested, "", "Spans received, by normalised span type and raw status.",
			kindIntSum, labelsSpansIngested, nil, false, serviceEnv),
		famDuration: newFamily(nameDuration, "", "Span latency in seconds.",
			kindHistogram, labelsDuration, cfg.Histograms.DurationBuckets, ex, serviceEnv),
		famErrors: newFamily(nameErrors, "", "Spans finished with status ERROR, by error category.",
			kindIntSum, labelsErrors, nil, ex, serviceEnv),
		famLLMCalls: newFamily(nameLLMCalls, "", "LLM invocations.",
			kindIntSum, labelsModelAgent, nil, ex, serviceEnv),
		famTokensInput: newFamily(nameTokensInput, "", "Prompt (input) tokens.",
			kindIntSum, labelsModelAgent, nil, false, serviceEnv),
		famTokensOutput: newFamily(nameTokensOutput, "", "Completion (output) tokens.",
			kindIntSum, labelsModelAgent, nil, false, serviceEnv),
		famTokensPerCall: newFamily(nameTokensPerCall, "", "Input plus output tokens per LLM call.",
			kindHistogram, labelsModelProvider, cfg.Histograms.TokensBuckets, false, serviceEnv),
		famCostTotal: newFamily(nameCostTotal, "", "Accumulated cost in US dollars.",
			kindDoubleSum, labelsCostTotal, nil, false, serviceEnv),
		famCostPerCall: newFamily(nameCostPerCall, "", "Cost per LLM call in US dollars.",
			kindHistogram, labelsCostPerCall, cfg.Histograms.CostBuckets, false, serviceEnv),
		famPricingMissing: newFamily(namePricingMissing, "", "LLM calls for which no price was known.",
			kindIntSum, labelsModelProvider, nil, false, serviceEnv),
		famTTFT: newFamily(nameTTFT, "", "Time to the first streamed token in seconds.",
			kindHistogram, labelsModelProvider, cfg.Histograms.TTFTBuckets, false, serviceEnv),
		famGuardrailRequests: newFamily(nameGuardrailRequests, "", "LLM calls made with a guardrail configured.",
			kindIntSum, labelsGuardrailReq, nil, false, serviceEnv),
		famGuardrailViolations: newFamily(nameGuardrailViolations, "", "Guardrail interventions.",
			kindIntSum, labelsGuardrailViol, nil, false, serviceEnv),
		famToolCalls: newFamily(nameToolCalls, "", "Tool invocations.",
			kindIntSum, labelsToolCalls, nil, ex, serviceEnv),
		famRetrievalCalls: newFamily(nameRetrievalCalls, "", "Retrieval invocations.",
			kindIntSum, labelsRetrievalCalls, nil, false, serviceEnv),
	}
}

// newSemconvFamilies returns gen_ai.client.token.usage and
// gen_ai.client.operation.duration.
func newSemconvFamilies() (tokenUsage, duration *family) {
	tokenUsage = newFamily(nameGenAITokenUsage, "{token}", "Number of input and output tokens used.",
		kindHistogram, labelsGenAITokenUsage, semconvTokenBuckets, false, 0)
	tokenUsage.omitEmpty = true
	duration = newFamily(nameGenAIOperationDuration, "s", "GenAI operation duration.",
		kindHistogram, labelsGenAIDuration, semconvDurationBuckets, false, 0)
	duration.omitEmpty = true
	return tokenUsage, duration
}
