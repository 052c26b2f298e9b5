package rastiranthropic

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"testing"
	"testing/iotest"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
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
			rec := adaptertest.Record(t)
			_, span := rastir.StartLLM(context.Background(), "claude-sonnet-4-5")
			b := httptap.New(io.NopCloser(iotest.OneByteReader(bytes.NewReader(d))), true, 0,
				&body{span: span, status: 200, resp: &http.Response{Header: http.Header{}}})
			got, err := io.ReadAll(b)
			require.NoError(t, err)
			assert.Equal(t, d, got, "the body passes through unchanged")
			require.NoError(t, b.Close())

			m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			assert.Equal(t, "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", m[vocabulary.GenAIResponseID])
			assert.Equal(t, []string{"end_turn"}, m[vocabulary.GenAIResponseFinishReasons])
			assert.Equal(t, int64(1825), m[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, int64(15), m[vocabulary.GenAIUsageOutputTokens])
			assert.Equal(t, int64(1800), m[vocabulary.GenAIUsageCacheReadTokens])
			assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
		})
	}
}

// BenchmarkReadMessage reads the fields of the published Messages API
// example, the response read of a non-stream call.
func BenchmarkReadMessage(b *testing.B) {
	data, err := os.ReadFile("testdata/message_cache.json")
	if err != nil {
		b.Fatal(err)
	}
	var models httptap.Recent
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := result{models: &models}
		r.readMessage(httptap.View(data))
	}
}

// BenchmarkReadDecodedMessage reads the same fields from the message the
// client decoded (decoded once, before the loop): the response read of a
// typed call.
func BenchmarkReadDecodedMessage(b *testing.B) {
	data, err := os.ReadFile("testdata/message_cache.json")
	if err != nil {
		b.Fatal(err)
	}
	var m anthropic.Message
	if err := m.UnmarshalJSON(data); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var r result
		r.readDecoded(&m)
	}
}
