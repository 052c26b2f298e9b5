package rastirbedrock

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"go.opentelemetry.io/otel/attribute"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// The event-stream headers and values the tap reads.
const (
	headerMessageType   = ":message-type"
	headerEventType     = ":event-type"
	headerExceptionType = ":exception-type"
	messageTypeEvent    = "event"
	messageTypeError    = "error"
	messageTypeExcept   = "exception"
	headerErrorCode     = ":error-code"
	headerErrorMessage  = ":error-message"

	eventContentBlockDelta = "contentBlockDelta"
	eventMessageStop       = "messageStop"
	eventMetadata          = "metadata"
)

// maxFrame bounds an event-stream frame the tap decodes (Bedrock's are a few
// KiB; the format allows 16 MiB); past it the tap stops decoding.
const maxFrame = 16 << 20

// streamTap passes a ConverseStream or InvokeModelWithResponseStream
// response body through to the SDK's event-stream reader, decoding the
// frames on the way for the time to the first content, the stop reason, the
// usage and the guardrail trace, and ends the span when the body ends or is
// closed.
type streamTap struct {
	rc   io.ReadCloser
	call *call

	// buf holds the bytes of the frame being read (Read's goroutine only).
	buf     []byte
	broken  bool
	decoder *eventstream.Decoder
	// chunkBuf holds the decoded bytes of an InvokeModelWithResponseStream
	// chunk (Read's goroutine only).
	chunkBuf []byte

	mu         sync.Mutex
	stop       string
	in, out    int64
	cacheRead  int64
	cacheWrite int64
	hasUsage   bool
	assessment []byte
	// responseModel: the model a prompt router chose (ConverseStream), the
	// model Anthropic's message_start names (InvokeModelWithResponseStream).
	responseModel, responseID string
	// guardrailAction: InvokeModelWithResponseStream's
	// amazon-bedrock-guardrailAction.
	guardrailAction string
	streamErr       error
	once            sync.Once
	// closing is set when the caller closes the stream: the SDK's reader
	// goroutine, blocked in Read, then fails, and that is no failed call.
	closing atomic.Bool
}

func newStreamTap(rc io.ReadCloser, c *call) *streamTap {
	return &streamTap{rc: rc, call: c, decoder: eventstream.NewDecoder(), in: -1, out: -1, cacheRead: -1, cacheWrite: -1}
}

func (t *streamTap) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	if n > 0 && !t.broken {
		t.feed(p[:n])
	}
	if err != nil {
		if errors.Is(err, io.EOF) || t.closing.Load() {
			t.finish(nil)
		} else {
			t.finish(err)
		}
	}
	return n, err
}

func (t *streamTap) Close() error {
	t.closing.Store(true)
	err := t.rc.Close()
	t.finish(nil)
	return err
}

// feed appends bytes and decodes every complete frame.
func (t *streamTap) feed(p []byte) {
	t.buf = append(t.buf, p...)
	for len(t.buf) >= 4 {
		total := binary.BigEndian.Uint32(t.buf)
		if total < 16 || total > maxFrame {
			t.broken, t.buf = true, nil
			return
		}
		if uint32(len(t.buf)) < total {
			return
		}
		msg, err := t.decoder.Decode(bytes.NewReader(t.buf[:total]), nil)
		if err != nil {
			t.broken, t.buf = true, nil
			return
		}
		t.event(msg)
		rest := copy(t.buf, t.buf[total:])
		t.buf = t.buf[:rest]
	}
}

func headerString(m eventstream.Message, name string) string {
	if v := m.Headers.Get(name); v != nil {
		return v.String()
	}
	return ""
}

// streamException is an exception or error frame of the stream.
type streamException struct{ code, message string }

func (e *streamException) Error() string { return e.code + ": " + e.message }

func (t *streamTap) event(m eventstream.Message) {
	switch headerString(m, headerMessageType) {
	case messageTypeEvent:
	case messageTypeExcept:
		var body struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(m.Payload, &body)
		t.mu.Lock()
		t.streamErr = &streamException{code: headerString(m, headerExceptionType), message: body.Message}
		t.mu.Unlock()
		return
	case messageTypeError:
		t.mu.Lock()
		t.streamErr = &streamException{code: headerString(m, headerErrorCode), message: headerString(m, headerErrorMessage)}
		t.mu.Unlock()
		return
	default:
		return
	}
	switch headerString(m, headerEventType) {
	case eventContentBlockDelta:
		t.call.span.MarkFirstChunk()
	case eventMessageStop:
		var e struct {
			StopReason string `json:"stopReason"`
		}
		if json.Unmarshal(m.Payload, &e) == nil {
			t.mu.Lock()
			t.stop = e.StopReason
			t.mu.Unlock()
		}
	case eventMetadata:
		var e struct {
			Usage *struct {
				InputTokens           *int64 `json:"inputTokens"`
				OutputTokens          *int64 `json:"outputTokens"`
				CacheReadInputTokens  *int64 `json:"cacheReadInputTokens"`
				CacheWriteInputTokens *int64 `json:"cacheWriteInputTokens"`
			} `json:"usage"`
			Trace *struct {
				guardrailTrace
				PromptRouter *struct {
					InvokedModelID string `json:"invokedModelId"`
				} `json:"promptRouter"`
			} `json:"trace"`
		}
		if json.Unmarshal(m.Payload, &e) != nil {
			return
		}
		t.mu.Lock()
		if u := e.Usage; u != nil {
			t.hasUsage = true
			t.in, t.out = count(u.InputTokens), count(u.OutputTokens)
			t.cacheRead, t.cacheWrite = count(u.CacheReadInputTokens), count(u.CacheWriteInputTokens)
		}
		if e.Trace != nil {
			if a := e.Trace.assessment(); a != nil {
				// json.RawMessage holds a copy, not a view of the payload.
				t.assessment = a
			}
		}
		if e.Trace != nil && e.Trace.PromptRouter != nil {
			t.responseModel = e.Trace.PromptRouter.InvokedModelID
		}
		t.mu.Unlock()
	case eventChunk:
		t.chunk(m.Payload)
	}
}

// finish records what the stream said and ends the span, once.
func (t *streamTap) finish(readErr error) {
	t.once.Do(func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		s := t.call.span
		if t.hasUsage {
			s.SetUsage(withCache(t.in, t.cacheRead, t.cacheWrite), t.out)
			s.SetCacheTokens(t.cacheRead, t.cacheWrite)
		}
		s.SetResponseModel(t.responseModel)
		s.SetResponseID(t.responseID)
		if t.stop != "" {
			s.SetFinishReasons(t.stop)
		}
		switch {
		case t.call.op == opInvokeModelStream:
			t.call.recordGuardrail(t.guardrailAction, t.assessment)
		case t.stop != "":
			t.call.recordGuardrail(t.call.converseAction(t.stop), t.assessment)
		case t.call.guardrail && len(t.assessment) > 0:
			t.call.recordGuardrail("", t.assessment)
		}
		switch {
		case t.streamErr != nil:
			var se *streamException
			errors.As(t.streamErr, &se)
			s.Fail(t.streamErr)
			kv := []attribute.KeyValue{attribute.String(vocabulary.ErrorType, se.code)}
			if c := vocabulary.CategorizeErrorType(se.code); c != vocabulary.ErrorUnknown {
				kv = append(kv, attribute.String(vocabulary.RastirErrorCategoryKey, c))
			} else {
				kv = append(kv, attribute.String(vocabulary.RastirErrorCategoryKey, vocabulary.ErrorProvider))
			}
			s.SetAttributes(kv...)
		case readErr != nil:
			s.Fail(readErr)
		}
		s.End()
	})
}
