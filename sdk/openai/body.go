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
	// filtered is set when one of Azure OpenAI's content filters filtered
	// the prompt or the answer; filter is the category of the first.
	filtered  bool
	filter    filterCategory
	finishBuf [2]string
}

// filterCategory is the guardrail category of one of Azure OpenAI's
// content filters (a byte, which the result holds without growing).
type filterCategory uint8

const (
	filterUntold filterCategory = iota
	filterContent
	filterWord
	filterGrounding
	filterOther
)

// String returns the category's rastir.guardrail.category, "" when untold
// or of no bounded category.
func (c filterCategory) String() string {
	switch c {
	case filterContent:
		return vocabulary.GuardrailCategoryContentPolicy
	case filterWord:
		return vocabulary.GuardrailCategoryWordPolicy
	case filterGrounding:
		return vocabulary.GuardrailCategoryContextualGrounding
	}
	// A filter of no bounded category (one Azure adds later) sets no
	// category: the span says what is known, and the connector labels
	// the intervention as it does any span without one.
	return ""
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
		output, isError := b.res.readCompletion(js)
		if isError {
			b.errorMember(data)
			return
		}
		if output {
			b.markFirstChunk()
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
	case isOutputEvent(typ):
		b.markFirstChunk()
	}
}

// markFirstChunk records the time to the first chunk of model output.
func (b *body) markFirstChunk() {
	if !b.res.firstChunk {
		b.res.firstChunk = true
		b.span.MarkFirstChunk()
	}
}

// isOutputEvent tells the Responses API stream events that carry model
// output: a delta (of text, a refusal, reasoning, a tool call's arguments,
// audio, ...), a partial image, an output item done (one that streams no
// deltas, such as an image or a hosted tool's call), or the response's end
// (complete or incomplete, as a chat completion's finish reason). The
// events that announce the response (response.created, .in_progress,
// .queued) or an item or part yet empty do not.
func isOutputEvent(typ string) bool {
	switch typ {
	case "response.output_item.done", "response.image_generation_call.partial_image",
		"response.completed", "response.incomplete":
		return true
	}
	return strings.HasSuffix(typ, ".delta")
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
	if reason != "" {
		r.appendFinish(internFinish(reason))
	}
}

// appendFinish adds a finish reason the result may keep as it is.
func (r *result) appendFinish(reason string) {
	if r.finish == nil {
		r.finish = r.finishBuf[:0]
	}
	r.finish = append(r.finish, reason)
}

// internFinish returns the common finish reasons without a copy.
func internFinish(reason string) string {
	for _, known := range [...]string{"stop", "length", "tool_calls", vocabulary.FinishReasonContentFilter, "function_call", "max_output_tokens"} {
		if reason == known {
			return known
		}
	}
	return strings.Clone(reason)
}

// readCompletion reads a chat completion, completion or embeddings
// response, or one streamed chunk of the first two, in one pass. It
// reports whether a chunk carries model output (a choice with a finish
// reason, a completion's text, a delta with content, a refusal,
// reasoning, tool calls, a function call or audio), and whether the
// document has a top-level "error" member instead (a stream's error
// event), and then reads nothing else. Groq's streams carry their usage
// in the last chunk's x_groq object. Azure OpenAI's content filter
// results that say "filtered": true are recorded (contentFiltered).
func (r *result) readCompletion(js string) (output, isError bool) {
	var (
		top       member // the top-level member being read
		list      bool   // the top-level member is the choices or prompt_filter_results array
		groqUsage bool   // the member of x_groq being read is its usage
		item      member // the member of a choice or prompt filter result being read
		field     member // the member of the choice's delta being read
		category  string // the content_filter_results member being read
		u         usageReader
	)
	jsonwalk.Walk(js, func(it *jsonwalk.Iterator) bool {
		level := it.Level()
		switch level {
		case 1:
			top, list = memberOf(it), false
			switch top {
			case memberID:
				r.setID(jsonwalk.String(it))
			case memberModel:
				r.setModel(jsonwalk.String(it))
			case memberChoices, memberPromptFilterResults:
				list = jsonwalk.IsArray(it)
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
			case list:
				// A member of one of the choices or prompt filter results.
				item = memberOf(it)
				if top != memberChoices {
					break
				}
				switch item {
				case memberFinishReason:
					reason := jsonwalk.String(it)
					r.addFinish(reason)
					output = output || reason != ""
				case memberText:
					// A completion's.
					output = output || nonEmptyString(it)
				}
			case top == memberUsage:
				u.visit(it, 2)
			case top == memberXGroq && groqUsage:
				u.visit(it, 1)
			}
		case 4:
			switch {
			case list && item == memberContentFilterResults:
				category = it.Key()
			case list && item == memberDelta && top == memberChoices:
				switch field = memberOf(it); field {
				case memberContent, memberRefusal, memberReasoningContent:
					output = output || nonEmptyString(it)
				}
			case top == memberXGroq && groqUsage:
				u.visit(it, 2)
			}
		default:
			switch {
			case !list:
			case item == memberContentFilterResults:
				// Azure OpenAI's verdict on one category (a custom
				// blocklist's, also per list).
				if it.Key() == `"filtered"` && jsonwalk.IsTrue(it) {
					r.contentFiltered(category)
				}
			case item == memberDelta && field == memberToolCalls && level == 5 && top == memberChoices:
				output = true
			}
		}
		return false
	})
	return output, isError
}

// nonEmptyString tells a string value with at least one character.
func nonEmptyString(it *jsonwalk.Iterator) bool {
	v := it.Value() // quoted; "" for an object or array
	return len(v) > 2 && v[0] == '"'
}

// contentFiltered records the first category (a quoted key of Azure
// OpenAI's content_filter_results) whose content was filtered: a
// guardrail intervention, of Rastir's category for it.
func (r *result) contentFiltered(key string) {
	if r.filter != filterUntold {
		return
	}
	r.filtered = true
	switch key {
	case `"profanity"`, `"custom_blocklists"`:
		r.filter = filterWord
	case `"ungrounded_material"`:
		r.filter = filterGrounding
	case `"hate"`, `"sexual"`, `"violence"`, `"self_harm"`, `"jailbreak"`, `"indirect_attack"`,
		`"protected_material_text"`, `"protected_material_code"`:
		r.filter = filterContent
	default:
		r.filter = filterOther
	}
}

// readFilterResult reads the content_filter_result object of the error
// with which Azure OpenAI answers a prompt its content filter blocked:
// each category's verdict.
func (r *result) readFilterResult(js string) {
	var category string
	jsonwalk.Walk(js, func(it *jsonwalk.Iterator) bool {
		switch level := it.Level(); {
		case level == 1:
			category = it.Key()
		case level > 1 && it.Key() == `"filtered"` && jsonwalk.IsTrue(it):
			r.contentFiltered(category)
		}
		return false
	})
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
		r.responseFailed(rr.errorMessage, rr.errorCode)
	}
	r.responseStatus(rr.status, rr.incomplete)
}

// responseFailed records the failure of a response whose error member is
// an object, with its message and code.
func (r *result) responseFailed(message, code string) {
	r.failure = &ssestream.StreamError{Message: fmt.Sprintf("response failed: %s", message)}
	r.failureCategory = streamErrorCategory(code, "")
}

// responseStatus records the finish reason a response's status tells: stop
// when completed, the incomplete details' reason when incomplete.
func (r *result) responseStatus(status, incomplete string) {
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
		e := b.apiError(buf)
		s.Fail(e)
		if e.Code == azureContentFilterCode {
			b.res.filtered = true
			b.res.readFilterResult(gjson.GetBytes(buf, "error.innererror.content_filter_result").Raw)
		}
	case buf != nil:
		if b.ep == endpointResponses {
			b.res.readResponse(httptap.View(buf))
		} else {
			b.res.readCompletion(httptap.View(buf))
		}
	}
	b.res.record(s, readErr)
	s.End()
}

// record sets what the response told on s: the response model and id, the
// finish reasons, the usage, a content filter's intervention, and the
// failure (readErr, else the one the response reports).
func (r *result) record(s *rastir.Span, readErr error) {
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
	if r.filtered {
		s.SetGuardrailOutcome(vocabulary.GuardrailActionIntervened, r.filter.String())
	} else if category, ok := safetyFinishCategory(r.finish); ok {
		// A content filter stopped a choice (content_filter), and the
		// endpoint did not say which (OpenAI's own sends no filter
		// results).
		s.SetGuardrailOutcome(vocabulary.GuardrailActionIntervened, category)
	}
	if readErr != nil {
		s.Fail(readErr)
	} else if r.failure != nil {
		s.Fail(r.failure)
		if r.failureCategory != "" {
			s.SetAttributes(attribute.String(vocabulary.RastirErrorCategoryKey, r.failureCategory))
		}
	}
}

// safetyFinishCategory is the guardrail category of the first finish reason
// with which a safety filter stopped a choice: the table llm_enrich reads
// finish reasons with.
func safetyFinishCategory(finish []string) (string, bool) {
	for _, reason := range finish {
		if category, ok := vocabulary.SafetyFinishCategory(reason); ok {
			return category, true
		}
	}
	return "", false
}

// azureContentFilterCode is the error code with which Azure OpenAI
// answers (status 400) a prompt its content filter blocked.
const azureContentFilterCode = "content_filter"

// apiError is the error the client returns for the failed response: the
// *openai.Error built from the body's "error" object.
func (b *body) apiError(buf []byte) *openai.Error {
	e := &openai.Error{StatusCode: b.status, Request: b.req}
	if buf != nil {
		if raw := gjson.GetBytes(buf, "error").Raw; raw != "" {
			_ = e.UnmarshalJSON([]byte(raw))
		}
	}
	return e
}
