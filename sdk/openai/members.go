package rastiropenai

import "github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"

// member is a member of a request or response that the readers look for.
type member uint8

const (
	memberOther member = iota
	memberID
	memberModel
	memberChoices
	memberFinishReason
	memberUsage
	memberError
	memberMessage
	memberType
	memberResponse
	memberStatus
	memberIncompleteDetails
	memberReason
	memberStream
	memberStreamOptions
	memberIncludeUsage
	memberInputTokens
	memberOutputTokens
	memberInputDetails
	memberOutputDetails
	memberCachedTokens
	memberReasoningTokens
	memberXGroq
	memberCode
	memberCacheWriteTokens
	memberCacheHitTokens
	memberDelta
	memberContent
	memberRefusal
	memberReasoningContent
	memberToolCalls
	memberText
	memberPromptFilterResults
	memberContentFilterResults
)

// memberOf tells the current value's member by its key (quoted, as jscan
// gives it). The token counts are spelled one way by Chat Completions and
// another by the Responses API.
func memberOf(it *jsonwalk.Iterator) member {
	switch it.Key() {
	case `"id"`:
		return memberID
	case `"model"`:
		return memberModel
	case `"choices"`:
		return memberChoices
	case `"finish_reason"`:
		return memberFinishReason
	case `"usage"`:
		return memberUsage
	case `"error"`:
		return memberError
	case `"message"`:
		return memberMessage
	case `"type"`:
		return memberType
	case `"response"`:
		return memberResponse
	case `"status"`:
		return memberStatus
	case `"incomplete_details"`:
		return memberIncompleteDetails
	case `"reason"`:
		return memberReason
	case `"stream"`:
		return memberStream
	case `"stream_options"`:
		return memberStreamOptions
	case `"include_usage"`:
		return memberIncludeUsage
	case `"prompt_tokens"`, `"input_tokens"`:
		return memberInputTokens
	case `"completion_tokens"`, `"output_tokens"`:
		return memberOutputTokens
	case `"prompt_tokens_details"`, `"input_tokens_details"`:
		return memberInputDetails
	case `"completion_tokens_details"`, `"output_tokens_details"`:
		return memberOutputDetails
	case `"cached_tokens"`:
		return memberCachedTokens
	case `"reasoning_tokens"`:
		return memberReasoningTokens
	case `"x_groq"`:
		return memberXGroq
	case `"code"`:
		return memberCode
	case `"cache_write_tokens"`:
		return memberCacheWriteTokens
	case `"prompt_cache_hit_tokens"`:
		return memberCacheHitTokens
	case `"delta"`:
		return memberDelta
	case `"content"`:
		return memberContent
	case `"refusal"`:
		return memberRefusal
	case `"reasoning_content"`, `"reasoning"`:
		// Reasoning text: DeepSeek's reasoning_content, and reasoning as
		// other OpenAI-compatible servers (Groq, OpenRouter) name it.
		return memberReasoningContent
	case `"tool_calls"`, `"function_call"`, `"audio"`:
		// Output that streams as objects: tool calls, the legacy
		// function call, audio.
		return memberToolCalls
	case `"text"`:
		return memberText
	case `"prompt_filter_results"`, `"prompt_annotations"`:
		// Azure OpenAI's (prompt_annotations in its early API versions).
		return memberPromptFilterResults
	case `"content_filter_results"`:
		return memberContentFilterResults
	}
	return memberOther
}

// param is a member of a request body that the middleware reads.
type param uint8

const (
	paramOther param = iota
	paramModel
	paramStream
	paramStreamOptions
	paramMaxCompletionTokens
	paramMaxTokens
	paramMaxOutputTokens
	paramTemperature
	paramTopP
	paramFrequencyPenalty
	paramPresencePenalty
	paramSeed
	paramN
	paramStop
	paramResponseFormat
	paramText
)

// paramOf tells a top-level member of a request by its key (quoted, as
// jscan gives it), for the endpoints that take it (Chat Completions,
// Responses, legacy Completions: their parameters as openai-go's param
// structs spell them); paramOther for the rest.
func paramOf(ep endpoint, it *jsonwalk.Iterator) param {
	switch it.Key() {
	case `"model"`:
		return paramModel
	case `"stream"`:
		return paramStream
	case `"stream_options"`:
		return paramStreamOptions
	case `"temperature"`:
		return only(ep == endpointChat || ep == endpointResponses || ep == endpointCompletions, paramTemperature)
	case `"top_p"`:
		return only(ep == endpointChat || ep == endpointResponses || ep == endpointCompletions, paramTopP)
	case `"max_tokens"`:
		return only(ep == endpointChat || ep == endpointCompletions, paramMaxTokens)
	case `"frequency_penalty"`:
		return only(ep == endpointChat || ep == endpointCompletions, paramFrequencyPenalty)
	case `"presence_penalty"`:
		return only(ep == endpointChat || ep == endpointCompletions, paramPresencePenalty)
	case `"seed"`:
		return only(ep == endpointChat || ep == endpointCompletions, paramSeed)
	case `"n"`:
		return only(ep == endpointChat || ep == endpointCompletions, paramN)
	case `"stop"`:
		return only(ep == endpointChat || ep == endpointCompletions, paramStop)
	case `"max_completion_tokens"`:
		return only(ep == endpointChat, paramMaxCompletionTokens)
	case `"response_format"`:
		return only(ep == endpointChat, paramResponseFormat)
	case `"max_output_tokens"`:
		return only(ep == endpointResponses, paramMaxOutputTokens)
	case `"text"`:
		return only(ep == endpointResponses, paramText)
	}
	return paramOther
}

func only(ok bool, p param) param {
	if ok {
		return p
	}
	return paramOther
}
