package rastiropenai

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// readStream passes data through a streaming body in reads of one byte and
// returns the attributes of the ended span.
func readStream(t *testing.T, data []byte, ep endpoint) map[string]any {
	t.Helper()
	rec := adaptertest.Record(t)
	_, span := rastir.StartLLM(context.Background(), "gpt-4o-mini")
	b := httptap.New(io.NopCloser(iotest.OneByteReader(bytes.NewReader(data))), true, 0,
		&body{span: span, ep: ep, status: 200})
	got, err := io.ReadAll(b)
	require.NoError(t, err)
	assert.Equal(t, data, got, "the body passes through unchanged")
	require.NoError(t, b.Close())
	return adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
}

func TestStreamOneByteReadsAndCRLF(t *testing.T) {
	data, err := os.ReadFile("testdata/chat_stream.sse")
	require.NoError(t, err)
	for name, d := range map[string][]byte{
		"lf":   data,
		"crlf": bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")),
		// No newline after the last event.
		"unterminated": bytes.TrimRight(data, "\n"),
	} {
		t.Run(name, func(t *testing.T) {
			m := readStream(t, d, endpointChat)
			assert.Equal(t, "chatcmpl-123", m[vocabulary.GenAIResponseID])
			assert.Equal(t, []string{"stop"}, m[vocabulary.GenAIResponseFinishReasons])
			assert.Equal(t, int64(9), m[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, int64(2), m[vocabulary.GenAIUsageOutputTokens])
			assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
		})
	}
}

func TestStreamOverlongLineSkipped(t *testing.T) {
	data, err := os.ReadFile("testdata/chat_stream.sse")
	require.NoError(t, err)
	long := "data: {\"id\":\"chatcmpl-long\",\"x\":\"" + strings.Repeat("a", httptap.MaxLine) + "\"}\n\n"
	m := readStream(t, append([]byte(long), data...), endpointChat)
	// The over-long event is dropped; the ones after it are read.
	assert.Equal(t, "chatcmpl-123", m[vocabulary.GenAIResponseID])
	assert.Equal(t, int64(9), m[vocabulary.GenAIUsageInputTokens])
}

func TestResponsesStreamOneByteReads(t *testing.T) {
	data, err := os.ReadFile("testdata/responses_stream.sse")
	require.NoError(t, err)
	m := readStream(t, data, endpointResponses)
	assert.Equal(t, "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654", m[vocabulary.GenAIResponseID])
	assert.Equal(t, int64(37), m[vocabulary.GenAIUsageInputTokens])
	assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
}

// BenchmarkReadCompletion is the part of BenchmarkSpan's adapter case that
// reads the response: one pass over the published chat completion example.
func BenchmarkReadCompletion(b *testing.B) {
	data, err := os.ReadFile("testdata/chat_completion.json")
	if err != nil {
		b.Fatal(err)
	}
	var models httptap.Recent
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := result{models: &models}
		r.readCompletion(httptap.View(data))
	}
}
