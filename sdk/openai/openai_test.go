package rastiropenai_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	rastiropenai "github.com/otelcol-rastir/otelcol-rastir/sdk/openai"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// reply is a canned answer of the test server.
type reply struct {
	status      int
	contentType string
	file        string
}

// server answers POSTs to path with the reply and records the request
// bodies it got.
func server(t *testing.T, path string, r reply) *httptest.Server {
	t.Helper()
	data, err := os.ReadFile("testdata/" + r.file)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != path || req.Method != http.MethodPost {
			http.NotFound(w, req)
			return
		}
		w.Header().Set("Content-Type", r.contentType)
		w.WriteHeader(r.status)
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func client(srv *httptest.Server, opts ...option.RequestOption) openai.Client {
	return openai.NewClient(append([]option.RequestOption{
		option.WithBaseURL(srv.URL + "/v1"), option.WithAPIKey("test-key"), option.WithMaxRetries(0),
		rastiropenai.WithTracing(),
	}, opts...)...)
}

// ttft removes the time to first chunk from m and checks it was there.
func ttft(t *testing.T, m map[string]any) {
	t.Helper()
	v, ok := m[vocabulary.GenAIResponseTimeToFirstChunk].(float64)
	require.True(t, ok, "no time to first chunk")
	assert.GreaterOrEqual(t, v, 0.0)
	delete(m, vocabulary.GenAIResponseTimeToFirstChunk)
}

func chatParams(model string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model:    model,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Hello!")},
	}
}

func TestChatCompletion(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/chat/completions", reply{200, "application/json", "chat_completion.json"})
	host, port := adaptertest.HostPort(t, srv)
	c := client(srv)

	resp, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4.1"))
	require.NoError(t, err)
	// The client still reads the whole body.
	assert.Equal(t, "Hello! How can I assist you today?", resp.Choices[0].Message.Content)
	assert.Equal(t, int64(19), resp.Usage.PromptTokens)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "chat gpt-4.1", s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "gpt-4.1",
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
		vocabulary.GenAIResponseModel:         "gpt-4.1-2025-04-14",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(19),
		vocabulary.GenAIUsageOutputTokens:     int64(10),
		vocabulary.GenAIUsageCacheReadTokens:  int64(0),
		vocabulary.GenAIUsageReasoningTokens:  int64(0),
	}, adaptertest.Attrs(s.Attributes()))
	assert.Empty(t, s.Events())
}

func TestChatCompletionReasoningAndCache(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/chat/completions", reply{200, "application/json; charset=utf-8", "chat_completion_reasoning.json"})
	c := client(srv)

	params := chatParams("o3-mini")
	params.N = openai.Int(2)
	_, err := c.Chat.Completions.New(context.Background(), params)
	require.NoError(t, err)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, "o3-mini-2025-01-31", m[vocabulary.GenAIResponseModel])
	assert.Equal(t, []string{"stop", "length"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, int64(1117), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(540), m[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, int64(1024), m[vocabulary.GenAIUsageCacheReadTokens])
	assert.Equal(t, int64(448), m[vocabulary.GenAIUsageReasoningTokens])
}

// TestCacheWriteTokens: the prompt tokens written to the prompt cache
// (prompt_tokens_details.cache_write_tokens, the Responses API's
// input_tokens_details.cache_write_tokens) are the cache creation tokens.
func TestCacheWriteTokens(t *testing.T) {
	for _, tt := range []struct {
		name, path, body string
		call             func(c openai.Client) error
	}{
		{"chat completion", "/v1/chat/completions",
			`{"id":"chatcmpl-C1","object":"chat.completion","created":1760000000,"model":"gpt-5-2025-08-07","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],` +
				`"usage":{"prompt_tokens":3100,"completion_tokens":12,"total_tokens":3112,"prompt_tokens_details":{"cached_tokens":1024,"cache_write_tokens":2048,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}}`,
			func(c openai.Client) error {
				_, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-5"))
				return err
			}},
		{"response", "/v1/responses",
			`{"id":"resp_C1","object":"response","created_at":1760000000,"status":"completed","error":null,"incomplete_details":null,"model":"gpt-5-2025-08-07","output":[],` +
				`"usage":{"input_tokens":3100,"input_tokens_details":{"cached_tokens":1024,"cache_write_tokens":2048,"cache_write_tokens_details":{"ttl_12h_tokens":2048,"ttl_30m_tokens":0}},"output_tokens":12,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":3112}}`,
			func(c openai.Client) error {
				_, err := c.Responses.New(context.Background(), responses.ResponseNewParams{
					Model: "gpt-5",
					Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
				})
				return err
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != tt.path {
					http.NotFound(w, r)
					return
				}
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			require.NoError(t, tt.call(client(srv)))

			m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			assert.Equal(t, int64(3100), m[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, int64(1024), m[vocabulary.GenAIUsageCacheReadTokens])
			assert.Equal(t, int64(2048), m[vocabulary.GenAIUsageCacheCreationTokens])
		})
	}
}

// TestDeepSeekCacheHit: DeepSeek reports the prompt tokens read from its
// cache as usage.prompt_cache_hit_tokens.
func TestDeepSeekCacheHit(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"930c60df-bf64-41c9-a88e-3ec75f81e00e","object":"chat.completion","created":1764656316,"model":"deepseek-chat",` +
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hello!"},"logprobs":null,"finish_reason":"stop"}],` +
			`"usage":{"prompt_tokens":1300,"completion_tokens":3,"total_tokens":1303,"prompt_cache_hit_tokens":1280,"prompt_cache_miss_tokens":20},"system_fingerprint":"fp_eaab8d114b_prod0820_fp8_kvcache"}`))
	}))
	t.Cleanup(srv.Close)
	c := client(srv)
	_, err := c.Chat.Completions.New(context.Background(), chatParams("deepseek-chat"))
	require.NoError(t, err)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, int64(1300), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1280), m[vocabulary.GenAIUsageCacheReadTokens])
}

func TestChatCompletionStream(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/chat/completions", reply{200, "text/event-stream", "chat_stream.sse"})
	host, port := adaptertest.HostPort(t, srv)
	c := client(srv)

	params := chatParams("gpt-4o-mini")
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	require.NoError(t, stream.Close())
	assert.Equal(t, "Hello!", acc.Choices[0].Message.Content)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "chat gpt-4o-mini", s.Name())
	m := adaptertest.Attrs(s.Attributes())
	ttft(t, m)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "gpt-4o-mini",
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.GenAIRequestStream:         true,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "chatcmpl-123",
		vocabulary.GenAIResponseModel:         "gpt-4o-mini",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(9),
		vocabulary.GenAIUsageOutputTokens:     int64(2),
		vocabulary.GenAIUsageCacheReadTokens:  int64(0),
		vocabulary.GenAIUsageReasoningTokens:  int64(0),
	}, m)
	assert.Equal(t, codes.Unset, s.Status().Code)
}

// TestGroqStreamUsage: Groq's streamed chat completions carry their usage
// in the last chunk's x_groq object, without the request asking for it.
func TestGroqStreamUsage(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/openai/v1/chat/completions", reply{200, "text/event-stream", "groq_stream.sse"})
	c := openai.NewClient(option.WithBaseURL(srv.URL+"/openai/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0),
		rastiropenai.WithTracing(rastiropenai.WithProvider(vocabulary.ProviderGroq)))

	stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("llama-3.3-70b-versatile"))
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello!", acc.Choices[0].Message.Content)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, []string{"stop"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, int64(18), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(3), m[vocabulary.GenAIUsageOutputTokens])
	assert.NotContains(t, m, vocabulary.GenAIUsageCacheReadTokens)
}

// firstChunkServer streams the first two chunks (the role, the first
// content) and then waits for the client to go.
func firstChunkServer(t *testing.T) *httptest.Server {
	t.Helper()
	first := []byte(`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}` + "\n\n" +
		`data: {"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}` + "\n\n")
	return adaptertest.HangingServerAfter(t, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(first)
		w.(http.Flusher).Flush()
	})
}

func TestChatCompletionStreamClosedEarly(t *testing.T) {
	rec := adaptertest.Record(t)
	c := client(firstChunkServer(t))

	stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o-mini"))
	require.True(t, stream.Next())
	require.True(t, stream.Next())
	require.Equal(t, "Hello", stream.Current().Choices[0].Delta.Content)
	require.NoError(t, stream.Close())

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	ttft(t, m)
	assert.Equal(t, "chatcmpl-123", m[vocabulary.GenAIResponseID])
	assert.NotContains(t, m, vocabulary.GenAIUsageInputTokens)
}

func TestResponses(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/responses", reply{200, "application/json", "responses.json"})
	host, port := adaptertest.HostPort(t, srv)
	c := client(srv)

	resp, err := c.Responses.New(context.Background(), responses.ResponseNewParams{
		Model: "gpt-4.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Tell me a three sentence bedtime story about a unicorn.")},
	})
	require.NoError(t, err)
	assert.Contains(t, resp.OutputText(), "Lumina")

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "chat gpt-4.1", s.Name())
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "gpt-4.1",
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
		vocabulary.GenAIResponseModel:         "gpt-4.1-2025-04-14",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(36),
		vocabulary.GenAIUsageOutputTokens:     int64(87),
		vocabulary.GenAIUsageCacheReadTokens:  int64(0),
		vocabulary.GenAIUsageReasoningTokens:  int64(0),
	}, adaptertest.Attrs(s.Attributes()))
}

func TestResponsesStream(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/responses", reply{200, "text/event-stream", "responses_stream.sse"})
	host, port := adaptertest.HostPort(t, srv)
	c := client(srv)

	stream := c.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "gpt-4.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
	})
	var text string
	for stream.Next() {
		if ev := stream.Current(); ev.Type == "response.output_text.delta" {
			text += ev.Delta
		}
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hi there!", text)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	ttft(t, m)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "gpt-4.1",
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.GenAIRequestStream:         true,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654",
		vocabulary.GenAIResponseModel:         "gpt-4.1-2025-04-14",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(37),
		vocabulary.GenAIUsageOutputTokens:     int64(11),
		vocabulary.GenAIUsageReasoningTokens:  int64(0),
	}, m)
}

// TestResponsesStreamImageResult: a response that generated an image
// carries the image, base64-encoded, in its response.completed event, one
// line of a few MiB that the client decodes; the usage and status after it
// are still recorded.
func TestResponsesStreamImageResult(t *testing.T) {
	rec := adaptertest.Record(t)
	image := strings.Repeat("iVBORw0KGgo", 3<<20/11)
	events := "event: response.created\n" +
		`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_68a1","object":"response","created_at":1755000000,"status":"in_progress","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[],"tools":[{"type":"image_generation"}],"usage":null}}` + "\n\n" +
		"event: response.image_generation_call.in_progress\n" +
		`data: {"type":"response.image_generation_call.in_progress","sequence_number":1,"output_index":0,"item_id":"ig_68a1"}` + "\n\n" +
		"event: response.output_item.done\n" +
		`data: {"type":"response.output_item.done","sequence_number":2,"output_index":0,"item":{"id":"ig_68a1","type":"image_generation_call","status":"completed","background":"opaque","output_format":"png","quality":"high","result":"` + image + `","revised_prompt":"A unicorn","size":"1024x1024"}}` + "\n\n" +
		"event: response.completed\n" +
		`data: {"type":"response.completed","sequence_number":3,"response":{"id":"resp_68a1","object":"response","created_at":1755000000,"status":"completed","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[{"id":"ig_68a1","type":"image_generation_call","status":"completed","background":"opaque","output_format":"png","quality":"high","result":"` + image + `","revised_prompt":"A unicorn","size":"1024x1024"}],"tools":[{"type":"image_generation"}],"usage":{"input_tokens":2340,"input_tokens_details":{"cached_tokens":0},"output_tokens":1610,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":3950}}}` + "\n\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(events))
	}))
	t.Cleanup(srv.Close)
	c := client(srv)

	stream := c.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "gpt-4.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Draw a unicorn")},
	})
	var completed responses.Response
	for stream.Next() {
		if ev := stream.Current(); ev.Type == "response.completed" {
			completed = ev.Response
		}
	}
	require.NoError(t, stream.Err())
	require.Equal(t, int64(2340), completed.Usage.InputTokens, "the client reads the event")

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	// No delta: the image's finished output item is the first output.
	ttft(t, m)
	assert.Equal(t, []string{"stop"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, int64(2340), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1610), m[vocabulary.GenAIUsageOutputTokens])
}

// TestAzureStreamTimeToFirstChunk: Azure OpenAI's streams begin with a
// chunk that carries only the prompt's filter results (no choices), then
// one with the role alone; the time to first chunk is that of the first
// content, sent here a while after both.
func TestAzureStreamTimeToFirstChunk(t *testing.T) {
	rec := adaptertest.Record(t)
	data, err := os.ReadFile("testdata/azure_chat_stream.sse")
	require.NoError(t, err)
	events := bytes.SplitAfter(data, []byte("\n\n"))
	const wait = 100 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write(bytes.Join(events[:2], nil))
		w.(http.Flusher).Flush()
		time.Sleep(wait)
		_, _ = w.Write(bytes.Join(events[2:], nil))
	}))
	t.Cleanup(srv.Close)
	c := client(srv)

	params := chatParams("gpt-4o")
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	require.NoError(t, stream.Err())
	assert.Equal(t, "Hello!", acc.Choices[0].Message.Content)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	v, ok := m[vocabulary.GenAIResponseTimeToFirstChunk].(float64)
	require.True(t, ok, "no time to first chunk")
	// A lower bound: the content cannot have come before the server sent it.
	assert.GreaterOrEqual(t, v, wait.Seconds(), "taken at a chunk without content")
	assert.Equal(t, "chatcmpl-CWk9mZ3fQe1tVb7XyR2pLs8HdUoJn", m[vocabulary.GenAIResponseID])
	assert.Equal(t, "gpt-4o-2024-11-20", m[vocabulary.GenAIResponseModel])
	assert.Equal(t, []string{"stop"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, int64(9), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(2), m[vocabulary.GenAIUsageOutputTokens])
	// Nothing was filtered.
	assert.NotContains(t, m, vocabulary.RastirGuardrailAction)
	assert.NotContains(t, m, vocabulary.RastirGuardrailCategory)
}

// TestAzureContentFilter: Azure OpenAI's content filter stops an answer
// with finish_reason content_filter, recorded as it is, and marks the
// category that acted with filtered: true in the choice's (or the
// prompt's) content_filter_results; a prompt it blocks is answered with
// status 400 and code content_filter. Either is a guardrail intervention.
// TestContentFilterFinishReason: a choice that ends with finish_reason
// content_filter, from an endpoint that sends no filter results (OpenAI's
// own), is a guardrail intervention of the content policy; other choices
// and finish reasons are not.
func TestContentFilterFinishReason(t *testing.T) {
	for _, tt := range []struct {
		name       string
		finish     []string
		intervened bool
	}{
		{"content filter", []string{"content_filter"}, true},
		{"second choice", []string{"stop", "content_filter"}, true},
		{"stop", []string{"stop"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			var choices []string
			for i, f := range tt.finish {
				choices = append(choices, `{"index":`+strconv.Itoa(i)+`,"message":{"role":"assistant","content":null,"refusal":null},"logprobs":null,"finish_reason":"`+f+`"}`)
			}
			body := `{"id":"chatcmpl-CF1","object":"chat.completion","created":1741569952,"model":"gpt-4.1-2025-04-14","choices":[` +
				strings.Join(choices, ",") + `],"usage":{"prompt_tokens":19,"completion_tokens":0,"total_tokens":19}}`
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			c := client(srv)
			_, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4.1"))
			require.NoError(t, err)

			s := adaptertest.Only(t, rec)
			assert.Equal(t, codes.Unset, s.Status().Code)
			m := adaptertest.Attrs(s.Attributes())
			assert.Equal(t, tt.finish, m[vocabulary.GenAIResponseFinishReasons])
			if !tt.intervened {
				assert.NotContains(t, m, vocabulary.RastirGuardrailAction)
				return
			}
			assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
			assert.Equal(t, vocabulary.GuardrailCategoryContentPolicy, m[vocabulary.RastirGuardrailCategory])
		})
	}
}

// TestSafetyFinishReasonCompatible: an OpenAI-compatible endpoint that
// passes its model's own safety-filter finish reason through is read with
// the table llm_enrich uses, so the SDK's outcome and the collector's agree.
func TestSafetyFinishReasonCompatible(t *testing.T) {
	for _, tt := range []struct{ finish, category string }{
		{"SAFETY", vocabulary.GuardrailCategoryContentPolicy},
		{"blocklist", vocabulary.GuardrailCategoryWordPolicy},
		{"CONTENT_FILTER", vocabulary.GuardrailCategoryContentPolicy},
		{"length", ""},
	} {
		t.Run(tt.finish, func(t *testing.T) {
			rec := adaptertest.Record(t)
			body := `{"id":"chatcmpl-CF2","object":"chat.completion","created":1741569952,"model":"gemini-2.5-flash","choices":[` +
				`{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"` + tt.finish + `"}],` +
				`"usage":{"prompt_tokens":19,"completion_tokens":0,"total_tokens":19}}`
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(body))
			}))
			t.Cleanup(srv.Close)
			c := client(srv)
			_, err := c.Chat.Completions.New(context.Background(), chatParams("gemini-2.5-flash"))
			require.NoError(t, err)

			m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			if tt.category == "" {
				assert.NotContains(t, m, vocabulary.RastirGuardrailAction)
				return
			}
			assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
			assert.Equal(t, tt.category, m[vocabulary.RastirGuardrailCategory])
		})
	}
}

func TestAzureContentFilter(t *testing.T) {
	const (
		safe   = `"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}`
		prompt = `"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{` + safe + `,"jailbreak":{"filtered":false,"detected":false}}}]`
		chunk  = `"created":1761903214,"id":"chatcmpl-CWkB2","model":"gpt-4o-2024-11-20","object":"chat.completion.chunk","system_fingerprint":"fp_b705f0c291"}`
		head   = `data: {"choices":[],"created":0,"id":"","model":"","object":"",` + prompt + "}\n\n" +
			`data: {"choices":[{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}],` + chunk + "\n\n" +
			`data: {"choices":[{"content_filter_results":{` + safe + `},"delta":{"content":"Here is"},"finish_reason":null,"index":0,"logprobs":null}],` + chunk + "\n\n"
	)
	for _, tt := range []struct {
		name        string
		status      int
		contentType string
		body        string
		stream      bool
		finish      []string
		category    string // "" for no guardrail intervention, "-" for one of no category
	}{
		{"stream, answer filtered", 200, "text/event-stream", head +
			`data: {"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}},"delta":{},"finish_reason":"content_filter","index":0,"logprobs":null}],` + chunk + "\n\n" +
			"data: [DONE]\n\n",
			true, []string{"content_filter"}, vocabulary.GuardrailCategoryContentPolicy},
		{"stream, custom blocklist", 200, "text/event-stream", head +
			`data: {"choices":[{"content_filter_results":{` + safe + `,"custom_blocklists":{"filtered":true,"details":[{"filtered":true,"id":"competitors"}]}},"delta":{},"finish_reason":"content_filter","index":0,"logprobs":null}],` + chunk + "\n\n" +
			"data: [DONE]\n\n",
			true, []string{"content_filter"}, vocabulary.GuardrailCategoryWordPolicy},
		{"answer filtered", 200, "application/json",
			`{"choices":[{"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"protected_material_code":{"filtered":false,"detected":false},"protected_material_text":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":true,"severity":"high"},"violence":{"filtered":false,"severity":"safe"}},"finish_reason":"content_filter","index":0,"logprobs":null,"message":{"annotations":[],"content":null,"refusal":null,"role":"assistant"}}],` +
				`"created":1761903290,"id":"chatcmpl-CWkC4","model":"gpt-4o-2024-11-20","object":"chat.completion",` + prompt + `,"system_fingerprint":"fp_b705f0c291",` +
				`"usage":{"completion_tokens":31,"completion_tokens_details":{"accepted_prediction_tokens":0,"audio_tokens":0,"reasoning_tokens":0,"rejected_prediction_tokens":0},"prompt_tokens":24,"prompt_tokens_details":{"audio_tokens":0,"cached_tokens":0},"total_tokens":55}}`,
			false, []string{"content_filter"}, vocabulary.GuardrailCategoryContentPolicy},
		{"jailbreak detected, annotated only", 200, "application/json",
			`{"choices":[{"content_filter_results":{` + safe + `},"finish_reason":"stop","index":0,"logprobs":null,"message":{"annotations":[],"content":"I can't help with that.","refusal":null,"role":"assistant"}}],` +
				`"created":1761903290,"id":"chatcmpl-CWkC5","model":"gpt-4o-2024-11-20","object":"chat.completion",` +
				`"prompt_filter_results":[{"prompt_index":0,"content_filter_results":{` + safe + `,"jailbreak":{"filtered":false,"detected":true}}}],"system_fingerprint":"fp_b705f0c291",` +
				`"usage":{"completion_tokens":7,"prompt_tokens":24,"total_tokens":31}}`,
			false, []string{"stop"}, ""},
		{"prompt blocked", 400, "application/json",
			`{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766","type":null,"param":"prompt","code":"content_filter","status":400,` +
				`"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":true,"detected":true},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}}}`,
			false, nil, vocabulary.GuardrailCategoryContentPolicy},
		{"filter of no known category", 200, "application/json",
			`{"choices":[{"content_filter_results":{` + safe + `,"new_filter":{"filtered":true}},"finish_reason":"content_filter","index":0,"logprobs":null,"message":{"content":null,"role":"assistant"}}],` +
				`"created":1761903290,"id":"chatcmpl-CWkC6","model":"gpt-4o-2024-11-20","object":"chat.completion","usage":{"completion_tokens":0,"prompt_tokens":24,"total_tokens":24}}`,
			false, []string{"content_filter"}, "-"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", tt.contentType)
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			t.Cleanup(srv.Close)
			c := client(srv)

			var err error
			if tt.stream {
				stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o"))
				for stream.Next() {
				}
				err = stream.Err()
			} else {
				_, err = c.Chat.Completions.New(context.Background(), chatParams("gpt-4o"))
			}

			s := adaptertest.Only(t, rec)
			m := adaptertest.Attrs(s.Attributes())
			if tt.status >= 400 {
				var apiErr *openai.Error
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, "content_filter", apiErr.Code)
				assert.Equal(t, codes.Error, s.Status().Code)
				assert.Equal(t, vocabulary.ErrorValidation, m[vocabulary.RastirErrorCategoryKey])
			} else {
				require.NoError(t, err)
				assert.Equal(t, codes.Unset, s.Status().Code)
			}
			if tt.finish == nil {
				assert.NotContains(t, m, vocabulary.GenAIResponseFinishReasons)
			} else {
				assert.Equal(t, tt.finish, m[vocabulary.GenAIResponseFinishReasons])
			}
			switch tt.category {
			case "":
				assert.NotContains(t, m, vocabulary.RastirGuardrailAction)
				assert.NotContains(t, m, vocabulary.RastirGuardrailCategory)
			case "-":
				assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
				assert.NotContains(t, m, vocabulary.RastirGuardrailCategory)
			default:
				assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
				assert.Equal(t, tt.category, m[vocabulary.RastirGuardrailCategory])
			}
		})
	}
}

// TestResponsesCompact: POST /responses/compact runs a compaction pass of
// the model over a conversation and returns its usage; it is traced as
// /responses is. The compacted response has neither a model nor a status.
func TestResponsesCompact(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/responses/compact", reply{200, "application/json", "responses_compact.json"})
	host, port := adaptertest.HostPort(t, srv)
	c := client(srv)

	resp, err := c.Responses.Compact(context.Background(), responses.ResponseCompactParams{
		Model: "gpt-5.1-codex-max",
		Input: responses.ResponseCompactParamsInputUnion{OfString: openai.String("Create a simple landing page for a dog petting cafe.")},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(577), resp.Usage.TotalTokens)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "chat gpt-5.1-codex-max", s.Name())
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:         vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:        vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:         "gpt-5.1-codex-max",
		vocabulary.GenAIProviderName:         vocabulary.ProviderOpenAI,
		vocabulary.ServerAddress:             host,
		vocabulary.ServerPort:                port,
		vocabulary.HTTPResponseStatusCode:    int64(200),
		vocabulary.GenAIResponseID:           "resp_001",
		vocabulary.GenAIUsageInputTokens:     int64(139),
		vocabulary.GenAIUsageOutputTokens:    int64(438),
		vocabulary.GenAIUsageCacheReadTokens: int64(0),
		vocabulary.GenAIUsageReasoningTokens: int64(64),
	}, adaptertest.Attrs(s.Attributes()))
}

func TestEmbeddings(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/embeddings", reply{200, "application/json", "embeddings.json"})
	c := client(srv)

	_, err := c.Embeddings.New(context.Background(), openai.EmbeddingNewParams{
		Model: "text-embedding-ada-002",
		Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("The food was delicious")},
	})
	require.NoError(t, err)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "embeddings text-embedding-ada-002", s.Name())
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, vocabulary.OperationEmbeddings, m[vocabulary.GenAIOperationName])
	assert.Equal(t, int64(8), m[vocabulary.GenAIUsageInputTokens])
	assert.NotContains(t, m, vocabulary.GenAIUsageOutputTokens)
	assert.NotContains(t, m, vocabulary.GenAIResponseFinishReasons)
}

func TestHTTPErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		file     string
		category string
		code     string
	}{
		{"rate limit", 429, "error_429.json", vocabulary.ErrorRateLimit, "rate_limit_exceeded"},
		{"server error", 500, "error_500.json", vocabulary.ErrorProvider, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, "/v1/chat/completions", reply{tt.status, "application/json", tt.file})
			host, port := adaptertest.HostPort(t, srv)
			c := client(srv)

			_, err := c.Chat.Completions.New(context.Background(), chatParams("gpt-4o"))
			var apiErr *openai.Error
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)

			adaptertest.CheckFailed(t, rec, err, "*apierror.Error", map[string]any{
				vocabulary.RastirSpanTypeKey:      vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:     vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:      "gpt-4o",
				vocabulary.GenAIProviderName:      vocabulary.ProviderOpenAI,
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
	c := client(srv)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.Chat.Completions.New(ctx, chatParams("gpt-4o"))
	require.ErrorIs(t, err, context.DeadlineExceeded)

	adaptertest.CheckTimedOut(t, rec)
}

func TestStreamTimeout(t *testing.T) {
	rec := adaptertest.Record(t)
	c := client(firstChunkServer(t))

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	stream := c.Chat.Completions.NewStreaming(ctx, chatParams("gpt-4o-mini"))
	for stream.Next() {
	}
	require.Error(t, stream.Err())

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	ttft(t, m)
	assert.Equal(t, "chatcmpl-123", m[vocabulary.GenAIResponseID])
	assert.Equal(t, vocabulary.ErrorTimeout, m[vocabulary.RastirErrorCategoryKey])
}

// TestStreamCutInUsage: the connection drops in the middle of the usage
// chunk, inside a count; the span fails without the cut-off count.
func TestStreamCutInUsage(t *testing.T) {
	rec := adaptertest.Record(t)
	data, err := os.ReadFile("testdata/chat_stream.sse")
	require.NoError(t, err)
	cut := data[:bytes.Index(data, []byte(`"prompt_tokens":9`))+len(`"prompt_tokens":`)]
	cut = append(bytes.Clone(cut), '1') // the first digit of a longer count
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		// More than is sent: the client reads an unexpected EOF.
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = w.Write(cut)
	}))
	t.Cleanup(srv.Close)
	c := client(srv)

	params := chatParams("gpt-4o-mini")
	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := c.Chat.Completions.NewStreaming(context.Background(), params)
	for stream.Next() {
	}
	require.ErrorIs(t, stream.Err(), io.ErrUnexpectedEOF)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, []string{"stop"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.NotContains(t, m, vocabulary.GenAIUsageInputTokens)
}

func TestStreamErrorEvent(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(`data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}` + "\n\n"))
	}))
	t.Cleanup(srv.Close)
	c := client(srv)

	stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o-mini"))
	for stream.Next() {
	}
	require.Error(t, stream.Err())

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, stream.Err().Error(), s.Status().Description)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, "*ssestream.StreamError", m[vocabulary.ErrorType])
}

// TestResponsesStreamErrorEvent: the Responses API's error event, as the
// API sends it, nests its error; the client's stream fails with it, and so
// does the span, with the same message.
func TestResponsesStreamErrorEvent(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte("event: response.created\n" +
			`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_68b2","object":"response","created_at":1756000000,"status":"in_progress","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}` + "\n\n" +
			"event: error\n" +
			`data: {"type":"error","sequence_number":1,"error":{"type":"too_many_requests","code":"too_many_requests","message":"Too Many Requests","param":null}}` + "\n\n"))
	}))
	t.Cleanup(srv.Close)
	c := client(srv)

	stream := c.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
		Model: "gpt-4.1",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
	})
	for stream.Next() {
	}
	require.Error(t, stream.Err())
	require.Contains(t, stream.Err().Error(), "Too Many Requests")

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, stream.Err().Error(), s.Status().Description)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, "*ssestream.StreamError", m[vocabulary.ErrorType])
	assert.Equal(t, "resp_68b2", m[vocabulary.GenAIResponseID])
}

// TestStreamErrorCategory: an error that arrives in a stream (with status
// 200) is categorised by its code or type, as its HTTP status would have
// categorised it: a rate limit in the middle of a stream is rate_limit.
func TestStreamErrorCategory(t *testing.T) {
	const created = "event: response.created\n" +
		`data: {"type":"response.created","sequence_number":0,"response":{"id":"resp_68c3","object":"response","created_at":1757000000,"status":"in_progress","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}` + "\n\n"
	for _, tt := range []struct {
		name      string
		responses bool
		events    string
		category  string
	}{
		{"chat rate limit", false,
			`data: {"error":{"message":"Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 25265, Requested 8020.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}` + "\n\n",
			vocabulary.ErrorRateLimit},
		{"chat server error", false,
			`data: {"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}` + "\n\n",
			vocabulary.ErrorProvider},
		{"responses error event", true, created + "event: error\n" +
			`data: {"type":"error","sequence_number":1,"error":{"type":"too_many_requests","code":"too_many_requests","message":"Too Many Requests","param":null}}` + "\n\n",
			vocabulary.ErrorRateLimit},
		{"responses error event, invalid request", true, created + "event: error\n" +
			`data: {"type":"error","sequence_number":1,"error":{"type":"invalid_request_error","code":"context_length_exceeded","message":"Your input exceeds the context window of this model.","param":"input"}}` + "\n\n",
			vocabulary.ErrorValidation},
		{"response.failed", true, created + "event: response.failed\n" +
			`data: {"type":"response.failed","sequence_number":1,"response":{"id":"resp_68c3","object":"response","created_at":1757000000,"status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached for gpt-4.1."},"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}` + "\n\n",
			vocabulary.ErrorRateLimit},
		{"response.failed, server error", true, created + "event: response.failed\n" +
			`data: {"type":"response.failed","sequence_number":1,"response":{"id":"resp_68c3","object":"response","created_at":1757000000,"status":"failed","error":{"code":"server_error","message":"The model failed to generate a response."},"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}` + "\n\n",
			vocabulary.ErrorProvider},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = w.Write([]byte(tt.events))
			}))
			t.Cleanup(srv.Close)
			c := client(srv)

			if tt.responses {
				stream := c.Responses.NewStreaming(context.Background(), responses.ResponseNewParams{
					Model: "gpt-4.1",
					Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
				})
				for stream.Next() {
				}
				require.NoError(t, stream.Close())
			} else {
				stream := c.Chat.Completions.NewStreaming(context.Background(), chatParams("gpt-4o"))
				for stream.Next() {
				}
				require.Error(t, stream.Err())
			}

			s := adaptertest.Only(t, rec)
			assert.Equal(t, codes.Error, s.Status().Code)
			m := adaptertest.Attrs(s.Attributes())
			assert.Equal(t, "*ssestream.StreamError", m[vocabulary.ErrorType])
			assert.Equal(t, tt.category, m[vocabulary.RastirErrorCategoryKey])
		})
	}
}

func TestRequestBodyReader(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/chat/completions", reply{200, "application/json", "chat_completion.json"})
	c := client(srv)
	// A body of the caller's own, as a *bytes.Reader: the client's GetBody
	// hands back that reader rewound, so reading the model must leave it
	// rewound for the transport.
	body := []byte(`{"messages":[{"content":"Hello!","role":"user"}],"model":"gpt-4.1-mini"}`)
	_, err := c.Chat.Completions.New(context.Background(), chatParams("unused"),
		option.WithRequestBody("application/json", bytes.NewReader(body)))
	require.NoError(t, err)
	assert.Equal(t, "chat gpt-4.1-mini", adaptertest.Only(t, rec).Name())
}

func TestOtherEndpointsUntraced(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"gpt-4o","object":"model","created":1686935002,"owned_by":"openai"}`))
	}))
	t.Cleanup(srv.Close)
	c := client(srv)
	m, err := c.Models.Get(context.Background(), "gpt-4o")
	require.NoError(t, err)
	assert.Equal(t, "gpt-4o", m.ID)
	assert.Empty(t, rec.Ended())
}

// TestParentAgentAndNoDoubleSpan: the LLM span is the agent's child, and
// there is one per call, whether the middleware is given twice (client and
// call) or a typed call's create is itself a typed call.
func TestParentAgentAndNoDoubleSpan(t *testing.T) {
	for _, way := range []struct {
		name string
		call func(ctx context.Context, c openai.Client) error
	}{
		{"middleware twice", func(ctx context.Context, c openai.Client) error {
			_, err := c.Chat.Completions.New(ctx, chatParams("gpt-4.1"), rastiropenai.WithTracing())
			return err
		}},
		{"typed call in a typed call", func(ctx context.Context, c openai.Client) error {
			nested := func(ctx context.Context, p openai.ChatCompletionNewParams, opts ...option.RequestOption) (*openai.ChatCompletion, error) {
				return rastiropenai.NewChatCompletion(ctx, c.Chat.Completions.New, p, opts...)
			}
			_, err := rastiropenai.NewChatCompletion(ctx, nested, chatParams("gpt-4.1"), rastiropenai.WithTracing())
			return err
		}},
	} {
		t.Run(way.name, func(t *testing.T) { testParentAgent(t, way.call) })
	}
}

func testParentAgent(t *testing.T, call func(ctx context.Context, c openai.Client) error) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/chat/completions", reply{200, "application/json", "chat_completion.json"})
	host, port := adaptertest.HostPort(t, srv)
	c := client(srv, rastiropenai.WithTracing())

	ctx, agent := rastir.StartAgent(context.Background(), "planner")
	require.NoError(t, call(ctx, c))
	agent.End()

	spans := rec.Ended()
	require.Len(t, spans, 2)
	llm := spans[0]
	assert.Equal(t, "chat gpt-4.1", llm.Name())
	assert.Equal(t, agent.SpanContext().SpanID(), llm.Parent().SpanID())
	m := adaptertest.Attrs(llm.Attributes())
	assert.Equal(t, "planner", m[vocabulary.GenAIAgentName])
	assert.Equal(t, host, m[vocabulary.ServerAddress])
	assert.Equal(t, port, m[vocabulary.ServerPort])
	// The response model becomes the agent's model for the spans after it.
	model, provider := rastir.ModelFromContext(ctx)
	assert.Equal(t, "gpt-4.1-2025-04-14", model)
	assert.Equal(t, vocabulary.ProviderOpenAI, provider)
}

func TestProviderOption(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/openai/v1/chat/completions", reply{200, "application/json", "chat_completion.json"})
	c := openai.NewClient(option.WithBaseURL(srv.URL+"/openai/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0),
		rastiropenai.WithTracing(rastiropenai.WithProvider(vocabulary.ProviderGroq)))

	_, err := c.Chat.Completions.New(context.Background(), chatParams("llama-3.3-70b-versatile"))
	require.NoError(t, err)
	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, vocabulary.ProviderGroq, m[vocabulary.GenAIProviderName])
	assert.Equal(t, "llama-3.3-70b-versatile", m[vocabulary.GenAIRequestModel])
}

func TestProviderFromHost(t *testing.T) {
	tests := []struct {
		host string
		port int
		want string
	}{
		{"api.openai.com", 443, vocabulary.ProviderOpenAI},
		{"my-res.openai.azure.com", 443, vocabulary.ProviderAzureAIOpenAI},
		// An Azure OpenAI resource made in Azure AI Foundry (kind AIServices).
		{"my-res.cognitiveservices.azure.com", 443, vocabulary.ProviderAzureAIOpenAI},
		{"my-res.services.ai.azure.com", 443, vocabulary.ProviderAzureAIInference},
		{"models.inference.ai.azure.com", 443, vocabulary.ProviderAzureAIInference},
		{"api.groq.com", 443, vocabulary.ProviderGroq},
		{"API.Mistral.AI", 443, vocabulary.ProviderMistralAI},
		{"api.deepseek.com", 443, vocabulary.ProviderDeepSeek},
		{"api.x.ai", 443, vocabulary.ProviderXAI},
		{"api.perplexity.ai", 443, vocabulary.ProviderPerplexity},
		{"generativelanguage.googleapis.com", 443, vocabulary.ProviderGCPGemini},
		{"us-central1-aiplatform.googleapis.com", 443, vocabulary.ProviderGCPVertexAI},
		// Vertex AI's multi-region endpoints (locations us and eu).
		{"aiplatform.us.rep.googleapis.com", 443, vocabulary.ProviderGCPVertexAI},
		{"aiplatform.eu.rep.googleapis.com", 443, vocabulary.ProviderGCPVertexAI},
		{"localhost", 11434, vocabulary.ProviderOllama},
		{"gateway.internal", 8080, vocabulary.ProviderOpenAI},
		{"", 0, vocabulary.ProviderOpenAI},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, rastiropenai.ProviderFromHost(tt.host, tt.port), tt.host)
	}
}

// TestAzureHost sends the call to an Azure OpenAI host name (dialled to the
// test server) under Azure's deployment path.
func TestAzureHost(t *testing.T) {
	rec := adaptertest.Record(t)
	var path string
	data, err := os.ReadFile("testdata/chat_completion.json")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	_, port := adaptertest.HostPort(t, srv)
	base := "http://my-res.openai.azure.com:" + strconv.FormatInt(port, 10) + "/openai/deployments/gpt-4o"
	c := openai.NewClient(option.WithBaseURL(base), option.WithAPIKey("k"), option.WithMaxRetries(0),
		option.WithHTTPClient(dialingTo(srv)), rastiropenai.WithTracing())

	_, err = c.Chat.Completions.New(context.Background(), chatParams("gpt-4o"))
	require.NoError(t, err)
	assert.Equal(t, "/openai/deployments/gpt-4o/chat/completions", path)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, vocabulary.ProviderAzureAIOpenAI, m[vocabulary.GenAIProviderName])
	assert.Equal(t, "my-res.openai.azure.com", m[vocabulary.ServerAddress])
	assert.Equal(t, port, m[vocabulary.ServerPort])
	assert.Equal(t, "gpt-4.1-2025-04-14", m[vocabulary.GenAIResponseModel])
}

// dialingTo is an HTTP client that dials srv whatever the request's host,
// for requests to a provider's host name.
func dialingTo(srv *httptest.Server) *http.Client {
	addr := srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
}

func TestStreamUsageOption(t *testing.T) {
	data, err := os.ReadFile("testdata/chat_stream.sse")
	require.NoError(t, err)
	for name, tt := range map[string]struct {
		params    func() openai.ChatCompletionNewParams
		wantAsked string
	}{
		"asked for the caller": {func() openai.ChatCompletionNewParams { return chatParams("gpt-4o-mini") }, "true"},
		"caller said no": {func() openai.ChatCompletionNewParams {
			p := chatParams("gpt-4o-mini")
			p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(false)}
			return p
		}, "false"},
	} {
		t.Run(name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			var asked string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var body struct {
					StreamOptions *struct {
						IncludeUsage *bool `json:"include_usage"`
					} `json:"stream_options"`
				}
				if err := json.NewDecoder(r.Body).Decode(&body); err == nil && body.StreamOptions != nil && body.StreamOptions.IncludeUsage != nil {
					asked = strconv.FormatBool(*body.StreamOptions.IncludeUsage)
				}
				w.Header().Set("Content-Type", "text/event-stream")
				_, _ = w.Write(data)
			}))
			t.Cleanup(srv.Close)
			c := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0),
				rastiropenai.WithTracing(rastiropenai.WithStreamUsage()))

			stream := c.Chat.Completions.NewStreaming(context.Background(), tt.params())
			for stream.Next() {
			}
			require.NoError(t, stream.Err())
			assert.Equal(t, tt.wantAsked, asked)
			assert.Equal(t, int64(9), adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())[vocabulary.GenAIUsageInputTokens])
		})
	}
}

// TestSampledOutLeavesResponse: with the span dropped by the sampler, the
// request still carries its trace context and the response body goes to
// the client as the transport returned it, unread by the adapter.
func TestSampledOutLeavesResponse(t *testing.T) {
	mw := rastiropenai.Middleware()
	adaptertest.CheckSampledOut(t, func(r *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		return mw(r, next)
	}, "https://api.openai.com/v1/chat/completions", `{"model":"gpt-4.1","messages":[]}`)
}
