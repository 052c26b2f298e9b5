package rastirgenai_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// paramKeys are the request parameters' attributes.
var paramKeys = []string{
	vocabulary.GenAIRequestMaxTokens, vocabulary.GenAIRequestTemperature, vocabulary.GenAIRequestTopP,
	vocabulary.GenAIRequestTopK, vocabulary.GenAIRequestFrequencyPenalty, vocabulary.GenAIRequestPresencePenalty,
	vocabulary.GenAIRequestSeed, vocabulary.GenAIRequestChoiceCount, vocabulary.GenAIRequestStopSequences,
	vocabulary.GenAIOutputType,
}

// bodyServer answers generateContent calls with the file and keeps the
// generation config of the last request.
func bodyServer(t *testing.T, status int, file string, gen *map[string]any) *httptest.Server {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var r struct {
			GenerationConfig map[string]any `json:"generationConfig"`
		}
		if json.Unmarshal(body, &r) == nil && gen != nil {
			*gen = r.GenerationConfig
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRequestParams(t *testing.T) {
	rec := adaptertest.Record(t)
	var gen map[string]any
	srv := bodyServer(t, 200, "generate_content.json", &gen)
	host, port := adaptertest.HostPort(t, srv)

	config := &genai.GenerateContentConfig{
		Temperature: genai.Ptr[float32](0.7), TopP: genai.Ptr[float32](0.95), TopK: genai.Ptr[float32](40),
		MaxOutputTokens: 1024, CandidateCount: 2, StopSequences: []string{"\n\n", "END"}, Seed: genai.Ptr[int32](42),
		PresencePenalty: genai.Ptr[float32](0.5), FrequencyPenalty: genai.Ptr[float32](-0.25),
		ResponseMIMEType: "application/json",
	}
	_, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
		"gemini-2.5-flash", genai.Text("Explain how AI works in a few words"), config)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"temperature": 0.7, "topP": 0.95, "topK": 40.0, "maxOutputTokens": 1024.0, "candidateCount": 2.0,
		"stopSequences": []any{"\n\n", "END"}, "seed": 42.0, "presencePenalty": 0.5, "frequencyPenalty": -0.25,
		"responseMimeType": "application/json",
	}, gen)

	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:            vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:           vocabulary.OperationGenerateContent,
		vocabulary.GenAIRequestModel:            "gemini-2.5-flash",
		vocabulary.GenAIProviderName:            vocabulary.ProviderGCPGemini,
		vocabulary.ServerAddress:                host,
		vocabulary.ServerPort:                   port,
		vocabulary.GenAIRequestMaxTokens:        int64(1024),
		vocabulary.GenAIRequestTemperature:      0.7,
		vocabulary.GenAIRequestTopP:             0.95,
		vocabulary.GenAIRequestTopK:             40.0,
		vocabulary.GenAIRequestPresencePenalty:  0.5,
		vocabulary.GenAIRequestFrequencyPenalty: -0.25,
		vocabulary.GenAIRequestSeed:             int64(42),
		vocabulary.GenAIRequestChoiceCount:      int64(2),
		vocabulary.GenAIRequestStopSequences:    []string{"\n\n", "END"},
		vocabulary.GenAIOutputType:              vocabulary.OutputTypeJSON,
		vocabulary.GenAIResponseID:              "7zPKaOOAM-KZ2dcPo_OJ6A8",
		vocabulary.GenAIResponseModel:           "gemini-2.5-flash",
		vocabulary.GenAIResponseFinishReasons:   []string{"stop"},
		vocabulary.GenAIUsageInputTokens:        int64(8),
		vocabulary.GenAIUsageOutputTokens:       int64(1013),
		vocabulary.GenAIUsageReasoningTokens:    int64(995),
	}, adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
}

// TestRequestParamsNone: a config without parameters, or none, records
// none.
func TestRequestParamsNone(t *testing.T) {
	for _, config := range []*genai.GenerateContentConfig{
		nil,
		{},
		{SystemInstruction: genai.NewContentFromText("Be brief", genai.RoleUser), Tools: []*genai.Tool{{CodeExecution: &genai.ToolCodeExecution{}}}},
		// Zero counts, an empty stop list and no modality are unset.
		{MaxOutputTokens: 0, CandidateCount: 0, StopSequences: []string{}, ResponseModalities: []string{}},
	} {
		rec := adaptertest.Record(t)
		srv := bodyServer(t, 200, "generate_content.json", nil)
		_, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
			"gemini-2.5-flash", genai.Text("Hi"), config)
		require.NoError(t, err)
		m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
		for _, k := range paramKeys {
			assert.NotContains(t, m, k, "config %+v", config)
		}
	}
}

// TestRequestParamsEdges: an explicit zero temperature (a pointer) is
// sent and recorded; one candidate is the default and not recorded; an
// empty stop list is not recorded. They are on the span of a call that
// fails, and of a stream.
func TestRequestParamsEdges(t *testing.T) {
	config := &genai.GenerateContentConfig{
		Temperature: genai.Ptr[float32](0), TopK: genai.Ptr[float32](1), Seed: genai.Ptr[int32](0),
		CandidateCount: 1, StopSequences: []string{}, PresencePenalty: genai.Ptr[float32](0),
	}
	want := map[string]any{
		vocabulary.GenAIRequestTemperature:     0.0,
		vocabulary.GenAIRequestTopK:            1.0,
		vocabulary.GenAIRequestSeed:            int64(0),
		vocabulary.GenAIRequestPresencePenalty: 0.0,
	}
	check := func(t *testing.T, m map[string]any) {
		t.Helper()
		for _, k := range paramKeys {
			if v, ok := want[k]; ok {
				assert.Equal(t, v, m[k], k)
			} else {
				assert.NotContains(t, m, k)
			}
		}
	}

	t.Run("failed call", func(t *testing.T) {
		rec := adaptertest.Record(t)
		var gen map[string]any
		srv := bodyServer(t, 500, "error_500.json", &gen)
		_, err := models(t, srv, genai.BackendGeminiAPI).GenerateContent(context.Background(),
			"gemini-2.5-flash", genai.Text("Hi"), config)
		require.Error(t, err)
		assert.Equal(t, 0.0, gen["temperature"])
		check(t, adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
	})
	t.Run("stream", func(t *testing.T) {
		rec := adaptertest.Record(t)
		srv := server(t, "streamGenerateContent", reply{200, "text/event-stream", "stream.sse"}, nil)
		for _, err := range models(t, srv, genai.BackendGeminiAPI).GenerateContentStream(context.Background(),
			"gemini-2.5-flash", genai.Text("Hi"), config) {
			require.NoError(t, err)
		}
		m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
		assert.Equal(t, true, m[vocabulary.GenAIRequestStream])
		check(t, m)
	})
}

func TestOutputType(t *testing.T) {
	srv := bodyServer(t, 200, "generate_content.json", nil)
	ms := models(t, srv, genai.BackendGeminiAPI)
	tests := []struct {
		name   string
		config genai.GenerateContentConfig
		want   string
	}{
		{"json mime", genai.GenerateContentConfig{ResponseMIMEType: "application/json"}, vocabulary.OutputTypeJSON},
		{"json mime with parameter", genai.GenerateContentConfig{ResponseMIMEType: "Application/JSON; charset=utf-8"}, vocabulary.OutputTypeJSON},
		{"schema", genai.GenerateContentConfig{ResponseMIMEType: "application/json", ResponseSchema: &genai.Schema{Type: genai.TypeString}}, vocabulary.OutputTypeJSON},
		{"json schema", genai.GenerateContentConfig{ResponseMIMEType: "application/json", ResponseJsonSchema: map[string]any{"type": "string"}}, vocabulary.OutputTypeJSON},
		{"text mime", genai.GenerateContentConfig{ResponseMIMEType: "text/plain"}, vocabulary.OutputTypeText},
		{"enum mime", genai.GenerateContentConfig{ResponseMIMEType: "text/x.enum", ResponseSchema: nil}, vocabulary.OutputTypeText},
		{"other mime", genai.GenerateContentConfig{ResponseMIMEType: "text/html"}, ""},
		{"text and image", genai.GenerateContentConfig{ResponseModalities: []string{"TEXT", "IMAGE"}}, vocabulary.OutputTypeImage},
		{"image", genai.GenerateContentConfig{ResponseModalities: []string{"IMAGE"}}, vocabulary.OutputTypeImage},
		{"audio", genai.GenerateContentConfig{ResponseModalities: []string{"AUDIO"}}, vocabulary.OutputTypeSpeech},
		{"text and audio", genai.GenerateContentConfig{ResponseModalities: []string{"TEXT", "AUDIO"}}, ""},
		{"text", genai.GenerateContentConfig{ResponseModalities: []string{"TEXT"}}, vocabulary.OutputTypeText},
		{"json beats image", genai.GenerateContentConfig{ResponseMIMEType: "application/json", ResponseModalities: []string{"IMAGE"}}, vocabulary.OutputTypeJSON},
		{"image beats text mime", genai.GenerateContentConfig{ResponseMIMEType: "text/plain", ResponseModalities: []string{"TEXT", "IMAGE"}}, vocabulary.OutputTypeImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			_, err := ms.GenerateContent(context.Background(), "gemini-2.5-flash", genai.Text("Hi"), &tt.config)
			require.NoError(t, err)
			m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			if tt.want == "" {
				assert.NotContains(t, m, vocabulary.GenAIOutputType)
			} else {
				assert.Equal(t, tt.want, m[vocabulary.GenAIOutputType])
			}
		})
	}
}
