package e2e

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

const goodBatch = `{"service":"svc","env":"test","spans":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7a3ce929d0e0e4736","span_type":"llm","name":"ok","attributes":{"model":"gpt-4o"}}]}`

func gzipped(s string) string {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = io.WriteString(w, s)
	_ = w.Close()
	return b.String()
}

func deflated(s string) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	_, _ = io.WriteString(w, s)
	_ = w.Close()
	return b.String()
}

func zstded(s string) string {
	enc, _ := zstd.NewWriter(nil)
	defer enc.Close()
	return string(enc.EncodeAll([]byte(s), nil))
}

// acceptedSpans reads the collector's own count of spans the rastir
// receiver handed to the pipeline.
func acceptedSpans(t *testing.T, c *collector) int {
	t.Helper()
	resp, err := http.Get("http://127.0.0.1:" + strconv.Itoa(c.port["telemetry"]) + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	re := regexp.MustCompile(`^otelcol_receiver_accepted_spans(?:_total)?\{[^}]*receiver="rastir"[^}]*\} (\S+)$`)
	s := bufio.NewScanner(resp.Body)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		if m := re.FindStringSubmatch(s.Text()); m != nil {
			f, _ := strconv.ParseFloat(m[1], 64)
			return int(f)
		}
	}
	return 0
}

// TestBadInputs sends each malformed request to the built binary: each gets
// its documented status and message, and a good batch sent right after is
// still accepted and counted.
func TestBadInputs(t *testing.T) {
	// A short read timeout, for the slow client; other limits as default.
	c := startCollector(t, fileExportConfig, nil, map[string]string{"read_timeout": "2s"})
	url := c.url("/v1/telemetry")
	deep := strings.Repeat(`{"a":`, 40) + "1" + strings.Repeat("}", 40)
	// Distinct keys: a repeated key counts once, as the last occurrence
	// is all Python's json keeps.
	var wide strings.Builder
	wide.WriteString("{")
	for i := range 500 {
		fmt.Fprintf(&wide, `"k%d":1,`, i)
	}
	wide.WriteString(`"z":1}`)
	wideAttrs := wide.String()

	tests := []struct {
		name    string
		body    string
		headers map[string]string
		status  int
		detail  string
	}{
		{"not JSON", "not json", nil, 400, "Invalid JSON"},
		{"empty body", "", nil, 400, "Invalid JSON"},
		{"JSON not an object", `[{"spans":[]}]`, nil, 400, "Payload must be a JSON object"},
		{"spans missing", `{"service":"svc"}`, nil, 400, "'spans' must be a non-empty array"},
		{"spans empty", `{"spans":[]}`, nil, 400, "'spans' must be a non-empty array"},
		{"spans not a list", `{"spans":"x"}`, nil, 400, "'spans' must be a non-empty array"},
		{"a span that is not an object", `{"spans":[{}, "x"]}`, nil, 400, "'spans[1]' must be a JSON object, not string"},
		{"attributes not an object", `{"spans":[{"attributes":"x"}]}`, nil, 400, "'spans[0].attributes' must be a JSON object, not string"},
		{"trace id of wrong type", `{"spans":[{"trace_id":123}]}`, nil, 400, "'spans[0].trace_id' must be a string, not number"},
		{"span id of wrong type", `{"spans":[{"span_id":null,"parent_span_id":["x"]}]}`, nil, 400, "'spans[0].parent_span_id' must be a string, not list"},
		{"ids of wrong length are kept", `{"spans":[{"trace_id":"abc","span_id":"0123456789abcdef0123"}]}`, nil, 202, ""},
		{"non-hex ids are kept", `{"spans":[{"trace_id":"abc-123","span_id":"span-1"}]}`, nil, 202, ""},
		{"NaN", `{"spans":[{"duration_ms":NaN}]}`, nil, 400, "'spans[0].duration_ms' must be a finite, non-negative number"},
		{"Infinity", `{"spans":[{"attributes":{"x":Infinity}}]}`, nil, 400, "Invalid JSON"},
		{"negative duration", `{"spans":[{"duration_ms":-5}]}`, nil, 400, "'spans[0].duration_ms' must be a finite, non-negative number"},
		{"negative tokens", `{"spans":[{"attributes":{"tokens_output":-1}}]}`, nil, 400, "'spans[0].attributes.tokens_output' must not be negative"},
		{"unknown keys are kept", `{"service":"s","extra":{"a":1},"spans":[{"whatever":[1,2],"events":[{"name":"e","odd":true}]}]}`, nil, 202, ""},
		{"body over the limit", `{"spans":[{"name":"` + strings.Repeat("x", 11<<20) + `"}]}`, nil, 413, "Request body too large: the limit is 10485760 bytes (max_request_body_size)"},
		{"gzip without Content-Encoding", gzipped(goodBatch), nil, 400, "Invalid JSON"},
		{"gzip with Content-Encoding", gzipped(goodBatch), map[string]string{"Content-Encoding": "gzip"}, 202, ""},
		{"zstd with Content-Encoding", zstded(goodBatch), map[string]string{"Content-Encoding": "zstd"}, 202, ""},
		{"deflate with Content-Encoding", deflated(goodBatch), map[string]string{"Content-Encoding": "deflate"}, 202, ""},
		{"corrupt gzip", "\x1f\x8b\x08garbage", map[string]string{"Content-Encoding": "gzip"}, 400, ""},
		{"gzip bomb over the limit", gzipped(`{"spans":[{"name":"` + strings.Repeat("x", 20<<20) + `"}]}`), map[string]string{"Content-Encoding": "gzip"}, 413, "Request body too large: the limit is 10485760 bytes (max_request_body_size)"},
		{"very deep value", `{"spans":[{"attributes":{"d":` + deep + `}}]}`, nil, 400, "'spans[0].attributes.d' nests lists and maps deeper than 16 levels"},
		{"deeper than the parser allows", `{"spans":[{"attributes":{"d":` + strings.Repeat("[", 1000) + strings.Repeat("]", 1000) + `}}]}`, nil, 400, "Invalid JSON"},
		{"very wide object", `{"spans":[{"attributes":` + wideAttrs + `}]}`, nil, 400, "'spans[0].attributes' has 501 keys; at most 128 are allowed"},
		{"very wide list", `{"spans":[{"attributes":{"l":[` + strings.Repeat("0,", 300000) + `0]}}]}`, nil, 400, "'spans[0].attributes.l' exceeds the batch's budget of 262144 attribute values; send fewer or smaller spans per batch"},
	}
	good := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, hdr, body := post(t, url, []byte(tt.body), tt.headers)
			if status != tt.status {
				t.Fatalf("status %d, want %d; body %s", status, tt.status, body)
			}
			if ct := hdr.Get("Content-Type"); ct != "application/json" {
				t.Errorf("content type %q", ct)
			}
			var answer struct {
				Detail string `json:"detail"`
				Status string `json:"status"`
			}
			if err := json.Unmarshal([]byte(body), &answer); err != nil {
				t.Fatalf("answer is not JSON: %s", body)
			}
			switch {
			case tt.status == http.StatusAccepted:
				if answer.Status != "accepted" {
					t.Errorf("answer %s", body)
				}
				good++
			case tt.detail != "" && answer.Detail != tt.detail:
				t.Errorf("detail %q, want %q", answer.Detail, tt.detail)
			case answer.Detail == "":
				t.Errorf("no detail in %s", body)
			}

			// The collector still accepts and counts good batches.
			before := acceptedSpans(t, c)
			if status, _, body := post(t, url, []byte(goodBatch), nil); status != http.StatusAccepted {
				t.Fatalf("good batch after %q: %d %s", tt.name, status, body)
			}
			good++
			if after := acceptedSpans(t, c); after != before+1 {
				t.Fatalf("accepted spans went from %d to %d", before, after)
			}
		})
	}

	t.Run("slow client", func(t *testing.T) {
		conn, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(c.port["rastir"]))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		// Headers promise a body that never fully arrives.
		fmt.Fprintf(conn, "POST /v1/telemetry HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(goodBatch), goodBatch[:20])
		// Meanwhile other clients are served.
		if status, _, body := post(t, url, []byte(goodBatch), nil); status != http.StatusAccepted {
			t.Fatalf("good batch during a slow client: %d %s", status, body)
		}
		good++
		_ = conn.SetReadDeadline(time.Now().Add(15 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer to the slow client: %v", err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), "read_timeout") {
			t.Fatalf("slow client got %d %s", resp.StatusCode, b)
		}
	})

	c.stop()
	exported := mergeTraces(readFileExport(t, filepath.Join(c.dir, "spans.jsonl")))
	if exported.SpanCount() != good {
		t.Fatalf("exported %d spans, accepted %d", exported.SpanCount(), good)
	}
}
