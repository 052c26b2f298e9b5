// Package jsonwalk reads the few fields an adapter needs out of a model
// provider's JSON (a request or response body, a stream event) in one pass,
// with jscan's iterator: it neither builds a tree nor allocates, and an
// adapter reads on its caller's path, so this is the adapter's overhead.
package jsonwalk

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/romshark/jscan/v2"
)

// Iterator is the current value of a walk.
type Iterator = jscan.Iterator[string]

// scanners keep jscan parsers (and their stacks) between documents.
var scanners = sync.Pool{New: func() any { return jscan.NewParser[string](8) }}

// Walk calls visit for every value of js in document order, objects and
// arrays before their members, until visit returns true. A syntax error
// ends the walk: the values before it have been visited, which is what a
// reader of a truncated body keeps. A member that ends the text is not
// visited: its object is cut there, and so may be the member (a count cut
// after its first digits).
func Walk(js string, visit func(*Iterator) (stop bool)) {
	p := scanners.Get().(*jscan.Parser[string])
	_ = p.Scan(js, func(it *Iterator) bool {
		if it.Level() > 0 && it.ValueIndexEnd() == len(js) {
			return true
		}
		return visit(it)
	})
	scanners.Put(p)
}

// IsObject tells an object value.
func IsObject(it *Iterator) bool { return it.ValueType() == jscan.ValueTypeObject }

// IsArray tells an array value.
func IsArray(it *Iterator) bool { return it.ValueType() == jscan.ValueTypeArray }

// IsTrue tells the value true.
func IsTrue(it *Iterator) bool { return it.ValueType() == jscan.ValueTypeTrue }

// String is the current value unquoted if it is a string, else "". It is a
// view of the walked text unless the string has escapes.
func String(it *Iterator) string {
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

// Count is the current value as a count if it is a number (a fraction is
// cut off), else -1.
func Count(it *Iterator) int64 {
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

// parseCount reads a number with a sign, fraction or exponent; one out of
// int64's range is no count.
func parseCount(v string) int64 {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		return n
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < math.MinInt64 || f >= math.MaxInt64 {
		return -1
	}
	return int64(f)
}
