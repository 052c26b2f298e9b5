package rastirbedrock

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// FuzzStreamTap passes any bytes through the stream tap in reads
// of any size: the SDK's reader gets them unchanged, and the span ends
// once whatever the frames hold.
func FuzzStreamTap(f *testing.F) {
	var stream bytes.Buffer
	enc := eventstream.NewEncoder()
	frames := append(streamFrames("guardrail_intervened", `{"usage":{"inputTokens":3,"outputTokens":2},"trace":{"guardrail":{"a":1}}}`),
		exception("throttlingException", "slow down"))
	for _, m := range frames {
		require.NoError(f, enc.Encode(&stream, m))
	}
	f.Add(stream.Bytes(), uint8(0))
	var invoke bytes.Buffer
	for _, m := range append(chunks(anthropicStream...), exception("modelStreamErrorException", "failed")) {
		require.NoError(f, enc.Encode(&invoke, m))
	}
	f.Add(invoke.Bytes(), uint8(3))
	f.Add(stream.Bytes()[:stream.Len()/2], uint8(1))
	f.Add([]byte{0, 0, 0, 20, 0, 0, 0, 0}, uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		rec := adaptertest.Record(t)
		_, span := rastir.StartLLM(context.Background(), "m")
		tap := newStreamTap(io.NopCloser(adaptertest.ChunkedReader(data, chunk)), &call{span: span, guardrail: chunk%2 == 0})
		out, err := io.ReadAll(tap)
		require.NoError(t, err)
		require.NoError(t, tap.Close())
		assert.Equal(t, data, out)
		assert.Len(t, rec.Ended(), 1)
	})
}
