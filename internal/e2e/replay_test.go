package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson/rastirjsontest"
)

const testdata = "../../testdata"

// fileExportConfig receives Rastir batches and writes every span to a file;
// {{.Var.read_timeout}}, when given, sets the receiver's read_timeout.
const fileExportConfig = `
receivers:
  rastir:
    endpoint: 127.0.0.1:{{.Port.rastir}}
{{- with index .Var "read_timeout"}}
    read_timeout: {{.}}
{{- end}}
exporters:
  file:
    path: {{.Dir}}/spans.jsonl
    flush_interval: 100ms
service:
  pipelines:
    traces:
      receivers: [rastir]
      exporters: [file]
`

type replayLine struct {
	file   string
	status int
	body   string
}

// replayExpectations reads what the Rastir server answered to each fixture.
func replayExpectations(t *testing.T) []replayLine {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testdata, "rastir-server", "replay.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var out []replayLine
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		f := strings.SplitN(line, "\t", 3)
		status, _ := strconv.Atoi(f[1])
		out = append(out, replayLine{file: f[0], status: status, body: f[2]})
	}
	return out
}

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testdata, "rastir-client", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReplayFixtures replays the real Rastir client's requests: the answers
// equal the Rastir server's, and every span reaches the exporter with every
// attribute of the input.
func TestReplayFixtures(t *testing.T) {
	c := startCollector(t, fileExportConfig, nil, nil)
	expected := replayExpectations(t)
	if len(expected) == 0 {
		t.Fatal("no expectations")
	}
	for _, want := range expected {
		status, hdr, body := post(t, c.url("/v1/telemetry"), fixture(t, want.file), nil)
		if status != want.status || body != want.body {
			t.Errorf("%s: got %d %s, want %d %s", want.file, status, body, want.status, want.body)
		}
		if ct := hdr.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: content type %q", want.file, ct)
		}
	}
	c.stop()
	exported := mergeTraces(readFileExport(t, filepath.Join(c.dir, "spans.jsonl")))
	total := 0
	for _, want := range expected {
		body := fixture(t, want.file)
		if err := rastirjsontest.Compare(body, exported); err != nil {
			t.Errorf("%s: %v", want.file, err)
		}
		n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(want.body, `{"status":"accepted","spans_received":`), "}"))
		total += n
	}
	if exported.SpanCount() != total {
		t.Errorf("exported %d spans, sent %d", exported.SpanCount(), total)
	}
}
