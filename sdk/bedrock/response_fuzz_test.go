package rastirbedrock

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/stretchr/testify/assert"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// The InvokeModel response bodies of each vendor, one struct per body
// shape and only that shape's keys (the model parameters pages of the
// Bedrock user guide): the oracle of FuzzInvokeModelBody. A body that
// decodes into one of them with no unknown key is that vendor's, and what
// the span says must be what the vendor's fields say.

// bedrockFields are the keys Bedrock adds to any body.
type bedrockFields struct {
	GuardrailAction string `json:"amazon-bedrock-guardrailAction"`
	Trace           *struct {
		Guardrail json.RawMessage `json:"guardrail"`
	} `json:"amazon-bedrock-trace"`
}

type anthropicShape struct {
	bedrockFields
	ID           string          `json:"id"`
	Type         json.RawMessage `json:"type"`
	Role         json.RawMessage `json:"role"`
	Model        string          `json:"model"`
	Content      json.RawMessage `json:"content"`
	Completion   json.RawMessage `json:"completion"`
	Stop         json.RawMessage `json:"stop"`
	StopReason   string          `json:"stop_reason"`
	StopSequence json.RawMessage `json:"stop_sequence"`
	Usage        *struct {
		Input         *int64          `json:"input_tokens"`
		Output        *int64          `json:"output_tokens"`
		CacheRead     *int64          `json:"cache_read_input_tokens"`
		CacheCreation *int64          `json:"cache_creation_input_tokens"`
		ServiceTier   json.RawMessage `json:"service_tier"`
	} `json:"usage"`
}

type titanShape struct {
	bedrockFields
	InputTextTokenCount *int64          `json:"inputTextTokenCount"`
	Embedding           json.RawMessage `json:"embedding"`
	Results             []struct {
		TokenCount       *int64          `json:"tokenCount"`
		OutputText       json.RawMessage `json:"outputText"`
		CompletionReason string          `json:"completionReason"`
	} `json:"results"`
}

type cohereTokens struct {
	Input  *int64 `json:"input_tokens"`
	Output *int64 `json:"output_tokens"`
}

type cohereRShape struct {
	bedrockFields
	ResponseID   json.RawMessage `json:"response_id"`
	Text         json.RawMessage `json:"text"`
	GenerationID json.RawMessage `json:"generation_id"`
	ChatHistory  json.RawMessage `json:"chat_history"`
	FinishReason string          `json:"finish_reason"`
	Meta         *struct {
		APIVersion  json.RawMessage `json:"api_version"`
		BilledUnits *cohereTokens   `json:"billed_units"`
		Tokens      *cohereTokens   `json:"tokens"`
	} `json:"meta"`
}

type cohereShape struct {
	bedrockFields
	ID          string          `json:"id"`
	Prompt      json.RawMessage `json:"prompt"`
	Generations []struct {
		ID           json.RawMessage `json:"id"`
		Text         json.RawMessage `json:"text"`
		FinishReason string          `json:"finish_reason"`
	} `json:"generations"`
}

type mistralShape struct {
	bedrockFields
	Outputs []struct {
		Text       json.RawMessage `json:"text"`
		StopReason string          `json:"stop_reason"`
	} `json:"outputs"`
}

// stopChoicesShape: Mistral chat completions and DeepSeek-R1.
type stopChoicesShape struct {
	bedrockFields
	Choices []struct {
		Index      json.RawMessage `json:"index"`
		Message    json.RawMessage `json:"message"`
		Text       json.RawMessage `json:"text"`
		StopReason string          `json:"stop_reason"`
	} `json:"choices"`
}

type llamaShape struct {
	bedrockFields
	Generation           json.RawMessage `json:"generation"`
	PromptTokenCount     *int64          `json:"prompt_token_count"`
	GenerationTokenCount *int64          `json:"generation_token_count"`
	StopReason           string          `json:"stop_reason"`
}

// chatShape: AI21 Jamba and the OpenAI-compatible models (gpt-oss).
type chatShape struct {
	bedrockFields
	ID      string          `json:"id"`
	Object  json.RawMessage `json:"object"`
	Created json.RawMessage `json:"created"`
	Model   string          `json:"model"`
	Choices []struct {
		Index        json.RawMessage `json:"index"`
		Message      json.RawMessage `json:"message"`
		FinishReason string          `json:"finish_reason"`
	} `json:"choices"`
	Usage *struct {
		Prompt     *int64          `json:"prompt_tokens"`
		Completion *int64          `json:"completion_tokens"`
		Total      json.RawMessage `json:"total_tokens"`
	} `json:"usage"`
	Meta *struct {
		RequestDurationMillis json.RawMessage `json:"requestDurationMillis"`
	} `json:"meta"`
}

type novaShape struct {
	bedrockFields
	Output     json.RawMessage `json:"output"`
	StopReason string          `json:"stopReason"`
	Usage      *struct {
		Input      *int64          `json:"inputTokens"`
		Output     *int64          `json:"outputTokens"`
		Total      json.RawMessage `json:"totalTokens"`
		CacheRead  *int64          `json:"cacheReadInputTokenCount"`
		CacheWrite *int64          `json:"cacheWriteInputTokenCount"`
	} `json:"usage"`
}

// expected is what a vendor's fields say: counts are -1 when unknown.
type expected struct {
	id, model                    string
	finish                       []string
	in, out, cacheRead, cacheOut int64
	action                       string
}

// known returns *p when it is a count (not negative), else -1.
func known(p *int64) int64 {
	if p == nil || *p < 0 {
		return -1
	}
	return *p
}

func firstKnown(counts ...int64) int64 {
	for _, n := range counts {
		if n >= 0 {
			return n
		}
	}
	return -1
}

func nonEmpty(reasons ...string) []string {
	var out []string
	for _, r := range reasons {
		if r != "" {
			out = append(out, r)
		}
	}
	return out
}

// vendorOracles decode a body into one vendor's shape, rejecting any key
// the shape lacks, and say what its fields mean.
var vendorOracles = []func(dec *json.Decoder) (expected, bool){
	func(dec *json.Decoder) (expected, bool) {
		var b anthropicShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{id: b.ID, model: b.Model, finish: nonEmpty(b.StopReason), in: -1, out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		if u := b.Usage; u != nil {
			e.in, e.out, e.cacheRead, e.cacheOut = known(u.Input), known(u.Output), known(u.CacheRead), known(u.CacheCreation)
		}
		return e, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b titanShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{in: known(b.InputTextTokenCount), out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		for _, r := range b.Results {
			e.finish = append(e.finish, nonEmpty(r.CompletionReason)...)
			if n := known(r.TokenCount); n >= 0 {
				e.out = addCounts(max(e.out, 0), n)
			}
		}
		return e, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b cohereRShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{finish: nonEmpty(b.FinishReason), in: -1, out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		if m := b.Meta; m != nil {
			// The billed units first, else all the tokens.
			for _, p := range []*cohereTokens{m.BilledUnits, m.Tokens} {
				if p != nil {
					e.in, e.out = firstKnown(e.in, known(p.Input)), firstKnown(e.out, known(p.Output))
				}
			}
		}
		return e, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b cohereShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{id: b.ID, in: -1, out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		for _, g := range b.Generations {
			e.finish = append(e.finish, nonEmpty(g.FinishReason)...)
		}
		return e, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b mistralShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{in: -1, out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		for _, o := range b.Outputs {
			e.finish = append(e.finish, nonEmpty(o.StopReason)...)
		}
		return e, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b stopChoicesShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{in: -1, out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		for _, c := range b.Choices {
			e.finish = append(e.finish, nonEmpty(c.StopReason)...)
		}
		return e, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b llamaShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		return expected{
			finish: nonEmpty(b.StopReason), in: known(b.PromptTokenCount), out: known(b.GenerationTokenCount),
			cacheRead: -1, cacheOut: -1, action: b.GuardrailAction,
		}, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b chatShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{id: b.ID, model: b.Model, in: -1, out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		for _, c := range b.Choices {
			e.finish = append(e.finish, nonEmpty(c.FinishReason)...)
		}
		if u := b.Usage; u != nil {
			e.in, e.out = known(u.Prompt), known(u.Completion)
		}
		return e, true
	},
	func(dec *json.Decoder) (expected, bool) {
		var b novaShape
		if dec.Decode(&b) != nil {
			return expected{}, false
		}
		e := expected{finish: nonEmpty(b.StopReason), in: -1, out: -1, cacheRead: -1, cacheOut: -1, action: b.GuardrailAction}
		if u := b.Usage; u != nil {
			e.in, e.out, e.cacheRead, e.cacheOut = known(u.Input), known(u.Output), known(u.CacheRead), known(u.CacheWrite)
		}
		return e, true
	},
}

// FuzzInvokeModelBody records any InvokeModel response body, with any
// token count headers, without a panic and with no negative count on the
// span. A body that is one vendor's (it decodes into that vendor's shape
// with encoding/json, with no key the shape lacks) must give the span the
// finish reasons, token counts, response ID and model the vendor's fields
// hold, the headers' counts winning over the body's.
func FuzzInvokeModelBody(f *testing.F) {
	const titanLength = `{"inputTextTokenCount":9,"results":[{"tokenCount":512,"outputText":"A 'hello world' program","completionReason":"LENGTH"},{"tokenCount":3,"completionReason":"FINISH"}]}`
	seeds := []struct {
		vendor uint8
		body   string
	}{
		{0, anthropicBody},
		{0, `{"type":"completion","completion":" Paris.","stop_reason":"stop_sequence","stop":"\n\nHuman:","amazon-bedrock-guardrailAction":"NONE"}`},
		{1, titanBody},
		{1, titanLength},
		{1, `{"embedding":[0.0125,-0.0459,0.0173],"inputTextTokenCount":8}`},
		{2, `{"response_id":"4a3b","text":"Paris","generation_id":"8d7c","chat_history":[],"finish_reason":"MAX_TOKENS",` +
			`"meta":{"api_version":{"version":"1"},"billed_units":{"input_tokens":12,"output_tokens":10},"tokens":{"input_tokens":78,"output_tokens":10}}}`},
		{3, `{"generations":[{"finish_reason":"COMPLETE","id":"a8c1","text":" Paris."},{"finish_reason":"MAX_TOKENS","id":"b9d2","text":" The capital"}],"id":"5b0c","prompt":"What?"}`},
		{4, `{"outputs":[{"text":" A hello world program prints","stop_reason":"length"}]}`},
		{5, `{"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"stop_reason":"stop"}]}`},
		{5, `{"choices":[{"text":"<think>France.</think>\n\nParis.","stop_reason":"stop"}]}`},
		{6, llamaBlocked},
		{7, `{"id":"chatcmpl-4d0f","choices":[{"index":0,"message":{"role":"assistant","content":"Paris.","tool_calls":null},"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":17,"completion_tokens":9,"total_tokens":26},"meta":{"requestDurationMillis":412},"model":"jamba-1.5-large"}`},
		{7, `{"id":"chatcmpl-7f3e","object":"chat.completion","created":1754000000,"model":"openai.gpt-oss-20b-1:0",` +
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":35,"total_tokens":56}}`},
		{8, `{"output":{"message":{"content":[{"text":"A hello"}],"role":"assistant"}},"stopReason":"max_tokens",` +
			`"usage":{"inputTokens":13,"outputTokens":5,"totalTokens":18,"cacheReadInputTokenCount":0,"cacheWriteInputTokenCount":0}}`},
	}
	for _, s := range seeds {
		f.Add([]byte(s.body), s.vendor, int64(-1), int64(-1), int64(-1), int64(-1))
	}
	f.Add([]byte(anthropicBody), uint8(0), int64(math.MaxInt64), int64(7), int64(-1), int64(1))
	f.Add([]byte(titanLength), uint8(1), int64(6), int64(-1), int64(3), int64(-1))
	f.Add([]byte("\x00\x01"), uint8(9), int64(1), int64(2), int64(3), int64(4))
	f.Fuzz(func(t *testing.T, data []byte, vendor uint8, hdrIn, hdrOut, hdrRead, hdrWrite int64) {
		rec := adaptertest.Record(t)
		_, span := rastir.StartLLM(context.Background(), "m")
		c := &call{op: opInvokeModel, span: span, guardrail: vendor&0x80 != 0,
			inputTokensHeader: max(hdrIn, -1), outputTokensHeader: max(hdrOut, -1),
			cacheReadHeader: max(hdrRead, -1), cacheWriteHeader: max(hdrWrite, -1)}
		c.recordInvokeModel(&bedrockruntime.InvokeModelOutput{Body: data})
		span.End()
		a := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
		for _, key := range []string{vocabulary.GenAIUsageInputTokens, vocabulary.GenAIUsageOutputTokens, vocabulary.GenAIUsageCacheReadTokens, vocabulary.GenAIUsageCacheCreationTokens} {
			if v, ok := a[key]; ok {
				assert.GreaterOrEqual(t, v.(int64), int64(0), "%s of %q", key, data)
			}
		}

		oracle := vendorOracles[int(vendor&0x7f)%len(vendorOracles)]
		if !json.Valid(data) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		e, ok := oracle(dec)
		if !ok {
			return
		}
		e.in, e.out = firstKnown(c.inputTokensHeader, e.in), firstKnown(c.outputTokensHeader, e.out)
		e.cacheRead, e.cacheOut = firstKnown(c.cacheReadHeader, e.cacheRead), firstKnown(c.cacheWriteHeader, e.cacheOut)
		if e.in >= 0 {
			// The span's input counts the prompt cache's tokens in.
			e.in = addCounts(addCounts(e.in, max(e.cacheRead, 0)), max(e.cacheOut, 0))
		}
		want := map[string]any{}
		for key, n := range map[string]int64{
			vocabulary.GenAIUsageInputTokens: e.in, vocabulary.GenAIUsageOutputTokens: e.out,
			vocabulary.GenAIUsageCacheReadTokens: e.cacheRead, vocabulary.GenAIUsageCacheCreationTokens: e.cacheOut,
		} {
			if n >= 0 {
				want[key] = n
			}
		}
		if len(e.finish) > 0 {
			want[vocabulary.GenAIResponseFinishReasons] = e.finish
		}
		if e.id != "" {
			want[vocabulary.GenAIResponseID] = e.id
		}
		if e.model != "" {
			want[vocabulary.GenAIResponseModel] = e.model
		}
		if e.action != "" {
			want[vocabulary.AWSBedrockGuardrailAction] = e.action
		}
		for key := range want {
			assert.Equal(t, want[key], a[key], "%s of %s", key, data)
		}
		for _, key := range []string{
			vocabulary.GenAIUsageInputTokens, vocabulary.GenAIUsageOutputTokens, vocabulary.GenAIUsageCacheReadTokens,
			vocabulary.GenAIUsageCacheCreationTokens, vocabulary.GenAIResponseFinishReasons, vocabulary.GenAIResponseID,
			vocabulary.GenAIResponseModel, vocabulary.AWSBedrockGuardrailAction,
		} {
			if _, ok := want[key]; !ok {
				assert.NotContains(t, a, key, "of %s", data)
			}
		}
	})
}
