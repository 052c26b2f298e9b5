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
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"

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
	cacheWrite            int64 // prompt tokens written to the prompt cache
	failure               error
	failureCategory       string // the failure's rastir.error.category, when its code tells
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
	if b.ep != endpointResponses {
		// Chat completion and completion chunks.
		if b.res.readCompletion(js) {
			b.errorMember(data)
			return
		}
		if !b.res.firstChunk {
			b.res.firstChunk = true
			b.span.MarkFirstChunk()
		}
		return
	}
	switch typ, isError := b.res.readResponseEvent(js); {
	case isError:
		// The API's error event nests its error, which the client fails
		// with whatever the event's type.
		b.errorMember(data)
	case typ == "error":
		b.res.failure = &ssestream.StreamError{
			Message: fmt.Sprintf("received error while streaming: %s", gjson.Get(js, "message").String()),
			Event:   ssestream.Event{Type: typ, Data: bytes.Clone(data)},
		}
		b.res.failureCategory = streamErrorCategory(gjson.Get(js, "code").String(), "")
	case strings.HasSuffix(typ, ".delta") && !b.res.firstChunk:
		b.res.firstChunk = true
		b.span.MarkFirstChunk()
	}
}

// errorMember records the failure the client's stream returns for an
// event with a top-level "error" member.
func (b *body) errorMember(data []byte) {
	js := httptap.View(data)
	b.res.failure = &ssestream.StreamError{
		Message: fmt.Sprintf("received error while streaming: %s", gjson.Get(js, "error").String()),
		Event:   ssestream.Event{Type: string(b.event), Data: bytes.Clone(data)},
	}
	b.res.failureCategory = streamErrorCategory(gjson.Get(js, "error.code").String(), gjson.Get(js, "error.type").String())
}

// streamErrorCategory is the rastir.error.category of an error that
// arrives with status 200 (in a stream, or as a failed response), by its
// code, else its type: the category the HTTP status of the same error
// would have given (429 rate_limit_exceeded, 400 invalid_request_error,
// 500 server_error). "" when neither tells.
func streamErrorCategory(code, typ string) string {
	for _, name := range [...]string{code, typ} {
		switch name {
		case "":
			continue
		case "rate_limit_exceeded", "too_many_requests", "insufficient_quota":
			return vocabulary.ErrorRateLimit
		case "invalid_request_error", "invalid_prompt", "context_length_exceeded":
			return vocabulary.ErrorValidation
		case "server_error", "api_error":
			return vocabulary.ErrorProvider
		}
		if c := vocabulary.CategorizeErrorType(name); c != vocabulary.ErrorUnknown {
			return c
		}
	}
	return ""
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
// response, or one streamed chunk of the first two, in one pass. It
// reports whether the document has a top-level "error" member instead
// (a stream's error event), and then reads nothing else. Groq's streams
// carry their usage in the last chunk's x_groq object.
func (r *result) readCompletion(js string) (isError bool) {
	var (
		top       member // the top-level member being read
		choices   bool   // the top-level member is the choices array
		groqUsage bool   // the member of x_groq being read is its usage
		u         usageReader
	)
	jsonwalk.Walk(js, func(it *jsonwalk.Iterator) bool {
		switch it.Level() {
		case 1:
			top = memberOf(it)
			switch top {
			case memberID:
				r.setID(jsonwalk.String(it))
			case memberModel:
				r.setModel(jsonwalk.String(it))
			case memberChoices:
				choices = jsonwalk.IsArray(it)
			case memberUsage:
				u.start(r, it)
			case memberError:
				isError = true
				return true
			}
		case 2:
			switch top {
			case memberUsage:
				u.visit(it, 1)
			case memberXGroq:
				if groqUsage = memberOf(it) == memberUsage; groqUsage {
					u.start(r, it)
				}
			}
		case 3:
			switch {
			case choices && top == memberChoices:
				// A member of one of the choices.
				if memberOf(it) == memberFinishReason {
					r.addFinish(jsonwalk.String(it))
				}
			case top == memberUsage:
				u.visit(it, 2)
			case top == memberXGroq && groqUsage:
				u.visit(it, 1)
			}
		case 4:
			if top == memberXGroq && groqUsage {
				u.visit(it, 2)
			}
		}
		return false
	})
	return isError
}

// readResponse reads a Responses API response object, in one pass.
func (r *result) readResponse(js string) {
	var rr responseReader
	jsonwalk.Walk(js, func(it *jsonwalk.Iterator) bool {
		rr.visit(r, it, 0)
		return false
	})
	rr.finish(r)
}

// readResponseEvent reads a Responses API stream event in one pass: the
// response object of the events that carry one (response.created,
// .in_progress, .completed, .incomplete, .failed) the way readResponse
// does. It returns the event's type, and stops at a delta event's type;
// or reports that the event has a top-level "error" member, and then
// reads nothing after it.
func (r *result) readResponseEvent(js string) (typ string, isError bool) {
	var (
		rr   responseReader
		top  member
		read bool
	)
	jsonwalk.Walk(js, func(it *jsonwalk.Iterator) bool {
		if it.Level() == 1 {
			top = memberOf(it)
			switch top {
			case memberType:
				typ = jsonwalk.String(it)
				// Deltas are most of a stream and carry nothing to read.
				return strings.HasSuffix(typ, ".delta")
			case memberResponse:
				read = jsonwalk.IsObject(it)
			case memberError:
				isError = true
				return true
			}
			return false
		}
		if top == memberResponse && read {
			rr.visit(r, it, 1)
		}
		return false
	})
	if read {
		rr.finish(r)
	}
	return typ, isError
}

// responseReader is the state of a walk over a Responses API response
// object.
type responseReader struct {
	first              member // the object's member being read
	status, incomplete string
	failed             bool // the "error" member is an object
	errorMessage       string
	errorCode          string
	u                  usageReader
}

// visit reads one value of a walk in which the response object is at
// level base.
func (rr *responseReader) visit(r *result, it *jsonwalk.Iterator, base int) {
	switch it.Level() - base {
	case 1:
		rr.first = memberOf(it)
		switch rr.first {
		case memberID:
			r.setID(jsonwalk.String(it))
		case memberModel:
			r.setModel(jsonwalk.String(it))
		case memberStatus:
			rr.status = jsonwalk.String(it)
		case memberError:
			rr.failed = jsonwalk.IsObject(it)
		case memberUsage:
			rr.u.start(r, it)
		}
	case 2:
		switch rr.first {
		case memberIncompleteDetails:
			if memberOf(it) == memberReason {
				rr.incomplete = jsonwalk.String(it)
			}
		case memberError:
			switch memberOf(it) {
			case memberMessage:
				rr.errorMessage = jsonwalk.String(it)
			case memberCode:
				rr.errorCode = jsonwalk.String(it)
			}
		case memberUsage:
			rr.u.visit(it, 1)
		}
	case 3:
		if rr.first == memberUsage {
			rr.u.visit(it, 2)
		}
	}
}

// finish records what the whole object said: the finish reason from the
// status, and the failure.
func (rr *responseReader) finish(r *result) {
	if rr.failed {
		r.failure = &ssestream.StreamError{Message: fmt.Sprintf("response failed: %s", rr.errorMessage)}
		r.failureCategory = streamErrorCategory(rr.errorCode, "")
	}
	switch rr.status {
	case "completed":
		r.finish = r.finish[:0]
		r.addFinish(finishStop)
	case "incomplete":
		r.finish = r.finish[:0]
		r.addFinish(rr.incomplete)
	}
}

// finishStop is the finish reason recorded for a completed response (the
// Responses API reports a status, not a finish reason).
const finishStop = "stop"

// usageReader reads a usage object during a walk; a count it does not
// carry is -1.
type usageReader struct {
	r      *result // nil when the usage is not an object
	member member  // the usage object's member being read
}

// start begins a usage value.
func (u *usageReader) start(r *result, it *jsonwalk.Iterator) {
	u.r = nil
	if !jsonwalk.IsObject(it) {
		return
	}
	u.r = r
	r.haveUsage = true
	r.input, r.output, r.cached, r.reasoning, r.cacheWrite = -1, -1, -1, -1, -1
}

// visit reads a value depth levels inside the usage object: one of its
// members (1), or a member of a token details object (2).
func (u *usageReader) visit(it *jsonwalk.Iterator, depth int) {
	if u.r == nil {
		return
	}
	if depth == 1 {
		u.member = memberOf(it)
		switch u.member {
		case memberInputTokens:
			u.r.input = jsonwalk.Count(it)
		case memberOutputTokens:
			u.r.output = jsonwalk.Count(it)
		case memberCacheHitTokens:
			// DeepSeek's cached prompt tokens, which it may also give
			// in prompt_tokens_details.
			u.r.cached = jsonwalk.Count(it)
		}
		return
	}
	switch u.member {
	case memberInputDetails:
		switch memberOf(it) {
		case memberCachedTokens:
			u.r.cached = jsonwalk.Count(it)
		case memberCacheWriteTokens:
			u.r.cacheWrite = jsonwalk.Count(it)
		}
	case memberOutputDetails:
		if memberOf(it) == memberReasoningTokens {
			u.r.reasoning = jsonwalk.Count(it)
		}
	}
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
			b.res.readResponse(httptap.View(buf))
		} else {
			b.res.readCompletion(httptap.View(buf))
		}
	}
	r := &b.res
	s.SetResponseModel(r.model)
	var kv [7]attribute.KeyValue
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
			{vocabulary.GenAIUsageCacheCreationTokens, r.cacheWrite},
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
		if r.failureCategory != "" {
			s.SetAttributes(attribute.String(vocabulary.RastirErrorCategoryKey, r.failureCategory))
		}
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
