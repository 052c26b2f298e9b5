package rastiranthropic

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/tidwall/gjson"
	"go.opentelemetry.io/otel/attribute"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// body reads the response fields from what a httptap.Tap passes through to
// the client; the span ends at the body's end, at a read error or when it
// is closed.
type body struct {
	tap    httptap.Tap // the response body the client reads
	span   *rastir.Span
	status int
	req    *http.Request
	resp   *http.Response

	res result
}

// result is what a response tells about the call. Token counts are -1
// when unknown.
type result struct {
	models                   *httptap.Recent // copies of the model names
	id, model                string
	finish                   string
	input, output            int64
	cacheRead, cacheCreation int64
	haveUsage, firstChunk    bool
	failure                  error
	failureCategory          string
}

var dataPrefix = []byte("data:")

// Line handles one line of an event stream (httptap.Handler): the data
// lines carry the event's type in their JSON.
func (b *body) Line(line []byte) {
	if !bytes.HasPrefix(line, dataPrefix) {
		return
	}
	data := bytes.TrimSpace(line[len(dataPrefix):])
	if len(data) == 0 {
		return
	}
	js := httptap.View(data)
	r := &b.res
	switch gjson.Get(js, "type").Str {
	case "message_start":
		r.readMessage(gjson.Get(js, "message"))
	case "content_block_delta":
		if !r.firstChunk {
			r.firstChunk = true
			b.span.MarkFirstChunk()
		}
	case "message_delta":
		if s := gjson.Get(js, "delta.stop_reason"); s.Type == gjson.String {
			r.setFinish(s.Str)
		}
		// The delta's counts are cumulative; the ones it has replace
		// message_start's.
		r.readUsage(gjson.Get(js, "usage"), true)
	case "error":
		e := &anthropic.Error{Request: b.req, Response: b.resp, StatusCode: b.status,
			RequestID: b.resp.Header.Get("request-id"), WorkspaceID: b.resp.Header.Get("anthropic-workspace-id")}
		// The client's event data ends with the line's newline.
		_ = e.UnmarshalJSON(append(bytes.Clone(data), '\n'))
		r.failure = e
		r.failureCategory = errorTypeCategory(gjson.Get(js, "error.type").Str)
	}
}

// errorTypeCategory maps the error types of Anthropic's error events
// (which arrive with status 200) to the category their HTTP status would
// have given.
func errorTypeCategory(typ string) string {
	switch typ {
	case "rate_limit_error":
		return vocabulary.ErrorRateLimit
	case "invalid_request_error":
		return vocabulary.ErrorValidation
	case "timeout_error":
		return vocabulary.ErrorTimeout
	case "overloaded_error", "api_error", "authentication_error", "permission_error",
		"not_found_error", "request_too_large", "billing_error":
		return vocabulary.ErrorProvider
	}
	return ""
}

// setFinish keeps the stop reason, without a copy for the common ones.
func (r *result) setFinish(reason string) {
	if reason == "" {
		return
	}
	for _, known := range [...]string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", "refusal"} {
		if reason == known {
			r.finish = known
			return
		}
	}
	r.finish = strings.Clone(reason)
}

// readMessage reads a Message object in one pass over its top-level
// fields.
func (r *result) readMessage(m gjson.Result) {
	m.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			if v.Str != "" {
				r.id = strings.Clone(v.Str)
			}
		case "model":
			if v.Str != "" && v.Str != r.model {
				r.model = r.models.String(v.Str)
			}
		case "stop_reason":
			if v.Type == gjson.String {
				r.setFinish(v.Str)
			}
		case "usage":
			r.readUsage(v, false)
		}
		return true
	})
}

// readUsage reads a usage object; with update, only the counts it has
// replace the ones known.
func (r *result) readUsage(u gjson.Result, update bool) {
	if !u.IsObject() {
		return
	}
	if !update || !r.haveUsage {
		r.input, r.output, r.cacheRead, r.cacheCreation = -1, -1, -1, -1
	}
	r.haveUsage = true
	u.ForEach(func(k, v gjson.Result) bool {
		if v.Type != gjson.Number {
			return true
		}
		switch k.Str {
		case "input_tokens":
			r.input = v.Int()
		case "output_tokens":
			r.output = v.Int()
		case "cache_read_input_tokens":
			r.cacheRead = v.Int()
		case "cache_creation_input_tokens":
			r.cacheCreation = v.Int()
		}
		return true
	})
}

// Finish records the response fields, the failure if any, and ends the
// span (httptap.Handler). buf is the whole body of a non-stream response.
func (b *body) Finish(buf []byte, readErr error) {
	s := b.span
	switch {
	case b.status >= 400:
		s.Fail(b.apiError(buf))
	case buf != nil:
		b.res.readMessage(gjson.Parse(httptap.View(buf)))
	}
	r := &b.res
	s.SetResponseModel(r.model)
	var kv [6]attribute.KeyValue
	n := 0
	if r.id != "" {
		kv[n] = attribute.String(vocabulary.GenAIResponseID, r.id)
		n++
	}
	if r.finish != "" {
		kv[n] = attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, []string{r.finish})
		n++
	}
	if r.haveUsage {
		// Anthropic's input_tokens exclude the cache's reads and writes;
		// gen_ai.usage.input_tokens includes them.
		input := r.input
		if input >= 0 {
			input += max(r.cacheRead, 0) + max(r.cacheCreation, 0)
		}
		for _, u := range [...]struct {
			key string
			v   int64
		}{
			{vocabulary.GenAIUsageInputTokens, input},
			{vocabulary.GenAIUsageOutputTokens, r.output},
			{vocabulary.GenAIUsageCacheReadTokens, r.cacheRead},
			{vocabulary.GenAIUsageCacheCreationTokens, r.cacheCreation},
		} {
			if u.v >= 0 {
				kv[n] = attribute.Int64(u.key, u.v)
				n++
			}
		}
	}
	s.SetAttributes(kv[:n]...)
	switch {
	case readErr != nil:
		s.Fail(readErr)
	case r.failure != nil:
		s.Fail(r.failure)
		if r.failureCategory != "" {
			s.SetAttributes(attribute.String(vocabulary.RastirErrorCategoryKey, r.failureCategory))
		}
	}
	s.End()
}

// apiError is the error the client returns for the failed response.
func (b *body) apiError(buf []byte) error {
	e := &anthropic.Error{Request: b.req, Response: b.resp, StatusCode: b.status,
		RequestID: b.resp.Header.Get("request-id"), WorkspaceID: b.resp.Header.Get("anthropic-workspace-id")}
	if buf != nil {
		_ = e.UnmarshalJSON(bytes.Clone(buf))
	}
	return e
}
