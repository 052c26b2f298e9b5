package jsonwalk

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
)

// paramKeys are the members readParams reads.
var paramKeys = map[string]Param{
	`"max_tokens"`:            ParamMaxTokens,
	`"max_completion_tokens"`: ParamMaxCompletionTokens,
	`"seed"`:                  ParamSeed,
	`"n"`:                     ParamChoiceCount,
	`"temperature"`:           ParamTemperature,
	`"top_p"`:                 ParamTopP,
	`"top_k"`:                 ParamTopK,
	`"frequency_penalty"`:     ParamFrequencyPenalty,
	`"presence_penalty"`:      ParamPresencePenalty,
}

// readParams reads the top-level members of js named in paramKeys.
func readParams(js string) *Params {
	var p Params
	Walk(js, func(it *Iterator) bool {
		if which, ok := paramKeys[it.Key()]; ok && it.Level() == 1 {
			p.Read(it, which)
		}
		return false
	})
	return &p
}

// given is every parameter p gives, as Int or Float reads it.
func given(t *testing.T, p *Params) map[Param]any {
	t.Helper()
	m := map[Param]any{}
	for which := range ParamCount {
		n, isInt := p.Int(which)
		f, isFloat := p.Float(which)
		assert.False(t, isInt && isFloat, "parameter %d", which)
		switch {
		case isInt:
			m[which] = n
		case isFloat:
			m[which] = f
		}
	}
	return m
}

func TestParamsRead(t *testing.T) {
	for _, tt := range []struct {
		name, js string
		want     map[Param]any
	}{
		{"none", `{"model":"m","messages":[{"max_tokens":1,"temperature":1}]}`, map[Param]any{}},
		{"all", `{"max_tokens":9,"max_completion_tokens":512,"seed":-42,"n":3,"temperature":0.7,` +
			`"top_p":1e-1,"top_k":40,"frequency_penalty":-0.5,"presence_penalty":1}`, map[Param]any{
			ParamMaxTokens:           int64(9),
			ParamMaxCompletionTokens: int64(512),
			ParamSeed:                int64(-42),
			ParamChoiceCount:         int64(3),
			ParamTemperature:         0.7,
			ParamTopP:                0.1,
			ParamTopK:                40.0,
			ParamFrequencyPenalty:    -0.5,
			ParamPresencePenalty:     1.0,
		}},
		{"whole numbers with a fraction or exponent", `{"max_tokens":512.0,"seed":5e2}`, map[Param]any{
			ParamMaxTokens: int64(512),
			ParamSeed:      int64(500),
		}},
		{"wrong types", `{"max_tokens":"9","max_completion_tokens":1.5,"seed":1e19,"n":null,` +
			`"temperature":"hot","top_p":[1],"top_k":{},"frequency_penalty":true,"presence_penalty":1e999}`,
			map[Param]any{}},
		{"a later member replaces an earlier one", `{"max_tokens":9,"max_tokens":10,` +
			`"seed":1,"seed":"1","temperature":"hot","temperature":0.5,"top_p":0.5,"top_p":null}`,
			map[Param]any{
				ParamMaxTokens:   int64(10),
				ParamTemperature: 0.5,
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, given(t, readParams(tt.js)))
		})
	}
}

// TestParamsReadUnknown: a value that names no parameter is not read.
func TestParamsReadUnknown(t *testing.T) {
	var p Params
	Walk(`{"a":1}`, func(it *Iterator) bool {
		if it.Level() == 1 {
			p.Read(it, ParamCount)
			p.Read(it, 200)
		}
		return false
	})
	assert.Equal(t, Params{}, p)
	_, ok := p.Int(200)
	assert.False(t, ok)
	_, ok = p.Float(200)
	assert.False(t, ok)
}

// setter notes the setters called.
type setter []string

func (s *setter) note(name string, v any) { *s = append(*s, fmt.Sprintf("%s(%v)", name, v)) }

func (s *setter) SetMaxTokens(n int64)            { s.note("MaxTokens", n) }
func (s *setter) SetTemperature(t float64)        { s.note("Temperature", t) }
func (s *setter) SetTopP(p float64)               { s.note("TopP", p) }
func (s *setter) SetTopK(k float64)               { s.note("TopK", k) }
func (s *setter) SetFrequencyPenalty(p float64)   { s.note("FrequencyPenalty", p) }
func (s *setter) SetPresencePenalty(p float64)    { s.note("PresencePenalty", p) }
func (s *setter) SetSeed(seed int64)              { s.note("Seed", seed) }
func (s *setter) SetChoiceCount(n int64)          { s.note("ChoiceCount", n) }
func (s *setter) SetStopSequences(seqs ...string) { s.note("StopSequences", seqs) }
func (s *setter) SetOutputType(t string)          { s.note("OutputType", t) }

func TestParamsRecord(t *testing.T) {
	for _, tt := range []struct {
		name, js   string
		outputType string
		stop       []string
		want       []string
	}{
		{name: "none", js: `{}`},
		{name: "given only", js: `{"temperature":0.5,"n":1,"top_k":"x"}`,
			want: []string{"Temperature(0.5)", "ChoiceCount(1)"}},
		{name: "max_completion_tokens wins", js: `{"max_tokens":9,"max_completion_tokens":512}`,
			want: []string{"MaxTokens(512)"}},
		{name: "max_tokens without max_completion_tokens", js: `{"max_tokens":9,"max_completion_tokens":"512"}`,
			want: []string{"MaxTokens(9)"}},
		{name: "all", js: `{"max_tokens":9,"seed":-42,"n":3,"temperature":0.7,` +
			`"top_p":0.1,"top_k":40,"frequency_penalty":-0.5,"presence_penalty":1}`,
			outputType: "json", stop: []string{"END", "\n"},
			want: []string{"MaxTokens(9)", "Temperature(0.7)", "TopP(0.1)", "TopK(40)",
				"FrequencyPenalty(-0.5)", "PresencePenalty(1)", "Seed(-42)", "ChoiceCount(3)",
				"StopSequences([END \n])", "OutputType(json)"}},
		{name: "no stop sequences", js: `{}`, stop: []string{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := readParams(tt.js)
			p.OutputType, p.StopSequences = tt.outputType, tt.stop
			var s setter
			p.Record(&s)
			assert.Equal(t, tt.want, []string(s))
		})
	}
}
