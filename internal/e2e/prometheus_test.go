package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// prometheusServer is a real Prometheus (Debian's prometheus package, which
// `make e2e` installs) scraping collectors under test.
type prometheusServer struct {
	t    *testing.T
	base string
	cmd  *exec.Cmd

	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

const prometheusConfig = `global:
  scrape_interval: 1s
  scrape_timeout: 900ms
scrape_configs:
  - job_name: otelcol-rastir
    metrics_path: %s
    static_configs:
      - targets: [%q]
`

// startPrometheus scrapes target (host:port) at path every second; with
// exemplars, Prometheus negotiates OpenMetrics and stores exemplars.
func startPrometheus(t *testing.T, target, path string, exemplars bool) *prometheusServer {
	t.Helper()
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		t.Fatal("prometheus is not installed: `make e2e` installs Debian's prometheus package")
	}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, []byte(fmt.Sprintf(prometheusConfig, path, target)), 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	args := []string{
		"--config.file=" + cfgPath,
		"--storage.tsdb.path=" + filepath.Join(dir, "data"),
		"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
		"--log.level=warn",
	}
	if exemplars {
		args = append(args, "--enable-feature=exemplar-storage")
	}
	p := &prometheusServer{t: t, base: "http://127.0.0.1:" + strconv.Itoa(port), done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			p.mu.Lock()
			t.Logf("prometheus log:\n%s", p.logs.String())
			p.mu.Unlock()
		}
	})
	waitFor(t, 30*time.Second, "prometheus ready", func() bool {
		select {
		case <-p.done:
			t.Fatalf("prometheus exited:\n%s", p.logs.String())
		default:
		}
		resp, err := http.Get(p.base + "/-/ready")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

func (p *prometheusServer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// promSample is one series of an instant-query answer.
type promSample struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
}

func (s promSample) float(t *testing.T) float64 {
	t.Helper()
	str, _ := s.Value[1].(string)
	v, err := strconv.ParseFloat(str, 64)
	if err != nil {
		t.Fatalf("sample value %v: %v", s.Value, err)
	}
	return v
}

// query runs an instant PromQL query.
func (p *prometheusServer) query(t *testing.T, promql string) []promSample {
	t.Helper()
	var answer struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string       `json:"resultType"`
			Result     []promSample `json:"result"`
		} `json:"data"`
	}
	p.get(t, "/api/v1/query?query="+url.QueryEscape(promql), &answer)
	if answer.Status != "success" {
		t.Fatalf("query %s: %s", promql, answer.Error)
	}
	return answer.Data.Result
}

// promExemplars is the exemplar API's answer for one series.
type promExemplars struct {
	SeriesLabels map[string]string `json:"seriesLabels"`
	Exemplars    []struct {
		Labels map[string]string `json:"labels"`
		Value  string            `json:"value"`
	} `json:"exemplars"`
}

// exemplars queries the exemplars of a selector over the last hour.
func (p *prometheusServer) exemplars(t *testing.T, selector string) []promExemplars {
	t.Helper()
	var answer struct {
		Status string          `json:"status"`
		Error  string          `json:"error"`
		Data   []promExemplars `json:"data"`
	}
	now := time.Now()
	p.get(t, "/api/v1/query_exemplars?query="+url.QueryEscape(selector)+
		"&start="+strconv.FormatInt(now.Add(-time.Hour).Unix(), 10)+
		"&end="+strconv.FormatInt(now.Add(time.Minute).Unix(), 10), &answer)
	if answer.Status != "success" {
		t.Fatalf("exemplars %s: %s", selector, answer.Error)
	}
	return answer.Data
}

func (p *prometheusServer) get(t *testing.T, path string, into any) {
	t.Helper()
	resp, err := http.Get(p.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(into); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}
