package rastirlangchaingo

import (
	"math"

	mistral "github.com/gage-technologies/mistral-go"
	"github.com/tmc/langchaingo/llms"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// The GenerationInfo keys langchaingo's LLMs report token counts under.
var (
	// input tokens: openai, googleai and ollama; anthropic; bedrock.
	inputKeys = [...]string{"PromptTokens", anthropicInputKey, "input_tokens"}
	// output tokens.
	outputKeys = [...]string{"CompletionTokens", "OutputTokens", "output_tokens"}
	// cache reads: anthropic and googleai; openai.
	cacheReadKeys = [...]string{"CacheReadInputTokens", "PromptCachedTokens"}
	// cache writes: anthropic.
	cacheWriteKeys = [...]string{"CacheCreationInputTokens"}
	// reasoning: openai (and googleai's zero).
	reasoningKeys = [...]string{"ReasoningTokens", "ThinkingTokens"}
)

// The GenerationInfo keys of the model that answered (mistral) and of the
// response's id (bedrock's AI21 models).
const (
	responseModelKey = "model"
	responseIDKey    = "id"
)

// mistralUsageKey holds the usage of langchaingo's Mistral LLM: its
// client's UsageInfo struct, not counts under keys of their own.
const mistralUsageKey = "usage"

// anthropicInputKey holds Anthropic's input_tokens, which leave out the
// prompt cache's reads and writes that gen_ai.usage.input_tokens counts.
const anthropicInputKey = "InputTokens"

// recordResponse sets the usage, finish reasons, response model and
// response id of a response. Every
// choice of one call carries the call's usage, so the first choice that
// has a count gives it. provider is the handler's WithProvider value.
//
// The choices of an OpenAI call (n > 1) each stop for their own reason,
// each recorded. langchaingo's Anthropic LLM makes one choice per content
// block of the one message, each with the message's stop reason, recorded
// once: for the anthropic provider, and for a response whose
// GenerationInfo has Anthropic's usage keys.
func recordResponse(s *rastir.Span, res *llms.ContentResponse, provider string) {
	if res == nil {
		return
	}
	var reasons []string
	var respModel, respID string
	in, out, cacheRead, cacheWrite, reasoning := int64(-1), int64(-1), int64(-1), int64(-1), int64(-1)
	inKey := ""
	for _, c := range res.Choices {
		if c == nil {
			continue
		}
		if c.StopReason != "" {
			reasons = append(reasons, c.StopReason)
		}
		info := c.GenerationInfo
		if info == nil {
			continue
		}
		if k := first(info, inputKeys[:], &in); k != "" {
			inKey = k
		}
		first(info, outputKeys[:], &out)
		first(info, cacheReadKeys[:], &cacheRead)
		first(info, cacheWriteKeys[:], &cacheWrite)
		first(info, reasoningKeys[:], &reasoning)
		if in < 0 && out < 0 {
			mistralUsage(info[mistralUsageKey], &in, &out)
		}
		if respModel == "" {
			respModel, _ = info[responseModelKey].(string)
		}
		if respID == "" {
			respID, _ = info[responseIDKey].(string)
		}
	}
	if inKey == anthropicInputKey {
		in += max(cacheRead, 0) + max(cacheWrite, 0)
	}
	if in >= 0 || out >= 0 {
		s.SetUsage(in, out)
	}
	if cacheRead >= 0 || cacheWrite >= 0 {
		s.SetCacheTokens(cacheRead, cacheWrite)
	}
	if reasoning > 0 {
		s.SetReasoningTokens(reasoning)
	}
	if len(reasons) > 1 && (inKey == anthropicInputKey || provider == vocabulary.ProviderAnthropic) {
		reasons = reasons[:1]
	}
	s.SetFinishReasons(reasons...)
	s.SetResponseModel(respModel)
	s.SetResponseID(respID)
}

// mistralUsage sets *in and *out from v when it is the usage of
// langchaingo's Mistral LLM (a mistral-go UsageInfo, or a pointer to
// one). A zero UsageInfo is no usage: the LLM's streamed calls keep that of
// the last chunk, and chunks without usage have a zero one.
func mistralUsage(v any, in, out *int64) {
	var u mistral.UsageInfo
	switch x := v.(type) {
	case mistral.UsageInfo:
		u = x
	case *mistral.UsageInfo:
		if x == nil {
			return
		}
		u = *x
	default:
		return
	}
	if u == (mistral.UsageInfo{}) {
		return
	}
	if u.PromptTokens >= 0 {
		*in = int64(u.PromptTokens)
	}
	if u.CompletionTokens >= 0 {
		*out = int64(u.CompletionTokens)
	}
}

// first sets *dst to the first count found under keys, unless *dst is set,
// and returns the key it took ("" when none).
func first(info map[string]any, keys []string, dst *int64) string {
	if *dst >= 0 {
		return ""
	}
	for _, k := range keys {
		if n, ok := count(info[k]); ok {
			*dst = n
			return k
		}
	}
	return ""
}

// count reads a token count of any of the numeric types LLMs report.
func count(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), n >= 0
	case int32:
		return int64(n), n >= 0
	case int64:
		return n, n >= 0
	case uint32:
		return int64(n), true
	case float64:
		if n >= 0 && n <= math.MaxInt64 && n == math.Trunc(n) {
			return int64(n), true
		}
	case float32:
		return count(float64(n))
	}
	return 0, false
}
