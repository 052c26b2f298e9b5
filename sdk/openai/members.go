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
	}
	return memberOther
}
