// Package dialect holds one mapper per instrumentation dialect. A mapper
// writes the canonical vocabulary (package vocabulary) from the keys its
// dialect uses, and never replaces a canonical value a span already has.
package dialect

import (
	"math"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/inference"
)

// Mapper maps the spans of one dialect.
type Mapper interface {
	// Map writes canonical attributes on span when it speaks the dialect
	// (known from its instrumentation scope or its keys) and does nothing
	// otherwise. It must look at the attributes in one pass: pdata maps are
	// slices, so a lookup per key scans them again and again.
	Map(scope pcommon.InstrumentationScope, span ptrace.Span)
}

// canonicalProvider is the semconv gen_ai.provider.name value of a provider
// any dialect names; a value the inference package does not know is kept
// (the instrumentation named a provider, which beats a guess), lower-cased
// and trimmed as semconv's values are, so that OpenLLMetry's "Ollama" and
// another instrumentation's "ollama" are one provider.
func canonicalProvider(v string) string {
	if canonical, known := inference.NormalizeProvider(v); known {
		return canonical
	}
	// Neither allocates for a value already trimmed and lower case.
	return strings.ToLower(strings.TrimSpace(v))
}

// providerHint is v, a provider a dialect names, or "" when v names an
// agent framework or library (agno, langchain, crewai, ...), which serves no
// model and so is no provider.
func providerHint(v string) string {
	if inference.IsFramework(v) {
		return ""
	}
	return v
}

// number reads an int or double attribute as float64.
func number(v pcommon.Value) (float64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return float64(v.Int()), true
	case pcommon.ValueTypeDouble:
		return v.Double(), true
	}
	return 0, false
}

// TokenCount reads a token count: an int, or a double holding a whole
// number (JSON 55.0, or an exporter that sends every number as a double),
// as the Rastir server and the span-metrics connector count it.
func TokenCount(v pcommon.Value) (int64, bool) {
	switch v.Type() {
	case pcommon.ValueTypeInt:
		return v.Int(), true
	case pcommon.ValueTypeDouble:
		if d := v.Double(); d == math.Trunc(d) && math.Abs(d) < 1<<53 {
			return int64(d), true
		}
	}
	return 0, false
}

// truthy is Python truthiness for the values a Rastir client sends.
func truthy(v pcommon.Value) bool {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return v.Str() != ""
	case pcommon.ValueTypeBool:
		return v.Bool()
	case pcommon.ValueTypeInt:
		return v.Int() != 0
	case pcommon.ValueTypeDouble:
		return v.Double() != 0
	case pcommon.ValueTypeSlice:
		return v.Slice().Len() > 0
	case pcommon.ValueTypeMap:
		return v.Map().Len() > 0
	}
	return false
}

// Options configure every mapper.
type Options struct {
	// RemoveSourceKeys removes a dialect's input key once the mapper has
	// written its value to a canonical key (and only then: a key whose
	// canonical key was already set, or whose value the canonical key
	// cannot hold, such as an out-of-enum guardrail action, is kept).
	// Content keys are the content section's, and the rastir.wire.* keys
	// are never removed.
	RemoveSourceKeys bool
}

// sourceKeys collects the input keys a mapper wrote canonical keys from,
// to remove them in one pass at the end.
type sourceKeys struct {
	on   bool
	keys [16]string
	n    int
}

// add notes k for removal; a mapper never adds more keys than the array
// holds (the largest, Rastir's, adds 13).
func (s *sourceKeys) add(k string) {
	if s.on && s.n < len(s.keys) {
		s.keys[s.n] = k
		s.n++
	}
}

// removeFrom removes the noted keys from attrs in one pass.
func (s *sourceKeys) removeFrom(attrs pcommon.Map) {
	if s.n == 0 {
		return
	}
	keys := s.keys[:s.n]
	attrs.RemoveIf(func(k string, _ pcommon.Value) bool {
		for _, r := range keys {
			if k == r {
				return true
			}
		}
		return false
	})
}
