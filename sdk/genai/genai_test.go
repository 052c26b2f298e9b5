package rastirgenai_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/genai"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	rastirgenai "github.com/otelcol-rastir/otelcol-rastir/sdk/genai"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

type reply struct {
	status      int
	contentType string
	file        string
}

// server answers generateContent (or streamGenerateContent) calls with the
// reply, and records the last path it was asked.
func server(t *testing.T, method string, r reply, path *string) *httptest.Server {
	t.Helper()
	data, err := os.ReadFile("testdata/" + r.file)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !strings.HasSuffix(req.URL.Path, ":"+method) || req.Method != http.MethodPost {
			http.NotFound(w, req)
			return
		}
		if path != nil {
			*path = req.URL.Path
		}
		w.Header().Set("Content-Type", r.contentType)
		w.WriteHeader(r.status)
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func models(t *testing.T, srv *httptest.Server, backend genai.Backend) *rastirgenai.Models {
	t.Helper()
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey: "test-key", Backend: backend, HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
	})
	require.NoError(t, err)
	return rastirgenai.Wrap(c)
}

func TestGenerateContent(t *testing.T) {
	rec := adaptertest.Record(t)
	var path string
	srv := server(t, "generateContent", reply{200, "application/json", "generate_content.json"}, &path)
	host, port := adaptertest.HostPort(t, srv)

	resp, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
		"gemini-2.5-flash", genai.Text("Explain how AI works in a few words"), nil)
	require.NoError(t, err)
	assert.Contains(t, resp.Text(), "AI learns patterns")
	assert.Equal(t, "/v1beta/models/gemini-2.5-flash:generateContent", path)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "generate_content gemini-2.5-flash", s.Name())
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationGenerateContent,
		vocabulary.GenAIRequestModel:          "gemini-2.5-flash",
		vocabulary.GenAIProviderName:          vocabulary.ProviderGCPGemini,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.GenAIResponseID:            "7zPKaOOAM-KZ2dcPo_OJ6A8",
		vocabulary.GenAIResponseModel:         "gemini-2.5-flash",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(8),
		// 18 candidate tokens + 995 thinking tokens.
		vocabulary.GenAIUsageOutputTokens:    int64(1013),
		vocabulary.GenAIUsageReasoningTokens: int64(995),
	}, adaptertest.Attrs(s.Attributes()))
	assert.Empty(t, s.Events())
}

func TestGenerateContentVertexCached(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "generateContent", reply{200, "application/json", "generate_content_cached.json"}, nil)

	_, err := models(t, srv, genai.BackendVertexAI).GenerateContent(context.Background(),
		"gemini-2.0-flash-001", genai.Text("Summarise the transcript"), nil)
	require.NoError(t, err)

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, vocabulary.ProviderGCPVertexAI, m[vocabulary.GenAIProviderName])
	assert.Equal(t, "MgzPZ6_MG7jKr-oPpMjnqQw", m[vocabulary.GenAIResponseID])
	assert.Equal(t, []string{"max_tokens"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, int64(323394), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(12), m[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, int64(323383), m[vocabulary.GenAIUsageCacheReadTokens])
	assert.NotContains(t, m, vocabulary.GenAIUsageReasoningTokens)
}

// TestGenerateContentToolUse: the results of the model's tool executions
// (code execution, Google Search) are input tokens outside
// promptTokenCount; totalTokenCount counts them, and so does the span.
func TestGenerateContentToolUse(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "generateContent", reply{200, "application/json", "generate_content_code_execution.json"}, nil)

	config := &genai.GenerateContentConfig{Tools: []*genai.Tool{{CodeExecution: &genai.ToolCodeExecution{}}}}
	resp, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
		"gemini-2.5-flash", genai.Text("What is the sum of the first 50 prime numbers?"), config)
	require.NoError(t, err)
	u := resp.UsageMetadata

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, int64(41+212), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(87+356), m[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, int64(u.TotalTokenCount), m[vocabulary.GenAIUsageInputTokens].(int64)+m[vocabulary.GenAIUsageOutputTokens].(int64))
}

func TestGenerateContentStream(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "streamGenerateContent", reply{200, "text/event-stream", "stream.sse"}, nil)
	host, port := adaptertest.HostPort(t, srv)

	var text strings.Builder
	for resp, err := range models(t, srv, genai.BackendGeminiAPI).GenerateContentStream(context.Background(),
		"gemini-2.5-flash", genai.Text("Why is the sky blue?"), nil) {
		require.NoError(t, err)
		text.WriteString(resp.Text())
	}
	assert.True(t, strings.HasPrefix(text.String(), "The sky is blue"))

	s := adaptertest.Only(t, rec)
	assert.Equal(t, "generate_content gemini-2.5-flash", s.Name())
	m := adaptertest.Attrs(s.Attributes())
	v, ok := m[vocabulary.GenAIResponseTimeToFirstChunk].(float64)
	require.True(t, ok)
	assert.GreaterOrEqual(t, v, 0.0)
	delete(m, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationGenerateContent,
		vocabulary.GenAIRequestModel:          "gemini-2.5-flash",
		vocabulary.GenAIProviderName:          vocabulary.ProviderGCPGemini,
		vocabulary.GenAIRequestStream:         true,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.GenAIResponseID:            "WfvKaJ6BO5GWnvgPvNjT8Q0",
		vocabulary.GenAIResponseModel:         "gemini-2.5-flash",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		// The last chunk's cumulative counts.
		vocabulary.GenAIUsageInputTokens:  int64(9),
		vocabulary.GenAIUsageOutputTokens: int64(24),
	}, m)
	assert.Equal(t, codes.Unset, s.Status().Code)
}

func TestGenerateContentStreamBreak(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "streamGenerateContent", reply{200, "text/event-stream", "stream.sse"}, nil)

	for _, err := range models(t, srv, genai.BackendGeminiAPI).GenerateContentStream(context.Background(),
		"gemini-2.5-flash", genai.Text("Why is the sky blue?"), nil) {
		require.NoError(t, err)
		break
	}

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, int64(1), m[vocabulary.GenAIUsageOutputTokens])
	assert.NotContains(t, m, vocabulary.GenAIResponseFinishReasons)
}

func TestHTTPErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		file     string
		category string
		stream   bool
	}{
		{"rate limit", 429, "error_429.json", vocabulary.ErrorRateLimit, false},
		{"server error", 500, "error_500.json", vocabulary.ErrorProvider, false},
		{"rate limit stream", 429, "error_429.json", vocabulary.ErrorRateLimit, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			method := "generateContent"
			if tt.stream {
				method = "streamGenerateContent"
			}
			srv := server(t, method, reply{tt.status, "application/json", tt.file}, nil)
			host, port := adaptertest.HostPort(t, srv)
			ms := models(t, srv, genai.BackendGeminiAPI)

			var err error
			if tt.stream {
				for _, e := range ms.GenerateContentStream(context.Background(), "gemini-2.5-flash", genai.Text("Hi"), nil) {
					if e != nil {
						err = e
					}
				}
			} else {
				_, err = ms.GenerateContent(context.Background(), "gemini-2.5-flash", genai.Text("Hi"), nil)
			}
			var apiErr genai.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.status, apiErr.Code)

			want := map[string]any{
				vocabulary.RastirSpanTypeKey:      vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:     vocabulary.OperationGenerateContent,
				vocabulary.GenAIRequestModel:      "gemini-2.5-flash",
				vocabulary.GenAIProviderName:      vocabulary.ProviderGCPGemini,
				vocabulary.ServerAddress:          host,
				vocabulary.ServerPort:             port,
				vocabulary.HTTPResponseStatusCode: int64(tt.status),
				vocabulary.ErrorType:              "genai.APIError",
				vocabulary.RastirErrorCategoryKey: tt.category,
			}
			if tt.stream {
				want[vocabulary.GenAIRequestStream] = true
			}
			adaptertest.CheckFailed(t, rec, err, "genai.APIError", want)
		})
	}
}

func TestTimeout(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := adaptertest.HangingServer(t)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Hi"), nil)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	adaptertest.CheckTimedOut(t, rec)
}

func TestAgentContextAndProviderOption(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "generateContent", reply{200, "application/json", "generate_content.json"}, nil)
	c, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey: "test-key", Backend: genai.BackendGeminiAPI, HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL},
	})
	require.NoError(t, err)
	ms := rastirgenai.Wrap(c, rastirgenai.WithProvider(vocabulary.ProviderGCPGenAI))

	ctx, agent := rastir.StartAgent(context.Background(), "researcher")
	_, err = ms.GenerateContent(ctx, "gemini-2.5-flash", genai.Text("Hi"), nil)
	require.NoError(t, err)
	agent.End()

	spans := rec.Ended()
	require.Len(t, spans, 2)
	llm := spans[0]
	assert.Equal(t, agent.SpanContext().SpanID(), llm.Parent().SpanID())
	m := adaptertest.Attrs(llm.Attributes())
	assert.Equal(t, "researcher", m[vocabulary.GenAIAgentName])
	assert.Equal(t, vocabulary.ProviderGCPGenAI, m[vocabulary.GenAIProviderName])
	model, provider := rastir.ModelFromContext(ctx)
	assert.Equal(t, "gemini-2.5-flash", model)
	assert.Equal(t, vocabulary.ProviderGCPGenAI, provider)
}
