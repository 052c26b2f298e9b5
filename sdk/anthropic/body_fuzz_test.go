package rastiranthropic

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk/jsonwalktest"
)

// FuzzReadMessage reads any input as a Message without a panic, and
// checks the reader against encoding/json: what encoding/json decodes from
// the input is encoded again (one spelling per key, escapes included) and
// the reader must find the same fields in that text.
func FuzzReadMessage(f *testing.F) {
	adaptertest.AddFiles(f, "message.json", "message_cache.json")
	f.Add([]byte(`{"id":"m\u00e9","model":"c<1>","stop_reason":"x\ny","usage":{"input_tokens":1.5}}`))
	f.Add([]byte(`{"id":7,"model":null,"stop_reason":"refusal","usage":{"input_tokens":"3","output_tokens":-2,"output_tokens_details":{"thinking_tokens":5}},"x":1}`))
	f.Add([]byte(`{"usage":{"cache_read_input_tokens":1e3,"output_tokens_details":null,"server_tool_use":{"web_search_requests":1}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var models httptap.Recent
		r := result{models: &models}
		r.readMessage(httptap.View(data))
		var decoded anthropic.Message
		if decoded.UnmarshalJSON(data) == nil {
			r.readDecoded(&decoded)
		}

		var doc struct {
			ID         *string `json:"id,omitempty"`
			Model      *string `json:"model,omitempty"`
			StopReason *string `json:"stop_reason,omitempty"`
			Usage      *struct {
				Input         *int64 `json:"input_tokens,omitempty"`
				Output        *int64 `json:"output_tokens,omitempty"`
				CacheRead     *int64 `json:"cache_read_input_tokens,omitempty"`
				CacheCreation *int64 `json:"cache_creation_input_tokens,omitempty"`
				Details       *struct {
					Thinking *int64 `json:"thinking_tokens,omitempty"`
				} `json:"output_tokens_details,omitempty"`
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
			thinking := int64(-1)
			if doc.Usage.Details != nil {
				thinking = count(doc.Usage.Details.Thinking)
			}
			assert.Equal(t, thinking, got.thinking, "%s", canon)
		}

		// The typed call's reader finds the same in what the client
		// decodes from the same text.
		var m anthropic.Message
		if m.UnmarshalJSON(canon) != nil {
			return
		}
		typed := result{models: &models}
		typed.readDecoded(&m)
		assert.Equal(t, got, typed, "%s", canon)
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

// FuzzRequestFields reads any input as a Messages request, and checks the
// model, stream flag and parameters against encoding/json.
func FuzzRequestFields(f *testing.F) {
	f.Add([]byte(`{"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Hi","model":"no"}],"stream":true}`))
	f.Add([]byte(`{"model":"c\u0033","max_tokens":1024.0,"temperature":0.5,"top_p":1e-1,"top_k":40,"stop_sequences":["\n\nHuman:","\u003c/a\u003e"]}`))
	f.Add([]byte(`{"max_tokens":1e19,"temperature":"hot","top_k":null,"stop_sequences":"END","metadata":{"top_p":1}}`))
	f.Add([]byte(`{"max_tokens":-5,"stop_sequences":["a",1],"top_p":-0}`))
	f.Add([]byte(`{"output_config":{"effort":"low","format":{"type":"json_schema","schema":{"type":"object"}}}}`))
	f.Add([]byte(`{"output_config":{"format":{}},"output_config":{"effort":"high","format":null}}`))
	f.Add([]byte(`{"output_config":[{"format":{}}],"metadata":{"output_config":{"format":{}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c config
		read := func(body []byte) request {
			req, err := http.NewRequest(http.MethodPost, "https://api.anthropic.com/v1/messages", bytes.NewReader(body))
			require.NoError(t, err)
			return c.requestFields(req)
		}
		read(data)

		var doc struct {
			Model         *string      `json:"model,omitempty"`
			Stream        *bool        `json:"stream,omitempty"`
			MaxTokens     *json.Number `json:"max_tokens,omitempty"`
			Temperature   *json.Number `json:"temperature,omitempty"`
			TopP          *json.Number `json:"top_p,omitempty"`
			TopK          *json.Number `json:"top_k,omitempty"`
			StopSequences any          `json:"stop_sequences,omitempty"`
			OutputConfig  *struct {
				Format any `json:"format,omitempty"`
			} `json:"output_config,omitempty"`
		}
		canon, ok := adaptertest.Canonical(data, &doc)
		if !ok {
			return
		}
		got := read(canon)
		assert.Equal(t, adaptertest.Deref(doc.Model, ""), got.model, "%s", canon)
		assert.Equal(t, adaptertest.Deref(doc.Stream, false), got.stream, "%s", canon)

		p := &got.params
		jsonwalktest.CheckParams(t, p, map[jsonwalk.Param]*json.Number{
			jsonwalk.ParamMaxTokens:   doc.MaxTokens,
			jsonwalk.ParamTemperature: doc.Temperature,
			jsonwalk.ParamTopP:        doc.TopP,
			jsonwalk.ParamTopK:        doc.TopK,
		}, string(canon))
		assert.Equal(t, stopOf(doc.StopSequences), p.StopSequences, "%s", canon)
		wantOutput := ""
		if doc.OutputConfig != nil {
			if _, isObject := doc.OutputConfig.Format.(map[string]any); isObject {
				wantOutput = vocabulary.OutputTypeJSON
			}
		}
		assert.Equal(t, wantOutput, p.OutputType, "%s", canon)
	})
}

// stopOf is the stop sequences of a member decoded by encoding/json: an
// array of strings only.
func stopOf(v any) []string {
	elems, _ := v.([]any)
	var out []string
	for _, e := range elems {
		s, ok := e.(string)
		if !ok {
			return nil
		}
		out = append(out, s)
	}
	return out
}
