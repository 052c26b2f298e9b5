package rastiranthropic_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	rastiranthropic "github.com/otelcol-rastir/otelcol-rastir/sdk/anthropic"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TestNewMessageAsMiddleware: a typed call records the span the
// middleware alone records for the same call, whatever the response: cache
// and thinking tokens, a refusal, members the client does not know, an
// error status.
func TestNewMessageAsMiddleware(t *testing.T) {
	all := params()
	all.MaxTokens = 2048
	all.Temperature = anthropic.Float(0.3)
	all.TopP = anthropic.Float(0.8)
	all.TopK = anthropic.Int(40)
	all.StopSequences = []string{"\n\nHuman:", "</answer>"}
	all.OutputConfig = anthropic.OutputConfigParam{Effort: anthropic.OutputConfigEffortLow, Format: anthropic.JSONOutputFormatParam{
		Schema: map[string]any{"type": "object"},
	}}

	effort := params()
	effort.OutputConfig = anthropic.OutputConfigParam{Effort: anthropic.OutputConfigEffortHigh}
	effort.Temperature = anthropic.Float(0)
	effort.StopSequences = []string{}

	zero := params()
	zero.MaxTokens = 0

	const unknown = `{"id":"msg_1","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,` +
		`"usage":{"input_tokens":7,"output_tokens":2,"cache_read_input_tokens":3,"cache_creation_input_tokens":1,"future_tokens":9,"output_tokens_details":{"thinking_tokens":1,"other":2}},"future":{"a":1}}`
	for _, tt := range []struct {
		name   string
		status int
		body   string
		params anthropic.MessageNewParams
		opts   []rastiranthropic.Option
	}{
		{"message", 200, adaptertest.Testdata(t, "message.json"), params(), nil},
		{"cache tokens", 200, adaptertest.Testdata(t, "message_cache.json"), params(), nil},
		{"thinking tokens", 200, adaptertest.Testdata(t, "message_thinking.json"), params(), nil},
		{"refusal", 200, adaptertest.Testdata(t, "message_refusal.json"), params(), nil},
		{"every parameter", 200, adaptertest.Testdata(t, "message.json"), all, nil},
		{"effort only, temperature 0", 200, adaptertest.Testdata(t, "message.json"), effort, nil},
		{"max_tokens 0", 200, adaptertest.Testdata(t, "message.json"), zero, nil},
		{"unknown members", 200, unknown, params(), nil},
		{"unknown stop reason, no usage", 200, `{"id":"msg_2","type":"message","model":"claude-x","content":[],"stop_reason":"new_reason"}`, params(), nil},
		{"wrong types", 200, `{"id":7,"type":"message","model":["m"],"content":[],"stop_reason":1,"usage":{"input_tokens":"3","output_tokens":2.5,"cache_read_input_tokens":-1,"output_tokens_details":[]}}`, params(), nil},
		{"usage null", 200, `{"id":"msg_3","model":"claude-x","content":[],"stop_reason":"end_turn","usage":null}`, params(), nil},
		{"invalid request", 400, adaptertest.Testdata(t, "error_400.json"), params(), nil},
		{"rate limit", 429, adaptertest.Testdata(t, "error_429.json"), params(), nil},
		{"server error", 500, adaptertest.Testdata(t, "error_500.json"), params(), nil},
		{"overloaded", 529, adaptertest.Testdata(t, "error_529.json"), all, nil},
		{"provider option", 200, adaptertest.Testdata(t, "message.json"), params(), []rastiranthropic.Option{rastiranthropic.WithProvider(vocabulary.ProviderGCPVertexAI)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := adaptertest.Answering(t, tt.status, tt.body)
			c := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("k"), option.WithMaxRetries(0),
				rastiranthropic.WithTracing(tt.opts...))

			adaptertest.AssertSameCall(t, rec, tt.status,
				func() (*anthropic.Message, error) { return c.Messages.New(context.Background(), tt.params) },
				func() (*anthropic.Message, error) {
					return rastiranthropic.NewMessage(context.Background(), c.Messages.New, tt.params)
				})
		})
	}
}

// TestNewMessageRetried: a typed call is one span over its retries, with
// the status of the last attempt; the middleware alone makes a span per
// attempt.
func TestNewMessageRetried(t *testing.T) {
	rec := adaptertest.Record(t)
	srv, calls := adaptertest.FailingFirst(t, 529, adaptertest.Testdata(t, "error_529.json"), adaptertest.Testdata(t, "message.json"))
	c := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("k"), option.WithMaxRetries(1), rastiranthropic.WithTracing())

	s := adaptertest.CheckRetried(t, rec, calls,
		func() error {
			_, err := rastiranthropic.NewMessage(context.Background(), c.Messages.New, params())
			return err
		},
		func() error {
			_, err := c.Messages.New(context.Background(), params())
			return err
		})
	assert.Equal(t, "msg_013Zva2CMHLNnXjNJJKqJ2EF", adaptertest.Attrs(s.Attributes())[vocabulary.GenAIResponseID])
}

// TestNewMessageWithoutMiddleware: on a client without the middleware a
// typed call still records the request, the response and the failure
// (categorised by the error's status); the HTTP exchange's server is not
// known.
func TestNewMessageWithoutMiddleware(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		file   string
		want   map[string]any
	}{
		{"message", 200, "message_cache.json", map[string]any{
			vocabulary.GenAIResponseID:               "msg_01BnRCVQF5JrpNbBJQ7dQhjU",
			vocabulary.GenAIResponseModel:            "claude-sonnet-4-5-20250929",
			vocabulary.GenAIResponseFinishReasons:    []string{"max_tokens"},
			vocabulary.GenAIUsageInputTokens:         int64(188107),
			vocabulary.GenAIUsageOutputTokens:        int64(393),
			vocabulary.GenAIUsageCacheReadTokens:     int64(0),
			vocabulary.GenAIUsageCacheCreationTokens: int64(188086),
		}},
		{"overloaded", 529, "error_529.json", map[string]any{
			vocabulary.HTTPResponseStatusCode: int64(529),
			vocabulary.ErrorType:              "*apierror.Error",
			vocabulary.RastirErrorCategoryKey: vocabulary.ErrorProvider,
		}},
		{"rate limit", 429, "error_429.json", map[string]any{
			vocabulary.HTTPResponseStatusCode: int64(429),
			vocabulary.ErrorType:              "*apierror.Error",
			vocabulary.RastirErrorCategoryKey: vocabulary.ErrorRateLimit,
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := adaptertest.Answering(t, tt.status, adaptertest.Testdata(t, tt.file))
			c := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("k"), option.WithMaxRetries(0),
				option.WithoutOpenTelemetry())
			p := params()
			p.TopK = anthropic.Int(5)

			_, err := rastiranthropic.NewMessage(context.Background(), c.Messages.New, p)
			assert.Equal(t, tt.status >= 400, err != nil)
			want := map[string]any{
				vocabulary.RastirSpanTypeKey:     vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:    vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:     "claude-sonnet-4-5",
				vocabulary.GenAIRequestMaxTokens: int64(1024),
				vocabulary.GenAIRequestTopK:      5.0,
				vocabulary.GenAIProviderName:     vocabulary.ProviderAnthropic,
			}
			for k, v := range tt.want {
				want[k] = v
			}
			s := adaptertest.Only(t, rec)
			assert.Equal(t, "chat claude-sonnet-4-5", s.Name())
			assert.Equal(t, want, adaptertest.Attrs(s.Attributes()))
		})
	}
}

// TestNewMessageErrors: a call that fails before or without a response
// fails the span with the error the caller gets.
func TestNewMessageErrors(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		rec := adaptertest.Record(t)
		c := client(adaptertest.HangingServer(t))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := rastiranthropic.NewMessage(ctx, c.Messages.New, params())
		require.ErrorIs(t, err, context.DeadlineExceeded)
		adaptertest.CheckTimedOut(t, rec)
	})
	t.Run("undecodable response", func(t *testing.T) {
		rec := adaptertest.Record(t)
		c := client(adaptertest.Answering(t, 200, `{"id":`))
		_, err := rastiranthropic.NewMessage(context.Background(), c.Messages.New, params())
		adaptertest.CheckFailedWith(t, rec, err)
	})
	t.Run("create's own error", func(t *testing.T) {
		rec := adaptertest.Record(t)
		failure := errors.New("no client")
		_, err := rastiranthropic.NewMessage(context.Background(),
			func(context.Context, anthropic.MessageNewParams, ...option.RequestOption) (*anthropic.Message, error) {
				return nil, failure
			}, params())
		require.ErrorIs(t, err, failure)
		s := adaptertest.CheckFailedWith(t, rec, err)
		m := adaptertest.Attrs(s.Attributes())
		assert.NotContains(t, m, vocabulary.HTTPResponseStatusCode)
		assert.Equal(t, "*errors.errorString", m[vocabulary.ErrorType])
	})
}

// TestNewMessageInAgent: the typed call's span is the agent's child, and
// once: the middleware records on it, and a typed call inside another (a
// create that is itself a typed call) adds none.
func TestNewMessageInAgent(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{200, "application/json", "message.json"})
	c := client(srv)
	host, port := adaptertest.HostPort(t, srv)

	ctx, agent := rastir.StartAgent(context.Background(), "writer")
	nested := func(ctx context.Context, p anthropic.MessageNewParams, opts ...option.RequestOption) (*anthropic.Message, error) {
		return rastiranthropic.NewMessage(ctx, c.Messages.New, p, opts...)
	}
	_, err := rastiranthropic.NewMessage(ctx, nested, params(), rastiranthropic.WithTracing())
	require.NoError(t, err)
	agent.End()

	spans := rec.Ended()
	require.Len(t, spans, 2)
	llm := spans[0]
	assert.Equal(t, "chat claude-sonnet-4-5", llm.Name())
	assert.Equal(t, agent.SpanContext().SpanID(), llm.Parent().SpanID())
	m := adaptertest.Attrs(llm.Attributes())
	assert.Equal(t, "writer", m[vocabulary.GenAIAgentName])
	assert.Equal(t, host, m[vocabulary.ServerAddress])
	assert.Equal(t, port, m[vocabulary.ServerPort])
	assert.Equal(t, vocabulary.ProviderAnthropic, m[vocabulary.GenAIProviderName])
	assert.Equal(t, int64(200), m[vocabulary.HTTPResponseStatusCode])
}

// TestNewMessageSampledOut: a span the sampler drops records nothing, and
// the call returns what the client returns.
func TestNewMessageSampledOut(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.NeverSample()), sdktrace.WithSpanProcessor(rec))
	rastir.UseTracerProvider(tp)
	t.Cleanup(func() { rastir.UseTracerProvider(nil) })
	c := client(server(t, reply{200, "application/json", "message.json"}))
	res, err := rastiranthropic.NewMessage(context.Background(), c.Messages.New, params())
	require.NoError(t, err)
	assert.Equal(t, "Hi! My name is Claude.", res.Content[0].Text)
	assert.Empty(t, rec.Ended())
}
