package rastirlangchaingo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// anthropicToolUse is an Anthropic message of a text and a tool_use block,
// as the Messages API reference shows one.
const anthropicToolUse = `{
  "id": "msg_01Aq9w938a90dw8q",
  "type": "message",
  "role": "assistant",
  "model": "claude-sonnet-4-20250514",
  "content": [
    {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
    {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather", "input": {"location": "San Francisco, CA"}}
  ],
  "stop_reason": "tool_use",
  "stop_sequence": null,
  "usage": {"input_tokens": 472, "output_tokens": 89}
}`

// openAITwoChoices is a chat completion asked for n=2 choices, which stop
// for their own reasons.
const openAITwoChoices = `{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-2024-08-06",
  "choices": [
    {"index": 0, "message": {"role": "assistant", "content": "Hi.", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"},
    {"index": 1, "message": {"role": "assistant", "content": "Hello, how", "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "length"}
  ],
  "usage": {"prompt_tokens": 9, "completion_tokens": 6, "total_tokens": 15}
}`

// replyServer answers every request whose path ends with suffix with body.
func replyServer(t *testing.T, suffix, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAnthropicStopReasonOnce: langchaingo's Anthropic LLM makes one
// choice per content block, each with the message's stop reason; the
// message has one stop reason, recorded once, whether or not the handler
// was told the provider.
func TestAnthropicStopReasonOnce(t *testing.T) {
	for name, opts := range map[string][]Option{
		"provider option": {WithModel("claude-sonnet-4"), WithProvider(vocabulary.ProviderAnthropic)},
		"no provider":     {WithModel("claude-sonnet-4")},
	} {
		t.Run(name, func(t *testing.T) { anthropicStopReasonOnce(t, opts) })
	}
}

func anthropicStopReasonOnce(t *testing.T, opts []Option) {
	rec := adaptertest.Record(t)
	srv := replyServer(t, "/v1/messages", anthropicToolUse)
	h := New(opts...)
	llm, err := anthropic.New(anthropic.WithBaseURL(srv.URL+"/v1"), anthropic.WithToken("test"), anthropic.WithModel("claude-sonnet-4"))
	require.NoError(t, err)
	llm.CallbacksHandler = h

	ctx := context.Background()
	res, err := llm.GenerateContent(ctx, []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "Weather in SF?")})
	require.NoError(t, err)
	require.Len(t, res.Choices, 2)
	// langchaingo's Anthropic LLM sends no end callback: the
	// application passes the response on.
	h.HandleLLMGenerateContentEnd(ctx, res)

	a := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, []string{"tool_use"}, a[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, int64(472), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(89), a[vocabulary.GenAIUsageOutputTokens])
}

// TestOpenAIFinishReasonPerChoice: the choices of an OpenAI call (n > 1)
// each stop for their own reason, and each is recorded, even the same.
func TestOpenAIFinishReasonPerChoice(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := replyServer(t, "/chat/completions", openAITwoChoices)
	h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)

	res, err := llm.GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "Say hi")}, llms.WithN(2))
	require.NoError(t, err)
	require.Len(t, res.Choices, 2)

	a := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, []string{"stop", "length"}, a[vocabulary.GenAIResponseFinishReasons])

	h.HandleLLMGenerateContentStart(context.Background(), nil)
	h.HandleLLMGenerateContentEnd(context.Background(), &llms.ContentResponse{Choices: []*llms.ContentChoice{
		{StopReason: "stop", GenerationInfo: map[string]any{"PromptTokens": 9}},
		{StopReason: "stop", GenerationInfo: map[string]any{"PromptTokens": 9}},
	}})
	require.Len(t, rec.Ended(), 2)
	assert.Equal(t, []string{"stop", "stop"}, adaptertest.Attrs(rec.Ended()[1].Attributes())[vocabulary.GenAIResponseFinishReasons])
}

// TestAnthropicProviderOption: the provider option alone says the choices
// are one Anthropic message's blocks.
func TestAnthropicProviderOption(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("claude-sonnet-4"), WithProvider(vocabulary.ProviderAnthropic))
	ctx := context.Background()
	h.HandleLLMGenerateContentStart(ctx, nil)
	h.HandleLLMGenerateContentEnd(ctx, &llms.ContentResponse{Choices: []*llms.ContentChoice{
		{Content: "Thinking done.", StopReason: "end_turn"},
		nil,
		{Content: "The answer is 4.", StopReason: "end_turn"},
	}})
	a := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, []string{"end_turn"}, a[vocabulary.GenAIResponseFinishReasons])
}
