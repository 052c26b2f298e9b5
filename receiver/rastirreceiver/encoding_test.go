package rastirreceiver

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
	"testing"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	"go.opentelemetry.io/otel/sdk/metric/metricdata/metricdatatest"

	"github.com/otelcol-rastir/otelcol-rastir/receiver/rastirreceiver/internal/metadatatest"
)

func gzipped(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.String()
}

func zstded(t *testing.T, s string) string {
	t.Helper()
	w, err := zstd.NewWriter(nil)
	require.NoError(t, err)
	defer w.Close()
	return string(w.EncodeAll([]byte(s), nil))
}

// TestContentEncodings: every encoding confighttp decodes, plus identity
// (no encoding, as HTTP defines it; Rastir ignores the header), is
// accepted; a body that decodes past max_request_body_size is 413 whatever
// its encoding, as an unencoded one; an unknown encoding is 400.
func TestContentEncodings(t *testing.T) {
	const limit = 512
	sink := &switchableConsumer{}
	base, tel := startReceiver(t, func(c *Config) { c.MaxRequestBodySize = limit }, sink)
	url := base + pathTelemetry
	big := `{"spans":[{"name":"` + strings.Repeat("x", 2*limit) + `"}]}`

	tests := []struct {
		name, encoding, body string
		status               int
	}{
		{"none", "", oneSpan, http.StatusAccepted},
		{"identity", "identity", oneSpan, http.StatusAccepted},
		{"gzip", "gzip", gzipped(t, oneSpan), http.StatusAccepted},
		{"zstd", "zstd", zstded(t, oneSpan), http.StatusAccepted},
		{"snappy", "snappy", string(snappy.Encode(nil, []byte(oneSpan))), http.StatusAccepted},
		{"too large", "", big, http.StatusRequestEntityTooLarge},
		{"too large identity", "identity", big, http.StatusRequestEntityTooLarge},
		{"too large gzip", "gzip", gzipped(t, big), http.StatusRequestEntityTooLarge},
		{"too large zstd", "zstd", zstded(t, big), http.StatusRequestEntityTooLarge},
		{"too large snappy", "snappy", string(snappy.Encode(nil, []byte(big))), http.StatusRequestEntityTooLarge},
		{"unknown encoding", "br", oneSpan, http.StatusBadRequest},
	}
	accepted := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			headers := map[string]string{}
			if tc.encoding != "" {
				headers["Content-Encoding"] = tc.encoding
			}
			resp, body := do(t, http.MethodPost, url, tc.body, headers)
			assert.Equal(t, tc.status, resp.StatusCode, body)
			if tc.status != http.StatusAccepted {
				assert.Contains(t, body, `"detail"`)
			}
			if tc.status == http.StatusRequestEntityTooLarge {
				assert.Contains(t, body, "max_request_body_size")
			}
			if tc.status == http.StatusAccepted {
				accepted++
			}
		})
	}
	assert.Equal(t, accepted, sink.SpanCount())
	metadatatest.AssertEqualReceiverRastirRefusedRequests(t, tel, []metricdata.DataPoint[int64]{
		{Value: 5, Attributes: attribute.NewSet(attribute.String(telemetryAttrReason, reasonTooLarge))},
		{Value: 1, Attributes: attribute.NewSet(attribute.String(telemetryAttrReason, reasonInvalid))},
	}, metricdatatest.IgnoreTimestamp(), metricdatatest.IgnoreExemplars())
}

// TestCompressionOff: compression_algorithms [] turns decompression off
// (confighttp then hands every body on as it came); a Rastir client's
// unencoded batch, and the probes, must still be answered as usual.
func TestCompressionOff(t *testing.T) {
	sink := &switchableConsumer{}
	base, _ := startReceiver(t, func(c *Config) { c.CompressionAlgorithms = []string{} }, sink)

	resp, body := do(t, http.MethodPost, base+pathTelemetry, oneSpan, nil)
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	resp, body = do(t, http.MethodPost, base+pathTelemetry, oneSpan, map[string]string{"Content-Encoding": "identity"})
	assert.Equal(t, http.StatusAccepted, resp.StatusCode, body)
	resp, body = do(t, http.MethodGet, base+pathHealth, "", nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
	assert.Equal(t, 2, sink.SpanCount())
}
