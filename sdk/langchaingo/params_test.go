package rastirlangchaingo

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// paramKeys are the request parameters' attributes.
var paramKeys = []string{
	vocabulary.GenAIRequestMaxTokens, vocabulary.GenAIRequestTemperature, vocabulary.GenAIRequestTopP,
	vocabulary.GenAIRequestTopK, vocabulary.GenAIRequestFrequencyPenalty, vocabulary.GenAIRequestPresencePenalty,
	vocabulary.GenAIRequestSeed, vocabulary.GenAIRequestChoiceCount, vocabulary.GenAIRequestStopSequences,
	vocabulary.GenAIOutputType,
}

// chatServer answers chat completions with status and body and keeps the
// last request's body.
func chatServer(t *testing.T, status int, body string, req *map[string]any) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		if req != nil {
			*req = nil
			_ = json.Unmarshal(data, req)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func openAILLM(t *testing.T, srv *httptest.Server) llms.Model {
	t.Helper()
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"))
	require.NoError(t, err)
	return llm
}

var hello = []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "Hello")}

func TestWrapModelParams(t *testing.T) {
	rec := adaptertest.Record(t)
	var req map[string]any
	srv := chatServer(t, http.StatusOK, chatCompletion("{}", 19, 10), &req)
	h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	_, err := h.WrapModel(openAILLM(t, srv)).GenerateContent(context.Background(), hello,
		llms.WithModel("gpt-4o-mini"), llms.WithMaxTokens(256), llms.WithTemperature(0.2), llms.WithTopP(0.9),
		llms.WithTopK(40), llms.WithSeed(42), llms.WithN(2), llms.WithStopWords([]string{"\n\n", "END"}),
		llms.WithFrequencyPenalty(0.5), llms.WithPresencePenalty(-0.5), llms.WithJSONMode())
	require.NoError(t, err)
	// The options as the LLM sends them: langchaingo's OpenAI LLM drops
	// top_p and top_k, which the span records all the same (what the call
	// asked for).
	assert.NotContains(t, req, "top_p")
	for k, v := range map[string]any{
		"model": "gpt-4o-mini", "temperature": 0.2, "max_completion_tokens": 256.0, "seed": 42.0, "n": 2.0,
		"stop": []any{"\n\n", "END"}, "frequency_penalty": 0.5, "presence_penalty": -0.5,
		"response_format": map[string]any{"type": "json_object"},
	} {
		assert.Equal(t, v, req[k], k)
	}

	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:            vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:           vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:            "gpt-4o-mini",
		vocabulary.GenAIProviderName:            vocabulary.ProviderOpenAI,
		vocabulary.GenAIRequestMaxTokens:        int64(256),
		vocabulary.GenAIRequestTemperature:      0.2,
		vocabulary.GenAIRequestTopP:             0.9,
		vocabulary.GenAIRequestTopK:             40.0,
		vocabulary.GenAIRequestSeed:             int64(42),
		vocabulary.GenAIRequestChoiceCount:      int64(2),
		vocabulary.GenAIRequestStopSequences:    []string{"\n\n", "END"},
		vocabulary.GenAIRequestFrequencyPenalty: 0.5,
		vocabulary.GenAIRequestPresencePenalty:  -0.5,
		vocabulary.GenAIOutputType:              vocabulary.OutputTypeJSON,
		vocabulary.GenAIUsageInputTokens:        int64(19),
		vocabulary.GenAIUsageOutputTokens:       int64(10),
		vocabulary.GenAIUsageCacheReadTokens:    int64(3),
		vocabulary.GenAIResponseFinishReasons:   []string{"stop"},
	}, adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
}

// TestWrapModelParamsNone: a call without options, or with options that
// set no parameter, records none.
func TestWrapModelParamsNone(t *testing.T) {
	for _, opts := range [][]llms.CallOption{
		nil,
		{llms.WithModel("gpt-4o")},
		{llms.WithStreamingFunc(func(context.Context, []byte) error { return nil })},
	} {
		rec := adaptertest.Record(t)
		srv := chatServer(t, http.StatusOK, chatCompletion("Hello!", 19, 10), nil)
		h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
		_, err := h.WrapModel(openAILLM(t, srv)).GenerateContent(context.Background(), hello, opts...)
		require.NoError(t, err)
		m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
		for _, k := range paramKeys {
			assert.NotContains(t, m, k)
		}
	}
}

// TestWrapModelParamsEdges: zero options are unset (CallOptions cannot
// tell WithTemperature(0) from no temperature), one choice is the default,
// an empty stop list is none; the parameters are on the span of a call
// that fails.
func TestWrapModelParamsEdges(t *testing.T) {
	rec := adaptertest.Record(t)
	var req map[string]any
	srv := chatServer(t, http.StatusTooManyRequests, openAIRateLimited, &req)
	h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	_, err := h.WrapModel(openAILLM(t, srv)).GenerateContent(context.Background(), hello,
		llms.WithTemperature(0), llms.WithTopP(0), llms.WithSeed(0), llms.WithN(1), llms.WithStopWords([]string{}),
		llms.WithMaxTokens(0), llms.WithTopK(0), llms.WithPresencePenalty(0), llms.WithFrequencyPenalty(0.1))
	require.Error(t, err)
	assert.NotContains(t, req, "top_p", "a zero option is not sent")
	assert.NotContains(t, req, "seed")
	assert.NotContains(t, req, "stop")

	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, int64(429), m[vocabulary.HTTPResponseStatusCode])
	assert.Equal(t, 0.1, m[vocabulary.GenAIRequestFrequencyPenalty])
	for _, k := range paramKeys {
		if k != vocabulary.GenAIRequestFrequencyPenalty {
			assert.NotContains(t, m, k)
		}
	}
}

// TestWrapModelChoiceAndOutputType: N, else CandidateCount, is the choice
// count; JSON mode or the response MIME type is the output type.
func TestWrapModelChoiceAndOutputType(t *testing.T) {
	tests := []struct {
		name   string
		opts   []llms.CallOption
		count  any // nil: not recorded
		output any
	}{
		{"candidate count", []llms.CallOption{llms.WithCandidateCount(3)}, int64(3), nil},
		{"n wins", []llms.CallOption{llms.WithCandidateCount(3), llms.WithN(2)}, int64(2), nil},
		{"json mime", []llms.CallOption{llms.WithResponseMIMEType("application/json")}, nil, vocabulary.OutputTypeJSON},
		{"text mime", []llms.CallOption{llms.WithResponseMIMEType("text/plain")}, nil, vocabulary.OutputTypeText},
		{"enum mime", []llms.CallOption{llms.WithResponseMIMEType("text/x.enum")}, nil, vocabulary.OutputTypeText},
		{"other mime", []llms.CallOption{llms.WithResponseMIMEType("text/html")}, nil, nil},
		{"json mode", []llms.CallOption{llms.WithJSONMode()}, nil, vocabulary.OutputTypeJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			h := New(WithModel("gemini-2.5-flash"), WithProvider(vocabulary.ProviderGCPGemini))
			m := &scripted{res: &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "STOP"}}}}
			_, err := h.WrapModel(m).GenerateContent(context.Background(), hello, tt.opts...)
			require.NoError(t, err)
			a := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			assert.Equal(t, tt.count, a[vocabulary.GenAIRequestChoiceCount])
			assert.Equal(t, tt.output, a[vocabulary.GenAIOutputType])
		})
	}
}

// TestHandlerSeesNoParams: the callbacks carry no call options, so the
// span a callbacks handler alone makes (the LLM's callbacks handler, no
// WrapModel) records no parameter.
func TestHandlerSeesNoParams(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := chatServer(t, http.StatusOK, chatCompletion("Hello!", 19, 10), nil)
	h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"), openai.WithCallback(h))
	require.NoError(t, err)
	_, err = llm.GenerateContent(context.Background(), hello, llms.WithTemperature(0.2), llms.WithMaxTokens(64))
	require.NoError(t, err)
	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	assert.Equal(t, int64(19), m[vocabulary.GenAIUsageInputTokens])
	for _, k := range paramKeys {
		assert.NotContains(t, m, k)
	}
}
