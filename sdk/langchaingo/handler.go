// Package rastirlangchaingo traces langchaingo applications with Rastir
// spans: a callbacks.Handler that turns chain, LLM, tool and retriever
// callbacks into agent (or trace), llm, tool and retrieval spans.
package rastirlangchaingo

import (
	"context"
	"errors"
	"sync"

	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/schema"
	"go.opentelemetry.io/otel/attribute"
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
// without its end callback (a failed call).
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

// WithProvider sets the provider of the LLM spans (use the semconv values,
// vocabulary.Provider*).
func WithProvider(provider string) Option { return func(h *Handler) { h.provider = provider } }

// Handler is a callbacks.Handler that records Rastir spans. langchaingo
// calls a handler with the context of the call but takes no context back, so
// the Handler keeps the open spans on a stack per call tree, keyed by the
// span the callbacks' context carries (the application's agent or request
// span, or none): a span started in a callback is the child of the
// innermost open span of its tree. Concurrent call trees must each run
// under their own span to be told apart. A Handler is safe for concurrent
// use.
type Handler struct {
	agent, model, provider string

	mu     sync.Mutex
	stacks map[treeID]*stack
}

var _ callbacks.Handler = (*Handler)(nil)

// New returns a Handler; pass it as the callbacks handler of LLMs, chains,
// agents, tools and retrievers.
func New(opts ...Option) *Handler {
	h := &Handler{stacks: make(map[treeID]*stack)}
	for _, o := range opts {
		o(h)
	}
	return h
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
	// langchaingo calls nothing inside an LLM call or a retrieval: one
	// still open on top returned without its end callback (langchaingo's
	// OpenAI LLM and its retriever report no errors), and is no parent.
	if n := len(st.entries); n > 0 && (st.entries[n-1].kind == kindLLM || st.entries[n-1].kind == kindRetriever) {
		st.entries[n-1].release()
		finish(st.entries[n-1].span, errNoEnd)
		st.entries[n-1] = entry{}
		st.entries = st.entries[:n-1]
	}
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
		// The last failed call of a tree has no later start to end it.
		e.stop = context.AfterFunc(ctx, func() { h.expire(key, span) })
	}
	st.entries = append(st.entries, e)
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
			st.entries[j].release()
			finish(st.entries[j].span, errContextDone)
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
		for _, e := range st.entries[i+1:] {
			e.release()
			if cause != nil {
				finish(e.span, cause)
			} else {
				finish(e.span, errAbandoned)
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
// model and provider.
func (h *Handler) HandleLLMGenerateContentStart(ctx context.Context, _ []llms.MessageContent) {
	h.start(ctx, kindLLM, func(parent context.Context, _ *stack, _ bool) (context.Context, *rastir.Span) {
		var opts []rastir.Option
		if h.provider != "" {
			opts = append(opts, rastir.WithProvider(h.provider))
		}
		return rastir.StartLLM(parent, h.model, opts...)
	})
}

// HandleLLMGenerateContentEnd records the token usage and finish reasons of
// the response and ends the innermost LLM span.
func (h *Handler) HandleLLMGenerateContentEnd(ctx context.Context, res *llms.ContentResponse) {
	s := h.end(ctx, kindLLM, nil)
	if s == nil {
		return
	}
	recordResponse(s, res, h.provider)
	s.End()
}

// HandleLLMError fails and ends the innermost LLM span.
func (h *Handler) HandleLLMError(ctx context.Context, err error) {
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
// innermost LLM span.
func (h *Handler) HandleStreamingFunc(ctx context.Context, chunk []byte) {
	if len(chunk) == 0 {
		return
	}
	h.mu.Lock()
	var s *rastir.Span
	if st := h.stacks[treeKey(ctx)]; st != nil {
		for i := len(st.entries) - 1; i >= 0; i-- {
			if st.entries[i].kind == kindLLM {
				s = st.entries[i].span
				break
			}
		}
	}
	h.mu.Unlock()
	if s != nil {
		s.SetStreaming(true)
		s.MarkFirstChunk()
	}
}

// finish fails and ends s with err; the category of a langchaingo
// *llms.Error comes from its code.
func finish(s *rastir.Span, err error) {
	if s == nil {
		return
	}
	s.Fail(err)
	if c := codeCategory(err); c != "" {
		s.SetAttributes(attribute.String(vocabulary.RastirErrorCategoryKey, c))
	}
	s.End()
}

// codeCategory maps the code of a langchaingo *llms.Error to an error
// category, or "".
func codeCategory(err error) string {
	var e *llms.Error
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code {
	case llms.ErrCodeRateLimit, llms.ErrCodeQuotaExceeded:
		return vocabulary.ErrorRateLimit
	case llms.ErrCodeTimeout:
		return vocabulary.ErrorTimeout
	case llms.ErrCodeInvalidRequest, llms.ErrCodeTokenLimit, llms.ErrCodeContentFilter:
		return vocabulary.ErrorValidation
	case llms.ErrCodeProviderUnavailable, llms.ErrCodeAuthentication, llms.ErrCodeResourceNotFound:
		return vocabulary.ErrorProvider
	}
	return ""
}
