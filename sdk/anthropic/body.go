package rastiranthropic

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/anthropics/anthropic-sdk-go"
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
	thinking                 int64 // output tokens of reasoning, in output
	haveUsage, firstChunk    bool
	failure                  error
	failureCategory          string
}

var dataPrefix = []byte("data:")

// Line handles one line of an event stream (httptap.Handler): the data
// lines carry the event's type in their JSON, read in one pass with the
// fields of the event.
func (b *body) Line(line []byte) {
	if !bytes.HasPrefix(line, dataPrefix) {
		return
	}
	data := bytes.TrimSpace(line[len(dataPrefix):])
	if len(data) == 0 {
		return
	}
	r := &b.res
	var (
		typ, errorType string
		top            member // the event's member being read
		usage          usageReader
		msg            messageReader
	)
	// message_start carries a message, message_delta a delta with the stop
	// reason and a usage whose counts are cumulative (the ones it has
	// replace message_start's), error an error with its type; the other
	// events have none of these members.
	jsonwalk.Walk(httptap.View(data), func(it *jsonwalk.Iterator) bool {
		if it.Level() == 1 {
			top = memberOf(it)
			switch top {
			case memberType:
				typ = jsonwalk.String(it)
				// Deltas are most of a stream and carry nothing else to read.
				return typ == eventContentBlockDelta
			case memberUsage:
				usage.start(r, it, true)
			}
			return false
		}
		switch top {
		case memberMessage:
			msg.visit(r, it, 1)
		case memberDelta:
			if it.Level() == 2 && memberOf(it) == memberStopReason {
				r.setFinish(jsonwalk.String(it))
			}
		case memberUsage:
			usage.visit(r, it, 1)
		case memberError:
			if it.Level() == 2 && memberOf(it) == memberType {
				errorType = jsonwalk.String(it)
			}
		}
		return false
	})
	switch typ {
	case eventContentBlockDelta:
		if !r.firstChunk {
			r.firstChunk = true
			b.span.MarkFirstChunk()
		}
	case eventError:
		e := &anthropic.Error{Request: b.req, Response: b.resp, StatusCode: b.status,
			RequestID: b.resp.Header.Get("request-id"), WorkspaceID: b.resp.Header.Get("anthropic-workspace-id")}
		// The client's event data ends with the line's newline.
		_ = e.UnmarshalJSON(append(bytes.Clone(data), '\n'))
		r.failure = e
		r.failureCategory = errorTypeCategory(errorType)
	}
}

// The stream events the reader acts on by their type.
const (
	eventContentBlockDelta = "content_block_delta"
	eventError             = "error"
)

// errorTypeCategory maps the error types of Anthropic's error events
// (which arrive with status 200) to the category their HTTP status would
// have given. On Amazon Bedrock the SDK's bedrock option makes an error
// event of an exception frame, with the exception's type
// (throttlingException, modelTimeoutException, ...): those are categorised
// by name, as the Bedrock adapter categorises them.
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
	if c := vocabulary.CategorizeErrorType(typ); c != vocabulary.ErrorUnknown {
		return c
	}
	return ""
}

// setFinish keeps the stop reason, without a copy for the common ones.
func (r *result) setFinish(reason string) {
	if reason == "" {
		return
	}
	for _, known := range [...]string{"end_turn", "max_tokens", "stop_sequence", "tool_use", "pause_turn", vocabulary.StopReasonRefusal} {
		if reason == known {
			r.finish = known
			return
		}
	}
	r.finish = strings.Clone(reason)
}

// readMessage reads a Message object in one pass.
func (r *result) readMessage(js string) {
	var m messageReader
	jsonwalk.Walk(js, func(it *jsonwalk.Iterator) bool {
		m.visit(r, it, 0)
		return false
	})
}

// messageReader is the state of a walk over a Message object.
type messageReader struct {
	member member // the message's member being read
	usage  usageReader
}

// visit reads one value of a walk in which the message is at level base.
func (m *messageReader) visit(r *result, it *jsonwalk.Iterator, base int) {
	switch it.Level() - base {
	case 1:
		m.member = memberOf(it)
		switch m.member {
		case memberID:
			if id := jsonwalk.String(it); id != "" {
				r.id = strings.Clone(id)
			}
		case memberModel:
			if model := jsonwalk.String(it); model != "" && model != r.model {
				r.model = r.models.String(model)
			}
		case memberStopReason:
			r.setFinish(jsonwalk.String(it))
		case memberUsage:
			m.usage.start(r, it, false)
		}
	default:
		if m.member == memberUsage {
			m.usage.visit(r, it, base+1)
		}
	}
}

// usageReader is the state of a walk over a usage object.
type usageReader struct {
	ok      bool // the usage is an object
	details bool // its member being read is an output_tokens_details object
}

// start begins a usage value; with update, only the counts it has replace
// the ones known.
func (u *usageReader) start(r *result, it *jsonwalk.Iterator, update bool) {
	*u = usageReader{ok: jsonwalk.IsObject(it)}
	if !u.ok {
		return
	}
	if !update || !r.haveUsage {
		r.input, r.output, r.cacheRead, r.cacheCreation, r.thinking = -1, -1, -1, -1, -1
	}
	r.haveUsage = true
}

// visit reads one value of a walk in which the usage object is at level
// base; a member that is no count leaves the count known.
func (u *usageReader) visit(r *result, it *jsonwalk.Iterator, base int) {
	if !u.ok {
		return
	}
	switch it.Level() - base {
	case 1:
		m := memberOf(it)
		u.details = m == memberOutputTokensDetails && jsonwalk.IsObject(it)
		n := jsonwalk.Count(it)
		if n < 0 {
			return
		}
		switch m {
		case memberInputTokens:
			r.input = n
		case memberOutputTokens:
			r.output = n
		case memberCacheReadTokens:
			r.cacheRead = n
		case memberCacheCreationTokens:
			r.cacheCreation = n
		}
	case 2:
		if u.details && memberOf(it) == memberThinkingTokens {
			if n := jsonwalk.Count(it); n >= 0 {
				r.thinking = n
			}
		}
	}
}

// member is a member of a request, message or stream event that the
// readers look for.
type member uint8

const (
	memberOther member = iota
	memberID
	memberModel
	memberStopReason
	memberUsage
	memberInputTokens
	memberOutputTokens
	memberCacheReadTokens
	memberCacheCreationTokens
	memberOutputTokensDetails
	memberThinkingTokens
	memberType
	memberMessage
	memberDelta
	memberError
	memberStream
	memberMaxTokens
	memberTemperature
	memberTopP
	memberTopK
	memberStopSequences
	memberOutputConfig
)

// memberOf tells the current value's member by its key (quoted, as the walk
// gives it).
func memberOf(it *jsonwalk.Iterator) member {
	switch it.Key() {
	case `"id"`:
		return memberID
	case `"model"`:
		return memberModel
	case `"stop_reason"`:
		return memberStopReason
	case `"usage"`:
		return memberUsage
	case `"input_tokens"`:
		return memberInputTokens
	case `"output_tokens"`:
		return memberOutputTokens
	case `"cache_read_input_tokens"`:
		return memberCacheReadTokens
	case `"cache_creation_input_tokens"`:
		return memberCacheCreationTokens
	case `"output_tokens_details"`:
		return memberOutputTokensDetails
	case `"thinking_tokens"`:
		return memberThinkingTokens
	case `"type"`:
		return memberType
	case `"message"`:
		return memberMessage
	case `"delta"`:
		return memberDelta
	case `"error"`:
		return memberError
	case `"stream"`:
		return memberStream
	}
	return memberOther
}

// requestMemberOf tells a top-level member of a request by its key.
func requestMemberOf(it *jsonwalk.Iterator) member {
	switch it.Key() {
	case `"model"`:
		return memberModel
	case `"stream"`:
		return memberStream
	case `"max_tokens"`:
		return memberMaxTokens
	case `"temperature"`:
		return memberTemperature
	case `"top_p"`:
		return memberTopP
	case `"top_k"`:
		return memberTopK
	case `"stop_sequences"`:
		return memberStopSequences
	case `"output_config"`:
		return memberOutputConfig
	}
	return memberOther
}

// Finish records the response fields, the failure if any, and ends the
// span (httptap.Handler). buf is the whole body of a non-stream response.
func (b *body) Finish(buf []byte, readErr error) {
	s := b.span
	switch {
	case b.status >= 400:
		s.Fail(b.apiError(buf))
	case buf != nil:
		b.res.readMessage(httptap.View(buf))
	}
	b.res.record(s, readErr)
	s.End()
}

// record sets what the response told on s: the response model and id, the
// stop reason, the usage, a refusal's guardrail intervention, and the
// failure (readErr, else the one the response reports).
func (r *result) record(s *rastir.Span, readErr error) {
	s.SetResponseModel(r.model)
	var kv [7]attribute.KeyValue
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
			{vocabulary.GenAIUsageReasoningTokens, r.thinking},
		} {
			if u.v >= 0 {
				kv[n] = attribute.Int64(u.key, u.v)
				n++
			}
		}
	}
	s.SetAttributes(kv[:n]...)
	if category, ok := vocabulary.SafetyFinishCategory(r.finish); ok {
		// Claude's safety classifiers stopped the message (refusal): a
		// guardrail intervention, as Gemini's safety filters' are, on a
		// call that succeeded; the table llm_enrich reads finish reasons
		// with.
		s.SetGuardrailOutcome(vocabulary.GuardrailActionIntervened, category)
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
