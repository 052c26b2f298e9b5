package jsonwalk

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
)

type seen struct {
	level              int
	key, str           string
	count              int64
	object, array, yes bool
}

func TestValues(t *testing.T) {
	var got []seen
	Walk(`{"a":"x\u00e9\"y","n":[19,-3,2.9,1e3,12345678901234567890,true],"o":{}}`, func(it *Iterator) bool {
		got = append(got, seen{it.Level(), it.Key(), String(it), Count(it), IsObject(it), IsArray(it), IsTrue(it)})
		return false
	})
	assert.Equal(t, []seen{
		{level: 0, count: -1, object: true},
		{level: 1, key: `"a"`, str: "xé\"y", count: -1},
		{level: 1, key: `"n"`, count: -1, array: true},
		{level: 2, count: 19},
		{level: 2, count: -3},
		{level: 2, count: 2},
		{level: 2, count: 1000},
		{level: 2, count: -1},
		{level: 2, count: -1, yes: true},
		{level: 1, key: `"o"`, count: -1, object: true},
	}, got)
}

func TestWalkStops(t *testing.T) {
	for name, js := range map[string]string{
		"visitor stops": `{"a":1,"b":2}`,
		"syntax error":  `{"a":1,"b"`,
	} {
		var keys []string
		Walk(js, func(it *Iterator) bool {
			keys = append(keys, it.Key())
			return it.Key() == `"a"` && name == "visitor stops"
		})
		assert.Equal(t, []string{"", `"a"`}, keys[:2], name)
		if name == "visitor stops" {
			assert.Len(t, keys, 2)
		}
	}
}

// TestWalkCutMember: a text cut inside a count ends with what looks like a
// whole number; that member is not visited.
func TestWalkCutMember(t *testing.T) {
	var keys []string
	var counts []int64
	Walk(`{"usage":{"prompt_tokens":19,"completion_tokens":1`, func(it *Iterator) bool {
		keys = append(keys, it.Key())
		counts = append(counts, Count(it))
		return false
	})
	assert.Equal(t, []string{"", `"usage"`, `"prompt_tokens"`}, keys)
	assert.Equal(t, []int64{-1, -1, 19}, counts)
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		js  string
		i   int64
		iok bool
		f   float64
		fok bool
	}{
		{`512`, 512, true, 512, true},
		{`-7`, -7, true, -7, true},
		{`-0`, 0, true, 0, true},
		{`512.0`, 512, true, 512, true},
		{`5.12e2`, 512, true, 512, true},
		{`1E3`, 1000, true, 1000, true},
		{`0.7`, 0, false, 0.7, true},
		{`-1.5`, 0, false, -1.5, true},
		{`9223372036854775807`, 9223372036854775807, true, 9223372036854775807, true},
		{`-9223372036854775808`, -9223372036854775808, true, -9223372036854775808, true},
		{`9223372036854775808`, 0, false, 9223372036854775808, true},
		{`123456789012345678901234`, 0, false, 123456789012345678901234, true},
		{`1e19`, 0, false, 1e19, true},
		{`-1e19`, 0, false, -1e19, true},
		{`1e400`, 0, false, 0, false},
		{`"5"`, 0, false, 0, false},
		{`true`, 0, false, 0, false},
		{`null`, 0, false, 0, false},
		{`[5]`, 0, false, 0, false},
	}
	for _, tt := range tests {
		var i, f []any
		Walk(`{"v":`+tt.js+`,"end":0}`, func(it *Iterator) bool {
			if it.Key() == `"v"` {
				n, ok := Int(it)
				i = []any{n, ok}
				x, ok := Float(it)
				if !ok {
					x = 0
				}
				f = []any{x, ok}
			}
			return false
		})
		assert.Equal(t, []any{tt.i, tt.iok}, i, tt.js)
		assert.Equal(t, []any{tt.f, tt.fok}, f, tt.js)
	}
}

func TestStringList(t *testing.T) {
	for _, tt := range []struct {
		js   string
		want []string
	}{
		{`{"stop":"END"}`, []string{"END"}},
		{`{"arr":"END"}`, nil},
		{`{"arr":["END"]}`, []string{"END"}},
		{`{"stop":["\n\n","E\u004eD",""]}`, []string{"\n\n", "END", ""}},
		{`{"stop":[]}`, nil},
		{`{"stop":["a",1]}`, nil},
		{`{"stop":["a",["b"]]}`, nil},
		{`{"stop":null}`, nil},
		{`{"stop":{"a":"b"}}`, nil},
		{`{"stop":["a"],"stop":"\tb"}`, []string{"\tb"}},
		{`{"stop":["a"],"stop":7}`, nil},
	} {
		var l *StringList
		var top bool
		Walk(tt.js, func(it *Iterator) bool {
			switch it.Level() {
			case 1:
				top = it.Key() == `"stop"` || it.Key() == `"arr"`
				if top {
					l = l.Start(it, it.Key() == `"stop"`)
				}
			case 2:
				if top {
					l.Add(it)
				}
			}
			return false
		})
		assert.Equal(t, tt.want, slices.Clone(l.Views()), tt.js)
		l.Release()
	}
	var l *StringList
	assert.Nil(t, l.Views())
	l.Add(nil)
	l.Release()
}
