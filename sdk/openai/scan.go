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

// Member keys as jscan gives them, with their quotes.
const (
	keyID            = `"id"`
	keyModel         = `"model"`
	keyChoices       = `"choices"`
	keyFinishReason  = `"finish_reason"`
	keyUsage         = `"usage"`
	keyError         = `"error"`
	keyMessage       = `"message"`
	keyType          = `"type"`
	keyResponse      = `"response"`
	keyStatus        = `"status"`
	keyIncomplete    = `"incomplete_details"`
	keyReason        = `"reason"`
	keyStream        = `"stream"`
	keyStreamOptions = `"stream_options"`
	keyIncludeUsage  = `"include_usage"`
	keyCachedTokens  = `"cached_tokens"`
	keyReasonTokens  = `"reasoning_tokens"`
)

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
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return -1
	}
	return int64(f)
}
