package rastirgenai_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
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
	return serve(t, method, r.status, r.contentType, data, path)
}

// serve answers generateContent (or streamGenerateContent) calls with body.
func serve(t *testing.T, method string, status int, contentType string, data []byte, path *string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if !strings.HasSuffix(req.URL.Path, ":"+method) || req.Method != http.MethodPost {
			http.NotFound(w, req)
			return
		}
		if path != nil {
			*path = req.URL.Path
		}
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
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
		{"invalid argument", 400, "error_400.json", vocabulary.ErrorValidation, false},
		{"unavailable", 503, "error_503.json", vocabulary.ErrorProvider, false},
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

// TestPromptBlocked: a prompt blocked by Google's safety filters comes back
// with no candidate and promptFeedback.blockReason; the call succeeded, so
// the span is not failed, but the block is its finish reason and a
// guardrail intervention.
func TestPromptBlocked(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "generateContent", reply{200, "application/json", "generate_content_blocked.json"}, nil)
	host, port := adaptertest.HostPort(t, srv)

	resp, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
		"gemini-2.5-flash", genai.Text("How do I make a weapon?"), nil)
	require.NoError(t, err)
	require.Empty(t, resp.Candidates)
	require.Equal(t, genai.BlockedReasonSafety, resp.PromptFeedback.BlockReason)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationGenerateContent,
		vocabulary.GenAIRequestModel:          "gemini-2.5-flash",
		vocabulary.GenAIProviderName:          vocabulary.ProviderGCPGemini,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.GenAIResponseID:            "q3vLaPqQLsKu1dkP3bO9wQ4",
		vocabulary.GenAIResponseModel:         "gemini-2.5-flash",
		vocabulary.GenAIResponseFinishReasons: []string{"safety"},
		vocabulary.RastirGuardrailAction:      vocabulary.GuardrailActionIntervened,
		vocabulary.RastirGuardrailCategory:    vocabulary.GuardrailCategoryContentPolicy,
		vocabulary.GenAIUsageInputTokens:      int64(11),
		vocabulary.GenAIUsageOutputTokens:     int64(0),
	}, adaptertest.Attrs(s.Attributes()))
	assert.Empty(t, s.Events())
}

// TestPromptBlockedStream: a stream whose chunk carries the promptFeedback
// block records it as GenerateContent does.
func TestPromptBlockedStream(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "streamGenerateContent", reply{200, "text/event-stream", "stream_blocked.sse"}, nil)

	chunks := 0
	for resp, err := range models(t, srv, genai.BackendGeminiAPI).GenerateContentStream(context.Background(),
		"gemini-2.5-flash", genai.Text("How do I make a weapon?"), nil) {
		require.NoError(t, err)
		require.Empty(t, resp.Candidates)
		chunks++
	}
	require.Equal(t, 1, chunks)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, "rXvLaLzRHf6F1dkPwsWJ-Ag", m[vocabulary.GenAIResponseID])
	assert.Equal(t, []string{"safety"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
	assert.Equal(t, vocabulary.GuardrailCategoryContentPolicy, m[vocabulary.RastirGuardrailCategory])
	assert.Equal(t, int64(11), m[vocabulary.GenAIUsageInputTokens])
}

// TestBlockReasons: every block reason is the finish reason, lower case;
// the ones naming a kind of content give the guardrail category.
func TestBlockReasons(t *testing.T) {
	tests := []struct {
		reason   genai.BlockedReason
		finish   string
		category string
	}{
		{genai.BlockedReasonSafety, "safety", vocabulary.GuardrailCategoryContentPolicy},
		{genai.BlockedReasonProhibitedContent, "prohibited_content", vocabulary.GuardrailCategoryContentPolicy},
		{genai.BlockedReasonImageSafety, "image_safety", vocabulary.GuardrailCategoryContentPolicy},
		{genai.BlockedReasonBlocklist, "blocklist", vocabulary.GuardrailCategoryWordPolicy},
		{genai.BlockedReasonOther, "other", ""},
		{genai.BlockedReasonModelArmor, "model_armor", ""},
		{genai.BlockedReasonJailbreak, "jailbreak", ""},
		{"NEWER_REASON", "newer_reason", ""},
		// Not a block.
		{genai.BlockedReasonUnspecified, "", ""},
	}
	for _, tt := range tests {
		t.Run(string(tt.reason), func(t *testing.T) {
			rec := adaptertest.Record(t)
			body := `{"promptFeedback": {"blockReason": "` + string(tt.reason) + `"}, "modelVersion": "gemini-2.5-flash"}`
			srv := serve(t, "generateContent", 200, "application/json", []byte(body), nil)

			_, err := models(t, srv, genai.BackendVertexAI).GenerateContent(context.Background(),
				"gemini-2.5-flash", genai.Text("Hi"), nil)
			require.NoError(t, err)

			s := adaptertest.Only(t, rec)
			assert.Equal(t, codes.Unset, s.Status().Code)
			m := adaptertest.Attrs(s.Attributes())
			if tt.finish == "" {
				assert.NotContains(t, m, vocabulary.GenAIResponseFinishReasons)
				assert.NotContains(t, m, vocabulary.RastirGuardrailAction)
				assert.NotContains(t, m, vocabulary.RastirGuardrailCategory)
				return
			}
			assert.Equal(t, []string{tt.finish}, m[vocabulary.GenAIResponseFinishReasons])
			assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
			if tt.category == "" {
				assert.NotContains(t, m, vocabulary.RastirGuardrailCategory)
			} else {
				assert.Equal(t, tt.category, m[vocabulary.RastirGuardrailCategory])
			}
		})
	}
}

// TestCandidateBlocked: a candidate stopped by the safety filters keeps
// its finish reason, and is a guardrail intervention.
func TestCandidateBlocked(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "generateContent", reply{200, "application/json", "generate_content_candidate_safety.json"}, nil)

	_, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
		"gemini-2.5-flash", genai.Text("Write an insult"), nil)
	require.NoError(t, err)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, []string{"safety"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
	assert.Equal(t, vocabulary.GuardrailCategoryContentPolicy, m[vocabulary.RastirGuardrailCategory])
	assert.Equal(t, int64(14), m[vocabulary.GenAIUsageInputTokens])
}

// TestCandidateFinishReasons: the finish reasons of the safety filters
// are interventions, of the first candidate they stopped; the others are
// not.
func TestCandidateFinishReasons(t *testing.T) {
	tests := []struct {
		name     string
		reasons  []genai.FinishReason
		finish   []string
		category string // "-": no intervention
	}{
		{"safety", []genai.FinishReason{genai.FinishReasonSafety}, []string{"safety"}, vocabulary.GuardrailCategoryContentPolicy},
		{"prohibited", []genai.FinishReason{genai.FinishReasonProhibitedContent}, []string{"prohibited_content"}, vocabulary.GuardrailCategoryContentPolicy},
		{"image safety", []genai.FinishReason{genai.FinishReasonImageSafety}, []string{"image_safety"}, vocabulary.GuardrailCategoryContentPolicy},
		{"image prohibited", []genai.FinishReason{genai.FinishReasonImageProhibitedContent}, []string{"image_prohibited_content"}, vocabulary.GuardrailCategoryContentPolicy},
		{"blocklist", []genai.FinishReason{genai.FinishReasonBlocklist}, []string{"blocklist"}, vocabulary.GuardrailCategoryWordPolicy},
		{"spii", []genai.FinishReason{genai.FinishReasonSPII}, []string{"spii"}, vocabulary.GuardrailCategorySensitiveInformation},
		{"stop", []genai.FinishReason{genai.FinishReasonStop}, []string{"stop"}, "-"},
		{"recitation", []genai.FinishReason{genai.FinishReasonRecitation}, []string{"recitation"}, "-"},
		{"max tokens", []genai.FinishReason{genai.FinishReasonMaxTokens}, []string{"max_tokens"}, "-"},
		{"second candidate", []genai.FinishReason{genai.FinishReasonStop, genai.FinishReasonSPII, genai.FinishReasonBlocklist},
			[]string{"stop", "spii", "blocklist"}, vocabulary.GuardrailCategorySensitiveInformation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			var b strings.Builder
			b.WriteString(`{"candidates": [`)
			for i, r := range tt.reasons {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString(`{"content": {"role": "model"}, "finishReason": "` + string(r) + `", "index": ` + strconv.Itoa(i) + `}`)
			}
			b.WriteString(`]}`)
			srv := serve(t, "generateContent", 200, "application/json", []byte(b.String()), nil)

			_, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
				"gemini-2.5-flash", genai.Text("Hi"), nil)
			require.NoError(t, err)

			m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			assert.Equal(t, tt.finish, m[vocabulary.GenAIResponseFinishReasons])
			if tt.category == "-" {
				assert.NotContains(t, m, vocabulary.RastirGuardrailAction)
				assert.NotContains(t, m, vocabulary.RastirGuardrailCategory)
				return
			}
			assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
			assert.Equal(t, tt.category, m[vocabulary.RastirGuardrailCategory])
		})
	}
}

// TestCandidateBlockedStream: a stream cut by the safety filters after
// some text ends with the candidate's finish reason.
func TestCandidateBlockedStream(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "streamGenerateContent", reply{200, "text/event-stream", "stream_candidate_blocked.sse"}, nil)

	for _, err := range models(t, srv, genai.BackendGeminiAPI).GenerateContentStream(context.Background(),
		"gemini-2.5-flash", genai.Text("Hi"), nil) {
		require.NoError(t, err)
	}

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, []string{"prohibited_content"}, m[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, vocabulary.GuardrailActionIntervened, m[vocabulary.RastirGuardrailAction])
	assert.Equal(t, vocabulary.GuardrailCategoryContentPolicy, m[vocabulary.RastirGuardrailCategory])
}

// TestModelArmor: a call made with Model Armor templates (Vertex AI)
// records the template as rastir.guardrail.id, the prompt's before the
// response's; a prompt Model Armor blocked is an intervention without a
// bounded category.
func TestModelArmor(t *testing.T) {
	const (
		promptTemplate   = "projects/my-project/locations/us-central1/templates/prompt-screening"
		responseTemplate = "projects/my-project/locations/us-central1/templates/response-screening"
	)
	tests := []struct {
		name   string
		armor  *genai.ModelArmorConfig
		file   string
		stream bool
		id     string
		action string
	}{
		{"blocked", &genai.ModelArmorConfig{PromptTemplateName: promptTemplate, ResponseTemplateName: responseTemplate},
			"generate_content_model_armor.json", false, promptTemplate, vocabulary.GuardrailActionIntervened},
		{"response template", &genai.ModelArmorConfig{ResponseTemplateName: responseTemplate},
			"generate_content_cached.json", false, responseTemplate, ""},
		{"stream", &genai.ModelArmorConfig{PromptTemplateName: promptTemplate},
			"stream.sse", true, promptTemplate, ""},
		{"empty", &genai.ModelArmorConfig{}, "generate_content_cached.json", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			method, contentType := "generateContent", "application/json"
			if tt.stream {
				method, contentType = "streamGenerateContent", "text/event-stream"
			}
			srv := server(t, method, reply{200, contentType, tt.file}, nil)
			ms := models(t, srv, genai.BackendVertexAI)
			config := &genai.GenerateContentConfig{ModelArmorConfig: tt.armor}
			if tt.stream {
				for _, err := range ms.GenerateContentStream(context.Background(), "gemini-2.0-flash-001", genai.Text("Hi"), config) {
					require.NoError(t, err)
				}
			} else {
				_, err := ms.GenerateContent(context.Background(), "gemini-2.0-flash-001", genai.Text("Hi"), config)
				require.NoError(t, err)
			}

			s := adaptertest.Only(t, rec)
			assert.Equal(t, codes.Unset, s.Status().Code)
			m := adaptertest.Attrs(s.Attributes())
			if tt.id == "" {
				assert.NotContains(t, m, vocabulary.RastirGuardrailID)
			} else {
				assert.Equal(t, tt.id, m[vocabulary.RastirGuardrailID])
			}
			assert.NotContains(t, m, vocabulary.RastirGuardrailVersion)
			if tt.action == "" {
				assert.NotContains(t, m, vocabulary.RastirGuardrailAction)
				return
			}
			assert.Equal(t, tt.action, m[vocabulary.RastirGuardrailAction])
			assert.Equal(t, []string{"model_armor"}, m[vocabulary.GenAIResponseFinishReasons])
			assert.NotContains(t, m, vocabulary.RastirGuardrailCategory)
		})
	}
}

// TestStreamErrorChunk: an error sent as a chunk of a stream fails the
// span with its code's category; the chunks before it keep their usage.
func TestStreamErrorChunk(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "streamGenerateContent", reply{200, "text/event-stream", "stream_error.sse"}, nil)

	var err error
	chunks := 0
	for resp, e := range models(t, srv, genai.BackendGeminiAPI).GenerateContentStream(context.Background(),
		"gemini-2.5-flash", genai.Text("Why is the sky blue?"), nil) {
		if e != nil {
			err = e
			continue
		}
		require.NotNil(t, resp)
		chunks++
	}
	require.Equal(t, 1, chunks)
	var apiErr genai.APIError
	require.ErrorAs(t, err, &apiErr)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, "genai.APIError", m[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorProvider, m[vocabulary.RastirErrorCategoryKey])
	assert.Equal(t, int64(503), m[vocabulary.HTTPResponseStatusCode])
	assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, "WfvKaJ6BO5GWnvgPvNjT8Q0", m[vocabulary.GenAIResponseID])
	assert.Equal(t, int64(9), m[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1), m[vocabulary.GenAIUsageOutputTokens])
}

// TestStreamTimeout: a context that expires while a stream waits for its
// next chunk fails the span as a timeout, after the first chunk's TTFT.
func TestStreamTimeout(t *testing.T) {
	rec := adaptertest.Record(t)
	// The first chunk of stream_error.sse, then nothing.
	data, err := os.ReadFile("testdata/stream_error.sse")
	require.NoError(t, err)
	first, _, ok := strings.Cut(string(data), "\n\n")
	require.True(t, ok)
	srv := adaptertest.HangingServerAfter(t, func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/event-stream")
		_, _ = w.Write([]byte(first + "\n\n"))
		w.(http.Flusher).Flush()
	})

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	var last error
	for _, e := range models(t, srv, genai.BackendGeminiAPI).GenerateContentStream(ctx,
		"gemini-2.5-flash", genai.Text("Why is the sky blue?"), nil) {
		last = e
	}
	require.ErrorIs(t, last, context.DeadlineExceeded)

	s := adaptertest.Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	m := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, "context.deadlineExceededError", m[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorTimeout, m[vocabulary.RastirErrorCategoryKey])
	assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, int64(1), m[vocabulary.GenAIUsageOutputTokens])
}
