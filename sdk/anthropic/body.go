package rastiranthropic

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"sync"

	"github.com/anthropics/anthropic-sdk-go"
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
	status int
	stream bool
	req    *http.Request
	resp   *http.Response

	mu       sync.Mutex
	done     bool
	overflow bool // non-stream: the body outgrew maxBuffered; stream: dropping an over-long line
	// buf holds the body (non-stream) or the current incomplete line
	// (stream).
	buf []byte
	res result
}

// result is what a response tells about the call. Token counts are -1
// when unknown.
type result struct {
	id, model                string
	finish                   string
	input, output            int64
	cacheRead, cacheCreation int64
	haveUsage, firstChunk    bool
	failure                  error
	failureCategory          string
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

var dataPrefix = []byte("data:")

// line handles one line of an event stream: the data lines carry the
// event's type in their JSON.
func (b *body) line(line []byte) {
	if !bytes.HasPrefix(line, dataPrefix) {
		return
	}
	data := bytes.TrimSpace(line[len(dataPrefix):])
	if len(data) == 0 {
		return
	}
	r := &b.res
	switch gjson.GetBytes(data, "type").String() {
	case "message_start":
		m := gjson.GetBytes(data, "message")
		r.readMessage(m)
	case "content_block_delta":
		if !r.firstChunk {
			r.firstChunk = true
			b.span.MarkFirstChunk()
		}
	case "message_delta":
		f := gjson.GetManyBytes(data, "delta.stop_reason", "usage")
		if s := f[0].String(); s != "" {
			r.finish = s
		}
		// The delta's counts are cumulative; the ones it has replace
		// message_start's.
		r.readUsage(f[1], true)
	case "error":
		e := &anthropic.Error{Request: b.req, Response: b.resp, StatusCode: b.status,
			RequestID: b.resp.Header.Get("request-id"), WorkspaceID: b.resp.Header.Get("anthropic-workspace-id")}
		// The client's event data ends with the line's newline.
		_ = e.UnmarshalJSON(append(bytes.Clone(data), '\n'))
		r.failure = e
		r.failureCategory = errorTypeCategory(gjson.GetBytes(data, "error.type").String())
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

// readMessage reads a Message object.
func (r *result) readMessage(m gjson.Result) {
	if id := m.Get("id").String(); id != "" {
		r.id = id
	}
	if model := m.Get("model").String(); model != "" {
		r.model = model
	}
	if s := m.Get("stop_reason").String(); s != "" {
		r.finish = s
	}
	r.readUsage(m.Get("usage"), false)
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
	set := func(dst *int64, v gjson.Result) {
		if v.Type == gjson.Number {
			*dst = v.Int()
		}
	}
	set(&r.input, u.Get("input_tokens"))
	set(&r.output, u.Get("output_tokens"))
	set(&r.cacheRead, u.Get("cache_read_input_tokens"))
	set(&r.cacheCreation, u.Get("cache_creation_input_tokens"))
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
		b.res.readMessage(gjson.ParseBytes(b.buf))
	}
	if b.stream && len(b.buf) > 0 && !b.overflow {
		// A last line without its newline.
		b.line(bytes.TrimSuffix(b.buf, []byte{'\r'}))
	}
	b.buf = nil
	r := &b.res
	s.SetResponseID(r.id)
	s.SetResponseModel(r.model)
	if r.finish != "" {
		s.SetAttributes(attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, []string{r.finish}))
	}
	if r.haveUsage {
		// Anthropic's input_tokens exclude the cache's reads and writes;
		// gen_ai.usage.input_tokens includes them.
		input := r.input
		if input >= 0 {
			input += max(r.cacheRead, 0) + max(r.cacheCreation, 0)
		}
		s.SetUsage(input, r.output)
		s.SetCacheTokens(r.cacheRead, r.cacheCreation)
	}
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
func (b *body) apiError() error {
	e := &anthropic.Error{Request: b.req, Response: b.resp, StatusCode: b.status,
		RequestID: b.resp.Header.Get("request-id"), WorkspaceID: b.resp.Header.Get("anthropic-workspace-id")}
	if !b.overflow {
		_ = e.UnmarshalJSON(bytes.Clone(b.buf))
	}
	return e
}
