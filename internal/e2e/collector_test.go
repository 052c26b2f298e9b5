package e2e

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"text/template"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
)

// collector is one running otelcol-rastir process.
type collector struct {
	t    *testing.T
	cmd  *exec.Cmd
	dir  string
	port map[string]int

	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

// selfTelemetryConfig serves the collector's own metrics on 127.0.0.1:%d.
const selfTelemetryConfig = `service:
  telemetry:
    metrics:
      readers:
        - pull:
            exporter:
              prometheus:
                host: 127.0.0.1
                port: %d
`

// binary is the otelcol-rastir executable under test.
func binary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("OTELCOL_RASTIR_BIN")
	if bin == "" {
		t.Fatal("OTELCOL_RASTIR_BIN is not set: run these tests with `make e2e`, which builds the binary")
	}
	return bin
}

// freePort asks the kernel for a port nobody listens on.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startCollector renders configTemplate (text/template; {{.Port.name}} is a
// free port, {{.Dir}} a scratch directory, {{.Var.x}} a caller value),
// starts the binary on it and waits until the rastir receiver answers
// /health on {{.Port.rastir}}.
func startCollector(t *testing.T, configTemplate string, ports []string, vars map[string]string) *collector {
	t.Helper()
	return startCollectorOpts(t, collectorOptions{config: configTemplate, ports: ports, vars: vars})
}

// startCollectorWithProbe is startCollector for configs whose /health needs
// request headers (for example an API key).
func startCollectorWithProbe(t *testing.T, configTemplate string, probeHeaders map[string]string) *collector {
	t.Helper()
	return startCollectorOpts(t, collectorOptions{config: configTemplate, probeHeaders: probeHeaders})
}

// collectorOptions are the less common ways to start a collector.
type collectorOptions struct {
	config       string            // text/template of the YAML config
	ports        []string          // extra named free ports, beside rastir and telemetry
	vars         map[string]string // {{.Var.x}}
	probeHeaders map[string]string // headers for the /health probe
	// env, given the named ports, returns extra environment variables.
	env func(port map[string]int) []string
	// configTelemetry keeps the config's own service.telemetry section
	// instead of merging selfTelemetryConfig over it (the config must then
	// move the telemetry port itself, e.g. through env).
	configTelemetry bool
}

// startCollectorOpts starts a collector on free ports. A free port can be
// taken between the moment the kernel names it and the collector's bind (by
// any process's outgoing connection): then it starts again on other ports.
func startCollectorOpts(t *testing.T, o collectorOptions) *collector {
	t.Helper()
	for attempt := 1; ; attempt++ {
		c, portTaken := tryStartCollector(t, o)
		if !portTaken {
			return c
		}
		if attempt == 5 {
			t.Fatalf("collector ports kept being taken:\n%s", c.log())
		}
		t.Logf("a port was taken before the collector bound it; starting again on other ports")
	}
}

// tryStartCollector returns the healthy collector, or portTaken when it
// exited during start-up because a port was already in use.
func tryStartCollector(t *testing.T, o collectorOptions) (c *collector, portTaken bool) {
	t.Helper()
	configTemplate, ports, vars, probeHeaders := o.config, o.ports, o.vars, o.probeHeaders
	c = &collector{t: t, dir: t.TempDir(), port: map[string]int{}, done: make(chan struct{})}
	for _, name := range append([]string{"rastir", "telemetry"}, ports...) {
		if _, ok := c.port[name]; !ok {
			c.port[name] = freePort(t)
		}
	}
	tmpl := template.Must(template.New("config").Option("missingkey=error").Parse(configTemplate))
	var cfg bytes.Buffer
	if err := tmpl.Execute(&cfg, map[string]any{"Port": c.port, "Dir": c.dir, "Var": vars}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.dir, "config.yaml")
	if err := os.WriteFile(path, cfg.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// Every collector reports its own telemetry on its own free port, so
	// that collectors of parallel tests do not collide on 8888; the section
	// is merged over the test's config.
	telemetry := filepath.Join(c.dir, "telemetry.yaml")
	if err := os.WriteFile(telemetry, []byte(fmt.Sprintf(selfTelemetryConfig, c.port["telemetry"])), 0o600); err != nil {
		t.Fatal(err)
	}
	c.cmd = exec.Command(binary(t), "--config", path, "--config", telemetry)
	if o.configTelemetry {
		c.cmd = exec.Command(binary(t), "--config", path)
	}
	if o.env != nil {
		c.cmd.Env = append(os.Environ(), o.env(c.port)...)
	}
	c.cmd.Stdout = c
	c.cmd.Stderr = c
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = c.cmd.Wait()
		close(c.done)
	}()
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("collector log:\n%s", c.log())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest(http.MethodGet, c.url("/health"), nil)
		for k, v := range probeHeaders {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, false
			}
		}
		select {
		case <-c.done:
			if strings.Contains(c.log(), "address already in use") {
				return c, true
			}
			t.Fatalf("collector exited during start-up:\n%s", c.log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("collector did not become healthy:\n%s", c.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *collector) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.Write(p)
}

func (c *collector) log() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}

// url is an address on the rastir receiver's port.
func (c *collector) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(c.port["rastir"]) + path
}

// stop sends SIGTERM (a graceful shutdown that flushes exporters) and waits.
func (c *collector) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.done
		c.t.Errorf("collector did not stop within 30s of SIGTERM")
	}
}

// peakRSS is the process' high-water resident set size in bytes (VmHWM).
func (c *collector) peakRSS() int64 {
	return procStatusKiB(c.t, c.cmd.Process.Pid, "VmHWM:") * 1024
}

func procStatusKiB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), field); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	t.Fatalf("%s not in /proc/%d/status", field, pid)
	return 0
}

// post sends body to POST /v1/telemetry and returns status, headers and body.
func post(t *testing.T, url string, body []byte, headers map[string]string) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

// readFileExport decodes what the file exporter wrote (one OTLP JSON
// traces document per line).
func readFileExport(t *testing.T, path string) []ptrace.Traces {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []ptrace.Traces
	var u ptrace.JSONUnmarshaler
	r := bufio.NewReaderSize(f, 1<<20)
	for {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			td, uerr := u.UnmarshalTraces(line)
			if uerr != nil {
				t.Fatalf("file export line: %v", uerr)
			}
			out = append(out, td)
		}
		if err != nil {
			break
		}
	}
	return out
}

// mergeTraces puts every resource of several exports into one Traces.
func mergeTraces(parts []ptrace.Traces) ptrace.Traces {
	all := ptrace.NewTraces()
	for _, p := range parts {
		p.ResourceSpans().MoveAndAppendTo(all.ResourceSpans())
	}
	return all
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
