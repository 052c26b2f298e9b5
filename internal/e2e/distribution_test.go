package e2e

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TestComponents checks that the distribution carries our components and
// the stock ones users expect.
func TestComponents(t *testing.T) {
	out, err := exec.Command(binary(t), "components").CombinedOutput()
	if err != nil {
		t.Fatalf("components: %v\n%s", err, out)
	}
	want := map[string][]string{
		"receivers":  {"otlp", "rastir"},
		"processors": {"llm_enrich", "memory_limiter", "batch", "attributes", "transform", "filter", "redaction", "probabilistic_sampler", "tail_sampling", "groupbytrace"},
		"connectors": {"forward", "span_metrics"},
		"exporters":  {"otlp_grpc", "otlp_http", "prometheus", "debug", "file"},
		"extensions": {"health_check", "pprof", "zpages", "file_storage", "bearertokenauth"},
	}
	// The listing is YAML: top-level keys per kind, "- name: x" under each.
	listed := map[string]map[string]bool{}
	kind := ""
	for _, line := range strings.Split(string(out), "\n") {
		if line != "" && !strings.HasPrefix(line, " ") && strings.HasSuffix(line, ":") {
			kind = strings.TrimSuffix(line, ":")
			listed[kind] = map[string]bool{}
			continue
		}
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "- name: "); ok && kind != "" {
			listed[kind][name] = true
		}
	}
	for kind, names := range want {
		for _, name := range names {
			if !listed[kind][name] {
				t.Errorf("%s: %s is missing", kind, name)
			}
		}
	}
}

// authConfig guards the receiver with the bearertokenauth extension reading
// the Rastir client's X-API-Key header, and binds one key to a tenant.
const authConfig = `
extensions:
  bearertokenauth:
    header: X-API-Key
    scheme: ""
    tokens: [key-a, key-b]
receivers:
  rastir:
    endpoint: 127.0.0.1:{{.Port.rastir}}
    auth:
      authenticator: bearertokenauth
    tenancy:
      enabled: true
      api_keys:
        - key: key-a
          tenant: team-a
exporters:
  file:
    path: {{.Dir}}/spans.jsonl
    flush_interval: 100ms
service:
  extensions: [bearertokenauth]
  pipelines:
    traces:
      receivers: [rastir]
      exporters: [file]
`

// TestAPIKeysAndTenants: without a valid key the request is refused 401; a
// key bound to a tenant names the tenant (the header cannot override it);
// another valid key uses the tenant header.
func TestAPIKeysAndTenants(t *testing.T) {
	c := startAuthCollector(t)
	url := c.url("/v1/telemetry")
	body := []byte(goodBatch)

	if status, _, _ := post(t, url, body, nil); status != http.StatusUnauthorized {
		t.Errorf("no key: %d, want 401", status)
	}
	if status, _, _ := post(t, url, body, map[string]string{"X-API-Key": "wrong"}); status != http.StatusUnauthorized {
		t.Errorf("wrong key: %d, want 401", status)
	}
	if status, _, b := post(t, url, body, map[string]string{"X-API-Key": "key-a", "X-Tenant-ID": "spoof"}); status != http.StatusAccepted {
		t.Fatalf("key-a: %d %s", status, b)
	}
	if status, _, b := post(t, url, body, map[string]string{"X-API-Key": "key-b", "X-Tenant-ID": "acme-corp"}); status != http.StatusAccepted {
		t.Fatalf("key-b: %d %s", status, b)
	}
	c.stop()
	var tenants []string
	for _, td := range readFileExport(t, filepath.Join(c.dir, "spans.jsonl")) {
		for _, rs := range td.ResourceSpans().All() {
			v, ok := rs.Resource().Attributes().Get(vocabulary.ResourceTenant)
			if !ok || v.Type() != pcommon.ValueTypeStr {
				t.Fatalf("resource without tenant: %v", rs.Resource().Attributes().AsRaw())
			}
			tenants = append(tenants, v.Str())
		}
	}
	if strings.Join(tenants, ",") != "team-a,acme-corp" {
		t.Fatalf("tenants %v, want [team-a acme-corp]", tenants)
	}
}

// startAuthCollector starts authConfig. Its /health answers 401 without a
// key, so readiness is awaited with a key.
func startAuthCollector(t *testing.T) *collector {
	t.Helper()
	return startCollectorWithProbe(t, authConfig, map[string]string{"X-API-Key": "key-a"})
}
