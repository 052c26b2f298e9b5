package rastirbedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The InvokeModel response headers with the call's token counts.
const (
	headerInputTokens  = "X-Amzn-Bedrock-Input-Token-Count"
	headerOutputTokens = "X-Amzn-Bedrock-Output-Token-Count"
)

// maxCapture bounds a Converse response body read for its guardrail trace;
// a larger body is left to the SDK unread.
const maxCapture = 8 << 20

func handleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	c := callFrom(ctx)
	if c == nil || err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok || resp == nil || resp.Response == nil || resp.StatusCode < 200 || resp.StatusCode > 299 || resp.Body == nil {
		return out, md, err
	}
	switch c.op {
	case opInvokeModel:
		c.inputTokensHeader = headerCount(resp.Header.Get(headerInputTokens))
		c.outputTokensHeader = headerCount(resp.Header.Get(headerOutputTokens))
	case opConverse:
		if c.trace && resp.ContentLength <= maxCapture {
			body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxCapture+1))
			if rerr != nil || len(body) > maxCapture {
				// Hand the SDK what was read and the rest (or the error).
				resp.Body = prefixedBody{Reader: io.MultiReader(bytes.NewReader(body), resp.Body), Closer: resp.Body}
				break
			}
			_ = resp.Body.Close()
			resp.Body = io.NopCloser(bytes.NewReader(body))
			c.guardrailTrace = converseGuardrailTrace(body)
		}
	case opConverseStream:
		resp.Body = newStreamTap(resp.Body, c)
		c.streaming = true
	}
	return out, md, err
}

// prefixedBody is a response body of which a part was read already.
type prefixedBody struct {
	io.Reader
	io.Closer
}

func headerCount(v string) int64 {
	if v == "" {
		return -1
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return -1
	}
	return n
}

// converseGuardrailTrace returns trace.guardrail of a Converse response
// body as Bedrock sent it, or nil.
func converseGuardrailTrace(body []byte) []byte {
	var r struct {
		Trace *struct {
			Guardrail json.RawMessage `json:"guardrail"`
		} `json:"trace"`
	}
	if json.Unmarshal(body, &r) != nil || r.Trace == nil || !isObject(r.Trace.Guardrail) {
		return nil
	}
	return r.Trace.Guardrail
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 1 && raw[0] == '{'
}

// invokeBody holds the fields of the InvokeModel response bodies of the
// models that report usage in them: Anthropic's Messages API, Meta Llama,
// Amazon Nova (camelCase usage), Amazon Titan's input count, and
// Bedrock's guardrail fields.
type invokeBody struct {
	ID         string `json:"id"`
	Model      string `json:"model"`
	StopReason string `json:"stop_reason"`
	// Amazon Nova.
	StopReasonCamel string `json:"stopReason"`
	Usage           *struct {
		InputTokens              *int64 `json:"input_tokens"`
		OutputTokens             *int64 `json:"output_tokens"`
		CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
		CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
		InputTokensCamel         *int64 `json:"inputTokens"`
		OutputTokensCamel        *int64 `json:"outputTokens"`
		CacheReadCamel           *int64 `json:"cacheReadInputTokenCount"`
		CacheWriteCamel          *int64 `json:"cacheWriteInputTokenCount"`
	} `json:"usage"`
	// Amazon Titan (text and embeddings).
	InputTextTokenCount *int64 `json:"inputTextTokenCount"`
	// Meta Llama.
	PromptTokenCount     *int64 `json:"prompt_token_count"`
	GenerationTokenCount *int64 `json:"generation_token_count"`

	GuardrailAction string `json:"amazon-bedrock-guardrailAction"`
	Trace           *struct {
		Guardrail json.RawMessage `json:"guardrail"`
	} `json:"amazon-bedrock-trace"`
}

func count(ps ...*int64) int64 {
	for _, p := range ps {
		if p != nil && *p >= 0 {
			return *p
		}
	}
	return -1
}

func (c *call) recordInvokeModel(r *bedrockruntime.InvokeModelOutput) {
	s := c.span
	var b invokeBody
	parsed := json.Unmarshal(r.Body, &b) == nil
	in, out := c.inputTokensHeader, c.outputTokensHeader
	cacheRead, cacheWrite := int64(-1), int64(-1)
	if parsed {
		if u := b.Usage; u != nil {
			in = pick(count(u.InputTokens, u.InputTokensCamel), in)
			out = pick(count(u.OutputTokens, u.OutputTokensCamel), out)
			cacheRead = count(u.CacheReadInputTokens, u.CacheReadCamel)
			cacheWrite = count(u.CacheCreationInputTokens, u.CacheWriteCamel)
		}
		in = pick(count(b.PromptTokenCount, b.InputTextTokenCount), in)
		out = pick(count(b.GenerationTokenCount), out)
		if cacheRead >= 0 || cacheWrite >= 0 {
			s.SetCacheTokens(cacheRead, cacheWrite)
		}
		s.SetResponseModel(b.Model)
		s.SetResponseID(b.ID)
		if stop := pickString(b.StopReason, b.StopReasonCamel); stop != "" {
			s.SetFinishReasons(stop)
		}
	}
	if in >= 0 || out >= 0 {
		s.SetUsage(withCache(in, cacheRead, cacheWrite), out)
	}
	if !parsed {
		c.recordGuardrail("", nil)
		return
	}
	var assessment []byte
	if b.Trace != nil && isObject(b.Trace.Guardrail) {
		assessment = b.Trace.Guardrail
	}
	c.recordGuardrail(b.GuardrailAction, assessment)
}

func pick(v, fallback int64) int64 {
	if v >= 0 {
		return v
	}
	return fallback
}

func pickString(v ...string) string {
	for _, s := range v {
		if s != "" {
			return s
		}
	}
	return ""
}
