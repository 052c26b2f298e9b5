package cardinalityprocessor

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

const overflow = vocabulary.OverflowValue

func TestDimensionGuard(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		aliases map[string]string
		inputs  []string
		want    []string
		size    int
		over    int64
	}{
		{
			name:   "cap",
			max:    2,
			inputs: []string{"a", "b", "c", "a", "b", "c", "d"},
			want:   []string{"a", "b", overflow, "a", "b", overflow, overflow},
			size:   2, over: 3,
		},
		{
			name:   "overflow value passes and is never admitted",
			max:    2,
			inputs: []string{overflow, overflow, "a", "b", "c"},
			want:   []string{overflow, overflow, "a", "b", overflow},
			size:   2, over: 1,
		},
		{
			name:   "empty string passes and takes no slot",
			max:    2,
			inputs: []string{"", "a", "b", "", "c"},
			want:   []string{"", "a", "b", "", overflow},
			size:   2, over: 1,
		},
		{
			name:    "an alias takes the slot of the value it stands for and passes as itself",
			max:     2,
			aliases: map[string]string{"gcp.gemini": "gemini", "aws.bedrock": "bedrock"},
			inputs:  []string{"gemini", "gcp.gemini", "openai", "aws.bedrock", "bedrock", "gcp.gemini"},
			want:    []string{"gemini", "gcp.gemini", "openai", overflow, overflow, "gcp.gemini"},
			size:    2, over: 2,
		},
		{
			name:    "an alias admits the value it stands for",
			max:     1,
			aliases: map[string]string{"gcp.gemini": "gemini"},
			inputs:  []string{"gcp.gemini", "gemini", "openai"},
			want:    []string{"gcp.gemini", "gemini", overflow},
			size:    1, over: 1,
		},
		{
			name:   "case-sensitive",
			max:    1,
			inputs: []string{"GPT-4o", "gpt-4o"},
			want:   []string{"GPT-4o", overflow},
			size:   1, over: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := newDimension("d", tt.max, overflow, 0, tt.aliases)
			var got []string
			for _, in := range tt.inputs {
				got = append(got, d.guard(in, 0))
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.size, d.size())
			assert.Equal(t, tt.over, d.overflows.Load())
		})
	}
}

func TestDimensionAdmitCopiesValue(t *testing.T) {
	d := newDimension("d", 1, overflow, 0, nil)
	b := []byte("model-a and more")
	s := string(b[:7])
	require.Equal(t, "model-a", d.guard(s, 0))
	for v := range d.seen {
		assert.Equal(t, "model-a", v)
	}
}

func TestDimensionWindow(t *testing.T) {
	window := time.Minute
	d := newDimension("d", 2, overflow, window.Nanoseconds(), nil)
	at := func(dur time.Duration) int64 { return int64(dur) }

	assert.Equal(t, "a", d.guard("a", at(0)))
	assert.Equal(t, "b", d.guard("b", at(10*time.Second)))
	assert.Equal(t, overflow, d.guard("c", at(30*time.Second)), "full, nothing aged out")
	// "a" is seen again: it stays young.
	assert.Equal(t, "a", d.guard("a", at(50*time.Second)))
	// At 75s "b" (last seen 10s) has been idle longer than the window plus
	// the refresh granularity (60s + 3.75s); "a" (50s) has not.
	assert.Equal(t, "c", d.guard("c", at(75*time.Second)))
	assert.Equal(t, 2, d.size())
	assert.Equal(t, "a", d.guard("a", at(76*time.Second)))
	assert.Equal(t, "c", d.guard("c", at(76*time.Second)))
	assert.Equal(t, overflow, d.guard("b", at(76*time.Second)), "b lost its slot")
	assert.Equal(t, int64(2), d.overflows.Load())

	// Never freed before the window: idle for exactly the window.
	d2 := newDimension("d2", 1, overflow, window.Nanoseconds(), nil)
	assert.Equal(t, "x", d2.guard("x", 0))
	assert.Equal(t, overflow, d2.guard("y", at(window)))
	// Everything aged out: the set empties and admits again.
	assert.Equal(t, "y", d2.guard("y", at(3*window)))
	assert.Equal(t, 1, d2.size())
}

// TestDimensionSnapshot checks that lookups which miss the lock-free
// snapshot, admitted values and overflowing ones alike, republish it.
func TestDimensionSnapshot(t *testing.T) {
	d := newDimension("d", 3, overflow, 0, nil)
	for _, v := range []string{"a", "b", "c"} {
		require.Equal(t, v, d.guard(v, 0))
	}
	for i := 0; len(*d.snapshot.Load()) < 3; i++ {
		require.Less(t, i, 3, "the snapshot lags after %d overflowing lookups", i)
		require.Equal(t, overflow, d.guard(fmt.Sprintf("x%d", i), 0))
	}
	assert.Equal(t, "a", d.guard("a", 0))
	assert.Equal(t, 3, d.size())
}

func TestDimensionWindowZeroNeverAges(t *testing.T) {
	d := newDimension("d", 1, overflow, 0, nil)
	assert.Equal(t, "a", d.guard("a", 0))
	assert.Equal(t, overflow, d.guard("b", int64(1000*time.Hour)))
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc"},
		{"abcd", 0, "abcd"},
		{"héllo", 2, "hé"},
		{"héllo", 5, "héllo"}, // 6 bytes, 5 runes: unchanged
		{"日本語テキスト", 3, "日本語"}, // 3 bytes per rune
		{"a\xffb\xfec", 3, "a\xffb"},
		{strings.Repeat("x", 200), 128, strings.Repeat("x", 128)},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/%d", tt.in, tt.max), func(t *testing.T) {
			assert.Equal(t, tt.want, clip(tt.in, tt.max))
		})
	}
}

func TestEnumBound(t *testing.T) {
	e := newEnum("span_type", []string{"llm", "tool"}, overflow)
	assert.Equal(t, "llm", e.bound("llm"))
	assert.Equal(t, overflow, e.bound("LLM"))
	assert.Equal(t, overflow, e.bound(""))
	assert.Equal(t, overflow, e.bound(overflow))
	assert.Equal(t, int64(2), e.overflows.Load(), "the overflow value itself is not counted")
}
