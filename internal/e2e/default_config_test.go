package e2e

import (
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// startDefaultCollector runs config/otelcol-rastir.yaml as shipped, with
// its ports moved through the environment variables it reads.
func startDefaultCollector(t *testing.T, extraEnv ...string) *collector {
	t.Helper()
	return startCollectorOpts(t, defaultCollectorOptions(t, extraEnv...))
}

// defaultCollectorOptions are startDefaultCollector's options.
func defaultCollectorOptions(t *testing.T, extraEnv ...string) collectorOptions {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join("..", "..", "config", "otelcol-rastir.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(cfg), "{{") {
		t.Fatal("the default config must not contain template markers")
	}
	return collectorOptions{
		config: string(cfg),
		ports:  []string{"health", "prometheus", "otlp_grpc", "otlp_http"},
		env: func(port map[string]int) []string {
			return append([]string{
				"RASTIR_SERVER_PORT=" + strconv.Itoa(port["rastir"]),
				"OTELCOL_RASTIR_TELEMETRY_PORT=" + strconv.Itoa(port["telemetry"]),
				"OTELCOL_RASTIR_HEALTH_CHECK_PORT=" + strconv.Itoa(port["health"]),
				"OTELCOL_RASTIR_PROMETHEUS_PORT=" + strconv.Itoa(port["prometheus"]),
				"OTELCOL_RASTIR_OTLP_GRPC_PORT=" + strconv.Itoa(port["otlp_grpc"]),
				"OTELCOL_RASTIR_OTLP_HTTP_PORT=" + strconv.Itoa(port["otlp_http"]),
			}, extraEnv...)
		},
	}
}

// TestDefaultConfig: the shipped config starts without any external
// service, accepts the Rastir client's batches, and a Rastir user's
// `curl :8080/metrics` shows metrics derived from them.
func TestDefaultConfig(t *testing.T) {
	c := startDefaultCollector(t)
	for _, want := range replayExpectations(t) {
		status, _, body := post(t, c.url("/v1/telemetry"), fixture(t, want.file), nil)
		if status != want.status || body != want.body {
			t.Errorf("%s: got %d %s, want %d %s", want.file, status, body, want.status, want.body)
		}
	}
	if status, _, body := get(t, c.url("/ready")); status != http.StatusOK || body != `{"status":"ready"}` {
		t.Errorf("/ready: %d %s", status, body)
	}
	if status, _, _ := get(t, "http://127.0.0.1:"+strconv.Itoa(c.port["health"])+"/"); status != http.StatusOK {
		t.Errorf("health_check extension: %d", status)
	}
	// The span metrics connector flushes periodically; wait for the
	// series of the replayed service to appear on the ingestion port.
	var page string
	waitFor(t, 30*time.Second, "span metrics on :rastir/metrics", func() bool {
		status, hdr, body := get(t, c.url("/metrics"))
		page = body
		return status == http.StatusOK && strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") &&
			strings.Contains(body, `rastir_spans_ingested_total{`) && strings.Contains(body, `service="rastir-harness"`)
	})
	if !strings.Contains(page, "# TYPE") {
		t.Errorf("not a Prometheus page:\n%s", page)
	}
}

// TestDefaultConfigRateLimit: Rastir's environment variables switch on the
// receiver's rate limits; the request over the limit gets Rastir's answer
// and a Retry-After.
func TestDefaultConfigRateLimit(t *testing.T) {
	c := startDefaultCollector(t,
		"RASTIR_SERVER_RATE_LIMIT_ENABLED=true",
		"RASTIR_SERVER_RATE_LIMIT_PER_IP_RPM=2",
	)
	body := fixture(t, "0001.json")
	for range 2 {
		if status, _, b := post(t, c.url("/v1/telemetry"), body, nil); status != http.StatusAccepted {
			t.Fatalf("within the limit: %d %s", status, b)
		}
	}
	status, hdr, b := post(t, c.url("/v1/telemetry"), body, nil)
	if status != http.StatusTooManyRequests || b != `{"detail":"Rate limited (ip)"}` {
		t.Fatalf("over the limit: %d %s", status, b)
	}
	if ra, err := strconv.Atoi(hdr.Get("Retry-After")); err != nil || ra < 1 || ra > 30 {
		t.Fatalf("Retry-After %q (2 per minute refill one request every 30 s)", hdr.Get("Retry-After"))
	}
	// The receiver, also in the metrics pipeline, counts the refusal in
	// Rastir's family, and the spans it took in the ingestion rate.
	limited := seriesKey("rastir_rate_limited_total", [][2]string{{"dimension", "ip"}})
	var scraped page
	waitFor(t, 30*time.Second, "rastir_rate_limited_total on /metrics", func() bool {
		_, _, body := get(t, c.url("/metrics"))
		scraped = parsePage(t, body)
		return scraped[limited] == 1
	})
	if _, ok := scraped[seriesKey("rastir_ingestion_rate", nil)]; !ok {
		t.Errorf("no rastir_ingestion_rate on /metrics")
	}
}

// TestDefaultConfigProviderCap: with Rastir's provider cap at 3, the
// Rastir client's openai, anthropic and gemini calls all keep their
// provider label, although each gemini span also carries gcp.gemini.
func TestDefaultConfigProviderCap(t *testing.T) {
	c := startDefaultCollector(t, "RASTIR_SERVER_LIMITS_CARDINALITY_PROVIDER=3")
	if status, _, b := post(t, c.url("/v1/telemetry"), fixture(t, "0011.json"), nil); status != http.StatusAccepted {
		t.Fatalf("post: %d %s", status, b)
	}
	var body string
	waitFor(t, 30*time.Second, `provider="gemini" on /metrics`, func() bool {
		_, _, body = get(t, c.url("/metrics"))
		return strings.Contains(body, `provider="gemini"`)
	})
	for _, p := range []string{vocabulary.ProviderOpenAI, vocabulary.ProviderAnthropic, vocabulary.OverflowValue} {
		if got := strings.Contains(body, `provider="`+p+`"`); got != (p != vocabulary.OverflowValue) {
			t.Errorf("provider=%q on /metrics: %v", p, got)
		}
	}
}

// TestDefaultConfigClientProviderWords: the Rastir client's provider
// words that are not its adapters' (ADK's "google", LlamaIndex's "azure")
// label the metrics as the Rastir server labels them, although llm_enrich
// reads them as gcp.gen_ai and azure.ai.openai.
func TestDefaultConfigClientProviderWords(t *testing.T) {
	c := startDefaultCollector(t)
	batch := `{"service":"adk-app","env":"prod","spans":[
	 {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7","name":"adk.llm.gemini-2.0-flash",
	  "span_type":"llm","status":"OK","start_time":1760000000.0,"end_time":1760000001.0,"duration_ms":1000.0,
	  "attributes":{"model":"gemini-2.0-flash","provider":"google"}},
	 {"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b8","name":"complete",
	  "span_type":"llm","status":"OK","start_time":1760000000.0,"end_time":1760000001.0,"duration_ms":1000.0,
	  "attributes":{"model":"gpt-4o","provider":"azure"}}]}`
	if status, _, b := post(t, c.url("/v1/telemetry"), []byte(batch), nil); status != http.StatusAccepted {
		t.Fatalf("post: %d %s", status, b)
	}
	want := []string{
		seriesKey("rastir_llm_calls_total", [][2]string{{"service", "adk-app"}, {"env", "prod"}, {"model", "gemini-2.0-flash"}, {"provider", "google"}, {"agent", ""}}),
		seriesKey("rastir_llm_calls_total", [][2]string{{"service", "adk-app"}, {"env", "prod"}, {"model", "gpt-4o"}, {"provider", "azure"}, {"agent", ""}}),
	}
	var scraped page
	waitFor(t, 30*time.Second, "the client's provider words on /metrics", func() bool {
		_, _, body := get(t, c.url("/metrics"))
		scraped = parsePage(t, body)
		return scraped[want[0]] == 1 && scraped[want[1]] == 1
	})
}

// TestDefaultConfigProviderAliases: the shipped config's provider
// dimension names every spelling the vocabulary counts as one provider
// with another (vocabulary.ProviderSlotAliases).
func TestDefaultConfigProviderAliases(t *testing.T) {
	cfg, err := os.ReadFile(filepath.Join("..", "..", "config", "otelcol-rastir.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for canonical, label := range vocabulary.ProviderSlotAliases() {
		if !strings.Contains(string(cfg), "\n          "+canonical+": "+label+"\n") {
			t.Errorf("config/otelcol-rastir.yaml: no provider alias %s: %s", canonical, label)
		}
	}
}

// TestDefaultConfigListenHost: the shipped config's listeners bind
// localhost, and RASTIR_SERVER_HOST=0.0.0.0 moves every one the docs list
// (the Rastir port, OTLP, health_check and the collector's own telemetry)
// to all interfaces. The prometheus exporter, served on the Rastir port's
// /metrics, stays on localhost. An address of the loopback network other
// than 127.0.0.1 reaches a listener on all interfaces, not one on localhost.
func TestDefaultConfigListenHost(t *testing.T) {
	const other = "127.0.0.2"
	probe, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(other, strconv.Itoa(probe.Addr().(*net.TCPAddr).Port)), 5*time.Second)
	probe.Close()
	if err != nil {
		t.Skipf("%s does not reach a listener on all interfaces here: %v", other, err)
	}
	conn.Close()

	listeners := []string{"rastir", "otlp_grpc", "otlp_http", "health", "telemetry"}
	for _, tc := range []struct {
		name string
		env  []string
		all  map[string]bool // port name -> reachable on other
	}{
		{name: "default", all: map[string]bool{}},
		{name: "RASTIR_SERVER_HOST=0.0.0.0", env: []string{"RASTIR_SERVER_HOST=0.0.0.0"},
			all: map[string]bool{"rastir": true, "otlp_grpc": true, "otlp_http": true, "health": true, "telemetry": true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := defaultCollectorOptions(t, tc.env...)
			o.configTelemetry = true
			c := startCollectorOpts(t, o)
			for _, name := range append(listeners, "prometheus") {
				// Each one listens on localhost in any case.
				addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port[name]))
				conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Errorf("%s: %s: %v", name, addr, err)
					continue
				}
				conn.Close()
				addr = net.JoinHostPort(other, strconv.Itoa(c.port[name]))
				conn, err = net.DialTimeout("tcp", addr, 5*time.Second)
				if err == nil {
					conn.Close()
				}
				if got := err == nil; got != tc.all[name] {
					t.Errorf("%s: %s reachable %v, want %v (%v)", name, addr, got, tc.all[name], err)
				}
			}
		})
	}
}

func get(t *testing.T, url string) (int, http.Header, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}
