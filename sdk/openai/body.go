package rastiropenai

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/tidwall/gjson"
	"go.opentelemetry.io/otel/attribute"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

const (
	// maxBuffered bounds the copy of a non-streamed response body the
	// adapter keeps to read the response fields from; past it the fields
	// are not recorded.
	maxBuffered = 8 << 20
	// maxLine bounds one line of an event stream.
	maxLine = 1 << 20
)

// body passes the response body through to the client and reads the
// response fields from what goes by; the span ends at the body's end, at a
// read error or when it is closed.
type body struct {
	rc     io.ReadCloser
	span   *rastir.Span
	ep     endpoint
	status int
	stream bool
	req    *http.Request

	mu       sync.Mutex
	done     bool
	overflow bool // non-stream: the body outgrew maxBuffered; stream: dropping an over-long line
	// buf holds the body (non-stream) or the current incomplete line
	// (stream).
	buf   []byte
	event []byte // the stream's current event type
	res   result
}

// result is what a response tells about the call.
type result struct {
	id, model             string
	finish                []string
	input, output         int64
	cached, reasoning     int64
	failure               error
	firstChunk, haveUsage bool
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	b.mu.Lock()
	if !b.done {
		if n > 0 {
			b.observe(p[:n])
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				b.finishLocked(nil)
			} else {
				b.finishLocked(err)
			}
		}
	}
	b.mu.Unlock()
	return n, err
}

func (b *body) Close() error {
	err := b.rc.Close()
	b.mu.Lock()
	if !b.done {
		b.finishLocked(nil)
	}
	b.mu.Unlock()
	return err
}

func (b *body) observe(p []byte) {
	if !b.stream {
		if b.overflow {
			return
		}
		if len(b.buf)+len(p) > maxBuffered {
			b.overflow = true
			b.buf = nil
			return
		}
		b.buf = append(b.buf, p...)
		return
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if !b.overflow {
				if len(b.buf)+len(p) > maxLine {
					b.overflow = true
					b.buf = b.buf[:0]
				} else {
					b.buf = append(b.buf, p...)
				}
			}
			return
		}
		line := p[:i]
		p = p[i+1:]
		if b.overflow {
			b.overflow = false
			continue
		}
		if len(b.buf) > 0 {
			b.buf = append(b.buf, line...)
			line = b.buf
		}
		b.line(bytes.TrimSuffix(line, []byte{'\r'}))
		b.buf = b.buf[:0]
	}
}

var (
	dataPrefix  = []byte("data:")
	eventPrefix = []byte("event:")
	doneData    = []byte("[DONE]")
)

// line handles one line of an event stream.
func (b *body) line(line []byte) {
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
	if e := gjson.GetBytes(data, "error"); e.Exists() {
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
		b.res.readCompletion(data, true)
		return
	}
	typ := gjson.GetBytes(data, "type").String()
	switch typ {
	case "response.created", "response.in_progress":
		r := gjson.GetBytes(data, "response")
		b.res.setID(r.Get("id").String())
		b.res.setModel(r.Get("model").String())
	case "response.completed", "response.incomplete", "response.failed":
		b.res.readResponse(gjson.GetBytes(data, "response"))
	case "error":
		b.res.failure = &ssestream.StreamError{
			Message: fmt.Sprintf("received error while streaming: %s", gjson.GetBytes(data, "message").String()),
			Event:   ssestream.Event{Type: typ, Data: bytes.Clone(data)},
		}
	default:
		if len(typ) > 6 && typ[len(typ)-6:] == ".delta" && !b.res.firstChunk {
			b.res.firstChunk = true
			b.span.MarkFirstChunk()
		}
	}
}

func (r *result) setID(id string) {
	if id != "" && r.id == "" {
		r.id = id
	}
}

func (r *result) setModel(model string) {
	if model != "" {
		r.model = model
	}
}

// readCompletion reads a chat completion, completion or embeddings
// response, or one streamed chunk of the first two.
func (r *result) readCompletion(data []byte, chunk bool) {
	f := gjson.GetManyBytes(data, "id", "model", "choices.#.finish_reason", "usage")
	r.setID(f[0].String())
	r.setModel(f[1].String())
	for _, fr := range f[2].Array() {
		if s := fr.String(); s != "" {
			r.finish = append(r.finish, s)
		}
	}
	if u := f[3]; u.IsObject() {
		r.haveUsage = true
		r.input = intOr(u.Get("prompt_tokens"))
		r.output = intOr(u.Get("completion_tokens"))
		r.cached = intOr(u.Get("prompt_tokens_details.cached_tokens"))
		r.reasoning = intOr(u.Get("completion_tokens_details.reasoning_tokens"))
		if !chunk && !u.Get("completion_tokens").Exists() {
			// Embeddings have input tokens only.
			r.output = -1
		}
	}
}

// readResponse reads a Responses API response object.
func (r *result) readResponse(resp gjson.Result) {
	r.setID(resp.Get("id").String())
	r.setModel(resp.Get("model").String())
	switch resp.Get("status").String() {
	case "completed":
		r.finish = append(r.finish[:0], finishStop)
	case "incomplete":
		if reason := resp.Get("incomplete_details.reason").String(); reason != "" {
			r.finish = append(r.finish[:0], reason)
		}
	case "failed":
		if e := resp.Get("error"); e.IsObject() {
			r.failure = &ssestream.StreamError{
				Message: fmt.Sprintf("response failed: %s", e.Get("message").String()),
			}
		}
	}
	if u := resp.Get("usage"); u.IsObject() {
		r.haveUsage = true
		r.input = intOr(u.Get("input_tokens"))
		r.output = intOr(u.Get("output_tokens"))
		r.cached = intOr(u.Get("input_tokens_details.cached_tokens"))
		r.reasoning = intOr(u.Get("output_tokens_details.reasoning_tokens"))
	}
}

// finishStop is the finish reason recorded for a completed response (the
// Responses API reports a status, not a finish reason).
const finishStop = "stop"

func intOr(v gjson.Result) int64 {
	if v.Type != gjson.Number {
		return -1
	}
	return v.Int()
}

// finishLocked records the response fields, the failure if any, and ends
// the span.
func (b *body) finishLocked(readErr error) {
	b.done = true
	s := b.span
	switch {
	case b.status >= 400:
		s.Fail(b.apiError())
	case !b.stream && !b.overflow:
		if b.ep == endpointResponses {
			b.res.readResponse(gjson.ParseBytes(b.buf))
		} else {
			b.res.readCompletion(b.buf, false)
		}
	}
	if b.stream && len(b.buf) > 0 && !b.overflow {
		// A last line without its newline.
		b.line(bytes.TrimSuffix(b.buf, []byte{'\r'}))
	}
	b.buf = nil
	r := &b.res
	s.SetResponseID(r.id)
	s.SetResponseModel(r.model)
	if len(r.finish) > 0 {
		s.SetAttributes(attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, r.finish))
	}
	if r.haveUsage {
		s.SetUsage(r.input, r.output)
		s.SetCacheTokens(r.cached, -1)
		if r.reasoning >= 0 {
			s.SetAttributes(attribute.Int64(vocabulary.GenAIUsageReasoningTokens, r.reasoning))
		}
	}
	if readErr != nil {
		s.Fail(readErr)
	} else if r.failure != nil {
		s.Fail(r.failure)
	}
	s.End()
}

// apiError is the error the client returns for the failed response: the
// *openai.Error built from the body's "error" object.
func (b *body) apiError() error {
	e := &openai.Error{StatusCode: b.status, Request: b.req}
	if !b.overflow {
		if raw := gjson.GetBytes(b.buf, "error").Raw; raw != "" {
			_ = e.UnmarshalJSON([]byte(raw))
		}
	}
	return e
}
