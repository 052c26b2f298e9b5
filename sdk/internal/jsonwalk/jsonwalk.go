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

// IsString tells a string value.
func IsString(it *Iterator) bool { return it.ValueType() == jscan.ValueTypeString }

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
	return CountOf(it.Value())
}

// CountOf is Count for a JSON value's text (a raw value a decoder kept): a
// number's count, else -1.
func CountOf(v string) int64 {
	if v == "" || (v[0] != '-' && (v[0] < '0' || v[0] > '9')) {
		return -1
	}
	if n, ok := plainDigits(v); ok {
		return n
	}
	return parseCount(v)
}

// plainDigits is v's value when v is digits alone, too few to overflow
// (fewer than 19): the form token counts and limits take, which need no
// more than a sum, jscan having checked the syntax.
func plainDigits(v string) (int64, bool) {
	if len(v) >= 19 {
		return 0, false
	}
	var n int64
	for i := 0; i < len(v); i++ {
		d := v[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = n*10 + int64(d)
	}
	return n, true
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

// Float is the current value if it is a number within float64's range.
func Float(it *Iterator) (float64, bool) {
	if it.ValueType() != jscan.ValueTypeNumber {
		return 0, false
	}
	// jscan has checked the syntax: the only error left is the range.
	f, err := strconv.ParseFloat(it.Value(), 64)
	if err != nil {
		return 0, false
	}
	return f, true
}

// Int is the current value if it is a number whose value is an integer in
// int64's range: 512, and 512.0 or 5.12e2 as 512; 1.5 and 1e19 are none.
// A number with a fraction or exponent is read as a float64, as a JSON
// number mostly is.
func Int(it *Iterator) (int64, bool) {
	if it.ValueType() != jscan.ValueTypeNumber {
		return 0, false
	}
	v := it.Value()
	if n, ok := plainDigits(v); ok {
		return n, true
	}
	if !strings.ContainsAny(v, ".eE") {
		// A sign, or too many digits: ParseInt says whether it fits.
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n, true
		}
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, false
	}
	return int64(f), true
}

// StringList gathers, during a walk, a member that is a string or an
// array of strings (a request's stop sequences), read as String reads
// them: views of the walked text, except strings with escapes. Lists are
// pooled: one costs no allocation once a few have been released.
type StringList struct {
	views []string
	ok    bool
}

var stringLists = sync.Pool{New: func() any { return new(StringList) }}

// maxPooledViews is the longest list a released list's memory keeps.
const maxPooledViews = 64

// Start begins the list at its member (it): an array's strings are
// Added, a string is the one element when single says the member may be
// one, another value is no list. A later member of the same name starts
// over. On a nil *StringList it takes one from the pool.
func (l *StringList) Start(it *Iterator, single bool) *StringList {
	if l == nil {
		l = stringLists.Get().(*StringList)
	}
	clear(l.views)
	l.views, l.ok = l.views[:0], IsArray(it)
	if single && IsString(it) {
		l.views, l.ok = append(l.views, String(it)), true
	}
	return l
}

// Add adds an element of the member's array; one that is no string makes
// the member no list.
func (l *StringList) Add(it *Iterator) {
	if l == nil || !l.ok {
		return
	}
	if l.ok = IsString(it); l.ok {
		l.views = append(l.views, String(it))
	}
}

// Views are the strings of the list (none when the member was no list),
// until Release; those without escapes are views of the walked text.
func (l *StringList) Views() []string {
	if l == nil || !l.ok || len(l.views) == 0 {
		return nil
	}
	return l.views
}

// Release puts the list back in the pool; a nil one is left.
func (l *StringList) Release() {
	if l == nil {
		return
	}
	clear(l.views)
	l.views, l.ok = l.views[:0], false
	if cap(l.views) <= maxPooledViews {
		stringLists.Put(l)
	}
}
