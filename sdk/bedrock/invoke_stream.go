package rastirbedrock

import (
	"encoding/base64"
	"encoding/json"
	"errors"
)

// eventChunk is the InvokeModelWithResponseStream event that carries one
// of the model vendor's own stream events.
const eventChunk = "chunk"

// chunkPayload is a chunk event's payload, {"bytes":"<base64>"}; the bytes
// are decoded into the buffer dst points to, reused from chunk to chunk.
type chunkPayload struct {
	Bytes base64Into `json:"bytes"`
}

type base64Into struct{ dst *[]byte }

var errNotBase64 = errors.New("chunk bytes: not a base64 string")

func (b *base64Into) UnmarshalJSON(raw []byte) error {
	if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' {
		return nil // null: no bytes
	}
	raw = raw[1 : len(raw)-1]
	buf := *b.dst
	if need := base64.StdEncoding.DecodedLen(len(raw)); cap(buf) < need {
		buf = make([]byte, need)
	}
	n, err := base64.StdEncoding.Decode(buf[:cap(buf)], raw)
	if err != nil {
		// A JSON escape inside the string is no base64 either.
		*b.dst = buf[:0]
		return errNotBase64
	}
	*b.dst = buf[:n]
	return nil
}

// streamChunk holds the fields of the vendors' stream events (the model
// parameters pages of the Bedrock user guide) that say whether the event
// carries model output and why the model stopped, and Bedrock's own
// fields. Text is not decoded.
type streamChunk struct {
	// Anthropic Messages: the event type, message_start's message and
	// message_delta's stop reason.
	Type    contentBlockDelta `json:"type"`
	Message *struct {
		ID    string `json:"id"`
		Model string `json:"model"`
	} `json:"message"`
	Delta *struct {
		StopReason string `json:"stop_reason"`
	} `json:"delta"`
	// Anthropic Text Completions and Meta Llama.
	StopReason string    `json:"stop_reason"`
	Completion hasOutput `json:"completion"`
	Generation hasOutput `json:"generation"`
	// Amazon Titan Text.
	OutputText       hasOutput `json:"outputText"`
	CompletionReason string    `json:"completionReason"`
	// Cohere Command R and Command.
	Text         hasOutput `json:"text"`
	FinishReason string    `json:"finish_reason"`
	// Mistral text completions (outputs), chat completions (choices:
	// Mistral, DeepSeek-R1, AI21 Jamba, OpenAI gpt-oss), Cohere Command
	// (generations).
	Outputs     []streamChoice `json:"outputs"`
	Choices     []streamChoice `json:"choices"`
	Generations []streamChoice `json:"generations"`
	// Amazon Nova.
	ContentBlockDelta isObjectValue `json:"contentBlockDelta"`
	MessageStop       *struct {
		StopReason string `json:"stopReason"`
	} `json:"messageStop"`

	GuardrailAction string          `json:"amazon-bedrock-guardrailAction"`
	Trace           *guardrailTrace `json:"amazon-bedrock-trace"`
	// On the last chunk: Bedrock's counts of the call's tokens.
	Metrics *struct {
		InputTokenCount           *int64 `json:"inputTokenCount"`
		OutputTokenCount          *int64 `json:"outputTokenCount"`
		CacheReadInputTokenCount  *int64 `json:"cacheReadInputTokenCount"`
		CacheWriteInputTokenCount *int64 `json:"cacheWriteInputTokenCount"`
	} `json:"amazon-bedrock-invocationMetrics"`
}

type streamChoice struct {
	Text    hasOutput `json:"text"`
	Message *struct {
		Content hasOutput `json:"content"`
	} `json:"message"`
	Delta *struct {
		Content hasOutput `json:"content"`
	} `json:"delta"`
	StopReason   string `json:"stop_reason"`
	FinishReason string `json:"finish_reason"`
}

// hasOutput is set by a string value that is not empty, without keeping it.
type hasOutput bool

func (h *hasOutput) UnmarshalJSON(raw []byte) error {
	*h = len(raw) > 2 && raw[0] == '"'
	return nil
}

// contentBlockDelta is set by Anthropic's "content_block_delta" type.
type contentBlockDelta bool

func (c *contentBlockDelta) UnmarshalJSON(raw []byte) error {
	*c = string(raw) == `"content_block_delta"`
	return nil
}

// isObjectValue is set by an object value.
type isObjectValue bool

func (o *isObjectValue) UnmarshalJSON(raw []byte) error {
	*o = len(raw) > 0 && raw[0] == '{'
	return nil
}

// output reports whether the event carries model output: Anthropic's and
// Nova's content block deltas (as ConverseStream's), or text that is not
// empty.
func (c *streamChunk) output() bool {
	if bool(c.Type) || bool(c.ContentBlockDelta) || bool(c.Completion || c.Generation || c.OutputText || c.Text) {
		return true
	}
	for _, list := range [...][]streamChoice{c.Outputs, c.Choices, c.Generations} {
		for i := range list {
			ch := &list[i]
			if ch.Text || (ch.Message != nil && ch.Message.Content) || (ch.Delta != nil && ch.Delta.Content) {
				return true
			}
		}
	}
	return false
}

// stopReason is the event's stop reason as the vendor sent it, or "".
func (c *streamChunk) stopReason() string {
	if c.Delta != nil && c.Delta.StopReason != "" {
		return c.Delta.StopReason
	}
	if c.MessageStop != nil && c.MessageStop.StopReason != "" {
		return c.MessageStop.StopReason
	}
	if s := pickString(c.StopReason, c.CompletionReason, c.FinishReason); s != "" {
		return s
	}
	for _, list := range [...][]streamChoice{c.Outputs, c.Choices, c.Generations} {
		for i := range list {
			if s := pickString(list[i].StopReason, list[i].FinishReason); s != "" {
				return s
			}
		}
	}
	return ""
}

// chunk decodes a chunk event: the first output marks the time to the
// first chunk; the stop reason, the response's model and id, the guardrail
// action and assessment and the invocation metrics are kept for the end.
func (t *streamTap) chunk(payload []byte) {
	t.chunkBuf = t.chunkBuf[:0]
	p := chunkPayload{Bytes: base64Into{dst: &t.chunkBuf}}
	if json.Unmarshal(payload, &p) != nil || len(t.chunkBuf) == 0 {
		return
	}
	var c streamChunk
	if json.Unmarshal(t.chunkBuf, &c) != nil {
		return
	}
	if c.output() {
		t.call.span.MarkFirstChunk()
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if stop := c.stopReason(); stop != "" {
		t.stop = stop
	}
	if c.Message != nil {
		t.responseModel, t.responseID = c.Message.Model, c.Message.ID
	}
	if c.GuardrailAction != "" {
		t.guardrailAction = c.GuardrailAction
	}
	if a := c.Trace.assessment(); a != nil {
		t.assessment = a
	}
	if m := c.Metrics; m != nil {
		t.hasUsage = true
		t.in, t.out = count(m.InputTokenCount), count(m.OutputTokenCount)
		t.cacheRead, t.cacheWrite = count(m.CacheReadInputTokenCount), count(m.CacheWriteInputTokenCount)
	}
}
