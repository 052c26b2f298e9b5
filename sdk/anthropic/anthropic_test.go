package rastiranthropic_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	rastiranthropic "github.com/otelcol-rastir/otelcol-rastir/sdk/anthropic"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

type reply struct {
	status      int
	contentType string
	file        string
}

// server answers POST /v1/messages with the reply.
func server(t *testing.T, r reply) *httptest.Server {
	t.Helper()
	data, err := os.ReadFile("testdata/" + r.file)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/v1/messages" || req.Method != http.MethodPost {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", r.contentType)
		w.Header().Set("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")
		w.WriteHeader(r.status)
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func client(srv *httptest.Server) *anthropic.Client {
	c := anthropic.NewClient(option.WithBaseURL(srv.URL), option.WithAPIKey("test-key"),
		option.WithMaxRetries(0), rastiranthropic.WithTracing())
	return &c
}

func params() anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     "claude-sonnet-4-5",
		MaxTokens: 1024,
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello, Claude"))},
	}
}

func TestMessage(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{200, "application/json", "message.json"})
	host, port := adaptertest.HostPort(t, srv)

	msg, err := client(srv).Messages.New(context.Background(), params())
	require.NoError(t, err)
	assert.Equal(t, "Hi! My name is Claude.", msg.Content[0].Text)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "chat claude-sonnet-4-5", s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "claude-sonnet-4-5",
		vocabulary.GenAIRequestMaxTokens:      int64(1024),
		vocabulary.GenAIProviderName:          vocabulary.ProviderAnthropic,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "msg_013Zva2CMHLNnXjNJJKqJ2EF",
		vocabulary.GenAIResponseModel:         "claude-sonnet-4-5-20250929",
		vocabulary.GenAIResponseFinishReasons: []string{"end_turn"},
		vocabulary.GenAIUsageInputTokens:      int64(2095),
		vocabulary.GenAIUsageOutputTokens:     int64(503),
	}, adaptertest.Attrs(s.Attributes()))
	assert.Empty(t, s.Events())
}

func TestRequestBodyReader(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{200, "application/json", "message.json"})
	// A body of the caller's own, as a *bytes.Reader: the client's GetBody
	// hands back that reader rewound, so reading the model must leave it
	// rewound for the transport.
	body := []byte(`{"max_tokens":1024,"messages":[{"content":"Hello, Claude","role":"user"}],"model":"claude-haiku-4-5"}`)
	_, err := client(srv).Messages.New(context.Background(), params(),
		option.WithRequestBody("application/json", bytes.NewReader(body)))
	require.NoError(t, err)
	assert.Equal(t, "chat claude-haiku-4-5", adaptertest.Only(t, rec).Name())
}

func TestMessageCacheTokens(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{200, "application/json", "message_cache.json"})

	_, err := client(srv).Messages.New(context.Background(), params())
	require.NoError(t, err)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, []string{"max_tokens"}, m[vocabulary.GenAIResponseFinishReasons])
	// 21 + 188086 written to the cache + 0 read from it.
	assert.Equal(t, int64(188107), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(393), m[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, int64(0), m[vocabulary.GenAIUsageCacheReadTokens])
	assert.Equal(t, int64(188086), m[vocabulary.GenAIUsageCacheCreationTokens])
}

// TestThinkingTokens: a message with extended thinking reports its
// reasoning tokens (usage.output_tokens_details.thinking_tokens, part of
// output_tokens), streamed or not.
func TestThinkingTokens(t *testing.T) {
	for _, tc := range []struct{ name, contentType, file string }{
		{"message", "application/json", "message_thinking.json"},
		{"stream", "text/event-stream", "stream_thinking.sse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, reply{200, tc.contentType, tc.file})
			if tc.contentType == "application/json" {
				msg, err := client(srv).Messages.New(context.Background(), params())
				require.NoError(t, err)
				require.Equal(t, int64(287), msg.Usage.OutputTokensDetails.ThinkingTokens, "the client reads the same body")
			} else {
				stream := client(srv).Messages.NewStreaming(context.Background(), params())
				for stream.Next() {
				}
				require.NoError(t, stream.Err())
			}
			m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			assert.Equal(t, int64(46), m[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, int64(312), m[vocabulary.GenAIUsageOutputTokens])
			assert.Equal(t, int64(287), m[vocabulary.GenAIUsageReasoningTokens])
		})
	}
}

// TestRefusal: a message Claude's safety classifiers stopped
// (stop_reason refusal, streamed or not) keeps its stop reason and is a
// guardrail intervention, as a Gemini candidate stopped by its safety
// filters is; the call itself succeeded.
func TestRefusal(t *testing.T) {
	for _, tc := range []struct{ name, contentType, file string }{
		{"message", "application/json", "message_refusal.json"},
		{"stream", "text/event-stream", "stream_refusal.sse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, reply{200, tc.contentType, tc.file})
			if tc.contentType == "application/json" {
				_, err := client(srv).Messages.New(context.Background(), params())
				require.NoError(t, err)
			} else {
				stream := client(srv).Messages.NewStreaming(context.Background(), params())
				for stream.Next() {
				}
				require.NoError(t, stream.Err())
			}
			s := adaptertest.Only(t, rec)
			assert.Equal(t, codes.Unset, s.Status().Code)
			m := adaptertest.Attrs(s.Attributes())
			assert.Equal(t, []string{"refusal"}, m[vocabulary.GenAIResponseFinishReasons])
			assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
			assert.Equal(t, vocabulary.GuardrailCategoryContentPolicy, m[vocabulary.RastirGuardrailCategory])
		})
	}
}

func TestStream(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{200, "text/event-stream", "stream.sse"})
	host, port := adaptertest.HostPort(t, srv)

	stream := client(srv).Messages.NewStreaming(context.Background(), params())
	var msg anthropic.Message
	for stream.Next() {
		require.NoError(t, msg.Accumulate(stream.Current()))
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello!", msg.Content[0].Text)
	assert.Equal(t, int64(15), msg.Usage.OutputTokens)

	s := adaptertest.Only(t, rec)
	m := adaptertest.Attrs(s.Attributes())
	v, ok := m[vocabulary.GenAIResponseTimeToFirstChunk].(float64)
	require.True(t, ok)
	assert.GreaterOrEqual(t, v, 0.0)
	delete(m, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:             vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:            vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:             "claude-sonnet-4-5",
		vocabulary.GenAIRequestMaxTokens:         int64(1024),
		vocabulary.GenAIProviderName:             vocabulary.ProviderAnthropic,
		vocabulary.GenAIRequestStream:            true,
		vocabulary.ServerAddress:                 host,
		vocabulary.ServerPort:                    port,
		vocabulary.HTTPResponseStatusCode:        int64(200),
		vocabulary.GenAIResponseID:               "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY",
		vocabulary.GenAIResponseModel:            "claude-sonnet-4-5-20250929",
		vocabulary.GenAIResponseFinishReasons:    []string{"end_turn"},
		vocabulary.GenAIUsageInputTokens:         int64(1825),
		vocabulary.GenAIUsageOutputTokens:        int64(15),
		vocabulary.GenAIUsageCacheReadTokens:     int64(1800),
		vocabulary.GenAIUsageCacheCreationTokens: int64(0),
	}, m)
	assert.Equal(t, codes.Unset, s.Status().Code)
}

func TestStreamErrorEvent(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{200, "text/event-stream", "stream_error.sse"})

	stream := client(srv).Messages.NewStreaming(context.Background(), params())
	for stream.Next() {
	}
	require.Error(t, stream.Err())

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, stream.Err().Error(), s.Status().Description)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, "*apierror.Error", m[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorProvider, m[vocabulary.RastirErrorCategoryKey])
	assert.Equal(t, "msg_01Vh6ypJ2bXrAXa7DdMQzE6G", m[vocabulary.GenAIResponseID])
	assert.Equal(t, int64(12), m[vocabulary.GenAIUsageInputTokens])
	require.Len(t, s.Events(), 1)
	assert.Contains(t, adaptertest.Attrs(s.Events()[0].Attributes)[vocabulary.AttrExceptionMessage], "overloaded_error")
}

// TestStreamBedrockException: on Amazon Bedrock, the SDK's bedrock option
// turns an exception frame of the event stream into an error event whose
// error type is the exception's (throttlingException, ...); the span is
// categorised by it as the Bedrock adapter categorises the same exception.
func TestStreamBedrockException(t *testing.T) {
	for _, tt := range []struct{ exception, category string }{
		{"throttlingException", vocabulary.ErrorRateLimit},
		{"modelTimeoutException", vocabulary.ErrorTimeout},
		{"validationException", vocabulary.ErrorValidation},
		{"modelStreamErrorException", vocabulary.ErrorProvider},
		{"serviceUnavailableException", vocabulary.ErrorProvider},
	} {
		t.Run(tt.exception, func(t *testing.T) {
			rec := adaptertest.Record(t)
			// What the SDK's bedrock option hands on for a message_start
			// chunk and an exception frame.
			sse := "event: message_start\n" +
				`data: {"type":"message_start","message":{"id":"msg_bdrk_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"usage":{"input_tokens":12,"output_tokens":1}}}` + "\n\n" +
				"event: error\n" +
				`data: {"type":"error","error":{"type":"` + tt.exception + `","message":"Too many requests, please wait before trying again."}}` + "\n\n"
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = w.Write([]byte(sse))
			}))
			t.Cleanup(srv.Close)

			stream := client(srv).Messages.NewStreaming(context.Background(), params())
			for stream.Next() {
			}
			require.Error(t, stream.Err())
			require.NoError(t, stream.Close())

			s := adaptertest.Only(t, rec)
			assert.Equal(t, codes.Error, s.Status().Code)
			m := adaptertest.Attrs(s.Attributes())
			assert.Equal(t, "*apierror.Error", m[vocabulary.ErrorType])
			assert.Equal(t, tt.category, m[vocabulary.RastirErrorCategoryKey])
		})
	}
}

func TestHTTPErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		file     string
		category string
		typ      string
	}{
		{"rate limit", 429, "error_429.json", vocabulary.ErrorRateLimit, "rate_limit_error"},
		{"server error", 500, "error_500.json", vocabulary.ErrorProvider, "api_error"},
		{"overloaded", 529, "error_529.json", vocabulary.ErrorProvider, "overloaded_error"},
		{"invalid request", 400, "error_400.json", vocabulary.ErrorValidation, "invalid_request_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, reply{tt.status, "application/json", tt.file})
			host, port := adaptertest.HostPort(t, srv)

			_, err := client(srv).Messages.New(context.Background(), params())
			var apiErr *anthropic.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.typ, string(apiErr.Type()))

			adaptertest.CheckFailed(t, rec, err, "*apierror.Error", map[string]any{
				vocabulary.RastirSpanTypeKey:      vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:     vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:      "claude-sonnet-4-5",
				vocabulary.GenAIRequestMaxTokens:  int64(1024),
				vocabulary.GenAIProviderName:      vocabulary.ProviderAnthropic,
				vocabulary.ServerAddress:          host,
				vocabulary.ServerPort:             port,
				vocabulary.HTTPResponseStatusCode: int64(tt.status),
				vocabulary.ErrorType:              "*apierror.Error",
				vocabulary.RastirErrorCategoryKey: tt.category,
			})
		})
	}
}

func TestTimeout(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := adaptertest.HangingServer(t)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := client(srv).Messages.New(ctx, params())
	require.ErrorIs(t, err, context.DeadlineExceeded)

	adaptertest.CheckTimedOut(t, rec)
}

func TestOtherEndpointsUntraced(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"input_tokens": 14}`))
	}))
	t.Cleanup(srv.Close)
	n, err := client(srv).Messages.CountTokens(context.Background(), anthropic.MessageCountTokensParams{
		Model:    "claude-sonnet-4-5",
		Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("Hello"))},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(14), n.InputTokens)
	assert.Empty(t, rec.Ended())
}

func TestVertexPath(t *testing.T) {
	rec := adaptertest.Record(t)
	data, err := os.ReadFile("testdata/message.json")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)

	// The Vertex AI request as the SDK's vertex option rewrites it: the
	// model moves from the body to the path.
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/projects/p/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict", http.NoBody)
	require.NoError(t, err)
	mw := rastiranthropic.Middleware(rastiranthropic.WithProvider(vocabulary.ProviderGCPVertexAI))
	resp, err := mw(req, http.DefaultClient.Do)
	require.NoError(t, err)
	_, err = io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, "claude-sonnet-4-5@20250929", m[vocabulary.GenAIRequestModel])
	assert.Equal(t, vocabulary.ProviderGCPVertexAI, m[vocabulary.GenAIProviderName])
	assert.Equal(t, "msg_013Zva2CMHLNnXjNJJKqJ2EF", m[vocabulary.GenAIResponseID])
}

func TestParentAgentAndNoDoubleSpan(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{200, "application/json", "message.json"})

	ctx, agent := rastir.StartAgent(context.Background(), "writer")
	// The middleware given twice (client and call) traces the call once.
	_, err := client(srv).Messages.New(ctx, params(), rastiranthropic.WithTracing())
	require.NoError(t, err)
	agent.End()

	spans := rec.Ended()
	require.Len(t, spans, 2)
	llm := spans[0]
	assert.Equal(t, agent.SpanContext().SpanID(), llm.Parent().SpanID())
	assert.Equal(t, "writer", adaptertest.Attrs(llm.Attributes())[vocabulary.GenAIAgentName])
}

func TestProviderFromHost(t *testing.T) {
	assert.Equal(t, vocabulary.ProviderAnthropic, rastiranthropic.ProviderFromHost("api.anthropic.com"))
	assert.Equal(t, vocabulary.ProviderGCPVertexAI, rastiranthropic.ProviderFromHost("us-east5-aiplatform.googleapis.com"))
	assert.Equal(t, vocabulary.ProviderGCPVertexAI, rastiranthropic.ProviderFromHost("aiplatform.googleapis.com"))
	assert.Equal(t, vocabulary.ProviderAWSBedrock, rastiranthropic.ProviderFromHost("bedrock-runtime.us-east-1.amazonaws.com"))
	assert.Equal(t, vocabulary.ProviderAnthropic, rastiranthropic.ProviderFromHost("gateway.internal"))
	// Amazon Bedrock's Messages API endpoint (the SDK's bedrock.NewMantleClient).
	assert.Equal(t, vocabulary.ProviderAWSBedrock, rastiranthropic.ProviderFromHost("bedrock-mantle.us-east-1.api.aws"))
	assert.Equal(t, vocabulary.ProviderAWSBedrock, rastiranthropic.ProviderFromHost("Bedrock-Mantle.eu-west-1.api.aws."))
	assert.Equal(t, vocabulary.ProviderAnthropic, rastiranthropic.ProviderFromHost("aws-external-anthropic.us-east-1.api.aws"))
	assert.Equal(t, vocabulary.ProviderAnthropic, rastiranthropic.ProviderFromHost("bedrock-mantle.example.com"))
}

// TestSampledOutLeavesResponse: with the span dropped by the sampler, the
// request still carries its trace context and the response body goes to
// the client as the transport returned it, unread by the adapter.
func TestSampledOutLeavesResponse(t *testing.T) {
	mw := rastiranthropic.Middleware()
	adaptertest.CheckSampledOut(t, func(r *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		return mw(r, next)
	}, "https://api.anthropic.com/v1/messages", `{"model":"claude-sonnet-4-5","max_tokens":16,"messages":[]}`)
}

// TestGlobalProviderOneSpan: with the SDK set up as Setup does it (its
// provider installed globally), the client's own OpenTelemetry spans,
// which anthropic-sdk-go makes through the global provider, would be a
// second LLM span of each call with the same token usage; WithTracing
// turns them off, so each call has the middleware's span only.
func TestGlobalProviderOneSpan(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(tp)
	rastir.UseTracerProvider(nil)
	t.Cleanup(func() {
		otel.SetTracerProvider(prev)
		require.NoError(t, tp.Shutdown(context.Background()))
	})

	srv := server(t, reply{200, "application/json", "message.json"})
	_, err := client(srv).Messages.New(context.Background(), params())
	require.NoError(t, err)
	stream := server(t, reply{200, "text/event-stream", "stream.sse"})
	s := client(stream).Messages.NewStreaming(context.Background(), params())
	for s.Next() {
	}
	require.NoError(t, s.Err())
	require.NoError(t, s.Close())

	spans := rec.Ended()
	require.Len(t, spans, 2)
	for _, span := range spans {
		assert.Equal(t, rastir.ScopeName, span.InstrumentationScope().Name)
		assert.Equal(t, "chat claude-sonnet-4-5", span.Name())
	}
}
