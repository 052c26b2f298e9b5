// Package rastirlangchaingo traces langchaingo applications with Rastir
// spans: a callbacks.Handler that turns chain, LLM, tool and retriever
// callbacks into agent (or trace), llm, tool and retrieval spans.
package rastirlangchaingo

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/schema"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// ChainSpanName names the spans of nested chains (and of every chain when
// no agent name is configured).
const ChainSpanName = "langchaingo.chain"

// ToolSpanName names a tool span when no agent action named the tool.
const ToolSpanName = "langchaingo.tool"

// RetrieverSpanName names the retrieval spans (their data source).
const RetrieverSpanName = "langchaingo.retriever"

// maxDepth bounds a stack of open spans: starts without ends (a retriever
// that failed, which langchaingo does not report) never grow it further.
const maxDepth = 256

// errAbandoned ends the spans left open above a span that ends.
var errAbandoned = errors.New("langchaingo: no end callback before the enclosing span ended")

// errNoEnd ends an LLM or retrieval span still open when the next span of
// its tree starts: nothing runs inside those calls, so the call returned
// without its end callback (a failed call, unless the provider's LLM
// reports no success: silentSuccess).
var errNoEnd = errors.New("langchaingo: no end callback before the next call started")

// errContextDone ends an LLM or retrieval span still open when the context
// of its call is done: the call returned without its end callback.
var errContextDone = errors.New("langchaingo: no end callback before the call's context ended")

type kind uint8

const (
	kindChain kind = iota
	kindLLM
	kindTool
	kindRetriever
)

type entry struct {
	kind kind
	ctx  context.Context
	span *rastir.Span
	// stop removes the end at the call's context's end (LLM and
	// retrieval spans).
	stop func() bool
	// endedAt is when an end callback without a response came for this
	// LLM span (langchaingo's Mistral LLM sends one right after the
	// request, then the error or the end with the response): the span
	// stays open for those, and ends OK at that time if none comes. In
	// Unix nanoseconds (0: none came), to keep entries small.
	endedAt int64
}

// release ends the entry's watch on its call's context.
func (e *entry) release() {
	if e.stop != nil {
		e.stop()
	}
}

// stack holds the open spans of one langchaingo call tree, innermost last,
// and the tool the latest agent action chose.
type stack struct {
	entries []entry
	tool    string
}

// Option configures a Handler.
type Option func(*Handler)

// WithAgentName makes the outermost chain of each call tree an agent span
// for the named agent (without it, chains are plain trace spans).
func WithAgentName(name string) Option { return func(h *Handler) { h.agent = name } }

// WithModel sets the requested model of the LLM spans (langchaingo's
// callbacks do not carry it).
func WithModel(model string) Option { return func(h *Handler) { h.model = model } }

// WithEmbeddingModel sets the requested model of the embeddings spans of
// a model wrapped by WrapModel (langchaingo's embedders do not tell it; it
// is usually not the chat model of WithModel). Without it those spans
// have no request model.
func WithEmbeddingModel(model string) Option { return func(h *Handler) { h.embeddingModel = model } }

// WithProvider sets the provider of the LLM spans (use the semconv values,
// vocabulary.Provider*). It also tells the handler how the provider's
// langchaingo LLM reports its calls: an LLM span of
// vocabulary.ProviderAnthropic or ProviderIBMWatsonxAI whose end callback
// never came ends as successful (those LLMs report failures only), other
// LLM spans as failed.
func WithProvider(provider string) Option { return func(h *Handler) { h.provider = provider } }

// Handler is a callbacks.Handler that records Rastir spans. langchaingo
// calls a handler with the context of the call but takes no context back, so
// the Handler keeps the open spans on a stack per call tree, keyed by the
// span the callbacks' context carries (the application's agent or request
// span, or none): a span started in a callback is the child of the
// innermost open span of its tree. Concurrent call trees must each run
// under their own span to be told apart; a model wrapped by WrapModel keeps
// each call's span apart even within one tree. A Handler is safe for
// concurrent use.
type Handler struct {
	agent, model, embeddingModel, provider string
	// llmOpts are the start options of the LLM spans, embedOpts those of
	// the embeddings spans.
	llmOpts, embedOpts []rastir.Option
	// silentSuccess: the provider's LLM reports a failed request
	// (HandleLLMError) but not a successful call (no end callback).
	silentSuccess bool

	mu     sync.Mutex
	stacks map[treeID]*stack
}

var _ callbacks.Handler = (*Handler)(nil)

// New returns a Handler; pass it as the callbacks handler of chains,
// agents, tools and retrievers, and wrap the LLMs with WrapModel.
func New(opts ...Option) *Handler {
	h := &Handler{stacks: make(map[treeID]*stack)}
	for _, o := range opts {
		if o != nil {
			o(h)
		}
	}
	if h.provider != "" {
		h.llmOpts = []rastir.Option{rastir.WithProvider(h.provider)}
	}
	h.embedOpts = make([]rastir.Option, 0, len(h.llmOpts)+1)
	h.embedOpts = append(h.embedOpts, h.llmOpts...)
	h.embedOpts = append(h.embedOpts, rastir.WithOperation(vocabulary.OperationEmbeddings))
	h.silentSuccess = silentSuccess(h.provider)
	return h
}

// silentSuccess reports whether langchaingo's LLM for provider sends
// HandleLLMError when its request fails but no end callback when the call
// succeeds (llms/anthropic, llms/watsonx): its LLM span still open when
// the next call starts, its context ends or its chain ends was a call that
// returned successfully.
func silentSuccess(provider string) bool {
	return provider == vocabulary.ProviderAnthropic || provider == vocabulary.ProviderIBMWatsonxAI
}

// treeID identifies a call tree: the span of the callbacks' context.
type treeID struct {
	trace trace.TraceID
	span  trace.SpanID
}

func treeKey(ctx context.Context) treeID {
	if ctx == nil {
		return treeID{}
	}
	sc := trace.SpanContextFromContext(ctx)
	return treeID{trace: sc.TraceID(), span: sc.SpanID()}
}

// start opens a span under the innermost open span of ctx's tree.
func (h *Handler) start(ctx context.Context, k kind, open func(parent context.Context, st *stack, outermost bool) (context.Context, *rastir.Span)) {
	if ctx == nil {
		ctx = context.Background()
	}
	key := treeKey(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.stacks[key]
	if st == nil {
		st = &stack{}
		h.stacks[key] = st
	}
	h.dropCallLocked(st)
	if len(st.entries) >= maxDepth {
		return
	}
	parent := ctx
	if n := len(st.entries); n > 0 {
		parent = st.entries[n-1].ctx
	}
	sctx, span := open(parent, st, len(st.entries) == 0)
	e := entry{kind: k, ctx: sctx, span: span}
	if (k == kindLLM || k == kindRetriever) && ctx.Done() != nil {
		// The last call of a tree whose end never came has no later
		// start to end it.
		e.stop = context.AfterFunc(ctx, func() { h.expire(key, span) })
	}
	st.entries = append(st.entries, e)
}

// dropCallLocked ends an LLM or retrieval span still open on top of st: a
// new call of the tree starts, and langchaingo calls nothing inside those
// calls, so that call returned without its end callback (langchaingo's
// OpenAI LLM reports no errors, its Anthropic LLM no success, its
// retriever no errors), and is no parent.
func (h *Handler) dropCallLocked(st *stack) {
	if n := len(st.entries); n > 0 && (st.entries[n-1].kind == kindLLM || st.entries[n-1].kind == kindRetriever) {
		h.endUnreported(&st.entries[n-1], errNoEnd)
		st.entries[n-1] = entry{}
		st.entries = st.entries[:n-1]
	}
}

// parent returns the context of the innermost open span of ctx's tree (ctx
// when none is open), after ending an LLM or retrieval span left open on
// top of it, for a span the handler does not keep on the tree's stack.
func (h *Handler) parent(ctx context.Context) context.Context {
	key := treeKey(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.stacks[key]
	if st == nil {
		return ctx
	}
	h.dropCallLocked(st)
	n := len(st.entries)
	if n == 0 {
		delete(h.stacks, key)
		return ctx
	}
	return st.entries[n-1].ctx
}

// endUnreported ends the span of e, whose end callback never came: failed
// with cause, except an LLM span of a provider whose LLM reports its
// failures only (silentSuccess), which ends as successful, without usage,
// and an LLM span that had an end callback without a response, which ends
// as successful at that callback's time.
func (h *Handler) endUnreported(e *entry, cause error) {
	e.release()
	if e.kind == kindLLM && e.endedAt != 0 {
		e.span.End(trace.WithTimestamp(time.Unix(0, e.endedAt)))
		return
	}
	if e.kind == kindLLM && h.silentSuccess {
		e.span.End()
		return
	}
	finish(e.span, cause)
}

// expire ends span, and the spans still open above it, when the context
// of its call is done before its end callback came.
func (h *Handler) expire(key treeID, span *rastir.Span) {
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.stacks[key]
	if st == nil {
		return
	}
	for i := len(st.entries) - 1; i >= 0; i-- {
		if st.entries[i].span != span {
			continue
		}
		for j := len(st.entries) - 1; j >= i; j-- {
			h.endUnreported(&st.entries[j], errContextDone)
		}
		clear(st.entries[i:])
		st.entries = st.entries[:i]
		if len(st.entries) == 0 {
			delete(h.stacks, key)
		}
		return
	}
}

// end closes the innermost open span of kind k in ctx's tree and returns
// it (nil when there is none), first ending the spans still open above it:
// with cause when the span fails with it (langchaingo's OpenAI LLM reports
// no errors, so its failed call is ended by the chain's error), else as
// abandoned.
func (h *Handler) end(ctx context.Context, k kind, cause error) *rastir.Span {
	key := treeKey(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.stacks[key]
	if st == nil {
		return nil
	}
	for i := len(st.entries) - 1; i >= 0; i-- {
		if st.entries[i].kind != k {
			continue
		}
		for j := i + 1; j < len(st.entries); j++ {
			if cause != nil {
				h.endUnreported(&st.entries[j], cause)
			} else {
				h.endUnreported(&st.entries[j], errAbandoned)
			}
		}
		s := st.entries[i].span
		st.entries[i].release()
		clear(st.entries[i:])
		st.entries = st.entries[:i]
		if len(st.entries) == 0 {
			delete(h.stacks, key)
		}
		return s
	}
	return nil
}

// HandleChainStart starts a chain span: the agent span when it is the
// outermost chain and an agent name is configured, else a trace span.
func (h *Handler) HandleChainStart(ctx context.Context, _ map[string]any) {
	h.start(ctx, kindChain, func(parent context.Context, _ *stack, outermost bool) (context.Context, *rastir.Span) {
		if outermost && h.agent != "" {
			return rastir.StartAgent(parent, h.agent)
		}
		return rastir.StartTrace(parent, ChainSpanName)
	})
}

// HandleChainEnd ends the innermost chain span.
func (h *Handler) HandleChainEnd(ctx context.Context, _ map[string]any) {
	h.end(ctx, kindChain, nil).End()
}

// HandleChainError fails and ends the innermost chain span.
func (h *Handler) HandleChainError(ctx context.Context, err error) {
	finish(h.end(ctx, kindChain, err), err)
}

// HandleLLMGenerateContentStart starts an LLM span for the configured
// model and provider. In a call made through WrapModel, whose span the
// wrapper opened, it does nothing.
func (h *Handler) HandleLLMGenerateContentStart(ctx context.Context, _ []llms.MessageContent) {
	if h.callFrom(ctx) != nil {
		return
	}
	h.start(ctx, kindLLM, func(parent context.Context, _ *stack, _ bool) (context.Context, *rastir.Span) {
		return rastir.StartLLM(parent, h.model, h.llmOpts...)
	})
}

// HandleLLMGenerateContentEnd records the token usage and finish reasons of
// the response and ends the innermost LLM span. An end without a response
// (langchaingo's Mistral LLM sends one right after its request, then the
// error callback or the end with the response) leaves the span open for
// those; without them, the span ends OK at that end's time when the next
// call starts or its tree ends. In a call made through WrapModel it does
// nothing: the wrapper records the response the call returns.
func (h *Handler) HandleLLMGenerateContentEnd(ctx context.Context, res *llms.ContentResponse) {
	if h.callFrom(ctx) != nil {
		return
	}
	if res == nil {
		h.markEnded(ctx)
		return
	}
	s := h.end(ctx, kindLLM, nil)
	if s == nil {
		return
	}
	recordResponse(s, res, h.provider)
	s.End()
}

// markEnded notes the time of an end callback without a response on the
// innermost LLM span of ctx's tree.
func (h *Handler) markEnded(ctx context.Context) {
	now := time.Now().UnixNano()
	h.mu.Lock()
	defer h.mu.Unlock()
	st := h.stacks[treeKey(ctx)]
	if st == nil {
		return
	}
	for i := len(st.entries) - 1; i >= 0; i-- {
		if st.entries[i].kind == kindLLM {
			if st.entries[i].endedAt == 0 {
				st.entries[i].endedAt = now
			}
			return
		}
	}
}

// HandleLLMError fails and ends the innermost LLM span. In a call made
// through WrapModel it does nothing: the wrapper records the error the call
// returns.
func (h *Handler) HandleLLMError(ctx context.Context, err error) {
	if h.callFrom(ctx) != nil {
		return
	}
	finish(h.end(ctx, kindLLM, err), err)
}

// HandleAgentAction remembers the tool the agent chose: it names the next
// tool span.
func (h *Handler) HandleAgentAction(ctx context.Context, action schema.AgentAction) {
	h.mu.Lock()
	if st := h.stacks[treeKey(ctx)]; st != nil {
		st.tool = action.Tool
	}
	h.mu.Unlock()
}

// HandleAgentFinish does nothing: the agent span ends with its chain.
func (h *Handler) HandleAgentFinish(context.Context, schema.AgentFinish) {}

// HandleToolStart starts a tool span named after the tool of the latest
// agent action.
func (h *Handler) HandleToolStart(ctx context.Context, _ string) {
	h.start(ctx, kindTool, func(parent context.Context, st *stack, _ bool) (context.Context, *rastir.Span) {
		name := st.tool
		st.tool = ""
		if name == "" {
			name = ToolSpanName
		}
		return rastir.StartTool(parent, name)
	})
}

// HandleToolEnd ends the innermost tool span.
func (h *Handler) HandleToolEnd(ctx context.Context, _ string) {
	h.end(ctx, kindTool, nil).End()
}

// HandleToolError fails and ends the innermost tool span.
func (h *Handler) HandleToolError(ctx context.Context, err error) {
	finish(h.end(ctx, kindTool, err), err)
}

// HandleRetrieverStart starts a retrieval span.
func (h *Handler) HandleRetrieverStart(ctx context.Context, _ string) {
	h.start(ctx, kindRetriever, func(parent context.Context, _ *stack, _ bool) (context.Context, *rastir.Span) {
		return rastir.StartRetrieval(parent, RetrieverSpanName)
	})
}

// HandleRetrieverEnd ends the innermost retrieval span.
func (h *Handler) HandleRetrieverEnd(ctx context.Context, _ string, _ []schema.Document) {
	h.end(ctx, kindRetriever, nil).End()
}

// HandleText does nothing.
func (h *Handler) HandleText(context.Context, string) {}

// HandleLLMStart does nothing: langchaingo's LLMs report calls through
// HandleLLMGenerateContentStart.
func (h *Handler) HandleLLMStart(context.Context, []string) {}

// HandleStreamingFunc records the time to the first streamed chunk on the
// span of the call made through WrapModel, else on the innermost LLM span.
func (h *Handler) HandleStreamingFunc(ctx context.Context, chunk []byte) {
	if len(chunk) == 0 {
		return
	}
	var s *rastir.Span
	if c := h.callFrom(ctx); c != nil {
		s = c.span
	} else {
		h.mu.Lock()
		if st := h.stacks[treeKey(ctx)]; st != nil {
			for i := len(st.entries) - 1; i >= 0; i-- {
				if st.entries[i].kind == kindLLM {
					s = st.entries[i].span
					break
				}
			}
		}
		h.mu.Unlock()
	}
	if s != nil {
		s.SetStreaming(true)
		s.MarkFirstChunk()
	}
}
