// Package rastirjsontest checks that pdata traces carry everything a Rastir
// batch sent. Tests of the decoder and of the built collector share it.
package rastirjsontest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Compare reports every way in which the spans of the Rastir batch body are
// not faithfully present in td. Spans are matched by trace and span id, so
// td may hold other spans too and may group them differently (for example
// after a batch processor).
func Compare(body []byte, td ptrace.Traces) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var batch map[string]any
	if err := dec.Decode(&batch); err != nil {
		return fmt.Errorf("the batch itself is not JSON: %w", err)
	}
	index := map[string]struct {
		span ptrace.Span
		res  pcommon.Resource
	}{}
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				index[outputKey(s)] = struct {
					span ptrace.Span
					res  pcommon.Resource
				}{s, rs.Resource()}
			}
		}
	}
	var errs []error
	spans, _ := batch[vocabulary.WireSpans].([]any)
	for i, raw := range spans {
		in, _ := raw.(map[string]any)
		key, ok := inputKey(in)
		if !ok {
			// A span without ids gets random ones: nothing to match it by.
			continue
		}
		got, ok := index[key]
		if !ok {
			errs = append(errs, fmt.Errorf("spans[%d] (%s) is missing", i, key))
			continue
		}
		for _, d := range compareSpan(batch, in, got.span, got.res) {
			errs = append(errs, fmt.Errorf("spans[%d] (%s): %s", i, key, d))
		}
	}
	return errors.Join(errs...)
}

// inputKey and outputKey identify a span by trace and span id. An id the
// OTLP id cannot reproduce travels as a rastir.* attribute, so it is compared
// through that.
func inputKey(in map[string]any) (string, bool) {
	t, _ := in[vocabulary.WireTraceID].(string)
	s, _ := in[vocabulary.WireSpanID].(string)
	if t == "" || s == "" {
		return "", false
	}
	if len(t) != 32 || !isLowerHex(t) || isZero(t) {
		t = "raw:" + t
	}
	if (len(s) == 16 || len(s) == 32) && isLowerHex(s) && !isZero(s[:16]) {
		s = s[:16]
	} else {
		s = "raw:" + s
	}
	return t + "/" + s, true
}

func outputKey(s ptrace.Span) string {
	t, sp := s.TraceID().String(), s.SpanID().String()
	if v, ok := s.Attributes().Get(vocabulary.WireKeyTraceID); ok {
		t = "raw:" + v.Str()
	}
	if v, ok := s.Attributes().Get(vocabulary.WireKeySpanID); ok {
		sp = "raw:" + v.Str()
	}
	return t + "/" + sp
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isZero tells an id of zeros, which the decoder hashes (OTLP has no
// all-zero id).
func isZero(s string) bool {
	return strings.Trim(s, "0") == ""
}

func hexID(v any, digits int) string {
	s, _ := v.(string)
	s = strings.ToLower(s)
	if len(s) > digits {
		s = s[:digits]
	}
	return strings.Repeat("0", digits-len(s)) + s
}

func compareSpan(batch, in map[string]any, span ptrace.Span, res pcommon.Resource) []string {
	var diffs []string
	check := func(what string, want, got any) {
		if fmt.Sprint(want) != fmt.Sprint(got) {
			diffs = append(diffs, fmt.Sprintf("%s: want %v, got %v", what, want, got))
		}
	}
	resAttr := func(k string) any {
		v, ok := res.Attributes().Get(k)
		if !ok {
			return nil
		}
		return v.AsRaw()
	}
	check("service.name", orDefault(batch[vocabulary.WireService], vocabulary.UnknownService), resAttr(vocabulary.ResourceServiceName))
	check("deployment.environment.name", orDefault(batch[vocabulary.WireEnv], vocabulary.UnknownEnv), resAttr(vocabulary.ResourceDeploymentEnvironmentName))
	if v, ok := batch[vocabulary.WireVersion].(string); ok {
		check("service.version", v, resAttr(vocabulary.ResourceServiceVersion))
	}

	parent := in[vocabulary.WireParentSpanID]
	if s, _ := parent.(string); s == "" {
		parent = in[vocabulary.WireParentID]
	}
	if s, _ := parent.(string); s != "" {
		if raw, ok := span.Attributes().Get(vocabulary.WireKeyParentSpanID); ok {
			check("parent", s, raw.Str())
		} else {
			check("parent", hexID(s, 16), span.ParentSpanID().String())
		}
	} else {
		check("parent", "", span.ParentSpanID().String())
	}
	check("name", orDefault(in[vocabulary.WireName], vocabulary.WireUnknownName), span.Name())
	if st, ok := in[vocabulary.WireSpanType].(string); ok {
		check("span type", st, attr(span.Attributes(), vocabulary.WireKeySpanType))
	}
	if n, ok := in[vocabulary.WireStartTime].(json.Number); ok {
		check("start", nanos(n), uint64(span.StartTimestamp()))
	}
	if n, ok := in[vocabulary.WireEndTime].(json.Number); ok {
		check("end", nanos(n), uint64(span.EndTimestamp()))
	}
	if n, ok := in[vocabulary.WireDurationMs].(json.Number); ok {
		f, _ := n.Float64()
		check("duration_ms", f, attr(span.Attributes(), vocabulary.WireKeyDurationMs))
	}
	switch in[vocabulary.WireStatus] {
	case vocabulary.WireStatusError:
		check("status", ptrace.StatusCodeError, span.Status().Code())
	default:
		check("status", ptrace.StatusCodeOk, span.Status().Code())
	}

	attrs, _ := in[vocabulary.WireAttributes].(map[string]any)
	for k, want := range attrs {
		got, ok := span.Attributes().Get(k)
		if !ok {
			diffs = append(diffs, fmt.Sprintf("attribute %q is missing", k))
			continue
		}
		if d := compareValue(want, got); d != "" {
			diffs = append(diffs, fmt.Sprintf("attribute %q: %s", k, d))
		}
	}

	events, _ := in[vocabulary.WireEvents].([]any)
	if span.Events().Len() != len(events) {
		diffs = append(diffs, fmt.Sprintf("events: want %d, got %d", len(events), span.Events().Len()))
		return diffs
	}
	for j, raw := range events {
		ev, _ := raw.(map[string]any)
		out := span.Events().At(j)
		check(fmt.Sprintf("events[%d].name", j), orDefault(ev[vocabulary.WireEventName], ""), out.Name())
		if n, ok := ev[vocabulary.WireEventTimestamp].(json.Number); ok {
			check(fmt.Sprintf("events[%d].timestamp", j), nanos(n), uint64(out.Timestamp()))
		}
		eattrs, _ := ev[vocabulary.WireEventAttributes].(map[string]any)
		for k, want := range eattrs {
			got, ok := out.Attributes().Get(k)
			if !ok {
				diffs = append(diffs, fmt.Sprintf("events[%d] attribute %q is missing", j, k))
				continue
			}
			if d := compareValue(want, got); d != "" {
				diffs = append(diffs, fmt.Sprintf("events[%d] attribute %q: %s", j, k, d))
			}
		}
	}
	return diffs
}

// compareValue checks value and JSON type: integers must arrive as Int,
// other numbers as Double, and so on recursively.
func compareValue(want any, got pcommon.Value) string {
	switch w := want.(type) {
	case nil:
		if got.Type() != pcommon.ValueTypeEmpty {
			return "want null, got " + got.Type().String()
		}
	case string:
		if got.Type() != pcommon.ValueTypeStr || got.Str() != w {
			return fmt.Sprintf("want string %q, got %s %v", w, got.Type(), got.AsRaw())
		}
	case bool:
		if got.Type() != pcommon.ValueTypeBool || got.Bool() != w {
			return fmt.Sprintf("want bool %v, got %s %v", w, got.Type(), got.AsRaw())
		}
	case json.Number:
		if i, err := w.Int64(); err == nil && !strings.ContainsAny(w.String(), ".eE") {
			if got.Type() != pcommon.ValueTypeInt || got.Int() != i {
				return fmt.Sprintf("want int %v, got %s %v", w, got.Type(), got.AsRaw())
			}
			return ""
		}
		f, _ := w.Float64()
		if got.Type() != pcommon.ValueTypeDouble || got.Double() != f {
			return fmt.Sprintf("want double %v, got %s %v", w, got.Type(), got.AsRaw())
		}
	case []any:
		if got.Type() != pcommon.ValueTypeSlice || got.Slice().Len() != len(w) {
			return fmt.Sprintf("want list of %d, got %s", len(w), got.Type())
		}
		for i, item := range w {
			if d := compareValue(item, got.Slice().At(i)); d != "" {
				return fmt.Sprintf("[%d]: %s", i, d)
			}
		}
	case map[string]any:
		if got.Type() != pcommon.ValueTypeMap || got.Map().Len() != len(w) {
			return fmt.Sprintf("want map of %d, got %s", len(w), got.Type())
		}
		for k, item := range w {
			v, ok := got.Map().Get(k)
			if !ok {
				return fmt.Sprintf("key %q is missing", k)
			}
			if d := compareValue(item, v); d != "" {
				return fmt.Sprintf("%q: %s", k, d)
			}
		}
	}
	return ""
}

func attr(m pcommon.Map, k string) any {
	v, ok := m.Get(k)
	if !ok {
		return nil
	}
	return v.AsRaw()
}

func orDefault(v any, def string) any {
	if v == nil {
		return def
	}
	return v
}

// nanos converts decimal epoch seconds exactly, truncating below 1 ns.
func nanos(n json.Number) uint64 {
	r, ok := new(big.Rat).SetString(n.String())
	if !ok {
		return 0
	}
	r.Mul(r, big.NewRat(1e9, 1))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	return q.Uint64()
}
