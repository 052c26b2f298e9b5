package e2e

import (
	"net/http"
	"path/filepath"
	"strconv"
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

// enrichOTLPConfig is the otlp receiver → llm_enrich → file exporter.
const enrichOTLPConfig = `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{.Port.otlp}}
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
      receivers: [otlp, rastir]
      processors: [llm_enrich]
      exporters: [file]
`

// TestEnrichDialectsThroughThePipeline sends one LLM span in each OTLP
// dialect to the built binary's OTLP receiver: each leaves with the same
// canonical keys.
func TestEnrichDialectsThroughThePipeline(t *testing.T) {
	c := startCollector(t, enrichOTLPConfig, []string{"otlp"}, nil)
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr(vocabulary.ResourceServiceName, "dialects")
	addSpan := func(scope, name string, attrs map[string]any) ptrace.Span {
		ss := rs.ScopeSpans().AppendEmpty()
		ss.Scope().SetName(scope)
		span := ss.Spans().AppendEmpty()
		span.SetName(name)
		span.SetTraceID(pcommon.TraceID{1, 2, 3})
		span.SetSpanID(pcommon.SpanID{byte(rs.ScopeSpans().Len())})
		span.SetStartTimestamp(pcommon.Timestamp(1_760_000_000_000_000_000))
		span.SetEndTimestamp(pcommon.Timestamp(1_760_000_001_000_000_000))
		if err := span.Attributes().FromRaw(attrs); err != nil {
			t.Fatal(err)
		}
		return span
	}
	addSpan("openinference.instrumentation.openai", "ChatCompletion", map[string]any{
		vocabulary.OpenInferenceSpanKind:             vocabulary.OpenInferenceKindLLM,
		vocabulary.OpenInferenceLLMModelName:         "gpt-4o",
		vocabulary.OpenInferenceLLMProvider:          "openai",
		vocabulary.OpenInferenceTokenCountPrompt:     100,
		vocabulary.OpenInferenceTokenCountCompletion: 20,
	})
	addSpan("opentelemetry.instrumentation.anthropic", "anthropic.chat", map[string]any{
		vocabulary.OpenLLMetryRequestType:           "chat",
		vocabulary.OpenLLMetryVendor:                "Anthropic",
		vocabulary.OpenLLMetryRequestModel:          "claude-3-5-sonnet-20241022",
		vocabulary.OpenLLMetryUsagePromptTokens:     50,
		vocabulary.OpenLLMetryUsageCompletionTokens: 10,
	})
	addSpan("opentelemetry.instrumentation.openai.v2", "chat gpt-4o-mini", map[string]any{
		vocabulary.GenAISystemDeprecated:                "openai",
		vocabulary.GenAIOperationName:                   vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:                    "gpt-4o-mini",
		vocabulary.GenAIUsagePromptTokensDeprecated:     30,
		vocabulary.GenAIUsageCompletionTokensDeprecated: 5,
	})
	failed := addSpan("opentelemetry.instrumentation.openai.v2", "chat gpt-4o", map[string]any{
		vocabulary.GenAIProviderName:  vocabulary.ProviderOpenAI,
		vocabulary.GenAIOperationName: vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:  "gpt-4o",
		vocabulary.ErrorType:          "RateLimitError",
	})
	failed.Status().SetCode(ptrace.StatusCodeError)

	body, err := (&ptrace.JSONMarshaler{}).MarshalTraces(td)
	if err != nil {
		t.Fatal(err)
	}
	url := "http://127.0.0.1:" + strconv.Itoa(c.port["otlp"]) + "/v1/traces"
	if status, _, answer := post(t, url, body, map[string]string{"Content-Type": "application/json"}); status != http.StatusOK {
		t.Fatalf("OTLP/HTTP: %d %s", status, answer)
	}
	c.stop()
	exported := mergeTraces(readFileExport(t, filepath.Join(c.dir, "spans.jsonl")))

	type canonical struct {
		provider, model string
		input, output   int64
		category        string
	}
	want := map[string]canonical{
		"ChatCompletion":   {vocabulary.ProviderOpenAI, "gpt-4o", 100, 20, ""},
		"anthropic.chat":   {vocabulary.ProviderAnthropic, "claude-3-5-sonnet-20241022", 50, 10, ""},
		"chat gpt-4o-mini": {vocabulary.ProviderOpenAI, "gpt-4o-mini", 30, 5, ""},
		"chat gpt-4o":      {vocabulary.ProviderOpenAI, "gpt-4o", 0, 0, vocabulary.ErrorRateLimit},
	}
	seen := 0
	for _, rs := range exported.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			for _, span := range ss.Spans().All() {
				w, ok := want[span.Name()]
				if !ok {
					continue
				}
				seen++
				a := span.Attributes()
				model := attrString(a, vocabulary.GenAIRequestModel)
				if model == "" {
					model = attrString(a, vocabulary.GenAIResponseModel)
				}
				got := canonical{
					provider: attrString(a, vocabulary.GenAIProviderName), model: model,
					input: attrInt(a, vocabulary.GenAIUsageInputTokens), output: attrInt(a, vocabulary.GenAIUsageOutputTokens),
					category: attrString(a, vocabulary.RastirErrorCategoryKey),
				}
				if got != w {
					t.Errorf("%s: got %+v, want %+v (attributes %v)", span.Name(), got, w, a.AsRaw())
				}
				if st := attrString(a, vocabulary.RastirSpanTypeKey); st != vocabulary.SpanTypeLLM {
					t.Errorf("%s: span type %q", span.Name(), st)
				}
				if w.input > 0 {
					if _, ok := a.Get(vocabulary.RastirCostUSD); !ok {
						t.Errorf("%s: no cost for a priced model: %v", span.Name(), a.AsRaw())
					}
				}
			}
		}
	}
	if seen != len(want) {
		t.Errorf("exported %d of the %d spans", seen, len(want))
	}
}

func attrInt(m pcommon.Map, k string) int64 {
	v, ok := m.Get(k)
	if !ok {
		return 0
	}
	return v.Int()
}
