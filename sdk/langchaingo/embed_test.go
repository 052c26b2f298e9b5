package rastirlangchaingo

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/openai"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// openAIEmbeddings is an embeddings response as the Embeddings API
// reference shows one.
const openAIEmbeddings = `{
  "object": "list",
  "data": [
    {
      "object": "embedding",
      "embedding": [
        0.0023064255,
        -0.009327292,
        -0.0028842222
      ],
      "index": 0
    }
  ],
  "model": "text-embedding-3-small",
  "usage": {
    "prompt_tokens": 8,
    "total_tokens": 8
  }
}`

// embedAttrs are the attributes every embeddings span of these tests
// starts with.
func embedAttrs(model, provider string) map[string]any {
	m := map[string]any{
		vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName: vocabulary.OperationEmbeddings,
		vocabulary.GenAIProviderName:  provider,
	}
	if model != "" {
		m[vocabulary.GenAIRequestModel] = model
	}
	return m
}

// TestWrapModelEmbeddings: a wrapped langchaingo OpenAI LLM is still an
// embeddings.EmbedderClient; each CreateEmbedding is one embeddings span
// with the handler's embedding model and provider, failed with the
// category of the API's status when the call fails.
func TestWrapModelEmbeddings(t *testing.T) {
	base := embedAttrs("text-embedding-3-small", vocabulary.ProviderOpenAI)
	for _, tc := range []wrapCase{
		{name: "success", status: http.StatusOK, body: openAIEmbeddings, attrs: base},
		{
			name: "rate limited", status: http.StatusTooManyRequests, body: openAIRateLimited,
			attrs: failedAttrs(base, 429, vocabulary.ErrorRateLimit),
			msg:   "failed to create openai embeddings: API returned unexpected status code: 429: Rate limit reached",
		},
		{
			name: "server error", status: http.StatusInternalServerError, body: openAIServerError,
			attrs: failedAttrs(base, 500, vocabulary.ErrorProvider),
			msg:   "API returned unexpected status code: 500: The server had an error",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := apiServer(t, "/v1/embeddings", tc.status, tc.body)
			h := New(WithModel("gpt-4o"), WithEmbeddingModel("text-embedding-3-small"), WithProvider(vocabulary.ProviderOpenAI))
			llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"),
				openai.WithModel("gpt-4o"), openai.WithEmbeddingModel("text-embedding-3-small"))
			require.NoError(t, err)
			client, ok := h.WrapModel(llm).(embeddings.EmbedderClient)
			require.True(t, ok, "a wrapped embedder embeds")
			e, err := embeddings.NewEmbedder(client)
			require.NoError(t, err)

			var callErr error
			vecs, err := e.EmbedDocuments(context.Background(), []string{"The food was delicious"})
			if tc.msg == "" {
				require.NoError(t, err)
				assert.Equal(t, [][]float32{{0.0023064255, -0.009327292, -0.0028842222}}, vecs)
			} else {
				require.Error(t, err)
				// The span has the error CreateEmbedding returned, which
				// the embedder wraps once more.
				callErr = errors.Unwrap(err)
				require.Error(t, callErr)
			}
			checkCall(t, rec, wrapCase{attrs: tc.attrs, msg: tc.msg}, callErr, "embeddings text-embedding-3-small")
			assert.Empty(t, h.stacks)
		})
	}
}

// TestWrapModelEmbeddingsWithoutModel: without WithEmbeddingModel the
// span has no request model (the chat model of WithModel is not the
// embedding model).
func TestWrapModelEmbeddingsWithoutModel(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := apiServer(t, "/v1/embeddings", http.StatusOK, openAIEmbeddings)
	h := New(WithModel("gpt-4o"), WithProvider(vocabulary.ProviderOpenAI))
	llm, err := openai.New(openai.WithBaseURL(srv.URL+"/v1"), openai.WithToken("test"), openai.WithModel("gpt-4o"))
	require.NoError(t, err)
	e, err := embeddings.NewEmbedder(h.WrapModel(llm).(embeddings.EmbedderClient))
	require.NoError(t, err)
	_, err = e.EmbedQuery(context.Background(), "The food was delicious")
	require.NoError(t, err)
	checkCall(t, rec, wrapCase{attrs: embedAttrs("", vocabulary.ProviderOpenAI)}, nil, "embeddings")
}

// chatOnly is a model without CreateEmbedding.
type chatOnly struct{ scripted }

// embedder is a model with CreateEmbedding that answers with vecs and err,
// or panics with panicValue.
type embedder struct {
	scripted
	vecs       [][]float32
	err        error
	panicValue any
	calls      atomic.Int32
	// through, when set, is called with the call's context (a layer
	// that calls another embedder).
	through embeddings.EmbedderClient
}

func (e *embedder) CreateEmbedding(ctx context.Context, texts []string) ([][]float32, error) {
	e.calls.Add(1)
	if e.panicValue != nil {
		panic(e.panicValue)
	}
	if e.through != nil {
		return e.through.CreateEmbedding(ctx, texts)
	}
	return e.vecs, e.err
}

// TestWrapModelEmbedderOnlyWhenEmbedding: the wrapper of a model without
// CreateEmbedding has none, the wrapper of one with it has it, and
// wrapping either again returns the same wrapper.
func TestWrapModelEmbedderOnlyWhenEmbedding(t *testing.T) {
	h := New()
	plain := h.WrapModel(&chatOnly{})
	_, ok := plain.(embeddings.EmbedderClient)
	assert.False(t, ok, "a model without CreateEmbedding gives a wrapper without it")
	_, ok = plain.(llms.ReasoningModel)
	assert.True(t, ok)
	assert.Same(t, plain, h.WrapModel(plain))

	emb := h.WrapModel(&embedder{})
	_, ok = emb.(embeddings.EmbedderClient)
	assert.True(t, ok)
	_, ok = emb.(llms.ReasoningModel)
	assert.True(t, ok)
	assert.Same(t, emb, h.WrapModel(emb))

	// Another handler's wrapper is wrapped, and still embeds.
	_, ok = New().WrapModel(emb).(embeddings.EmbedderClient)
	assert.True(t, ok)
}

// TestWrapModelEmbeddingsOutcomes: an error of the Mistral client fails
// the span with the category of its status, a panic fails it and panics on, an
// embedder called within a wrapped embedding call makes no second span,
// and a chat call on the same wrapper is still a chat span.
func TestWrapModelEmbeddingsOutcomes(t *testing.T) {
	base := embedAttrs("mistral-embed", vocabulary.ProviderMistralAI)
	newHandler := func() *Handler {
		return New(WithModel("mistral-large-latest"), WithEmbeddingModel("mistral-embed"), WithProvider(vocabulary.ProviderMistralAI))
	}

	t.Run("error", func(t *testing.T) {
		rec := adaptertest.Record(t)
		callErr := errors.New("failed to create embeddings: (HTTP Error 503) unavailable")
		_, err := newHandler().WrapModel(&embedder{err: callErr}).(embeddings.EmbedderClient).CreateEmbedding(context.Background(), []string{"a"})
		require.Equal(t, callErr, err)
		checkCall(t, rec, wrapCase{
			attrs: failedAttrs(base, 503, vocabulary.ErrorProvider),
			msg:   callErr.Error(),
		}, err, "embeddings mistral-embed")
	})

	t.Run("panic", func(t *testing.T) {
		rec := adaptertest.Record(t)
		m := newHandler().WrapModel(&embedder{panicValue: "boom"}).(embeddings.EmbedderClient)
		assert.PanicsWithValue(t, "boom", func() { _, _ = m.CreateEmbedding(context.Background(), []string{"a"}) })
		ended := rec.Ended()
		require.Len(t, ended, 1)
		assert.Equal(t, codes.Error, ended[0].Status().Code)
		assert.Equal(t, "panic: boom", ended[0].Status().Description)
		assert.Equal(t, vocabulary.OperationEmbeddings, adaptertest.Attrs(ended[0].Attributes())[vocabulary.GenAIOperationName])
	})

	t.Run("nested", func(t *testing.T) {
		rec := adaptertest.Record(t)
		h := newHandler()
		inner := &embedder{vecs: [][]float32{{1}}}
		outer := &embedder{through: h.WrapModel(inner).(embeddings.EmbedderClient)}
		vecs, err := h.WrapModel(outer).(embeddings.EmbedderClient).CreateEmbedding(context.Background(), []string{"a"})
		require.NoError(t, err)
		assert.Equal(t, [][]float32{{1}}, vecs)
		assert.Equal(t, int32(1), inner.calls.Load())
		checkCall(t, rec, wrapCase{attrs: base}, nil, "embeddings mistral-embed")
	})

	t.Run("under a span", func(t *testing.T) {
		rec := adaptertest.Record(t)
		h := newHandler()
		ctx, parent := rastir.StartTrace(context.Background(), "request")
		_, err := h.WrapModel(&embedder{vecs: [][]float32{{1}}}).(embeddings.EmbedderClient).CreateEmbedding(ctx, []string{"a"})
		require.NoError(t, err)
		parent.End()
		spans := byName(t, rec)
		childOf(t, spans["embeddings mistral-embed"][0], spans["request"][0])
	})

	t.Run("chat on an embedder's wrapper", func(t *testing.T) {
		rec := adaptertest.Record(t)
		res := &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "stop"}}}
		_, err := newHandler().WrapModel(&embedder{scripted: scripted{res: res}}).GenerateContent(context.Background(), nil)
		require.NoError(t, err)
		checkCall(t, rec, wrapCase{attrs: with(llmAttrs("mistral-large-latest", vocabulary.ProviderMistralAI),
			vocabulary.GenAIResponseFinishReasons, []string{"stop"})}, nil, "chat mistral-large-latest")
	})
}
