package rastirlangchaingo

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/fake"
	"github.com/tmc/langchaingo/llms/openai"
	"github.com/tmc/langchaingo/schema"
	"github.com/tmc/langchaingo/tools"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

func byName(t *testing.T, rec *tracetest.SpanRecorder) map[string][]sdktrace.ReadOnlySpan {
	t.Helper()
	m := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		m[s.Name()] = append(m[s.Name()], s)
	}
	return m
}

func childOf(t *testing.T, child, parent sdktrace.ReadOnlySpan) {
	t.Helper()
	assert.Equal(t, parent.SpanContext().TraceID(), child.SpanContext().TraceID(), "%s in the trace of %s", child.Name(), parent.Name())
	assert.Equal(t, parent.SpanContext().SpanID(), child.Parent().SpanID(), "%s under %s", child.Name(), parent.Name())
}

// chatCompletion is an OpenAI chat completion response as the API
// reference shows it.
func chatCompletion(content string, in, out int) string {
	return `{
  "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  "object": "chat.completion",
  "created": 1741570283,
  "model": "gpt-4o-2024-08-06",
  "choices": [{"index": 0, "message": {"role": "assistant", "content": ` + quote(content) + `, "refusal": null, "annotations": []}, "logprobs": null, "finish_reason": "stop"}],
  "usage": {"prompt_tokens": ` + itoa(in) + `, "completion_tokens": ` + itoa(out) + `, "total_tokens": ` + itoa(in+out) + `,
    "prompt_tokens_details": {"cached_tokens": 3, "audio_tokens": 0},
    "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}},
  "service_tier": "default",
  "system_fingerprint": "fp_fc9f1d7035"
}`
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, "\n", `\n`) + `"` }

func itoa(n int) string { return strconv.Itoa(n) }

// openAIServer answers chat completions with the given contents in turn.
func openAIServer(t *testing.T, contents ...string) *httptest.Server {
	t.Helper()
	var i atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
			http.NotFound(w, r)
			return
		}
		n := int(i.Add(1)) - 1
		if n >= len(contents) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error": {"message": "Rate limit reached for gpt-4o", "type": "requests", "param": null, "code": "rate_limit_exceeded"}}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(chatCompletion(contents[n], 19+n, 10+n)))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestAgentLoop runs the loop langchaingo's agent executor runs (chain,
// LLM, agent action, tool, LLM) with langchaingo's OpenAI LLM against a
// test server and its calculator tool.
func TestAgentLoop(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := openAIServer(t, "Action: calculator\nAction Input: 2+2", "Final Answer: 4")
	h := New(WithAgentName("math"), WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)
	calc := tools.Calculator{CallbacksHandler: h}

	ctx := context.Background()
	h.HandleChainStart(ctx, map[string]any{"input": "2+2?"})
	_, err = llms.GenerateFromSinglePrompt(ctx, llm, "2+2?")
	require.NoError(t, err)
	h.HandleAgentAction(ctx, schema.AgentAction{Tool: "calculator", ToolInput: "2+2"})
	out, err := calc.Call(ctx, "2+2")
	require.NoError(t, err)
	require.Equal(t, "4", out)
	_, err = llms.GenerateFromSinglePrompt(ctx, llm, "2+2? 4")
	require.NoError(t, err)
	h.HandleAgentFinish(ctx, schema.AgentFinish{})
	h.HandleChainEnd(ctx, map[string]any{"output": "4"})

	spans := byName(t, rec)
	require.Len(t, rec.Ended(), 4)
	agent := spans["invoke_agent math"][0]
	assert.False(t, agent.Parent().IsValid())
	assert.Equal(t, vocabulary.SpanTypeAgent, adaptertest.Attrs(agent.Attributes())[vocabulary.RastirSpanTypeKey])
	require.Len(t, spans["chat gpt-4o"], 2)
	for i, l := range spans["chat gpt-4o"] {
		childOf(t, l, agent)
		a := adaptertest.Attrs(l.Attributes())
		assert.Equal(t, vocabulary.SpanTypeLLM, a[vocabulary.RastirSpanTypeKey])
		assert.Equal(t, "math", a[vocabulary.GenAIAgentName])
		assert.Equal(t, "gpt-4o", a[vocabulary.GenAIRequestModel])
		assert.Equal(t, vocabulary.ProviderOpenAI, a[vocabulary.GenAIProviderName])
		assert.Equal(t, int64(19+i), a[vocabulary.GenAIUsageInputTokens])
		assert.Equal(t, int64(10+i), a[vocabulary.GenAIUsageOutputTokens])
		assert.Equal(t, int64(3), a[vocabulary.GenAIUsageCacheReadTokens])
		assert.Equal(t, []string{"stop"}, a[vocabulary.GenAIResponseFinishReasons])
		assert.Equal(t, codes.Unset, l.Status().Code)
	}
	tool := spans["execute_tool calculator"][0]
	childOf(t, tool, agent)
	a := adaptertest.Attrs(tool.Attributes())
	assert.Equal(t, vocabulary.SpanTypeTool, a[vocabulary.RastirSpanTypeKey])
	assert.Equal(t, "calculator", a[vocabulary.GenAIToolName])
	assert.Equal(t, "math", a[vocabulary.GenAIAgentName])
	assert.Equal(t, "gpt-4o", a[vocabulary.GenAIRequestModel], "the model of the LLM call before it")
	// The tool started after the first LLM call ended and ended before the
	// second started.
	assert.False(t, tool.StartTime().Before(spans["chat gpt-4o"][0].EndTime()))
}

// TestLLMError: a failed call (429 from the API) fails the LLM span with the
// rate_limit category, and the chain that fails with it.
func TestLLMError(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := openAIServer(t)
	h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)

	ctx, agent := rastir.StartAgent(context.Background(), "planner")
	h.HandleChainStart(ctx, nil)
	_, err = llms.GenerateFromSinglePrompt(ctx, llm, "hi")
	require.Error(t, err)
	h.HandleChainError(ctx, err)
	agent.End()

	spans := byName(t, rec)
	require.Len(t, rec.Ended(), 3)
	chain := spans[ChainSpanName][0]
	childOf(t, chain, spans["invoke_agent planner"][0])
	assert.Equal(t, vocabulary.SpanTypeSystem, adaptertest.Attrs(chain.Attributes())[vocabulary.RastirSpanTypeKey])
	assert.Equal(t, codes.Error, chain.Status().Code)
	l := spans["chat gpt-4o"][0]
	childOf(t, l, chain)
	assert.Equal(t, codes.Error, l.Status().Code)
	a := adaptertest.Attrs(l.Attributes())
	assert.Equal(t, "planner", a[vocabulary.GenAIAgentName])
	// langchaingo's OpenAI LLM reports no error callback and returns a
	// plain error: the chain's error ends the call's span, with the status
	// its message gives.
	assert.Contains(t, l.Status().Description, "429")
	assert.Equal(t, vocabulary.ErrorRateLimit, a[vocabulary.RastirErrorCategoryKey])
	assert.Equal(t, int64(429), a[vocabulary.HTTPResponseStatusCode])
	c := adaptertest.Attrs(chain.Attributes())
	assert.Equal(t, vocabulary.ErrorRateLimit, c[vocabulary.RastirErrorCategoryKey])
	assert.NotContains(t, c, vocabulary.HTTPResponseStatusCode, "the chain is no HTTP call")
	require.NotEmpty(t, l.Events())
	assert.Equal(t, vocabulary.EventException, l.Events()[0].Name)
}

// TestToolAndRetrieverErrors covers direct callback calls: a tool error, a
// retriever whose end never comes (langchaingo reports no retriever
// errors), nested chains, and the fake LLM's output.
func TestToolAndRetrieverErrors(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithAgentName("researcher"))
	ctx := context.Background()
	llm := fake.NewFakeLLM([]string{"Action: search"})

	h.HandleChainStart(ctx, nil)
	h.HandleChainStart(ctx, nil)
	h.HandleLLMGenerateContentStart(ctx, nil)
	res, err := llm.GenerateContent(ctx, nil)
	require.NoError(t, err)
	res.Choices[0].StopReason = "end_turn"
	res.Choices[0].GenerationInfo = map[string]any{"InputTokens": 12, "OutputTokens": int32(5), "CacheCreationInputTokens": 2, "CacheReadInputTokens": 0}
	h.HandleLLMGenerateContentEnd(ctx, res)
	h.HandleChainEnd(ctx, nil)
	h.HandleAgentAction(ctx, schema.AgentAction{Tool: "search"})
	h.HandleToolStart(ctx, "q")
	h.HandleToolError(ctx, errors.New("search backend down"))
	h.HandleRetrieverStart(ctx, "q")
	h.HandleChainEnd(ctx, nil)
	// Ends with nothing open do nothing.
	h.HandleChainEnd(ctx, nil)
	h.HandleToolEnd(ctx, "")
	h.HandleRetrieverEnd(ctx, "", nil)
	h.HandleLLMGenerateContentEnd(ctx, nil)
	h.HandleLLMError(ctx, errors.New("x"))

	spans := byName(t, rec)
	require.Len(t, rec.Ended(), 5)
	agent := spans["invoke_agent researcher"][0]
	inner := spans[ChainSpanName][0]
	childOf(t, inner, agent)
	l := spans["chat"][0]
	childOf(t, l, inner)
	a := adaptertest.Attrs(l.Attributes())
	assert.Equal(t, int64(14), a[vocabulary.GenAIUsageInputTokens], "with the cache creation")
	assert.Equal(t, int64(5), a[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, int64(0), a[vocabulary.GenAIUsageCacheReadTokens])
	assert.Equal(t, int64(2), a[vocabulary.GenAIUsageCacheCreationTokens])
	assert.Equal(t, []string{"end_turn"}, a[vocabulary.GenAIResponseFinishReasons])
	tool := spans["execute_tool search"][0]
	childOf(t, tool, agent)
	assert.Equal(t, codes.Error, tool.Status().Code)
	assert.Equal(t, vocabulary.ErrorUnknown, adaptertest.Attrs(tool.Attributes())[vocabulary.RastirErrorCategoryKey])
	ret := spans["retrieval "+RetrieverSpanName][0]
	childOf(t, ret, agent)
	assert.Equal(t, vocabulary.SpanTypeRetrieval, adaptertest.Attrs(ret.Attributes())[vocabulary.RastirSpanTypeKey])
	assert.Equal(t, codes.Error, ret.Status().Code, "abandoned by the chain's end")
	assert.Equal(t, errAbandoned.Error(), ret.Status().Description)
	assert.Equal(t, codes.Unset, agent.Status().Code)
}

// TestTreesApart: two call trees under different application spans keep
// separate stacks, even interleaved.
func TestTreesApart(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New()
	ctxA, a := rastir.StartAgent(context.Background(), "a")
	ctxB, b := rastir.StartAgent(context.Background(), "b")
	h.HandleChainStart(ctxA, nil)
	h.HandleChainStart(ctxB, nil)
	h.HandleToolStart(ctxA, "")
	h.HandleToolStart(ctxB, "")
	h.HandleToolEnd(ctxA, "")
	h.HandleChainEnd(ctxA, nil)
	h.HandleToolEnd(ctxB, "")
	h.HandleChainEnd(ctxB, nil)
	a.End()
	b.End()

	var chains, toolSpans []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		switch s.Name() {
		case ChainSpanName:
			chains = append(chains, s)
		case "execute_tool " + ToolSpanName:
			toolSpans = append(toolSpans, s)
		}
	}
	require.Len(t, chains, 2)
	require.Len(t, toolSpans, 2)
	for i := range 2 {
		childOf(t, toolSpans[i], chains[i])
		assert.Equal(t, codes.Unset, toolSpans[i].Status().Code)
	}
	assert.NotEqual(t, chains[0].SpanContext().TraceID(), chains[1].SpanContext().TraceID())
	assert.Equal(t, "a", adaptertest.Attrs(toolSpans[0].Attributes())[vocabulary.GenAIAgentName])
	assert.Equal(t, "b", adaptertest.Attrs(toolSpans[1].Attributes())[vocabulary.GenAIAgentName])
	assert.Empty(t, h.stacks)
}

func TestStreamingAndCounts(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("llama3"))
	ctx := context.Background()
	h.HandleStreamingFunc(ctx, []byte("x")) // nothing open
	h.HandleLLMGenerateContentStart(ctx, nil)
	h.HandleStreamingFunc(ctx, nil)
	h.HandleStreamingFunc(ctx, []byte("He"))
	h.HandleStreamingFunc(ctx, []byte("llo"))
	h.HandleLLMGenerateContentEnd(ctx, &llms.ContentResponse{Choices: []*llms.ContentChoice{
		nil,
		{GenerationInfo: map[string]any{"input_tokens": 7.0, "output_tokens": -1, "ReasoningTokens": int64(4)}},
	}})
	require.Len(t, rec.Ended(), 1)
	a := adaptertest.Attrs(rec.Ended()[0].Attributes())
	assert.Equal(t, true, a[vocabulary.GenAIRequestStream])
	assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, int64(7), a[vocabulary.GenAIUsageInputTokens])
	assert.NotContains(t, a, vocabulary.GenAIUsageOutputTokens)
	assert.Equal(t, int64(4), a[vocabulary.GenAIUsageReasoningTokens])

	for _, v := range []any{"3", 1.5, -2.0, nil, uint32(3)} {
		n, ok := count(v)
		assert.Equal(t, v == uint32(3), ok, "%v", v)
		if ok {
			assert.Equal(t, int64(3), n)
		}
	}
}

func TestDepthBound(t *testing.T) {
	adaptertest.Record(t)
	h := New()
	ctx := context.Background()
	for range maxDepth + 10 {
		h.HandleToolStart(ctx, "")
	}
	require.Len(t, h.stacks[treeKey(ctx)].entries, maxDepth)
	for range maxDepth + 10 {
		h.HandleToolEnd(ctx, "")
	}
	assert.Empty(t, h.stacks)
}

// TestErrorCodes: langchaingo's standard errors get the category of their
// code.
func TestErrorCodes(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("claude-sonnet-4-5"), WithProvider(vocabulary.ProviderAnthropic))
	ctx := context.Background()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{llms.NewError(llms.ErrCodeRateLimit, "anthropic", "rate limited"), vocabulary.ErrorRateLimit},
		{fmt.Errorf("call: %w", llms.NewError(llms.ErrCodeTimeout, "anthropic", "timed out")), vocabulary.ErrorTimeout},
		{llms.NewError(llms.ErrCodeTokenLimit, "anthropic", "too long"), vocabulary.ErrorValidation},
		{llms.NewError(llms.ErrCodeProviderUnavailable, "anthropic", "overloaded"), vocabulary.ErrorProvider},
		// Other codes keep the category of the type (*llms.Error).
		{llms.NewError(llms.ErrCodeUnknown, "anthropic", "?"), vocabulary.ErrorProvider},
		{context.DeadlineExceeded, vocabulary.ErrorTimeout},
	} {
		h.HandleLLMGenerateContentStart(ctx, nil)
		h.HandleLLMError(ctx, tc.err)
		ended := rec.Ended()
		s := ended[len(ended)-1]
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, tc.want, adaptertest.Attrs(s.Attributes())[vocabulary.RastirErrorCategoryKey], tc.err.Error())
	}
	assert.Empty(t, h.stacks)
}

// TestFailedCallThenRetry: langchaingo's OpenAI LLM reports no error
// callback, so a failed call made outside a chain leaves its span open; the
// next call of the tree (a retry) must not become its child, and the failed
// call's span must end.
func TestFailedCallThenRetry(t *testing.T) {
	rec := adaptertest.Record(t)
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error": {"message": "Invalid value for 'messages'", "type": "invalid_request_error", "param": "messages", "code": null}}`))
			return
		}
		_, _ = w.Write([]byte(chatCompletion("hello", 5, 2)))
	}))
	t.Cleanup(srv.Close)
	h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)

	ctx, req := rastir.StartTrace(context.Background(), "request")
	_, err = llms.GenerateFromSinglePrompt(ctx, llm, "hi")
	require.Error(t, err)
	_, err = llms.GenerateFromSinglePrompt(ctx, llm, "hi")
	require.NoError(t, err)
	req.End()

	spans := byName(t, rec)
	require.Len(t, spans["chat gpt-4o"], 2, "the failed call's span ends too")
	request := spans["request"][0]
	failed, retried := spans["chat gpt-4o"][0], spans["chat gpt-4o"][1]
	childOf(t, failed, request)
	childOf(t, retried, request)
	assert.Equal(t, codes.Error, failed.Status().Code)
	assert.Equal(t, codes.Unset, retried.Status().Code)
	assert.Equal(t, int64(5), adaptertest.Attrs(retried.Attributes())[vocabulary.GenAIUsageInputTokens])
	assert.Empty(t, h.stacks)
}

// TestFailedCallContextDone: a failed call made outside a chain, the last
// of its tree (one request span each), ends when the call's context is
// done instead of staying open, and its tree is released.
func TestFailedCallContextDone(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := openAIServer(t) // 429 for every call
	h := New(WithModel("gpt-4o"))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)

	var requests []sdktrace.ReadOnlySpan
	for range 3 {
		reqCtx, cancel := context.WithCancel(context.Background())
		ctx, req := rastir.StartTrace(reqCtx, "request")
		_, err = llms.GenerateFromSinglePrompt(ctx, llm, "hi")
		require.Error(t, err)
		req.End()
		requests = append(requests, rec.Ended()[len(rec.Ended())-1])
		cancel() // the request is over
	}
	require.Eventually(t, func() bool { return len(byName(t, rec)["chat gpt-4o"]) == 3 }, 10*time.Second, time.Millisecond)
	calls := byName(t, rec)["chat gpt-4o"]
	for i, req := range requests {
		var found bool
		for _, c := range calls {
			if c.Parent().SpanID() == req.SpanContext().SpanID() {
				found = true
				assert.Equal(t, codes.Error, c.Status().Code)
			}
		}
		assert.True(t, found, "request %d has its call's span", i)
	}
	h.mu.Lock()
	assert.Empty(t, h.stacks)
	h.mu.Unlock()
}

// TestAnthropicInputCountsTheCache: langchaingo's Anthropic LLM reports the
// API's input_tokens, which leave out the prompt cache's reads and writes;
// gen_ai.usage.input_tokens counts them, as the anthropic adapter does.
func TestAnthropicInputCountsTheCache(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("claude-sonnet-4"), WithProvider(vocabulary.ProviderAnthropic))
	ctx := context.Background()
	h.HandleLLMGenerateContentStart(ctx, nil)
	// The GenerationInfo of langchaingo's anthropic LLM: every content
	// block's choice carries the message's usage.
	info := map[string]any{"InputTokens": 12, "OutputTokens": 30, "CacheCreationInputTokens": 200, "CacheReadInputTokens": 1000}
	h.HandleLLMGenerateContentEnd(ctx, &llms.ContentResponse{Choices: []*llms.ContentChoice{
		{StopReason: "tool_use", GenerationInfo: info},
		{StopReason: "tool_use", GenerationInfo: info},
	}})
	require.Len(t, rec.Ended(), 1)
	a := adaptertest.Attrs(rec.Ended()[0].Attributes())
	assert.Equal(t, int64(1212), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(30), a[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, int64(1000), a[vocabulary.GenAIUsageCacheReadTokens])
	assert.Equal(t, int64(200), a[vocabulary.GenAIUsageCacheCreationTokens])
	assert.Equal(t, []string{"tool_use"}, a[vocabulary.GenAIResponseFinishReasons], "one message, one stop reason")

	// Google AI's PromptTokens already count its cached tokens, which it
	// also reports as CacheReadInputTokens.
	h.HandleLLMGenerateContentStart(ctx, nil)
	h.HandleLLMGenerateContentEnd(ctx, &llms.ContentResponse{Choices: []*llms.ContentChoice{{GenerationInfo: map[string]any{
		"input_tokens": int32(1100), "PromptTokens": int32(1100), "CompletionTokens": int32(5), "CacheReadInputTokens": int32(1000),
	}}}})
	require.Len(t, rec.Ended(), 2)
	a = adaptertest.Attrs(rec.Ended()[1].Attributes())
	assert.Equal(t, int64(1100), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1000), a[vocabulary.GenAIUsageCacheReadTokens])
}
