package llmenrichprocessor

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// FuzzBedrockGuardrailAssessment reads any assessment sent as a JSON
// string, and as the OTLP value encoding/json decodes from it, without a
// panic and in bounded depth. When encoding/json accepts the string, the
// value, built in the string's key order, must give the span the same
// guardrail action and category as the string (the walks differ only in
// the reader: fastjson for the string).
func FuzzBedrockGuardrailAssessment(f *testing.F) {
	for _, s := range []string{
		converseTraceContent, converseTraceOutputPII, invokeTraceTopic, traceDetectOnly, traceGrounding, traceReasoning, applyGuardrail,
		`{"inputAssessment":`, `[]`, `{}`, `"x"`, `null`,
		strings.Repeat(`{"a":`, maxAssessmentDepth-3) + `{"contentPolicy":{"action":"BLOCKED"}}` + strings.Repeat(`}`, maxAssessmentDepth-3),
		strings.Repeat(`{"a":`, maxAssessmentDepth) + `{"contentPolicy":{"action":"BLOCKED"}}` + strings.Repeat(`}`, maxAssessmentDepth),
		strings.Repeat(`[`, 400) + strings.Repeat(`]`, 400),
		`{"wordPolicy":{"action":"BLOCKED","action":"NONE"},"action":"NONE"}`,
		`{"topicPolicy":{"topics":[{"type":"deny","action":"BLOCKED\ud800"}]}}`,
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte(traceDetectOnly), true)
	f.Fuzz(func(t *testing.T, data []byte, intervened bool) {
		str := guardrailOutcome(pcommon.NewValueStr(string(data)), intervened)
		v, depth, unique, ok := valueFromJSON(data)
		if !ok {
			return
		}
		got := guardrailOutcome(v, intervened)
		// fastjson parses no deeper than 300 levels; the walk cuts off far
		// sooner.
		if depth > 4*maxAssessmentDepth || !unique {
			return
		}
		if v.Type() == pcommon.ValueTypeStr {
			// A JSON string inside the string is read as JSON again.
			return
		}
		assert.Equal(t, str, got, "%s", data)
	})
}

// guardrailOutcome is the guardrail action and category mapGuardrail
// gives a span with the assessment v.
func guardrailOutcome(v pcommon.Value, intervened bool) [2]string {
	span := ptrace.NewSpan()
	attrs := span.Attributes()
	attrs.PutStr(vocabulary.AWSBedrockGuardrailID, "gr-1")
	v.CopyTo(attrs.PutEmpty(vocabulary.AWSBedrockGuardrailAssessment))
	if intervened {
		attrs.PutEmptySlice(vocabulary.GenAIResponseFinishReasons).AppendEmpty().SetStr(vocabulary.BedrockStopReasonGuardrailIntervened)
	}
	mapGuardrail(span)
	var out [2]string
	for i, key := range []string{vocabulary.RastirGuardrailAction, vocabulary.RastirGuardrailCategory} {
		if got, ok := attrs.Get(key); ok {
			out[i] = got.AsString()
		}
	}
	return out
}

// valueFromJSON decodes data with encoding/json into an OTLP value, keeping
// the order of an object's keys (a Go map would lose it, and the first
// policy that acted is the one named). It returns the value's depth and
// whether no object repeats a key, and false when encoding/json rejects
// data.
func valueFromJSON(data []byte) (v pcommon.Value, depth int, unique, ok bool) {
	if !json.Valid(data) {
		return pcommon.Value{}, 0, false, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v = pcommon.NewValueEmpty()
	unique = true
	depth, err := decodeValue(dec, v, &unique)
	if err != nil {
		return pcommon.Value{}, 0, false, false
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return pcommon.Value{}, 0, false, false
	}
	return v, depth, unique, true
}

// decodeValue reads the next JSON value of dec into v and returns its depth.
func decodeValue(dec *json.Decoder, v pcommon.Value, unique *bool) (int, error) {
	tok, err := dec.Token()
	if err != nil {
		return 0, err
	}
	switch tok := tok.(type) {
	case json.Delim:
		depth := 0
		if tok == '[' {
			s := v.SetEmptySlice()
			for dec.More() {
				d, err := decodeValue(dec, s.AppendEmpty(), unique)
				if err != nil {
					return 0, err
				}
				depth = max(depth, d)
			}
		} else {
			m := v.SetEmptyMap()
			for dec.More() {
				key, err := dec.Token()
				if err != nil {
					return 0, err
				}
				k, _ := key.(string)
				if _, dup := m.Get(k); dup {
					*unique = false
				}
				d, err := decodeValue(dec, m.PutEmpty(k), unique)
				if err != nil {
					return 0, err
				}
				depth = max(depth, d)
			}
		}
		if _, err := dec.Token(); err != nil { // the closing delimiter
			return 0, err
		}
		return depth + 1, nil
	case string:
		v.SetStr(tok)
	case json.Number:
		if n, err := tok.Int64(); err == nil {
			v.SetInt(n)
		} else {
			f, _ := tok.Float64()
			v.SetDouble(f)
		}
	case bool:
		v.SetBool(tok)
	}
	return 0, nil
}
