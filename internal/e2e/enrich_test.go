package e2e

import (
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// enrichConfig is receiver → llm_enrich → file exporter, the processor's
// place in the default pipeline.
const enrichConfig = `
receivers:
  rastir:
    endpoint: 127.0.0.1:{{.Port.rastir}}
processors:
  llm_enrich: {}
exporters:
  file:
    path: {{.Dir}}/spans.jsonl
    flush_interval: 100ms
service:
  pipelines:
    traces:
      receivers: [rastir]
      processors: [llm_enrich]
      exporters: [file]
`

// TestEnrichThroughThePipeline replays the real client's batches through
// the built binary: spans reach the exporter with the canonical keys, error
// categories, and without prompt or completion text.
func TestEnrichThroughThePipeline(t *testing.T) {
	c := startCollector(t, enrichConfig, nil, nil)
	for _, want := range replayExpectations(t) {
		if status, _, body := post(t, c.url("/v1/telemetry"), fixture(t, want.file), nil); status != want.status {
			t.Fatalf("%s: %d %s", want.file, status, body)
		}
	}
	c.stop()
	exported := mergeTraces(readFileExport(t, filepath.Join(c.dir, "spans.jsonl")))
	counts := map[string]int{}
	for _, rs := range exported.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				a := span.Attributes()
				spanType := attrString(a, vocabulary.RastirSpanTypeKey)
				counts[spanType]++
				if spanType == vocabulary.SpanTypeLLM {
					if attrString(a, vocabulary.GenAIOperationName) != vocabulary.OperationChat ||
						attrString(a, vocabulary.GenAIRequestModel) == "" || attrString(a, vocabulary.GenAIProviderName) == "" {
						t.Errorf("llm span %q lacks canonical keys: %v", span.Name(), a.AsRaw())
					}
				}
				if span.Status().Code() == ptrace.StatusCodeError && attrString(a, vocabulary.RastirErrorCategoryKey) == "" {
					t.Errorf("error span %q has no category", span.Name())
				}
				for _, k := range []string{vocabulary.RastirAttrPromptText, vocabulary.RastirAttrCompletionText} {
					if _, ok := a.Get(k); ok {
						t.Errorf("span %q still carries %s", span.Name(), k)
					}
				}
			}
		}
	}
	// The fixtures hold 160 spans by span_type; the client's trace and
	// metric spans count as system.
	want := map[string]int{"llm": 47, "agent": 36, "tool": 33, "retrieval": 33, "system": 10, "infra": 1}
	for k, n := range want {
		if counts[k] != n {
			t.Errorf("%s spans: %d, want %d (all: %v)", k, counts[k], n, counts)
		}
	}
}

func attrString(m pcommon.Map, k string) string {
	v, ok := m.Get(k)
	if !ok {
		return ""
	}
	return v.AsString()
}
