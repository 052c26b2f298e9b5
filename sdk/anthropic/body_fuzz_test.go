package rastiranthropic

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
)

// FuzzReadMessage reads any input as a Message without a panic, and
// checks the reader against encoding/json: what encoding/json decodes from
// the input is encoded again (one spelling per key, escapes included) and
// the reader must find the same fields in that text.
func FuzzReadMessage(f *testing.F) {
	adaptertest.AddFiles(f, "message.json", "message_cache.json")
	f.Add([]byte(`{"id":"m\u00e9","model":"c<1>","stop_reason":"x\ny","usage":{"input_tokens":1.5}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var models httptap.Recent
		r := result{models: &models}
		r.readMessage(httptap.View(data))

		var doc struct {
			ID         *string `json:"id,omitempty"`
			Model      *string `json:"model,omitempty"`
			StopReason *string `json:"stop_reason,omitempty"`
			Usage      *struct {
				Input         *int64 `json:"input_tokens,omitempty"`
				Output        *int64 `json:"output_tokens,omitempty"`
				CacheRead     *int64 `json:"cache_read_input_tokens,omitempty"`
				CacheCreation *int64 `json:"cache_creation_input_tokens,omitempty"`
			} `json:"usage,omitempty"`
		}
		canon, ok := adaptertest.Canonical(data, &doc)
		if !ok {
			return
		}
		got := result{models: &models}
		got.readMessage(httptap.View(canon))
		assert.Equal(t, adaptertest.Deref(doc.ID, ""), got.id, "%s", canon)
		assert.Equal(t, adaptertest.Deref(doc.Model, ""), got.model, "%s", canon)
		assert.Equal(t, adaptertest.Deref(doc.StopReason, ""), got.finish, "%s", canon)
		assert.Equal(t, doc.Usage != nil, got.haveUsage, "%s", canon)
		if doc.Usage != nil {
			// A negative number is no count.
			count := func(p *int64) int64 { return max(adaptertest.Deref(p, -1), -1) }
			assert.Equal(t, count(doc.Usage.Input), got.input, "%s", canon)
			assert.Equal(t, count(doc.Usage.Output), got.output, "%s", canon)
			assert.Equal(t, count(doc.Usage.CacheRead), got.cacheRead, "%s", canon)
			assert.Equal(t, count(doc.Usage.CacheCreation), got.cacheCreation, "%s", canon)
		}
	})
}

// FuzzStreamEvents hands any lines to the stream reader, then finishes
// the response, without a panic.
func FuzzStreamEvents(f *testing.F) {
	adaptertest.AddFiles(f, "stream.sse", "stream_error.sse")
	f.Fuzz(func(t *testing.T, data []byte) {
		var models httptap.Recent
		b := &body{status: 200, resp: &http.Response{Header: http.Header{}}}
		b.res.models = &models
		for _, line := range bytes.Split(data, []byte("\n")) {
			b.Line(bytes.TrimSuffix(line, []byte("\r")))
		}
		b.Finish(nil, nil)
	})
}
