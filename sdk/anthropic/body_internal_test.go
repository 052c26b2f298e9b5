package rastiranthropic

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

func TestStreamOneByteReads(t *testing.T) {
	data, err := os.ReadFile("testdata/stream.sse")
	require.NoError(t, err)
	for name, d := range map[string][]byte{
		"lf":   data,
		"crlf": bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")),
	} {
		t.Run(name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
			rastir.UseTracerProvider(tp)
			t.Cleanup(func() {
				rastir.UseTracerProvider(nil)
				_ = tp.Shutdown(context.Background())
			})
			_, span := rastir.StartLLM(context.Background(), "claude-sonnet-4-5")
			b := httptap.New(io.NopCloser(iotest.OneByteReader(bytes.NewReader(d))), true, 0,
				&body{span: span, status: 200, resp: &http.Response{Header: http.Header{}}})
			got, err := io.ReadAll(b)
			require.NoError(t, err)
			assert.Equal(t, d, got, "the body passes through unchanged")
			require.NoError(t, b.Close())

			spans := rec.Ended()
			require.Len(t, spans, 1)
			m := make(map[string]any)
			for _, kv := range spans[0].Attributes() {
				m[string(kv.Key)] = kv.Value.AsInterface()
			}
			assert.Equal(t, "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", m[vocabulary.GenAIResponseID])
			assert.Equal(t, []string{"end_turn"}, m[vocabulary.GenAIResponseFinishReasons])
			assert.Equal(t, int64(1825), m[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, int64(15), m[vocabulary.GenAIUsageOutputTokens])
			assert.Equal(t, int64(1800), m[vocabulary.GenAIUsageCacheReadTokens])
			assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
		})
	}
}
