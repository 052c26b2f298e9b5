package rastiranthropic_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	rastiranthropic "github.com/otelcol-rastir/otelcol-rastir/sdk/anthropic"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// answering is a server that answers every request with status and body.
func answering(t *testing.T, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func testdata(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(data)
}

// spanShape is what a test compares of two spans: all but their ids and
// times.
type spanShape struct {
	name        string
	status      sdktrace.Status
	attrs       map[string]any
	eventNames  []string
	eventAttrs  []map[string]any
	parentValid bool
}

func shapeOf(s sdktrace.ReadOnlySpan) spanShape {
	sh := spanShape{name: s.Name(), status: s.Status(), attrs: adaptertest.Attrs(s.Attributes()), parentValid: s.Parent().IsValid()}
	for _, e := range s.Events() {
		sh.eventNames = append(sh.eventNames, e.Name)
		sh.eventAttrs = append(sh.eventAttrs, adaptertest.Attrs(e.Attributes))
	}
	return sh
}

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
		{"message", 200, testdata(t, "message.json"), params(), nil},
		{"cache tokens", 200, testdata(t, "message_cache.json"), params(), nil},
		{"thinking tokens", 200, testdata(t, "message_thinking.json"), params(), nil},
		{"refusal", 200, testdata(t, "message_refusal.json"), params(), nil},
		{"every parameter", 200, testdata(t, "message.json"), all, nil},
		{"effort only, temperature 0", 200, testdata(t, "message.json"), effort, nil},
		{"max_tokens 0", 200, testdata(t, "message.json"), zero, nil},
		{"unknown members", 200, unknown, params(), nil},
		{"unknown stop reason, no usage", 200, `{"id":"msg_2","type":"message","model":"claude-x","content":[],"stop_reason":"new_reason"}`, params(), nil},
		{"wrong types", 200, `{"id":7,"type":"message","model":["m"],"content":[],"stop_reason":1,"usage":{"input_tokens":"3","output_tokens":2.5,"cache_read_input_tokens":-1,"output_tokens_details":[]}}`, params(), nil},
		{"usage null", 200, `{"id":"msg_3","model":"claude-x","content":[],"stop_reason":"end_turn","usage":null}`, params(), nil},
		{"invalid request", 400, testdata(t, "error_400.json"), params(), nil},
		{"rate limit", 429, testdata(t, "error_429.json"), params(), nil},
		{"server error", 500, testdata(t, "error_500.json"), params(), nil},
		{"overloaded", 529, testdata(t, "error_529.json"), all, nil},
		{"provider option", 200, testdata(t, "message.json"), params(), []rastiranthropic.Option{rastiranthropic.WithProvider(vocabulary.ProviderGCPVertexAI)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := answering(t, tt.status, tt.body)
			c := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("k"), option.WithMaxRetries(0),
				rastiranthropic.WithTracing(tt.opts...))

			viaMiddleware, errMiddleware := c.Messages.New(context.Background(), tt.params)
			typed, errTyped := rastiranthropic.NewMessage(context.Background(), c.Messages.New, tt.params)
			assert.Equal(t, errMiddleware == nil, errTyped == nil)
			if errMiddleware == nil {
				assert.Equal(t, viaMiddleware.RawJSON(), typed.RawJSON())
			}

			spans := rec.Ended()
			require.Len(t, spans, 2)
			want, got := shapeOf(spans[0]), shapeOf(spans[1])
			if tt.status >= 400 {
				// The typed call records the error the client returned;
				// the middleware one built from the body.
				require.Equal(t, codes.Error, got.status.Code)
				assert.Equal(t, errTyped.Error(), got.status.Description)
				assert.Equal(t, errTyped.Error(), got.eventAttrs[0][vocabulary.AttrExceptionMessage])
				got.status.Description, want.status.Description = "", ""
				got.eventAttrs[0][vocabulary.AttrExceptionMessage], want.eventAttrs[0][vocabulary.AttrExceptionMessage] = "", ""
			}
			assert.Equal(t, want, got)
		})
	}
}

// TestNewMessageRetried: a typed call is one span over its retries, with
// the status of the last attempt; the middleware alone makes a span per
// attempt.
func TestNewMessageRetried(t *testing.T) {
	rec := adaptertest.Record(t)
	overloaded, message := testdata(t, "error_529.json"), testdata(t, "message.json")
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1)%2 == 1 {
			w.Header().Set("Retry-After-Ms", "1")
			w.WriteHeader(529)
			_, _ = w.Write([]byte(overloaded))
			return
		}
		_, _ = w.Write([]byte(message))
	}))
	t.Cleanup(srv.Close)
	c := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("k"), option.WithMaxRetries(1), rastiranthropic.WithTracing())

	_, err := rastiranthropic.NewMessage(context.Background(), c.Messages.New, params())
	require.NoError(t, err)
	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, int64(200), m[vocabulary.HTTPResponseStatusCode])
	assert.Equal(t, "msg_013Zva2CMHLNnXjNJJKqJ2EF", m[vocabulary.GenAIResponseID])
	assert.Empty(t, s.Events())

	_, err = c.Messages.New(context.Background(), params())
	require.NoError(t, err)
	require.Len(t, rec.Ended(), 3)
	assert.Equal(t, codes.Error, rec.Ended()[1].Status().Code)
	assert.Equal(t, codes.Unset, rec.Ended()[2].Status().Code)
	assert.Equal(t, int32(4), calls.Load())
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
			srv := answering(t, tt.status, testdata(t, tt.file))
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
		c := client(answering(t, 200, `{"id":`))
		_, err := rastiranthropic.NewMessage(context.Background(), c.Messages.New, params())
		require.Error(t, err)
		s := adaptertest.Only(t, rec)
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, err.Error(), s.Status().Description)
	})
	t.Run("create's own error", func(t *testing.T) {
		rec := adaptertest.Record(t)
		failure := errors.New("no client")
		_, err := rastiranthropic.NewMessage(context.Background(),
			func(context.Context, anthropic.MessageNewParams, ...option.RequestOption) (*anthropic.Message, error) {
				return nil, failure
			}, params())
		require.ErrorIs(t, err, failure)
		s := adaptertest.Only(t, rec)
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, "no client", s.Status().Description)
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
