package jsonwalk

import (
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
