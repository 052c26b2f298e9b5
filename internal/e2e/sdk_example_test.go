package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// sdkExampleConfig is the default config's pipeline (OTLP and rastir
// receivers → llm_enrich → cardinality → spanmetricsllm → prometheus, with
// the prometheus exporter as in config/otelcol-rastir.yaml) and a file
// exporter for the traces.
const sdkExampleConfig = `
receivers:
  rastir:
    endpoint: 127.0.0.1:{{.Port.rastir}}
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:{{.Port.otlp}}
processors:
  llm_enrich: {}
  cardinality: {}
connectors:
  spanmetricsllm:
    metrics_flush_interval: 200ms
exporters:
  prometheus:
    endpoint: 127.0.0.1:{{.Port.prom}}
    translation_strategy: UnderscoreEscapingWithoutSuffixes
    without_scope_info: true
  file:
    path: {{.Dir}}/spans.jsonl
    flush_interval: 100ms
service:
  pipelines:
    traces:
      receivers: [otlp, rastir]
      processors: [llm_enrich, cardinality]
      exporters: [spanmetricsllm, file]
    metrics:
      receivers: [spanmetricsllm]
      exporters: [prometheus]
`

const (
	exampleService = "trip-planner-e2e"
	exampleAgent   = "trip_planner"
	exampleModel   = "gpt-4o-mini"
	// The model of testdata/openai_chat_completion.json.
	exampleResponseModel = "gpt-4o-mini-2024-07-18"
	// The usage of testdata/openai_chat_completion.json.
	exampleInputTokens  = 19
	exampleOutputTokens = 10
)

// buildSDKExample builds sdk/examples/agent with the go toolchain on PATH.
func buildSDKExample(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go toolchain is not on PATH")
	}
	out := filepath.Join(t.TempDir(), "agent")
	cmd := exec.Command(goBin, "build", "-o", out, "./agent")
	cmd.Dir = filepath.Join("..", "..", "sdk", "examples")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the example: %v\n%s", err, b)
	}
	return out
}

// fakeOpenAI answers POST /chat/completions with the API reference's
// response and counts the requests and their models.
type fakeOpenAI struct {
	*httptest.Server
	mu     sync.Mutex
	models []string
}

func startFakeOpenAI(t *testing.T) *fakeOpenAI {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "openai_chat_completion.json"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeOpenAI{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
			http.Error(w, `{"error":{"message":"not found","type":"invalid_request_error"}}`, http.StatusNotFound)
			return
		}
		var req struct {
			Model string `json:"model"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		f.mu.Lock()
		f.models = append(f.models, req.Model)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeOpenAI) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.models...)
}

// runSDKExample runs the example with env and fails the test on a non-zero
// exit; it returns the standard output.
func runSDKExample(t *testing.T, bin string, env ...string) string {
	t.Helper()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("example: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if strings.Contains(stderr.String(), "rastir push exporter") {
		t.Errorf("example's push exporter complained:\n%s", stderr.String())
	}
	return stdout.String()
}

// exampleEnv is the environment of one run: the collector's endpoints are
// given by the caller; the LLM is the fake.
func exampleEnv(openAI *fakeOpenAI) []string {
	return []string{
		"OTEL_SERVICE_NAME=" + exampleService,
		"RASTIR_SERVICE=",
		"RASTIR_PUSH_URL=",
		"RASTIR_ENV=",
		"OTEL_RESOURCE_ATTRIBUTES=",
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=",
		"OTEL_EXPORTER_OTLP_PROTOCOL=",
		"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=",
		"OPENAI_BASE_URL=" + openAI.URL + "/v1",
		"OPENAI_API_KEY=sk-test",
		"AGENT_MODEL=" + exampleModel,
		"AGENT_CITY=Lisbon",
	}
}

// scrape returns the prometheus exporter's page, parsed.
func scrapeExporter(t *testing.T, c *collector) page {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(c.port["prom"]) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return parsePage(t, string(b))
}

// waitForSeries polls the exporter until every series of want has its
// value, and reports the differences when the deadline passes.
func waitForSeries(t *testing.T, c *collector, want page) page {
	t.Helper()
	var got page
	deadline := time.Now().Add(30 * time.Second)
	for {
		got = scrapeExporter(t, c)
		var diffs []string
		for k, v := range want {
			if g, ok := got[k]; !ok || g != v {
				diffs = append(diffs, k+": got "+formatValue(g)+", want "+formatValue(v)+" (present "+strconv.FormatBool(ok)+")")
			}
		}
		if len(diffs) == 0 {
			return got
		}
		if time.Now().After(deadline) {
			var keys []string
			for k := range got {
				if strings.HasPrefix(k, "rastir_") && !strings.Contains(k, "_bucket{") {
					keys = append(keys, k+" "+formatValue(got[k]))
				}
			}
			t.Fatalf("metrics not as expected:\n%s\nrastir series on the page:\n%s", strings.Join(diffs, "\n"), strings.Join(keys, "\n"))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func series(name string, labels ...string) string {
	pairs := make([][2]string, 0, len(labels)/2)
	for i := 0; i+1 < len(labels); i += 2 {
		pairs = append(pairs, [2]string{labels[i], labels[i+1]})
	}
	return seriesKey(name, pairs)
}

// exampleSeries are the rastir_* series one run of the example gives,
// sent over OTLP or pushed in Rastir's format.
func exampleSeries(push bool) page {
	const env = "unknown" // no deployment.environment.name
	llmModel := exampleModel
	if push {
		// Rastir's format has one model attribute: the response's.
		llmModel = exampleResponseModel
	}
	llm := []string{"service", exampleService, "env", env, "model", llmModel, "provider", vocabulary.ProviderOpenAI, "agent", exampleAgent}
	// Tool spans take the model of the LLM call before them in the agent.
	tool := func(name string) []string {
		return []string{"service", exampleService, "env", env, "tool_name", name, "agent", exampleAgent, "model", exampleResponseModel, "provider", vocabulary.ProviderOpenAI}
	}
	ingested := func(spanType string) []string {
		return []string{"service", exampleService, "env", env, "span_type", spanType, "status", "OK"}
	}
	want := page{
		series("rastir_llm_calls_total", llm...):                                     1,
		series("rastir_tokens_input_total", llm...):                                  exampleInputTokens,
		series("rastir_tokens_output_total", llm...):                                 exampleOutputTokens,
		series("rastir_spans_ingested_total", ingested(vocabulary.SpanTypeAgent)...): 1,
		series("rastir_spans_ingested_total", ingested(vocabulary.SpanTypeLLM)...):   1,
		series("rastir_spans_ingested_total", ingested(vocabulary.SpanTypeTool)...):  3,
	}
	if push {
		// Rastir names tools by their wire span name: the push exporter
		// sends a tool span under its tool's name, and the MCP server
		// side under mcpserver:<tool>, as Rastir's Python middleware does.
		want[series("rastir_tool_calls_total", tool("format_plan")...)] = 1
		want[series("rastir_tool_calls_total", tool("get_weather")...)] = 1
		return want
	}
	want[series("rastir_tool_calls_total", tool("format_plan")...)] = 1
	// The MCP tool on both sides: the client span, and the server span,
	// which llm_enrich puts in the agent's context of its client parent.
	want[series("rastir_tool_calls_total", tool("get_weather")...)] = 2
	return want
}

// exampleSpans are the spans of the file export, by name.
func exampleSpans(t *testing.T, path string) map[string]ptrace.Span {
	t.Helper()
	all := mergeTraces(readFileExport(t, path))
	spans := map[string]ptrace.Span{}
	for _, rs := range all.ResourceSpans().All() {
		if svc, _ := rs.Resource().Attributes().Get("service.name"); svc.Str() != exampleService {
			t.Errorf("resource service.name %q, want %q", svc.Str(), exampleService)
		}
		for _, ss := range rs.ScopeSpans().All() {
			for _, s := range ss.Spans().All() {
				if _, dup := spans[s.Name()]; dup {
					t.Errorf("span %q exported twice", s.Name())
				}
				spans[s.Name()] = s
			}
		}
	}
	return spans
}

// checkExampleTree asserts the trace of one run: one trace id, agent → llm,
// agent → local tool, agent → MCP client tool span → MCP server span, with
// the span types and remote flags of the vocabulary. Pushed spans (Rastir's
// format) have no span kind, and their remote flag may keep Rastir's
// "remote" string attribute.
func checkExampleTree(t *testing.T, spans map[string]ptrace.Span, push bool) {
	t.Helper()
	defer func() {
		if t.Failed() {
			for n, s := range spans {
				t.Logf("span %q kind %s span %s parent %s attributes %v", n, s.Kind(), s.SpanID(), s.ParentSpanID(), s.Attributes().AsRaw())
			}
		}
	}()
	localTool := "execute_tool format_plan"
	if push {
		localTool = "format_plan"
	}
	names := []string{
		"invoke_agent " + exampleAgent,
		"chat " + exampleModel,
		localTool,
		"get_weather",
		"mcpserver:get_weather",
	}
	if len(spans) != len(names) {
		var got []string
		for n := range spans {
			got = append(got, n)
		}
		t.Fatalf("spans %q, want %q", got, names)
	}
	for _, n := range names {
		if _, ok := spans[n]; !ok {
			t.Fatalf("no span %q", n)
		}
	}
	agent, llm, local := spans[names[0]], spans[names[1]], spans[names[2]]
	client, server := spans[names[3]], spans[names[4]]
	for _, n := range names {
		s := spans[n]
		if s.TraceID() != agent.TraceID() {
			t.Errorf("span %q in trace %s, want %s", n, s.TraceID(), agent.TraceID())
		}
		if s.Status().Code() == ptrace.StatusCodeError {
			t.Errorf("span %q failed: %s", n, s.Status().Message())
		}
	}
	if !agent.ParentSpanID().IsEmpty() {
		t.Errorf("agent span has parent %s", agent.ParentSpanID())
	}
	parentOf := func(child, parent ptrace.Span) {
		t.Helper()
		if child.ParentSpanID() != parent.SpanID() {
			t.Errorf("span %q has parent %s, want %q (%s)", child.Name(), child.ParentSpanID(), parent.Name(), parent.SpanID())
		}
	}
	parentOf(llm, agent)
	parentOf(local, agent)
	parentOf(client, agent)
	parentOf(server, client)

	type want struct {
		span     ptrace.Span
		spanType string
		kind     ptrace.SpanKind
		remote   string // "" = no rastir.remote
	}
	for _, w := range []want{
		{agent, vocabulary.SpanTypeAgent, ptrace.SpanKindInternal, ""},
		{llm, vocabulary.SpanTypeLLM, ptrace.SpanKindClient, ""},
		{local, vocabulary.SpanTypeTool, ptrace.SpanKindInternal, ""},
		{client, vocabulary.SpanTypeTool, ptrace.SpanKindClient, "true"},
		{server, vocabulary.SpanTypeTool, ptrace.SpanKindServer, "false"},
	} {
		a := w.span.Attributes()
		if got := attrString(a, vocabulary.RastirSpanTypeKey); got != w.spanType {
			t.Errorf("span %q: span type %q, want %q", w.span.Name(), got, w.spanType)
		}
		if !push && w.span.Kind() != w.kind {
			t.Errorf("span %q: kind %s, want %s", w.span.Name(), w.span.Kind(), w.kind)
		}
		if got := remoteFlag(a, push); got != w.remote {
			t.Errorf("span %q: remote flag %q, want %q (attributes %v)", w.span.Name(), got, w.remote, a.AsRaw())
		}
	}
	for _, s := range []ptrace.Span{llm, local, client} {
		if got := attrString(s.Attributes(), vocabulary.GenAIAgentName); got != exampleAgent {
			t.Errorf("span %q: agent %q, want %q", s.Name(), got, exampleAgent)
		}
	}
	a := llm.Attributes()
	model := exampleModel
	if push {
		model = exampleResponseModel
	}
	if attrString(a, vocabulary.GenAIProviderName) != vocabulary.ProviderOpenAI ||
		attrString(a, vocabulary.GenAIRequestModel) != model ||
		attrInt(a, vocabulary.GenAIUsageInputTokens) != exampleInputTokens ||
		attrInt(a, vocabulary.GenAIUsageOutputTokens) != exampleOutputTokens {
		t.Errorf("llm span attributes: %v", a.AsRaw())
	}
	toolSpans := []ptrace.Span{local, client, server}
	if push {
		// The server side's pushed name, mcpserver:<tool>, is its tool
		// name in Rastir's vocabulary (see exampleSeries).
		toolSpans = []ptrace.Span{local, client}
	}
	for _, s := range toolSpans {
		want := strings.TrimPrefix(strings.TrimPrefix(s.Name(), "execute_tool "), "mcpserver:")
		if got := attrString(s.Attributes(), vocabulary.GenAIToolName); got != want {
			t.Errorf("span %q: tool name %q, want %q", s.Name(), got, want)
		}
	}
}

// remoteFlag is "true" or "false" from rastir.remote (a bool), or for pushed
// spans also from Rastir's "remote" string attribute; "" when neither.
func remoteFlag(a pcommon.Map, push bool) string {
	if v, ok := a.Get(vocabulary.RastirRemote); ok {
		if v.Type() != pcommon.ValueTypeBool {
			return "non-bool " + v.AsString()
		}
		return v.AsString()
	}
	if v, ok := a.Get(vocabulary.RastirAttrRemote); push && ok {
		return v.AsString()
	}
	return ""
}

// TestSDKExampleOTLP runs sdk/examples/agent against the built binary over
// OTLP/HTTP with a fake OpenAI: the rastir_* series and the trace tree are
// those of one agent run.
func TestSDKExampleOTLP(t *testing.T) {
	bin := buildSDKExample(t)
	openAI := startFakeOpenAI(t)
	c := startCollector(t, sdkExampleConfig, []string{"otlp", "prom"}, nil)

	env := append(exampleEnv(openAI), "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:"+strconv.Itoa(c.port["otlp"]))
	out := runSDKExample(t, bin, env...)
	if !strings.Contains(out, "Plan for Lisbon: Hello! How can I assist you today?") || !strings.Contains(out, "Weather: Sunny, 21 °C in Lisbon.") {
		t.Errorf("example output:\n%s", out)
	}
	if got := openAI.requests(); len(got) != 1 || got[0] != exampleModel {
		t.Errorf("chat completion requests for models %q, want one for %q", got, exampleModel)
	}

	waitForSeries(t, c, exampleSeries(false))

	c.stop()
	checkExampleTree(t, exampleSpans(t, filepath.Join(c.dir, "spans.jsonl")), false)
}

// TestSDKExamplePush runs the example with the SDK's Rastir push exporter
// aimed at the rastir receiver of the built binary (through a proxy that
// records the answers): every request is answered 202 and the pushed spans
// are counted and exported like those sent over OTLP.
func TestSDKExamplePush(t *testing.T) {
	bin := buildSDKExample(t)
	openAI := startFakeOpenAI(t)
	c := startCollector(t, sdkExampleConfig, []string{"otlp", "prom"}, nil)

	target, err := url.Parse(c.url(""))
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var answers []string
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		mu.Lock()
		defer mu.Unlock()
		answers = append(answers, r.Request.Method+" "+r.Request.URL.Path+" "+strconv.Itoa(r.StatusCode))
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()

	env := append(exampleEnv(openAI), "RASTIR_PUSH_URL="+front.URL+"/v1/telemetry")
	runSDKExample(t, bin, env...)

	mu.Lock()
	got := append([]string(nil), answers...)
	mu.Unlock()
	if len(got) == 0 {
		t.Fatal("the push exporter sent nothing")
	}
	for _, a := range got {
		if a != "POST /v1/telemetry 202" {
			t.Errorf("push request answered %q, want POST /v1/telemetry 202 (all: %q)", a, got)
		}
	}

	waitForSeries(t, c, exampleSeries(true))

	c.stop()
	checkExampleTree(t, exampleSpans(t, filepath.Join(c.dir, "spans.jsonl")), true)
}
