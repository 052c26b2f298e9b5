package rastirlangchaingo

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	sdk "github.com/gage-technologies/mistral-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/mistral"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// mistralChat is a chat completion as Mistral's API reference shows one.
const mistralChat = `{
  "id": "cmpl-e5cc70bb28c444948073e77776eb30ef",
  "object": "chat.completion",
  "model": "mistral-small-latest",
  "usage": {
    "prompt_tokens": 16,
    "completion_tokens": 34,
    "total_tokens": 50
  },
  "created": 1702256327,
  "choices": [
    {
      "index": 0,
      "message": {
        "content": "The best French cheese depends on your taste: Comté, Roquefort and Brie de Meaux are classics.",
        "tool_calls": null,
        "prefix": false,
        "role": "assistant"
      },
      "finish_reason": "stop"
    }
  ]
}`

// mistralStream is a streamed chat completion as Mistral's API sends one:
// the usage comes with the last chunk.
const mistralStream = `data: {"id":"cf79286d6d8b4c1a8e4f8b3b1c3a6c1e","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}

data: {"id":"cf79286d6d8b4c1a8e4f8b3b1c3a6c1e","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"Comté."},"finish_reason":null}]}

data: {"id":"cf79286d6d8b4c1a8e4f8b3b1c3a6c1e","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":16,"total_tokens":19,"completion_tokens":3}}

data: [DONE]

`

// mistralBadRequest is the body of a request Mistral's API refuses.
const mistralBadRequest = `{"object": "error", "message": "Invalid model: mistral-smal-latest", "type": "invalid_model", "param": null, "code": "1500"}`

// mistralLLM is langchaingo's Mistral LLM talking to srv, trying once.
func mistralLLM(t *testing.T, srvURL string) *mistral.Model {
	t.Helper()
	llm, err := mistral.New(mistral.WithEndpoint(srvURL), mistral.WithAPIKey("test"),
		mistral.WithModel("mistral-small-latest"), mistral.WithMaxRetries(1))
	require.NoError(t, err)
	return llm
}

// mistralOK are the attributes of a successful Mistral call.
func mistralOK(in, out int64) map[string]any {
	return with(llmAttrs("mistral-small-latest", vocabulary.ProviderMistralAI),
		vocabulary.GenAIUsageInputTokens, in,
		vocabulary.GenAIUsageOutputTokens, out,
		vocabulary.GenAIResponseFinishReasons, []string{"stop"},
		vocabulary.GenAIResponseModel, "mistral-small-latest",
	)
}

// TestMistralHandler: langchaingo's Mistral LLM ends its call with an end
// callback without a response right after the request, then the error
// callback or a second end callback with the response; the handler alone
// records the call's usage, or its failure.
func TestMistralHandler(t *testing.T) {
	mistralFailed := failedAttrs(llmAttrs("mistral-small-latest", vocabulary.ProviderMistralAI), 400, vocabulary.ErrorValidation)
	for _, tc := range []wrapCase{
		{name: "success", status: http.StatusOK, body: mistralChat, attrs: mistralOK(16, 34)},
		{name: "bad request", status: http.StatusBadRequest, body: mistralBadRequest, attrs: mistralFailed, msg: "(HTTP Error 400)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := apiServer(t, "/v1/chat/completions", tc.status, tc.body)
			h := New(WithModel("mistral-small-latest"), WithProvider(vocabulary.ProviderMistralAI))
			llm := mistralLLM(t, srv.URL)
			llm.CallbacksHandler = h
			ctx, parent := rastir.StartTrace(context.Background(), "request")
			_, err := llm.GenerateContent(ctx, []llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "What is the best French cheese?")})
			checkCall(t, rec, tc, err, "chat mistral-small-latest")
			assert.Empty(t, h.stacks)
			parent.End()
		})
	}
}

// TestMistralWrapped: through WrapModel, a Mistral call, streamed or
// not, with the handler as the LLM's callbacks handler or not, has the
// usage of Mistral's response.
func TestMistralWrapped(t *testing.T) {
	for _, tc := range []struct {
		name   string
		body   string
		stream bool
		attrs  map[string]any
	}{
		{"not streamed", mistralChat, false, mistralOK(16, 34)},
		{"streamed", mistralStream, true, with(mistralOK(16, 3), vocabulary.GenAIRequestStream, true)},
	} {
		eachMode(t, wrapCase{name: tc.name}, func(t *testing.T, callbacksSet bool) {
			rec := adaptertest.Record(t)
			srv := apiServer(t, "/v1/chat/completions", http.StatusOK, tc.body)
			h := New(WithModel("mistral-small-latest"), WithProvider(vocabulary.ProviderMistralAI))
			llm := mistralLLM(t, srv.URL)
			if callbacksSet {
				llm.CallbacksHandler = h
			}
			var opts []llms.CallOption
			if tc.stream {
				opts = append(opts, llms.WithStreamingFunc(func(ctx context.Context, chunk []byte) error {
					h.HandleStreamingFunc(ctx, chunk)
					return nil
				}))
			}
			_, err := h.WrapModel(llm).GenerateContent(context.Background(),
				[]llms.MessageContent{llms.TextParts(llms.ChatMessageTypeHuman, "What is the best French cheese?")}, opts...)
			require.NoError(t, err)
			ended := rec.Ended()
			require.Len(t, ended, 1)
			assert.Equal(t, "chat mistral-small-latest", ended[0].Name())
			assert.Equal(t, codes.Unset, ended[0].Status().Code)
			attrs := adaptertest.Attrs(ended[0].Attributes())
			delete(attrs, vocabulary.GenAIResponseTimeToFirstChunk)
			assert.Equal(t, tc.attrs, attrs)
			assert.Empty(t, h.stacks)
		})
	}
}

// TestMistralUsageShapes: the usage of Mistral's LLM is its client's
// UsageInfo, a value or a pointer; a zero one (a stream whose chunks
// carried none) is no usage.
func TestMistralUsageShapes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		usage any
		in    any
		out   any
	}{
		{"value", sdk.UsageInfo{PromptTokens: 16, CompletionTokens: 34, TotalTokens: 50}, int64(16), int64(34)},
		{"pointer", &sdk.UsageInfo{PromptTokens: 7, TotalTokens: 7}, int64(7), int64(0)},
		{"nil pointer", (*sdk.UsageInfo)(nil), nil, nil},
		{"zero", sdk.UsageInfo{}, nil, nil},
		{"negative", sdk.UsageInfo{PromptTokens: -1, CompletionTokens: 3, TotalTokens: 2}, nil, int64(3)},
		{"other type", map[string]any{"prompt_tokens": 16}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			_, s := rastir.StartLLM(context.Background(), "m")
			recordResponse(s, &llms.ContentResponse{Choices: []*llms.ContentChoice{{GenerationInfo: map[string]any{"usage": tc.usage}}}}, "")
			s.End()
			attrs := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
			assert.Equal(t, tc.in, attrs[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, tc.out, attrs[vocabulary.GenAIUsageOutputTokens])
		})
	}
}

// TestEndWithoutResponseOnly: an LLM whose only end callback has no
// response has its span ended OK, at that callback's time, when the next
// call starts or when its chain ends.
func TestEndWithoutResponseOnly(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("m"))
	ctx := context.Background()
	h.HandleChainStart(ctx, nil)
	h.HandleLLMGenerateContentStart(ctx, nil)
	h.HandleLLMGenerateContentEnd(ctx, nil)
	h.HandleLLMGenerateContentEnd(ctx, nil) // a second one keeps the first's time
	mark := time.Now()
	h.HandleLLMGenerateContentStart(ctx, nil) // ends the first call's span
	h.HandleLLMGenerateContentEnd(ctx, nil)
	h.HandleChainError(ctx, errors.New("parse failure")) // ends the second's
	assert.Empty(t, h.stacks)

	ended := rec.Ended()
	require.Len(t, ended, 3)
	first, second := ended[0], ended[1]
	for _, s := range []sdktrace.ReadOnlySpan{first, second} {
		assert.Equal(t, "chat m", s.Name())
		assert.Equal(t, codes.Unset, s.Status().Code)
		assert.Empty(t, s.Events())
	}
	assert.False(t, first.EndTime().After(mark), "ended at its end callback")
	assert.Equal(t, codes.Error, ended[2].Status().Code, "the chain")
}

// mistralEmbeddings is an embeddings response as Mistral's API reference
// shows one.
const mistralEmbeddings = `{
  "id": "embd-aad6fc62b17349b192ef09225058bc45",
  "object": "list",
  "data": [
    {
      "object": "embedding",
      "embedding": [-0.0165863037109375, 0.07012939453125, 0.031494140625],
      "index": 0
    }
  ],
  "model": "mistral-embed",
  "usage": {"prompt_tokens": 6, "total_tokens": 6, "completion_tokens": 0}
}`

// TestMistralEmbeddings: a wrapped Mistral LLM embeds, each call an
// embeddings span; a refused call fails it with its status's category.
func TestMistralEmbeddings(t *testing.T) {
	base := embedAttrs("mistral-embed", vocabulary.ProviderMistralAI)
	for _, tc := range []wrapCase{
		{name: "success", status: http.StatusOK, body: mistralEmbeddings, attrs: base},
		{name: "bad request", status: http.StatusBadRequest, body: mistralBadRequest, attrs: failedAttrs(base, 400, vocabulary.ErrorValidation), msg: "failed to create embeddings: (HTTP Error 400)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := apiServer(t, "/v1/embeddings", tc.status, tc.body)
			h := New(WithModel("mistral-small-latest"), WithEmbeddingModel("mistral-embed"), WithProvider(vocabulary.ProviderMistralAI))
			client, ok := h.WrapModel(mistralLLM(t, srv.URL)).(embeddings.EmbedderClient)
			require.True(t, ok)
			vecs, err := client.CreateEmbedding(context.Background(), []string{"Embed this sentence."})
			if tc.msg == "" {
				require.NoError(t, err)
				assert.Len(t, vecs, 1)
			}
			checkCall(t, rec, tc, err, "embeddings mistral-embed")
		})
	}
}
