package rastirlangchaingo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/agents"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/tools"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// anthropicTurns answers Messages API calls with the given texts in turn
// (429 for an empty text and after the last), as messages or, for a streamed request, as the API's
// server-sent events: message_start with the input usage, a text block in
// deltas, message_delta with the stop reason and the output usage,
// message_stop. Call n (from 0) reports 100+n input and 10+n output
// tokens.
func anthropicTurns(t *testing.T, texts ...string) *httptest.Server {
	t.Helper()
	var i atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/v1/messages") {
			http.NotFound(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Stream bool `json:"stream"`
		}
		_ = json.Unmarshal(body, &req)
		n := int(i.Add(1)) - 1
		w.Header().Set("Content-Type", "application/json")
		if n >= len(texts) || texts[n] == "" {
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(anthropicRateLimited))
			return
		}
		text, _ := json.Marshal(texts[n])
		if !req.Stream {
			_, _ = fmt.Fprintf(w, `{"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
  "content": [{"type": "text", "text": %s}], "stop_reason": "end_turn", "stop_sequence": null,
  "usage": {"input_tokens": %d, "output_tokens": %d}}`, text, 100+n, 10+n)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		event := func(typ, data string) {
			_, _ = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", typ, data)
			w.(http.Flusher).Flush()
		}
		event("message_start", fmt.Sprintf(`{"type": "message_start", "message": {"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": %d, "output_tokens": 1}}}`, 100+n))
		event("content_block_start", `{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}`)
		event("ping", `{"type": "ping"}`)
		for _, word := range strings.SplitAfter(texts[n], " ") {
			delta, _ := json.Marshal(word)
			event("content_block_delta", `{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": `+string(delta)+`}}`)
		}
		event("content_block_stop", `{"type": "content_block_stop", "index": 0}`)
		event("message_delta", fmt.Sprintf(`{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": %d}}`, 10+n))
		event("message_stop", `{"type": "message_stop"}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAnthropicExecutor runs langchaingo's agent executor with the
// wrapped Anthropic LLM and the calculator tool: each LLM call is one
// span with its usage and stop reason, ended OK, under the agent span
// (directly when only the executor has the handler; under the agent's
// LLM chain, streaming, when the agent has it too).
func TestAnthropicExecutor(t *testing.T) {
	for _, agentHandler := range []bool{false, true} {
		name := "executor handler"
		if agentHandler {
			name = "agent handler, streaming"
		}
		t.Run(name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := anthropicTurns(t,
				"I should add the numbers.\nAction: calculator\nAction Input: 2+2",
				"I now know the final answer.\nFinal Answer: 4")
			h := New(WithAgentName("math"), WithModel("claude-sonnet-4-5"), WithProvider(vocabulary.ProviderAnthropic))
			llm, err := anthropic.New(anthropic.WithBaseURL(srv.URL+"/v1"), anthropic.WithToken("test"), anthropic.WithModel("claude-sonnet-4-5"))
			require.NoError(t, err)
			llm.CallbacksHandler = h
			var agentOpts []agents.Option
			if agentHandler {
				agentOpts = append(agentOpts, agents.WithCallbacksHandler(h))
			}
			agent := agents.NewOneShotAgent(h.WrapModel(llm), []tools.Tool{tools.Calculator{CallbacksHandler: h}}, agentOpts...)
			executor := agents.NewExecutor(agent, agents.WithCallbacksHandler(h))

			out, err := chains.Run(context.Background(), executor, "What is 2+2?")
			require.NoError(t, err)
			assert.Equal(t, "4", out)

			spans := byName(t, rec)
			require.Len(t, spans["invoke_agent math"], 1)
			root := spans["invoke_agent math"][0]
			assert.False(t, root.Parent().IsValid())
			assert.Equal(t, codes.Unset, root.Status().Code)
			calls := spans["chat claude-sonnet-4-5"]
			require.Len(t, calls, 2, "one span per call")
			if agentHandler {
				require.Len(t, spans[ChainSpanName], 2, "the agent's LLM chain, once per step")
			} else {
				assert.Empty(t, spans[ChainSpanName])
			}
			for i, call := range calls {
				if agentHandler {
					chain := spans[ChainSpanName][i]
					childOf(t, chain, root)
					childOf(t, call, chain)
				} else {
					childOf(t, call, root)
				}
				assert.Equal(t, codes.Unset, call.Status().Code, call.Status().Description)
				a := adaptertest.Attrs(call.Attributes())
				if agentHandler {
					assert.Equal(t, true, a[vocabulary.GenAIRequestStream])
					assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
					delete(a, vocabulary.GenAIRequestStream)
					delete(a, vocabulary.GenAIResponseTimeToFirstChunk)
				}
				assert.Equal(t, with(llmAttrs("claude-sonnet-4-5", vocabulary.ProviderAnthropic),
					vocabulary.GenAIAgentName, "math",
					// The one-shot agent's stop words, a call option.
					vocabulary.GenAIRequestStopSequences, []string{"\nObservation:", "\n\tObservation:"},
					vocabulary.GenAIUsageInputTokens, int64(100+i),
					vocabulary.GenAIUsageOutputTokens, int64(10+i),
					vocabulary.GenAIUsageCacheReadTokens, int64(0),
					vocabulary.GenAIUsageCacheCreationTokens, int64(0),
					vocabulary.GenAIResponseFinishReasons, []string{"end_turn"},
				), a)
			}
			require.Len(t, spans["execute_tool calculator"], 1)
			tool := spans["execute_tool calculator"][0]
			childOf(t, tool, root)
			assert.False(t, tool.StartTime().Before(calls[0].EndTime()), "the tool runs after the first call's span ended")
			assert.Equal(t, "claude-sonnet-4-5", adaptertest.Attrs(tool.Attributes())[vocabulary.GenAIRequestModel])
			if agentHandler {
				assert.Len(t, rec.Ended(), 6)
			} else {
				assert.Len(t, rec.Ended(), 4)
			}
			assert.Empty(t, h.stacks)
		})
	}
}

// TestAnthropicWithoutWrapper: langchaingo's Anthropic LLM, unwrapped,
// sends no end callback; told the provider, the handler ends a call's span
// still open when the next call starts, its chain ends or fails, or its
// context ends, as successful (without usage), and a failed call's span
// with the error callback's error.
func TestAnthropicWithoutWrapper(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := anthropicTurns(t, "Hi.", "Hi again.", "Hello.", "Hey.", "", "Bye.")
	h := New(WithModel("claude-sonnet-4-5"), WithProvider(vocabulary.ProviderAnthropic))
	llm, err := anthropic.New(anthropic.WithBaseURL(srv.URL+"/v1"), anthropic.WithToken("test"), anthropic.WithModel("claude-sonnet-4-5"))
	require.NoError(t, err)
	llm.CallbacksHandler = h

	reqCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ctx, req := rastir.StartTrace(reqCtx, "request")
	_, err = llm.Call(ctx, "hi") // ended by the chain's start
	require.NoError(t, err)
	h.HandleChainStart(ctx, nil)
	_, err = llm.Call(ctx, "hi") // ended by its chain's end
	require.NoError(t, err)
	h.HandleChainEnd(ctx, nil)
	h.HandleChainStart(ctx, nil)
	_, err = llm.Call(ctx, "hi") // ended by its chain's failure
	require.NoError(t, err)
	h.HandleChainError(ctx, errors.New("could not parse the output"))
	_, err = llm.Call(ctx, "hi") // ended by the next call's start
	require.NoError(t, err)
	_, err = llm.Call(ctx, "hi") // 429: ended by the error callback
	require.Error(t, err)
	_, err = llm.Call(ctx, "hi") // ended by the context's end
	require.NoError(t, err)
	req.End()
	cancel()

	base := llmAttrs("claude-sonnet-4-5", vocabulary.ProviderAnthropic)
	require.Eventually(t, func() bool { return len(byName(t, rec)["chat claude-sonnet-4-5"]) == 6 }, 10*time.Second, time.Millisecond)
	calls := byName(t, rec)["chat claude-sonnet-4-5"]
	for i, c := range calls {
		if i == 4 {
			assert.Equal(t, codes.Error, c.Status().Code)
			assert.Equal(t, failedAttrs(base, 429, vocabulary.ErrorRateLimit), adaptertest.Attrs(c.Attributes()))
			continue
		}
		assert.Equal(t, codes.Unset, c.Status().Code, "call %d: %s", i, c.Status().Description)
		assert.Equal(t, base, adaptertest.Attrs(c.Attributes()), "call %d: no usage without the wrapper", i)
	}
	h.mu.Lock()
	assert.Empty(t, h.stacks)
	h.mu.Unlock()
}

// TestSilentSuccessProviders: an LLM span left open is ended OK for the
// providers whose langchaingo LLM reports its failures only, and failed
// for the others.
func TestSilentSuccessProviders(t *testing.T) {
	for provider, want := range map[string]codes.Code{
		vocabulary.ProviderAnthropic:    codes.Unset,
		vocabulary.ProviderIBMWatsonxAI: codes.Unset,
		vocabulary.ProviderOpenAI:       codes.Error,
		vocabulary.ProviderGCPGemini:    codes.Error,
		"":                              codes.Error,
	} {
		t.Run(provider, func(t *testing.T) {
			rec := adaptertest.Record(t)
			h := New(WithProvider(provider))
			ctx := context.Background()
			h.HandleLLMGenerateContentStart(ctx, nil)
			h.HandleToolStart(ctx, "")
			h.HandleToolEnd(ctx, "")
			require.Len(t, rec.Ended(), 2)
			s := rec.Ended()[0]
			assert.Equal(t, want, s.Status().Code)
			if want == codes.Error {
				assert.Equal(t, errNoEnd.Error(), s.Status().Description)
			}
		})
	}
}
