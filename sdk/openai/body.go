package rastiropenai

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
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
	ep     endpoint
	status int
	req    *http.Request

	event []byte // the stream's current event type
	res   result
}

// result is what a response tells about the call.
type result struct {
	models                *httptap.Recent // copies of the model names
	id, model             string
	finish                []string
	input, output         int64
	cached, reasoning     int64
	failure               error
	firstChunk, haveUsage bool
	finishBuf             [2]string
}

var (
	dataPrefix  = []byte("data:")
	eventPrefix = []byte("event:")
	doneData    = []byte("[DONE]")
)

// Line handles one line of an event stream (httptap.Handler).
func (b *body) Line(line []byte) {
	switch {
	case len(line) == 0:
		b.event = b.event[:0]
	case bytes.HasPrefix(line, eventPrefix):
		b.event = append(b.event[:0], bytes.TrimSpace(line[len(eventPrefix):])...)
	case bytes.HasPrefix(line, dataPrefix):
		data := bytes.TrimSpace(line[len(dataPrefix):])
		if len(data) == 0 || bytes.HasPrefix(data, doneData) {
			return
		}
		b.streamEvent(data)
	}
}

// streamEvent reads one streamed JSON event.
func (b *body) streamEvent(data []byte) {
	js := httptap.View(data)
	if e := gjson.Get(js, "error"); e.Exists() {
		b.res.failure = &ssestream.StreamError{
			Message: fmt.Sprintf("received error while streaming: %s", e.String()),
			Event:   ssestream.Event{Type: string(b.event), Data: bytes.Clone(data)},
		}
		return
	}
	if b.ep != endpointResponses {
		// Chat completion and completion chunks.
		if !b.res.firstChunk {
			b.res.firstChunk = true
			b.span.MarkFirstChunk()
		}
		b.res.readCompletion(js)
		return
	}
	typ := gjson.Get(js, "type").Str
	switch typ {
	case "response.created", "response.in_progress":
		r := gjson.Get(js, "response")
		b.res.setID(r.Get("id").Str)
		b.res.setModel(r.Get("model").Str)
	case "response.completed", "response.incomplete", "response.failed":
		b.res.readResponse(gjson.Get(js, "response"))
	case "error":
		b.res.failure = &ssestream.StreamError{
			Message: fmt.Sprintf("received error while streaming: %s", gjson.Get(js, "message").String()),
			Event:   ssestream.Event{Type: typ, Data: bytes.Clone(data)},
		}
	default:
		if strings.HasSuffix(typ, ".delta") && !b.res.firstChunk {
			b.res.firstChunk = true
			b.span.MarkFirstChunk()
		}
	}
}

func (r *result) setID(id string) {
	if id != "" && r.id == "" {
		r.id = strings.Clone(id)
	}
}

func (r *result) setModel(model string) {
	if model != "" && model != r.model {
		r.model = r.models.String(model)
	}
}

func (r *result) addFinish(reason string) {
	if reason == "" {
		return
	}
	if r.finish == nil {
		r.finish = r.finishBuf[:0]
	}
	r.finish = append(r.finish, internFinish(reason))
}

// internFinish returns the common finish reasons without a copy.
func internFinish(reason string) string {
	for _, known := range [...]string{"stop", "length", "tool_calls", "content_filter", "function_call", "max_output_tokens"} {
		if reason == known {
			return known
		}
	}
	return strings.Clone(reason)
}

// readCompletion reads a chat completion, completion or embeddings
// response, or one streamed chunk of the first two, in one pass over its
// top-level fields.
func (r *result) readCompletion(js string) {
	gjson.Parse(js).ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			r.setID(v.Str)
		case "model":
			r.setModel(v.Str)
		case "choices":
			v.ForEach(func(_, c gjson.Result) bool {
				c.ForEach(func(k, v gjson.Result) bool {
					if k.Str != "finish_reason" {
						return true
					}
					if v.Type == gjson.String {
						r.addFinish(v.Str)
					}
					return false
				})
				return true
			})
		case "usage":
			// Embeddings have input tokens only (output -1).
			r.readUsage(v, &completionUsage)
		}
		return true
	})
}

// readResponse reads a Responses API response object, in one pass over its
// top-level fields.
func (r *result) readResponse(resp gjson.Result) {
	var status, incomplete string
	resp.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "id":
			r.setID(v.Str)
		case "model":
			r.setModel(v.Str)
		case "status":
			status = v.Str
		case "incomplete_details":
			incomplete = v.Get("reason").Str
		case "error":
			if v.IsObject() {
				r.failure = &ssestream.StreamError{
					Message: fmt.Sprintf("response failed: %s", v.Get("message").String()),
				}
			}
		case "usage":
			r.readUsage(v, &responseUsage)
		}
		return true
	})
	switch status {
	case "completed":
		r.finish = r.finish[:0]
		r.addFinish(finishStop)
	case "incomplete":
		r.finish = r.finish[:0]
		r.addFinish(incomplete)
	}
}

// finishStop is the finish reason recorded for a completed response (the
// Responses API reports a status, not a finish reason).
const finishStop = "stop"

// usageKeys names the token counts of a usage object: Chat Completions
// and Responses spell them differently.
type usageKeys struct {
	input, output               string
	inputDetails, outputDetails string
}

var (
	completionUsage = usageKeys{"prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details"}
	responseUsage   = usageKeys{"input_tokens", "output_tokens", "input_tokens_details", "output_tokens_details"}
)

// readUsage reads a usage object in one pass over its fields; a count it
// does not carry is -1.
func (r *result) readUsage(v gjson.Result, keys *usageKeys) {
	if !v.IsObject() {
		return
	}
	r.haveUsage = true
	r.input, r.output, r.cached, r.reasoning = -1, -1, -1, -1
	v.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case keys.input:
			r.input = intOr(v)
		case keys.output:
			r.output = intOr(v)
		case keys.inputDetails:
			r.cached = intOr(v.Get("cached_tokens"))
		case keys.outputDetails:
			r.reasoning = intOr(v.Get("reasoning_tokens"))
		}
		return true
	})
}

func intOr(v gjson.Result) int64 {
	if v.Type != gjson.Number {
		return -1
	}
	return v.Int()
}

// Finish records the response fields, the failure if any, and ends the
// span (httptap.Handler). buf is the whole body of a non-stream response.
func (b *body) Finish(buf []byte, readErr error) {
	s := b.span
	switch {
	case b.status >= 400:
		s.Fail(b.apiError(buf))
	case buf != nil:
		if b.ep == endpointResponses {
			b.res.readResponse(gjson.Parse(httptap.View(buf)))
		} else {
			b.res.readCompletion(httptap.View(buf))
		}
	}
	r := &b.res
	s.SetResponseModel(r.model)
	var kv [6]attribute.KeyValue
	n := 0
	if r.id != "" {
		kv[n] = attribute.String(vocabulary.GenAIResponseID, r.id)
		n++
	}
	if len(r.finish) > 0 {
		kv[n] = attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, r.finish)
		n++
	}
	if r.haveUsage {
		for _, u := range [...]struct {
			key string
			v   int64
		}{
			{vocabulary.GenAIUsageInputTokens, r.input},
			{vocabulary.GenAIUsageOutputTokens, r.output},
			{vocabulary.GenAIUsageCacheReadTokens, r.cached},
			{vocabulary.GenAIUsageReasoningTokens, r.reasoning},
		} {
			if u.v >= 0 {
				kv[n] = attribute.Int64(u.key, u.v)
				n++
			}
		}
	}
	s.SetAttributes(kv[:n]...)
	if readErr != nil {
		s.Fail(readErr)
	} else if r.failure != nil {
		s.Fail(r.failure)
	}
	s.End()
}

// apiError is the error the client returns for the failed response: the
// *openai.Error built from the body's "error" object.
func (b *body) apiError(buf []byte) error {
	e := &openai.Error{StatusCode: b.status, Request: b.req}
	if buf != nil {
		if raw := gjson.GetBytes(buf, "error").Raw; raw != "" {
			_ = e.UnmarshalJSON([]byte(raw))
		}
	}
	return e
}
