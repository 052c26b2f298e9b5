package spanmetricsllm

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/processor/processortest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor"
)

// rastirSeries reads the samples of family name from a Prometheus text
// exposition, keyed like points(): labels in the order of labelNames.
func rastirSeries(t *testing.T, path, name string, labelNames []string) map[string]float64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	out := map[string]float64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		end := strings.LastIndexByte(line, '}')
		labels := map[string]string{}
		for _, kv := range splitLabels(line[len(name)+1 : end]) {
			k, val, _ := strings.Cut(kv, "=")
			labels[k] = strings.Trim(val, `"`)
		}
		var key []string
		for _, l := range labelNames {
			key = append(key, l+"="+labels[l])
		}
		value, err := strconv.ParseFloat(strings.TrimSpace(line[end+1:]), 64)
		require.NoError(t, err)
		out[strings.Join(key, ",")] = value
	}
	require.NoError(t, sc.Err())
	return out
}

// splitLabels splits `a="x",b="y,z"` at the commas between labels.
func splitLabels(s string) []string {
	var parts []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			inQuote = !inQuote
		case ',':
			if !inQuote {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	if start < len(s) {
		parts = append(parts, s[start:])
	}
	return parts
}

// TestRastirClientFixtures replays the real Rastir client's batches through
// the rastir decoder, llm_enrich with its default configuration and this
// connector, and compares every family with what the Rastir server exposed
// after ingesting the same batches: no difference on these batches.
func TestRastirClientFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "rastir-client", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths)

	tc := newTestConnector(t, defaultConfig())
	enrichFactory := llmenrichprocessor.NewFactory()
	enriched := new(consumertest.TracesSink)
	enrich, err := enrichFactory.CreateTraces(context.Background(), processortest.NewNopSettings(enrichFactory.Type()),
		enrichFactory.CreateDefaultConfig(), enriched)
	require.NoError(t, err)
	decoder := rastirjson.NewDecoder(rastirjson.DefaultLimits())
	for _, p := range paths {
		body, err := os.ReadFile(p)
		require.NoError(t, err)
		td, err := decoder.Decode(body)
		require.NoError(t, err, p)
		require.NoError(t, enrich.ConsumeTraces(context.Background(), td))
	}
	for _, td := range enriched.AllTraces() {
		tc.consume(t, td)
	}
	md := tc.flushed(t)

	server := filepath.Join("testdata", "rastir-server", "metrics.txt")
	// Every span-derived family: counters by value, histograms by count
	// and sum (bucket by bucket in the end-to-end comparison).
	for _, fam := range tc.families {
		t.Run(fam.name, func(t *testing.T) {
			got := points(md, fam.name)
			if fam.kind != kindHistogram {
				want := rastirSeries(t, server, fam.name, fam.labels)
				if fam.name != namePricingMissing { // the client found every price
					require.NotEmpty(t, want)
				}
				assertSameValues(t, want, got, func(p point) float64 { return p.value })
				return
			}
			want := rastirSeries(t, server, fam.name+"_count", fam.labels)
			require.NotEmpty(t, want)
			assertSameValues(t, want, got, func(p point) float64 { return p.value })
			assertSameValues(t, rastirSeries(t, server, fam.name+"_sum", fam.labels), got, func(p point) float64 { return p.sum })
		})
	}
}

// assertSameValues checks that got has exactly the series of want, with
// the same values (to rounding: sums of doubles depend on their order).
func assertSameValues(t *testing.T, want map[string]float64, got map[string]point, value func(point) float64) {
	t.Helper()
	gotValues := map[string]float64{}
	for k, p := range got {
		gotValues[k] = value(p)
	}
	require.ElementsMatch(t, keys(want), keys(gotValues))
	for k, w := range want {
		assert.InDelta(t, w, gotValues[k], 1e-9*max(1, w), k)
	}
}

func keys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
