// Package jsonwalktest checks, in an adapter's fuzz tests, what jsonwalk
// reads against what encoding/json decodes.
package jsonwalktest

import (
	"encoding/json"
	"math"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"
)

// CheckParams checks every numeric parameter of got against want, the
// numbers encoding/json decodes of the members the reader takes: an
// integer parameter is given when its number is an integer (JSONInt), a
// double one when it is a float64 (JSONFloat). A parameter want leaves out,
// or maps to nil, is not given.
func CheckParams(t assert.TestingT, got *jsonwalk.Params, want map[jsonwalk.Param]*json.Number, msg string) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	for which := range jsonwalk.ParamCount {
		var wantOK, gotOK bool
		var wantV, gotV any
		if which.IsInt() {
			wantV, wantOK = JSONInt(want[which])
			gotV, gotOK = got.Int(which)
		} else {
			wantV, wantOK = JSONFloat(want[which])
			gotV, gotOK = got.Float(which)
		}
		assert.Equal(t, wantOK, gotOK, "parameter %d given: %s", which, msg)
		assert.Equal(t, wantV, gotV, "parameter %d: %s", which, msg)
	}
}

// JSONInt is the integer a JSON number is: one that parses as an int64,
// or one whose float64 is an integer in int64's range.
func JSONInt(n *json.Number) (int64, bool) {
	if n == nil {
		return 0, false
	}
	if i, err := n.Int64(); err == nil {
		return i, true
	}
	f, err := n.Float64()
	if err != nil || f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

// JSONFloat is the float64 a JSON number is: none out of its range.
func JSONFloat(n *json.Number) (float64, bool) {
	if n == nil {
		return 0, false
	}
	f, err := n.Float64()
	if err != nil {
		return 0, false
	}
	return f, true
}
