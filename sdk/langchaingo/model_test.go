package rastirlangchaingo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/anthropic"
	"github.com/tmc/langchaingo/llms/openai"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// anthropicText is an Anthropic message of one text block, as the Messages
// API reference shows one, with prompt cache reads and writes.
const anthropicText = `{
  "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF",
  "type": "message",
  "role": "assistant",
  "model": "claude-sonnet-4-5-20250929",
  "content": [{"type": "text", "text": "Hi! My name is Claude."}],
  "stop_reason": "end_turn",
  "stop_sequence": null,
  "usage": {"input_tokens": 2095, "output_tokens": 503, "cache_creation_input_tokens": 20, "cache_read_input_tokens": 100}
}`

// The Messages API's error bodies (its errors reference).
const (
	anthropicRateLimited = `{"type": "error", "error": {"type": "rate_limit_error", "message": "This request would exceed the rate limit for your organization of 50 requests per minute."}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}`
	anthropicAPIError    = `{"type": "error", "error": {"type": "api_error", "message": "Internal server error"}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fz"}`
)

// The Chat Completions API's error bodies.
const (
	openAIRateLimited = `{"error": {"message": "Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 30000, Requested 19.", "type": "tokens", "param": null, "code": "rate_limit_exceeded"}}`
	openAIServerError = `{"error": {"message": "The server had an error while processing your request. Sorry about that!", "type": "server_error", "param": null, "code": null}}`
)

// apiServer answers the requests whose path ends with suffix with status
// and body.
func apiServer(t *testing.T, suffix string, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, suffix) {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// llmAttrs are the attributes every LLM span of these tests starts with.
func llmAttrs(model, provider string) map[string]any {
	return map[string]any{
		vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName: vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:  model,
		vocabulary.GenAIProviderName:  provider,
	}
}

// with returns a copy of base with more attributes.
func with(base map[string]any, kv ...any) map[string]any {
	m := make(map[string]any, len(base)+len(kv)/2)
	for k, v := range base {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

// failedAttrs are the attributes of a call failed with an API status.
func failedAttrs(base map[string]any, status int64, category string) map[string]any {
	return with(base,
		vocabulary.HTTPResponseStatusCode, status,
		vocabulary.ErrorType, "*errors.errorString",
		vocabulary.RastirErrorCategoryKey, category,
	)
}

type wrapCase struct {
	name   string
	status int
	body   string
	// attrs are the call's span's attributes; a failed call's span has
	// status ERROR with msg in its description and one exception event.
	attrs map[string]any
	msg   string
}

// checkCall checks the one span of a wrapped call.
func checkCall(t *testing.T, rec *tracetest.SpanRecorder, tc wrapCase, err error, name string) {
	t.Helper()
	ended := rec.Ended()
	require.Len(t, ended, 1, "one span per call")
	s := ended[0]
	assert.Equal(t, name, s.Name())
	assert.Equal(t, tc.attrs, adaptertest.Attrs(s.Attributes()))
	if tc.msg == "" {
		require.NoError(t, err)
		assert.Equal(t, codes.Unset, s.Status().Code)
		assert.Empty(t, s.Events())
		return
	}
	require.Error(t, err)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, err.Error(), s.Status().Description, "the error the call returned")
	assert.Contains(t, s.Status().Description, tc.msg)
	require.Len(t, s.Events(), 1, "the failure recorded once")
	assert.Equal(t, vocabulary.EventException, s.Events()[0].Name)
}

// TestWrapModelAnthropic: langchaingo's Anthropic LLM sends no end
// callback; wrapped, a successful call is one span, ended with its usage
// and stop reason, and a failed one (429, 500) one failed span with the
// category of the status, whether or not the LLM's callbacks handler is
// the handler.
func TestWrapModelAnthropic(t *testing.T) {
	base := llmAttrs("claude-sonnet-4-5", vocabulary.ProviderAnthropic)
	for _, tc := range []wrapCase{
		{
			name: "success", status: http.StatusOK, body: anthropicText,
			attrs: with(base,
				vocabulary.GenAIUsageInputTokens, int64(2095+100+20),
				vocabulary.GenAIUsageOutputTokens, int64(503),
				vocabulary.GenAIUsageCacheReadTokens, int64(100),
				vocabulary.GenAIUsageCacheCreationTokens, int64(20),
				vocabulary.GenAIResponseFinishReasons, []string{"end_turn"},
			),
		},
		{
			name: "rate limited", status: http.StatusTooManyRequests, body: anthropicRateLimited,
			attrs: failedAttrs(base, 429, vocabulary.ErrorRateLimit),
			msg:   "anthropic: failed to create message: API returned unexpected status code: 429: This request would exceed the rate limit",
		},
		{
			name: "server error", status: http.StatusInternalServerError, body: anthropicAPIError,
			attrs: failedAttrs(base, 500, vocabulary.ErrorProvider),
			msg:   "API returned unexpected status code: 500: Internal server error",
		},
	} {
		eachMode(t, tc, func(t *testing.T, callbacksSet bool) {
			rec := adaptertest.Record(t)
			srv := apiServer(t, "/v1/messages", tc.status, tc.body)
			h := New(WithModel("claude-sonnet-4-5"), WithProvider(vocabulary.ProviderAnthropic))
			llm, err := anthropic.New(anthropic.WithBaseURL(srv.URL+"/v1"), anthropic.WithToken("test"), anthropic.WithModel("claude-sonnet-4-5"))
			require.NoError(t, err)
			if callbacksSet {
				llm.CallbacksHandler = h
			}
			_, err = h.WrapModel(llm).GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "Hello")})
			checkCall(t, rec, tc, err, "chat claude-sonnet-4-5")
			assert.Empty(t, h.stacks)
		})
	}
}

// eachMode runs a case with the handler as the LLM's callbacks handler,
// then with the wrapper only.
func eachMode(t *testing.T, tc wrapCase, run func(t *testing.T, callbacksSet bool)) {
	t.Helper()
	t.Run(tc.name+"/callbacks handler", func(t *testing.T) { run(t, true) })
	t.Run(tc.name+"/wrapper only", func(t *testing.T) { run(t, false) })
}

// TestWrapModelOpenAI: langchaingo's OpenAI LLM sends no error callback;
// wrapped, a failed call is one span failed with the call's error, and a
// successful call, whose end callback came, is recorded once.
func TestWrapModelOpenAI(t *testing.T) {
	base := llmAttrs("gpt-4o", vocabulary.ProviderOpenAI)
	for _, tc := range []wrapCase{
		{
			name: "success", status: http.StatusOK, body: chatCompletion("Hello!", 19, 10),
			attrs: with(base,
				vocabulary.GenAIUsageInputTokens, int64(19),
				vocabulary.GenAIUsageOutputTokens, int64(10),
				vocabulary.GenAIUsageCacheReadTokens, int64(3),
				vocabulary.GenAIResponseFinishReasons, []string{"stop"},
			),
		},
		{
			name: "rate limited", status: http.StatusTooManyRequests, body: openAIRateLimited,
			attrs: failedAttrs(base, 429, vocabulary.ErrorRateLimit),
			msg:   "API returned unexpected status code: 429: Rate limit reached for gpt-4o",
		},
		{
			name: "server error", status: http.StatusInternalServerError, body: openAIServerError,
			attrs: failedAttrs(base, 500, vocabulary.ErrorProvider),
			msg:   "API returned unexpected status code: 500: The server had an error",
		},
	} {
		eachMode(t, tc, func(t *testing.T, callbacksSet bool) {
			rec := adaptertest.Record(t)
			srv := apiServer(t, "/chat/completions", tc.status, tc.body)
			h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
			opts := []openai.Option{openai.WithBaseURL(srv.URL + "/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o")}
			if callbacksSet {
				opts = append(opts, openai.WithCallback(h))
			}
			llm, err := openai.New(opts...)
			require.NoError(t, err)
			// Call goes through GenerateContent, traced too.
			_, err = h.WrapModel(llm).Call(context.Background(), "Hello") //nolint:staticcheck // the deprecated method is still called
			checkCall(t, rec, tc, err, "chat gpt-4o")
			assert.Empty(t, h.stacks)
		})
	}
}

// TestWrapModelConcurrent: two calls on one context at once, each through
// the wrapper and sending the handler its callbacks, keep their own spans:
// neither ends the other's.
func TestWrapModelConcurrent(t *testing.T) {
	rec := adaptertest.Record(t)
	var arrived atomic.Int32
	both := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := arrived.Add(1)
		if n == 2 {
			close(both)
		}
		// Answer once both calls are in flight (their spans are open at
		// once); the wait is bounded so that a serialised caller fails
		// the checks below instead of hanging.
		select {
		case <-both:
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(chatCompletion("Hello!", 19+int(n), 10)))
	}))
	t.Cleanup(srv.Close)
	h := New(WithAgentName("pair"), WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)
	m := h.WrapModel(llm)

	ctx := context.Background()
	h.HandleChainStart(ctx, nil)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = llms.GenerateFromSinglePrompt(ctx, m, "Hello") })
	}
	wg.Wait()
	h.HandleChainEnd(ctx, nil)
	require.NoError(t, errs[0])
	require.NoError(t, errs[1])

	spans := byName(t, rec)
	require.Len(t, rec.Ended(), 3)
	agent := spans["invoke_agent pair"][0]
	assert.Equal(t, codes.Unset, agent.Status().Code)
	calls := spans["chat gpt-4o"]
	require.Len(t, calls, 2)
	var inputs []int64
	for _, c := range calls {
		childOf(t, c, agent)
		assert.Equal(t, codes.Unset, c.Status().Code, c.Status().Description)
		a := adaptertest.Attrs(c.Attributes())
		assert.Equal(t, "pair", a[vocabulary.GenAIAgentName])
		inputs = append(inputs, a[vocabulary.GenAIUsageInputTokens].(int64))
	}
	assert.ElementsMatch(t, []int64{20, 21}, inputs, "each call's span has its own response")
	assert.True(t, calls[0].EndTime().After(calls[1].StartTime()) && calls[1].EndTime().After(calls[0].StartTime()), "the calls overlapped")
	assert.Empty(t, h.stacks)
}

// scripted is an llms.Model that sends its callbacks handler the given
// callbacks and returns the given response and error, as langchaingo's
// LLMs do in their various ways.
type scripted struct {
	handler callbacks.Handler
	script  func(ctx context.Context, h callbacks.Handler)
	res     *llms.ContentResponse
	err     error
	panics  bool
	calls   int
}

func (s *scripted) GenerateContent(ctx context.Context, _ []llms.MessageContent, _ ...llms.CallOption) (*llms.ContentResponse, error) {
	s.calls++
	if s.script != nil {
		s.script(ctx, s.handler)
	}
	if s.panics {
		panic("model broke")
	}
	return s.res, s.err
}

func (s *scripted) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, s, prompt, options...)
}

// TestWrapModelCallbackOrders: whatever callbacks the wrapped model sends
// (mistral's: an end callback without a response right after the request,
// then the error or a second end), the call is one span with the call's
// outcome, recorded once.
func TestWrapModelCallbackOrders(t *testing.T) {
	res := &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "stop", GenerationInfo: map[string]any{
		"PromptTokens": 12, "CompletionTokens": 4, "model": "mistral-large-2411", "id": "cmpl-e5cc70bb28c444948073e77776eb30ef",
	}}}}
	apiErr := errors.New("API returned unexpected status code: 503: Service unavailable")
	start := func(ctx context.Context, h callbacks.Handler) { h.HandleLLMGenerateContentStart(ctx, nil) }
	base := llmAttrs("mistral-large-latest", vocabulary.ProviderMistralAI)
	ok := with(base,
		vocabulary.GenAIUsageInputTokens, int64(12),
		vocabulary.GenAIUsageOutputTokens, int64(4),
		vocabulary.GenAIResponseFinishReasons, []string{"stop"},
		vocabulary.GenAIResponseModel, "mistral-large-2411",
		vocabulary.GenAIResponseID, "cmpl-e5cc70bb28c444948073e77776eb30ef",
	)
	failed := failedAttrs(base, 503, vocabulary.ErrorProvider)
	for _, tc := range []struct {
		name   string
		script func(ctx context.Context, h callbacks.Handler)
		res    *llms.ContentResponse
		err    error
		attrs  map[string]any
	}{
		{"no callbacks", nil, res, nil, ok},
		{"start only", start, res, nil, ok},
		{"start and end", func(ctx context.Context, h callbacks.Handler) {
			start(ctx, h)
			h.HandleLLMGenerateContentEnd(ctx, res)
		}, res, nil, ok},
		{"end without response, then end", func(ctx context.Context, h callbacks.Handler) {
			start(ctx, h)
			h.HandleLLMGenerateContentEnd(ctx, nil)
			h.HandleLLMGenerateContentEnd(ctx, res)
		}, res, nil, ok},
		{"end without response, then error", func(ctx context.Context, h callbacks.Handler) {
			start(ctx, h)
			h.HandleLLMGenerateContentEnd(ctx, nil)
			h.HandleLLMError(ctx, apiErr)
		}, nil, apiErr, failed},
		{"error", func(ctx context.Context, h callbacks.Handler) {
			start(ctx, h)
			h.HandleLLMError(ctx, apiErr)
		}, nil, apiErr, failed},
		{"start, no error callback", start, nil, apiErr, failed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			h := New(WithModel("mistral-large-latest"), WithProvider(vocabulary.ProviderMistralAI))
			inner := &scripted{handler: h, script: tc.script, res: tc.res, err: tc.err}
			_, err := h.WrapModel(inner).GenerateContent(context.Background(), nil)
			assert.Equal(t, tc.err, err)
			msg := ""
			if tc.err != nil {
				msg = tc.err.Error()
			}
			checkCall(t, rec, wrapCase{attrs: tc.attrs, msg: msg}, err, "chat mistral-large-latest")
			assert.Empty(t, h.stacks)
		})
	}
}

// passThrough is a model that calls another, as a caching or retrying
// layer would.
type passThrough struct{ llms.Model }

// TestWrapModelOnce: wrapping twice, or a wrapped model called within a
// wrapped call, makes one span; a model that panics fails its span and
// panics on.
func TestWrapModelOnce(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("gpt-4o"))
	inner := &scripted{res: &llms.ContentResponse{Choices: []*llms.ContentChoice{{Content: "hi"}}}}
	w := h.WrapModel(inner)
	assert.Same(t, w, h.WrapModel(w))
	assert.Nil(t, h.WrapModel(nil))
	var nilHandler *Handler
	assert.Same(t, inner, nilHandler.WrapModel(inner))

	layered := h.WrapModel(passThrough{w})
	out, err := llms.GenerateFromSinglePrompt(context.Background(), layered, "hi")
	require.NoError(t, err)
	assert.Equal(t, "hi", out)
	assert.Len(t, rec.Ended(), 1)

	// Another handler's wrapper makes its own span.
	other := New(WithModel("gpt-4o-mini"))
	_, err = other.WrapModel(w).GenerateContent(context.Background(), nil)
	require.NoError(t, err)
	require.Len(t, rec.Ended(), 3)
	assert.Equal(t, "chat gpt-4o", rec.Ended()[1].Name())
	assert.Equal(t, "chat gpt-4o-mini", rec.Ended()[2].Name())
	childOf(t, rec.Ended()[1], rec.Ended()[2])

	// The call's model option names the requested model.
	_, err = w.GenerateContent(context.Background(), nil, llms.WithModel("gpt-4.1"), llms.WithTemperature(0))
	require.NoError(t, err)
	require.Len(t, rec.Ended(), 4)
	assert.Equal(t, "chat gpt-4.1", rec.Ended()[3].Name())

	inner.panics = true
	assert.PanicsWithValue(t, "model broke", func() { _, _ = w.GenerateContent(context.Background(), nil) })
	require.Len(t, rec.Ended(), 5)
	s := rec.Ended()[4]
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "panic: model broke", s.Status().Description)
	assert.Equal(t, 4, inner.calls)

	r, ok := w.(llms.ReasoningModel)
	require.True(t, ok)
	assert.False(t, r.SupportsReasoning())
	llm, err := openai.New(openai.WithToken("test"), openai.WithModel("o3-mini"))
	require.NoError(t, err)
	assert.True(t, h.WrapModel(llm).(llms.ReasoningModel).SupportsReasoning())
}

// TestWrapModelParent: a wrapped call is the child of the innermost open
// span of its tree, under the application's span, and first ends an LLM
// call left open on top of it (an unwrapped call of the same tree whose
// end never came).
func TestWrapModelParent(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("gpt-4o"))
	ctx, req := rastir.StartTrace(context.Background(), "request")
	h.HandleChainStart(ctx, nil)
	h.HandleLLMGenerateContentStart(ctx, nil) // an unwrapped call that failed
	_, err := h.WrapModel(&scripted{res: &llms.ContentResponse{}}).GenerateContent(ctx, nil)
	require.NoError(t, err)
	h.HandleChainEnd(ctx, nil)
	req.End()

	spans := byName(t, rec)
	require.Len(t, spans["chat gpt-4o"], 2)
	chain := spans[ChainSpanName][0]
	childOf(t, chain, spans["request"][0])
	failed, wrapped := spans["chat gpt-4o"][0], spans["chat gpt-4o"][1]
	childOf(t, failed, chain)
	childOf(t, wrapped, chain)
	assert.Equal(t, codes.Error, failed.Status().Code)
	assert.Equal(t, errNoEnd.Error(), failed.Status().Description)
	assert.Equal(t, codes.Unset, wrapped.Status().Code)
	assert.Empty(t, h.stacks)
}

// TestWrapModelHTTPSpanNests: the LLM gets the call's span as its
// context's current span, so an instrumented HTTP client's span is its
// child.
func TestWrapModelHTTPSpanNests(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := apiServer(t, "/v1/messages", http.StatusOK, anthropicText)
	h := New(WithModel("claude-sonnet-4-5"), WithProvider(vocabulary.ProviderAnthropic))
	llm, err := anthropic.New(anthropic.WithBaseURL(srv.URL+"/v1"), anthropic.WithToken("test"),
		anthropic.WithHTTPClient(rastir.WrapClient("anthropic", srv.Client())))
	require.NoError(t, err)
	_, err = h.WrapModel(llm).GenerateContent(context.Background(), []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "Hello")})
	require.NoError(t, err)
	spans := byName(t, rec)
	require.Len(t, rec.Ended(), 2)
	require.Len(t, spans["anthropic.POST"], 1)
	childOf(t, spans["anthropic.POST"][0], spans["chat claude-sonnet-4-5"][0])
}
