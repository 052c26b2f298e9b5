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

// The InvokeModel response headers with the call's token counts (the
// input without the prompt cache's reads and writes), and with the
// guardrail's action, in canonical form.
const (
	headerInputTokens     = "X-Amzn-Bedrock-Input-Token-Count"
	headerOutputTokens    = "X-Amzn-Bedrock-Output-Token-Count"
	headerCacheReadTokens = "X-Amzn-Bedrock-Cache-Read-Input-Token-Count"
	headerCacheWriteToken = "X-Amzn-Bedrock-Cache-Write-Input-Token-Count"
	// amazon-bedrock-guardrailAction.
	headerGuardrailAction = "Amazon-Bedrock-Guardrailaction"
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
		c.cacheReadHeader = headerCount(resp.Header.Get(headerCacheReadTokens))
		c.cacheWriteHeader = headerCount(resp.Header.Get(headerCacheWriteToken))
		c.guardrailActionHeader = resp.Header.Get(headerGuardrailAction)
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
	case opConverseStream, opInvokeModelStream:
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
		Trace *guardrailTrace `json:"trace"`
	}
	if json.Unmarshal(body, &r) != nil {
		return nil
	}
	return r.Trace.assessment()
}

// guardrailTrace is the trace Bedrock adds with the guardrail trace
// enabled: trace in a Converse response or a ConverseStream metadata
// event, amazon-bedrock-trace in an InvokeModel body or a response stream
// chunk.
type guardrailTrace struct {
	Guardrail json.RawMessage `json:"guardrail"`
}

// assessment returns the guardrail's assessment as Bedrock sent it, or nil
// when there is none (or it is not an object).
func (t *guardrailTrace) assessment() json.RawMessage {
	if t == nil || !isObject(t.Guardrail) {
		return nil
	}
	return t.Guardrail
}

func isObject(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) > 1 && raw[0] == '{'
}

// invokeBody holds the fields of the InvokeModel response bodies that say
// why the model stopped and how many tokens it used, by vendor (the model
// parameters pages of the Bedrock user guide), and Bedrock's guardrail
// fields. Text is not decoded.
type invokeBody struct {
	ID    string `json:"id"`
	Model string `json:"model"`
	// Anthropic (Messages and Text Completions), Meta Llama.
	StopReason string `json:"stop_reason"`
	// Amazon Nova.
	StopReasonCamel string `json:"stopReason"`
	// Cohere Command R and R+.
	FinishReason string `json:"finish_reason"`
	// One entry per generated answer: Amazon Titan Text (results), Cohere
	// Command (generations), Mistral text completions (outputs), and
	// choices: Mistral chat completions, DeepSeek-R1, AI21 Jamba and the
	// OpenAI-compatible models (gpt-oss).
	Results     []choice `json:"results"`
	Generations []choice `json:"generations"`
	Outputs     []choice `json:"outputs"`
	Choices     []choice `json:"choices"`

	Usage *struct {
		// Anthropic.
		InputTokens              *int64 `json:"input_tokens"`
		OutputTokens             *int64 `json:"output_tokens"`
		CacheReadInputTokens     *int64 `json:"cache_read_input_tokens"`
		CacheCreationInputTokens *int64 `json:"cache_creation_input_tokens"`
		// Amazon Nova.
		InputTokensCamel  *int64 `json:"inputTokens"`
		OutputTokensCamel *int64 `json:"outputTokens"`
		CacheReadCamel    *int64 `json:"cacheReadInputTokenCount"`
		CacheWriteCamel   *int64 `json:"cacheWriteInputTokenCount"`
		// AI21 Jamba, OpenAI-compatible models.
		PromptTokens     *int64 `json:"prompt_tokens"`
		CompletionTokens *int64 `json:"completion_tokens"`
	} `json:"usage"`
	// Cohere Command R: the tokens billed, and all the tokens (with
	// Cohere's prompt template).
	Meta *struct {
		BilledUnits *tokenPair `json:"billed_units"`
		Tokens      *tokenPair `json:"tokens"`
	} `json:"meta"`
	// Amazon Titan (text and embeddings).
	InputTextTokenCount *int64 `json:"inputTextTokenCount"`
	// Meta Llama.
	PromptTokenCount     *int64 `json:"prompt_token_count"`
	GenerationTokenCount *int64 `json:"generation_token_count"`

	GuardrailAction string          `json:"amazon-bedrock-guardrailAction"`
	Trace           *guardrailTrace `json:"amazon-bedrock-trace"`
}

// choice is one generated answer of a body: why it ended, under the
// vendor's name, and Titan's count of its tokens.
type choice struct {
	FinishReason     string `json:"finish_reason"`    // Cohere Command, AI21 Jamba, OpenAI-compatible
	StopReason       string `json:"stop_reason"`      // Mistral, DeepSeek-R1
	CompletionReason string `json:"completionReason"` // Amazon Titan: FINISH, LENGTH, CONTENT_FILTERED, ...
	TokenCount       *int64 `json:"tokenCount"`       // Amazon Titan
}

type tokenPair struct {
	InputTokens  *int64 `json:"input_tokens"`
	OutputTokens *int64 `json:"output_tokens"`
}

// finishReasons returns the body's finish reasons as the vendor sent them:
// the body's own, else one per answer that has one.
func (b *invokeBody) finishReasons() []string {
	if stop := pickString(b.StopReason, b.StopReasonCamel, b.FinishReason); stop != "" {
		return []string{stop}
	}
	for _, list := range [...][]choice{b.Results, b.Generations, b.Outputs, b.Choices} {
		if len(list) == 0 {
			continue
		}
		var reasons []string
		for i := range list {
			if r := pickString(list[i].FinishReason, list[i].StopReason, list[i].CompletionReason); r != "" {
				if reasons == nil {
					reasons = make([]string, 0, len(list))
				}
				reasons = append(reasons, r)
			}
		}
		return reasons
	}
	return nil
}

// tokens returns the body's input, output, cache read and cache write
// token counts; unknown ones are -1.
func (b *invokeBody) tokens() (in, out, cacheRead, cacheWrite int64) {
	in, out, cacheRead, cacheWrite = -1, -1, -1, -1
	if u := b.Usage; u != nil {
		in = count(u.InputTokens, u.InputTokensCamel, u.PromptTokens)
		out = count(u.OutputTokens, u.OutputTokensCamel, u.CompletionTokens)
		cacheRead = count(u.CacheReadInputTokens, u.CacheReadCamel)
		cacheWrite = count(u.CacheCreationInputTokens, u.CacheWriteCamel)
	}
	if m := b.Meta; m != nil {
		for _, p := range [...]*tokenPair{m.BilledUnits, m.Tokens} {
			if p != nil {
				in = pick(in, count(p.InputTokens))
				out = pick(out, count(p.OutputTokens))
			}
		}
	}
	in = pick(in, count(b.PromptTokenCount, b.InputTextTokenCount))
	out = pick(out, count(b.GenerationTokenCount))
	if out < 0 {
		// Titan counts the tokens of each result.
		for i := range b.Results {
			if n := count(b.Results[i].TokenCount); n >= 0 {
				out = addCounts(max(out, 0), n)
			}
		}
	}
	return in, out, cacheRead, cacheWrite
}

func count(ps ...*int64) int64 {
	for _, p := range ps {
		if p != nil && *p >= 0 {
			return *p
		}
	}
	return -1
}

// recordInvokeModel records what an InvokeModel response says. The token
// counts of Bedrock's headers win over the body's: they are what Bedrock
// meters and bills, counted the same way for every model (a body's may
// differ, as Cohere's billed_units leave out its prompt template); the
// body's fill in what the headers lack.
func (c *call) recordInvokeModel(r *bedrockruntime.InvokeModelOutput) {
	s := c.span
	var b invokeBody
	parsed := json.Unmarshal(r.Body, &b) == nil
	in, out := c.inputTokensHeader, c.outputTokensHeader
	cacheRead, cacheWrite := c.cacheReadHeader, c.cacheWriteHeader
	if parsed {
		bin, bout, bread, bwrite := b.tokens()
		in, out = pick(in, bin), pick(out, bout)
		cacheRead, cacheWrite = pick(cacheRead, bread), pick(cacheWrite, bwrite)
		s.SetResponseModel(b.Model)
		s.SetResponseID(b.ID)
		s.SetFinishReasons(b.finishReasons()...)
	}
	if cacheRead >= 0 || cacheWrite >= 0 {
		s.SetCacheTokens(cacheRead, cacheWrite)
	}
	if in >= 0 || out >= 0 {
		s.SetUsage(withCache(in, cacheRead, cacheWrite), out)
	}
	if !parsed {
		c.recordGuardrail(c.guardrailActionHeader, nil)
		return
	}
	c.recordGuardrail(pickString(b.GuardrailAction, c.guardrailActionHeader), b.Trace.assessment())
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
