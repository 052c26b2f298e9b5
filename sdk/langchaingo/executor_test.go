package rastirlangchaingo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/agents"
	"github.com/tmc/langchaingo/chains"
	"github.com/tmc/langchaingo/llms/openai"
	"github.com/tmc/langchaingo/tools"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// streamingServer answers streamed chat completions (the agent streams)
// with the given contents in turn, as OpenAI's server-sent events: content
// chunks, a chunk with the finish reason, the usage chunk, [DONE].
func streamingServer(t *testing.T, contents ...string) *httptest.Server {
	t.Helper()
	var i atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var req struct {
			Stream bool `json:"stream"`
		}
		if json.Unmarshal(body, &req) != nil || !req.Stream {
			http.Error(w, `{"error":{"message":"expected a streamed request"}}`, http.StatusBadRequest)
			return
		}
		n := int(i.Add(1)) - 1
		if n >= len(contents) {
			http.Error(w, `{"error":{"message":"no more"}}`, http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		chunk := func(s string) {
			_, _ = fmt.Fprintf(w, "data: %s\n\n", s)
			w.(http.Flusher).Flush()
		}
		head := `{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-2024-08-06","system_fingerprint":"fp_44709d6fcb",`
		words := strings.SplitAfter(contents[n], " ")
		for j, word := range words {
			role := ""
			if j == 0 {
				role = `"role":"assistant",`
			}
			text, _ := json.Marshal(word)
			chunk(head + `"choices":[{"index":0,"delta":{` + role + `"content":` + string(text) + `},"logprobs":null,"finish_reason":null}]}`)
		}
		chunk(head + `"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`)
		chunk(head + fmt.Sprintf(`"choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`, 100+n, 10+n, 110+2*n))
		chunk("[DONE]")
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestExecutor runs langchaingo's agent executor (a one-shot ReAct agent,
// its LLM chain, the OpenAI LLM streaming from a test server, the
// calculator tool) with the handler on each, and checks the span tree:
// agent → (chain → llm) ×2 and agent → tool, one trace.
func TestExecutor(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := streamingServer(t,
		"I should add the numbers.\nAction: calculator\nAction Input: 2+2",
		"I now know the final answer.\nFinal Answer: 4")
	h := New(WithAgentName("math"), WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)
	agent := agents.NewOneShotAgent(llm, []tools.Tool{tools.Calculator{CallbacksHandler: h}}, agents.WithCallbacksHandler(h))
	executor := agents.NewExecutor(agent, agents.WithCallbacksHandler(h))

	out, err := chains.Run(context.Background(), executor, "What is 2+2?")
	require.NoError(t, err)
	assert.Equal(t, "4", out)

	spans := byName(t, rec)
	require.Len(t, spans["invoke_agent math"], 1)
	root := spans["invoke_agent math"][0]
	assert.False(t, root.Parent().IsValid())
	require.Len(t, spans[ChainSpanName], 2, "the agent's LLM chain, once per step")
	require.Len(t, spans["chat gpt-4o"], 2)
	for i := range 2 {
		chain, call := spans[ChainSpanName][i], spans["chat gpt-4o"][i]
		childOf(t, chain, root)
		childOf(t, call, chain)
		a := adaptertest.Attrs(call.Attributes())
		assert.Equal(t, "math", a[vocabulary.GenAIAgentName])
		assert.Equal(t, int64(100+i), a[vocabulary.GenAIUsageInputTokens])
		assert.Equal(t, int64(10+i), a[vocabulary.GenAIUsageOutputTokens])
		assert.Equal(t, true, a[vocabulary.GenAIRequestStream])
		assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
	}
	require.Len(t, spans["execute_tool calculator"], 1)
	tool := spans["execute_tool calculator"][0]
	childOf(t, tool, root)
	assert.Equal(t, codes.Unset, tool.Status().Code)
	assert.Len(t, rec.Ended(), 6)
	assert.Empty(t, h.stacks)
}
