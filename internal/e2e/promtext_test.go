package e2e

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// page is a Prometheus exposition flattened into its samples: the key is
// the series as Prometheus names it (name{label="value",...}, labels
// sorted, histogram buckets as name_bucket{le=...}), the value its number.
type page map[string]float64

// parsePage reads a text exposition. Families ending in _created (Python's
// client adds them; they are creation timestamps, not data) are left out,
// and bucket bounds are normalised ("1.0" and "1" are the same bound).
func parsePage(t *testing.T, text string) page {
	t.Helper()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parsing the metrics page: %v", err)
	}
	out := page{}
	for name, mf := range families {
		if strings.HasSuffix(name, "_created") {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := labelPairs(m.GetLabel())
			switch mf.GetType() {
			case dto.MetricType_COUNTER:
				out[seriesKey(name, labels)] = m.GetCounter().GetValue()
			case dto.MetricType_GAUGE:
				out[seriesKey(name, labels)] = m.GetGauge().GetValue()
			case dto.MetricType_UNTYPED:
				out[seriesKey(name, labels)] = m.GetUntyped().GetValue()
			case dto.MetricType_HISTOGRAM:
				h := m.GetHistogram()
				for _, b := range h.GetBucket() {
					le := append(append([][2]string(nil), labels...), [2]string{"le", formatBound(b.GetUpperBound())})
					out[seriesKey(name+"_bucket", le)] = float64(b.GetCumulativeCount())
				}
				le := append(append([][2]string(nil), labels...), [2]string{"le", "+Inf"})
				out[seriesKey(name+"_bucket", le)] = float64(h.GetSampleCount())
				out[seriesKey(name+"_sum", labels)] = h.GetSampleSum()
				out[seriesKey(name+"_count", labels)] = float64(h.GetSampleCount())
			default:
				t.Fatalf("family %s: unexpected type %s", name, mf.GetType())
			}
		}
	}
	return out
}

func labelPairs(pairs []*dto.LabelPair) [][2]string {
	out := make([][2]string, 0, len(pairs))
	for _, p := range pairs {
		out = append(out, [2]string{p.GetName(), p.GetValue()})
	}
	return out
}

func formatBound(v float64) string {
	if math.IsInf(v, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

func seriesKey(name string, labels [][2]string) string {
	sort.Slice(labels, func(i, j int) bool { return labels[i][0] < labels[j][0] })
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte('{')
	for i, l := range labels {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%s=%q", l[0], l[1])
	}
	b.WriteByte('}')
	return b.String()
}

// family is the metric family a series key belongs to.
func family(key string) string {
	name := key[:strings.IndexByte(key, '{')]
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		if trimmed, ok := strings.CutSuffix(name, suffix); ok && trimmed != "" {
			return trimmed
		}
	}
	return name
}

// diffPages lists, sorted, every series of the families selected by keep
// that is missing from got ("- key want"), only in got ("+ key got"), or
// has another value ("~ key want -> got"; relative tolerance 1e-9, as the
// two servers sum floats in another order).
func diffPages(want, got page, keep func(family string) bool) []string {
	var out []string
	for key, w := range want {
		if !keep(family(key)) {
			continue
		}
		g, ok := got[key]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("- %s %s", key, formatValue(w)))
		case !closeEnough(w, g):
			out = append(out, fmt.Sprintf("~ %s %s -> %s", key, formatValue(w), formatValue(g)))
		}
	}
	for key, g := range got {
		if !keep(family(key)) {
			continue
		}
		if _, ok := want[key]; !ok {
			out = append(out, fmt.Sprintf("+ %s %s", key, formatValue(g)))
		}
	}
	sort.Strings(out)
	return out
}

func closeEnough(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

func formatValue(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func rastirServerPage(t *testing.T) page {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testdata, "rastir-server", "metrics.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return parsePage(t, string(raw))
}

// TestDiffPages checks the comparison itself: the reference page equals
// itself, and a changed value, a missing and an extra series are found.
func TestDiffPages(t *testing.T) {
	want := rastirServerPage(t)
	all := func(string) bool { return true }
	if d := diffPages(want, want, all); len(d) != 0 {
		t.Fatalf("the page differs from itself: %v", d)
	}
	if _, ok := want[`rastir_duration_seconds_bucket{agent="support_agent",env="capture",le="1",model="gpt-4o",provider="openai",service="rastir-harness",span_type="llm"}`]; !ok {
		t.Fatalf("bucket bounds are not normalised; keys: %d", len(want))
	}
	got := page{}
	for k, v := range want {
		got[k] = v
	}
	const changed = `rastir_llm_calls_total{agent="support_agent",env="capture",model="gpt-4o",provider="openai",service="rastir-harness"}`
	if _, ok := got[changed]; !ok {
		t.Fatalf("fixture lacks %s", changed)
	}
	got[changed]++
	const missing = `rastir_errors_total{agent="error_agent",env="capture",error_type="timeout",model="gpt-4o",provider="openai",service="rastir-harness",span_type="llm"}`
	if _, ok := got[missing]; !ok {
		t.Fatalf("fixture lacks %s", missing)
	}
	delete(got, missing)
	got[`rastir_llm_calls_total{agent="x"}`] = 1
	d := diffPages(want, got, all)
	if len(d) != 3 || d[0][0] != '+' || d[1][0] != '-' || d[2][0] != '~' {
		t.Fatalf("diff: %v", d)
	}
}
