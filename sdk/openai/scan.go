package rastiropenai

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/romshark/jscan/v2"
)

// The request and response readers walk a body once, value by value, with
// jscan's iterator: it neither builds a tree nor allocates, and a response
// is read on the caller's path, so its cost is the adapter's overhead.

// scanners keep jscan parsers (and their stacks) between bodies.
var scanners = sync.Pool{New: func() any { return jscan.NewParser[string](8) }}

// walk calls visit for every value of js in document order, objects and
// arrays before their members, until visit returns true. A syntax error
// ends the walk: the values before it have been visited, which is what a
// reader of a truncated body keeps.
func walk(js string, visit func(*jscan.Iterator[string]) (stop bool)) {
	p := scanners.Get().(*jscan.Parser[string])
	_ = p.Scan(js, visit)
	scanners.Put(p)
}

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
)

// memberOf tells the current value's member by its key (quoted, as jscan
// gives it). The token counts are spelled one way by Chat Completions and
// another by the Responses API.
func memberOf(it *jscan.Iterator[string]) member {
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
	}
	return memberOther
}

// stringValue is the current value unquoted if it is a string, else "". It
// is a view of the walked text unless the string has escapes.
func stringValue(it *jscan.Iterator[string]) string {
	if it.ValueType() != jscan.ValueTypeString {
		return ""
	}
	quoted := it.Value()
	if !strings.Contains(quoted, `\`) {
		return quoted[1 : len(quoted)-1]
	}
	var s string
	if json.Unmarshal([]byte(quoted), &s) != nil {
		return ""
	}
	return s
}

// countValue is the current value as a count if it is a number (a
// fraction is cut off), else -1.
func countValue(it *jscan.Iterator[string]) int64 {
	if it.ValueType() != jscan.ValueTypeNumber {
		return -1
	}
	v := it.Value()
	// Token counts are plain digits: jscan has checked the syntax, so they
	// need no more than a sum (19 digits could overflow).
	if len(v) < 19 {
		var n int64
		for i := 0; i < len(v); i++ {
			d := v[i] - '0'
			if d > 9 {
				return parseCount(v)
			}
			n = n*10 + int64(d)
		}
		return n
	}
	return parseCount(v)
}

// parseCount reads a number with a sign, fraction or exponent.
func parseCount(v string) int64 {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return -1
	}
	return int64(f)
}
