package rastirlangchaingo

import (
	"context"

	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// WrapModel returns m traced by h: each GenerateContent (and Call) is one
// LLM span, whichever callbacks m's implementation sends. The span starts
// before m is called, as the child of the innermost open span of the
// call's tree (as HandleLLMGenerateContentStart would start it), and ends
// when m returns: with the response's token usage, finish reasons and
// response model and id on success, failed with the error m returned
// otherwise. langchaingo's LLMs differ in the callbacks they send (its
// Anthropic LLM sends no end callback, its OpenAI and Google AI LLMs no
// error callback); through WrapModel none is needed.
//
// m's callbacks handler may be h, or not set: the LLM callbacks h gets
// for a wrapped call (start, end, error) record nothing more, and its
// streamed chunks (HandleStreamingFunc) mark the call's span. Each call
// carries its own span in the context it passes to m (as the current
// span, so that the spans of an instrumented HTTP client nest under it),
// so concurrent calls on one context do not end each other's spans. A wrapped model wrapped
// again by h, or called through another model within a wrapped call,
// makes no second span.
//
// The request model is the call's llms.WithModel option, else the
// handler's WithModel; the request's parameters (max tokens, temperature,
// top_p, top_k, penalties, seed, choice count, stop words, JSON mode) are
// the call options that set them (not zero). WrapModel(nil) returns nil.
//
// When m is also an embeddings.EmbedderClient (langchaingo's OpenAI,
// Mistral, Ollama, Google AI, ... LLMs), so is the model WrapModel returns,
// and each CreateEmbedding is one LLM span of operation embeddings, for
// the handler's WithEmbeddingModel and WithProvider, failed with the error
// the call returned. A model without CreateEmbedding gives a wrapper
// without it.
func (h *Handler) WrapModel(m llms.Model) llms.Model {
	if h == nil || m == nil {
		return m
	}
	switch w := m.(type) {
	case *wrappedModel:
		if w.h == h {
			return w
		}
	case *wrappedEmbedder:
		if w.h == h {
			return w
		}
	}
	if e, ok := m.(embeddings.EmbedderClient); ok {
		return &wrappedEmbedder{wrappedModel: wrappedModel{h: h, inner: m}, embedder: e}
	}
	return &wrappedModel{h: h, inner: m}
}

// wrappedModel is an llms.Model traced by a Handler.
type wrappedModel struct {
	h     *Handler
	inner llms.Model
}

var _ llms.ReasoningModel = (*wrappedModel)(nil)

// wrappedEmbedder is an llms.Model that also creates embeddings, traced by
// a Handler.
type wrappedEmbedder struct {
	wrappedModel
	embedder embeddings.EmbedderClient
}

var (
	_ llms.ReasoningModel       = (*wrappedEmbedder)(nil)
	_ embeddings.EmbedderClient = (*wrappedEmbedder)(nil)
)

// GenerateContent calls the wrapped model in an LLM span.
func (m *wrappedModel) GenerateContent(ctx context.Context, messages []llms.MessageContent, options ...llms.CallOption) (res *llms.ContentResponse, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if c := m.h.callFrom(ctx); c != nil && rastir.SpanFromContext(ctx) == c.span {
		// Called within a wrapped call of h: that call's span is this
		// call's.
		return m.inner.GenerateContent(ctx, messages, options...)
	}
	model := m.h.model
	var o *llms.CallOptions
	if len(options) > 0 {
		o = callOptions(options)
		if o.Model != "" {
			model = o.Model
		}
	}
	c := m.h.begin(ctx, model, m.h.llmOpts)
	if o != nil {
		recordParams(c.span, o)
	}
	defer func() {
		if r := recover(); r != nil {
			finish(c.span, rastir.PanicError{Value: r})
			panic(r)
		}
		if res != nil {
			recordResponse(c.span, res, m.h.provider)
		}
		if err != nil {
			finish(c.span, err)
			return
		}
		c.span.End()
	}()
	return m.inner.GenerateContent(c, messages, options...)
}

// CreateEmbedding calls the wrapped model's CreateEmbedding in an LLM span
// of operation embeddings.
func (m *wrappedEmbedder) CreateEmbedding(ctx context.Context, texts []string) (vecs [][]float32, err error) {
	if ctx == nil {
		ctx = context.Background()
	}
	if c := m.h.callFrom(ctx); c != nil && rastir.SpanFromContext(ctx) == c.span {
		// Called within a wrapped call of h: that call's span is this
		// call's.
		return m.embedder.CreateEmbedding(ctx, texts)
	}
	c := m.h.begin(ctx, m.h.embeddingModel, m.h.embedOpts)
	defer func() {
		if r := recover(); r != nil {
			finish(c.span, rastir.PanicError{Value: r})
			panic(r)
		}
		if err != nil {
			finish(c.span, err)
			return
		}
		c.span.End()
	}()
	return m.embedder.CreateEmbedding(c, texts)
}

// Call generates from a single prompt through GenerateContent, so that it
// is traced as well.
func (m *wrappedModel) Call(ctx context.Context, prompt string, options ...llms.CallOption) (string, error) {
	return llms.GenerateFromSinglePrompt(ctx, m, prompt, options...)
}

// SupportsReasoning reports whether the wrapped model is an
// llms.ReasoningModel that supports reasoning.
func (m *wrappedModel) SupportsReasoning() bool {
	r, ok := m.inner.(llms.ReasoningModel)
	return ok && r.SupportsReasoning()
}

// callOptions applies the call's options, as the LLM will.
func callOptions(options []llms.CallOption) *llms.CallOptions {
	o := new(llms.CallOptions)
	for _, opt := range options {
		if opt != nil {
			opt(o)
		}
	}
	return o
}

// recordParams records the request's parameters the call's options set.
// A zero option is unset: llms.CallOptions cannot tell WithTemperature(0)
// from no temperature, and langchaingo's LLMs leave most zero options out
// of their requests. The choice count is N (WithN), else CandidateCount
// (WithCandidateCount).
func recordParams(span *rastir.Span, o *llms.CallOptions) {
	if o.MaxTokens > 0 {
		span.SetMaxTokens(int64(o.MaxTokens))
	}
	if o.Temperature != 0 {
		span.SetTemperature(o.Temperature)
	}
	if o.TopP != 0 {
		span.SetTopP(o.TopP)
	}
	if o.TopK > 0 {
		span.SetTopK(float64(o.TopK))
	}
	if o.FrequencyPenalty != 0 {
		span.SetFrequencyPenalty(o.FrequencyPenalty)
	}
	if o.PresencePenalty != 0 {
		span.SetPresencePenalty(o.PresencePenalty)
	}
	if o.Seed != 0 {
		span.SetSeed(int64(o.Seed))
	}
	if o.N > 0 {
		span.SetChoiceCount(int64(o.N))
	} else {
		span.SetChoiceCount(int64(o.CandidateCount))
	}
	span.SetStopSequences(o.StopWords...)
	span.SetOutputType(outputType(o))
}

// outputType is json for JSON mode, else the output type of the response
// MIME type (Google AI's).
func outputType(o *llms.CallOptions) string {
	if o.JSONMode {
		return vocabulary.OutputTypeJSON
	}
	return vocabulary.OutputTypeOfMIME(o.ResponseMIMEType)
}

// callKey is the context key of a wrapped call.
type callKey struct{}

// call is the context a wrapped model gets: the caller's context, with the
// call's span as its current span, that leads the handler's callbacks to
// the call's span.
type call struct {
	context.Context
	h    *Handler
	span *rastir.Span
	// outer is the wrapped call the caller's context was in, if any.
	outer *call
}

// Value returns the call for callKey, else the context's value.
func (c *call) Value(key any) any {
	if key == (callKey{}) {
		return c
	}
	return c.Context.Value(key)
}

// begin starts the span of a wrapped call for model, with the start
// options opts, under the innermost open span of ctx's tree, and returns
// the call's context.
func (h *Handler) begin(ctx context.Context, model string, opts []rastir.Option) *call {
	_, span := rastir.StartLLM(h.parent(ctx), model, opts...)
	outer, _ := ctx.Value(callKey{}).(*call)
	return &call{Context: trace.ContextWithSpan(ctx, span), h: h, span: span, outer: outer}
}

// callFrom returns the wrapped call of h that ctx is in, or nil.
func (h *Handler) callFrom(ctx context.Context) *call {
	if ctx == nil {
		return nil
	}
	c, _ := ctx.Value(callKey{}).(*call)
	for ; c != nil; c = c.outer {
		if c.h == h {
			return c
		}
	}
	return nil
}
