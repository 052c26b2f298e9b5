package jsonwalktest

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"
)

func TestJSONNumbers(t *testing.T) {
	for _, tt := range []struct {
		n       string
		i       int64
		isInt   bool
		f       float64
		isFloat bool
	}{
		{"512", 512, true, 512, true},
		{"5.12e2", 512, true, 512, true},
		{"-0.5", 0, false, -0.5, true},
		{"1e19", 0, false, 1e19, true},
		{"1e999", 0, false, 0, false},
	} {
		n := json.Number(tt.n)
		i, ok := JSONInt(&n)
		assert.Equal(t, tt.isInt, ok, tt.n)
		assert.Equal(t, tt.i, i, tt.n)
		f, ok := JSONFloat(&n)
		assert.Equal(t, tt.isFloat, ok, tt.n)
		assert.Equal(t, tt.f, f, tt.n)
	}
	_, ok := JSONInt(nil)
	assert.False(t, ok)
	_, ok = JSONFloat(nil)
	assert.False(t, ok)
}

// failures counts the failed checks.
type failures int

func (f *failures) Errorf(string, ...any) { *f++ }

func TestCheckParams(t *testing.T) {
	var p jsonwalk.Params
	jsonwalk.Walk(`{"max_tokens":9,"top_p":0.5}`, func(it *jsonwalk.Iterator) bool {
		switch it.Key() {
		case `"max_tokens"`:
			p.Read(it, jsonwalk.ParamMaxTokens)
		case `"top_p"`:
			p.Read(it, jsonwalk.ParamTopP)
		}
		return false
	})
	num := func(s string) *json.Number {
		n := json.Number(s)
		return &n
	}
	for i, tt := range []struct {
		want     map[jsonwalk.Param]*json.Number
		failures failures
	}{
		{map[jsonwalk.Param]*json.Number{jsonwalk.ParamMaxTokens: num("9"), jsonwalk.ParamTopP: num("0.5")}, 0},
		{map[jsonwalk.Param]*json.Number{jsonwalk.ParamMaxTokens: num("9.0"), jsonwalk.ParamTopP: num("5e-1"),
			jsonwalk.ParamSeed: nil, jsonwalk.ParamTopK: num("x")}, 0},
		// Not given, then another value.
		{map[jsonwalk.Param]*json.Number{jsonwalk.ParamMaxTokens: num("9")}, 2},
		{map[jsonwalk.Param]*json.Number{jsonwalk.ParamMaxTokens: num("10"), jsonwalk.ParamTopP: num("0.5")}, 1},
		// Given as the wrong type of number.
		{map[jsonwalk.Param]*json.Number{jsonwalk.ParamMaxTokens: num("9.5"), jsonwalk.ParamTopP: num("0.5")}, 2},
		// Given, but not read.
		{map[jsonwalk.Param]*json.Number{jsonwalk.ParamMaxTokens: num("9"), jsonwalk.ParamTopP: num("0.5"),
			jsonwalk.ParamPresencePenalty: num("1")}, 2},
	} {
		var f failures
		CheckParams(&f, &p, tt.want, "")
		assert.Equal(t, tt.failures, f, "case %d", i)
	}
}
