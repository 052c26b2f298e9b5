package rastiropenai_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	rastiropenai "github.com/otelcol-rastir/otelcol-rastir/sdk/openai"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// chatCall makes a chat completion with c: one of chatCallWays.
type chatCall func(ctx context.Context, c openai.Client, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error)

// chatCallWays are the two ways the adapter traces a chat completion,
// which record the same span: the middleware alone, and a typed call on a
// client with the middleware.
var chatCallWays = []struct {
	name string
	call chatCall
}{
	{"middleware", func(ctx context.Context, c openai.Client, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
		return c.Chat.Completions.New(ctx, params)
	}},
	{"typed", func(ctx context.Context, c openai.Client, params openai.ChatCompletionNewParams) (*openai.ChatCompletion, error) {
		return rastiropenai.NewChatCompletion(ctx, c.Chat.Completions.New, params)
	}},
}

// TestNewChatCompletionAsMiddleware: a typed call records the span the
// middleware alone records for the same call, whatever the response: the
// provider's own members (Azure OpenAI's filter results, DeepSeek's cache
// hits), a safety finish reason, an error status.
func TestNewChatCompletionAsMiddleware(t *testing.T) {
	const safe = `"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}`
	for _, tt := range []struct {
		name   string
		status int
		body   string
		params openai.ChatCompletionNewParams
		opts   []rastiropenai.Option
	}{
		{"completion", 200, adaptertest.Testdata(t, "chat_completion.json"), chatParams("gpt-4.1"), nil},
		{"reasoning and cache", 200, adaptertest.Testdata(t, "chat_completion_reasoning.json"), chatParams("o3-mini"), nil},
		{"cache write tokens", 200, `{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-5","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":3100,"completion_tokens":5,"total_tokens":3105,"prompt_tokens_details":{"cached_tokens":1024,"cache_write_tokens":2048}}}`, chatParams("gpt-5"), nil},
		{"no usage, null finish reason", 200, `{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":null}]}`, chatParams("m"), nil},
		{"deepseek cache hit", 200, `{"id":"930c60df","object":"chat.completion","created":1764656316,"model":"deepseek-chat",` +
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"logprobs":null,"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":1300,"completion_tokens":3,"total_tokens":1303,"prompt_cache_hit_tokens":1280,"prompt_cache_miss_tokens":20}}`, chatParams("deepseek-chat"), nil},
		{"azure answer filtered", 200, `{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"sexual":{"filtered":true,"severity":"high"}},"finish_reason":"content_filter","index":0,"logprobs":null,"message":{"content":null,"refusal":null,"role":"assistant"}}],` +
			`"created":1761903290,"id":"chatcmpl-CWkC4","model":"gpt-4o-2024-11-20","object":"chat.completion","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{` + safe + `}}],` +
			`"usage":{"completion_tokens":31,"prompt_tokens":24,"total_tokens":55}}`, chatParams("gpt-4o"), nil},
		{"azure prompt blocked", 400, `{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,` +
			`"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":true,"detected":true}}}}}`, chatParams("gpt-4o"), nil},
		{"safety finish reason", 200, `{"id":"c2","object":"chat.completion","created":1,"model":"gemini-2.5-flash","choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"SAFETY"}],"usage":{"prompt_tokens":19,"completion_tokens":0,"total_tokens":19}}`,
			chatParams("gemini-2.5-flash"), nil},
		{"rate limit", 429, adaptertest.Testdata(t, "error_429.json"), chatParams("gpt-4o"), nil},
		{"server error", 500, adaptertest.Testdata(t, "error_500.json"), chatParams("gpt-4o"), nil},
		{"provider option", 200, adaptertest.Testdata(t, "chat_completion.json"), chatParams("llama-3.3-70b-versatile"), []rastiropenai.Option{rastiropenai.WithProvider(vocabulary.ProviderGroq)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := adaptertest.Answering(t, tt.status, tt.body)
			c := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0),
				rastiropenai.WithTracing(tt.opts...))

			adaptertest.AssertSameCall(t, rec, tt.status,
				func() (*openai.ChatCompletion, error) { return c.Chat.Completions.New(context.Background(), tt.params) },
				func() (*openai.ChatCompletion, error) {
					return rastiropenai.NewChatCompletion(context.Background(), c.Chat.Completions.New, tt.params)
				})
		})
	}
}

// TestNewChatCompletionRetried: a typed call is one span over its retries,
// with the status of the last attempt; the middleware alone makes a span
// per attempt.
func TestNewChatCompletionRetried(t *testing.T) {
	rec := adaptertest.Record(t)
	srv, calls := adaptertest.FailingFirst(t, http.StatusTooManyRequests,
		adaptertest.Testdata(t, "error_429.json"), adaptertest.Testdata(t, "chat_completion.json"))
	c := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(1), rastiropenai.WithTracing())

	s := adaptertest.CheckRetried(t, rec, calls,
		func() error {
			_, err := rastiropenai.NewChatCompletion(context.Background(), c.Chat.Completions.New, chatParams("gpt-4.1"))
			return err
		},
		func() error {
			_, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4.1"))
			return err
		})
	assert.Equal(t, int64(19), adaptertest.Attrs(s.Attributes())[vocabulary.GenAIUsageInputTokens])
}

// TestNewChatCompletionWithoutMiddleware: on a client without the
// middleware a typed call still records the request, the response and
// the failure (categorised by the error's status); the HTTP exchange's
// server is not known.
func TestNewChatCompletionWithoutMiddleware(t *testing.T) {
	request := map[string]any{
		vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName: vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:  "gpt-4.1",
		vocabulary.GenAIProviderName:  vocabulary.ProviderOpenAI,
		vocabulary.GenAIRequestSeed:   int64(7),
	}
	completion := chatResponseAttrs("gpt-4.1")
	delete(completion, vocabulary.HTTPResponseStatusCode)
	completion[vocabulary.GenAIRequestSeed] = int64(7)
	rateLimited := maps.Clone(request)
	maps.Copy(rateLimited, map[string]any{
		vocabulary.HTTPResponseStatusCode: int64(429),
		vocabulary.ErrorType:              "*apierror.Error",
		vocabulary.RastirErrorCategoryKey: vocabulary.ErrorRateLimit,
	})
	for _, tt := range []struct {
		name   string
		status int
		file   string
		want   map[string]any
	}{
		{"completion", 200, "chat_completion.json", completion},
		{"rate limit", 429, "error_429.json", rateLimited},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := adaptertest.Answering(t, tt.status, adaptertest.Testdata(t, tt.file))
			c := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0))
			params := chatParams("gpt-4.1")
			params.Seed = openai.Int(7)

			_, err := rastiropenai.NewChatCompletion(context.Background(), c.Chat.Completions.New, params)
			assert.Equal(t, tt.status >= 400, err != nil)
			s := adaptertest.Only(t, rec)
			assert.Equal(t, "chat gpt-4.1", s.Name())
			assert.Equal(t, tt.want, adaptertest.Attrs(s.Attributes()))
		})
	}
}

// TestNewChatCompletionErrors: a call that fails before or without a
// response fails the span with the error the caller gets.
func TestNewChatCompletionErrors(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		rec := adaptertest.Record(t)
		c := client(adaptertest.HangingServer(t))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := rastiropenai.NewChatCompletion(ctx, c.Chat.Completions.New, chatParams("gpt-4o"))
		require.ErrorIs(t, err, context.DeadlineExceeded)
		adaptertest.CheckTimedOut(t, rec)
	})
	t.Run("undecodable response", func(t *testing.T) {
		rec := adaptertest.Record(t)
		c := client(adaptertest.Answering(t, 200, `{"id":`))
		_, err := rastiropenai.NewChatCompletion(context.Background(), c.Chat.Completions.New, chatParams("gpt-4o"))
		adaptertest.CheckFailedWith(t, rec, err)
	})
	t.Run("create's own error", func(t *testing.T) {
		rec := adaptertest.Record(t)
		failure := errors.New("no client")
		_, err := rastiropenai.NewChatCompletion(context.Background(),
			func(context.Context, openai.ChatCompletionNewParams, ...option.RequestOption) (*openai.ChatCompletion, error) {
				return nil, failure
			}, chatParams("gpt-4o"))
		require.ErrorIs(t, err, failure)
		adaptertest.CheckFailedWith(t, rec, err)
	})
}

// TestNewChatCompletionProviderFromHost: the middleware gives a typed call
// the provider of the base URL's host.
func TestNewChatCompletionProviderFromHost(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/chat/completions", reply{200, "application/json", "chat_completion.json"})
	// Ollama's port, on the test server's host.
	c := openai.NewClient(option.WithBaseURL("http://ollama.internal:11434/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0),
		option.WithHTTPClient(dialingTo(srv)), rastiropenai.WithTracing())
	_, err := rastiropenai.NewChatCompletion(context.Background(), c.Chat.Completions.New, chatParams("llama3.2"))
	require.NoError(t, err)
	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, vocabulary.ProviderOllama, m[vocabulary.GenAIProviderName])
	assert.Equal(t, "ollama.internal", m[vocabulary.ServerAddress])
	assert.Equal(t, int64(11434), m[vocabulary.ServerPort])
}

// TestNewChatCompletionSampledOut: a span the sampler drops records
// nothing, and the call returns what the client returns.
func TestNewChatCompletionSampledOut(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(rec))
	rastir.UseTracerProvider(tp)
	t.Cleanup(func() { rastir.UseTracerProvider(nil) })
	c := client(server(t, "/v1/chat/completions", reply{200, "application/json", "chat_completion.json"}))
	res, err := rastiropenai.NewChatCompletion(context.Background(), c.Chat.Completions.New, chatParams("gpt-4.1"))
	require.NoError(t, err)
	assert.Equal(t, int64(19), res.Usage.PromptTokens)
	assert.Empty(t, rec.Ended())
}
