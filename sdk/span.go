package rastir

import (
	"context"
	"math"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// ScopeName is the instrumentation scope of the SDK's spans. It is not
// "rastir" (the scope of spans received in Rastir's wire format), so the
// collector reads these spans in the canonical vocabulary.
const ScopeName = "github.com/otelcol-rastir/otelcol-rastir/sdk"

// Version is the version of the SDK, recorded as the scope version.
const Version = "0.1.0"

var (
	globalTracer atomic.Pointer[providerTracer]
	ownTracer    atomic.Pointer[trace.Tracer]
)

// providerTracer is the SDK's tracer of a global TracerProvider. A tracer
// taken from otel.Tracer once would stay with the first provider installed
// globally; the helpers follow the provider installed last.
type providerTracer struct {
	tp         trace.TracerProvider
	t          trace.Tracer
	comparable bool
}

// UseTracerProvider makes the span helpers use tp instead of the global
// TracerProvider (nil, or a nil pointer, goes back to the global one).
// Setup calls it.
func UseTracerProvider(tp trace.TracerProvider) {
	if tp == nil || nilPointer(tp) {
		ownTracer.Store(nil)
		return
	}
	t := tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version))
	ownTracer.Store(&t)
}

func tracer() trace.Tracer {
	if t := ownTracer.Load(); t != nil {
		return *t
	}
	tp := otel.GetTracerProvider()
	if c := globalTracer.Load(); c != nil && c.comparable && c.tp == tp {
		return c.t
	}
	t := tp.Tracer(ScopeName, trace.WithInstrumentationVersion(Version))
	globalTracer.Store(&providerTracer{tp: tp, t: t, comparable: reflect.TypeOf(tp).Comparable()})
	return t
}

// Option configures a span at its start.
type Option func(*spanConfig)

type spanConfig struct {
	model, provider, agent string
	operation, name        string
	toolCallID, dataSource string
	conversationID         string
	remote                 int8 // 0 unset, 1 true, 2 false
	spanKind               trace.SpanKind
	attrs                  []attribute.KeyValue
	links                  []trace.Link
	wrapName               string
}

// WithModel sets the requested model (gen_ai.request.model) at the start.
// On tool, retrieval and evaluation spans it replaces the model inherited
// from the context.
func WithModel(model string) Option { return func(c *spanConfig) { c.model = model } }

// WithProvider sets the provider (gen_ai.provider.name; use the semconv
// values, vocabulary.Provider*) at the start.
func WithProvider(provider string) Option { return func(c *spanConfig) { c.provider = provider } }

// WithAgent names the agent of the span instead of the context's agent.
func WithAgent(agent string) Option { return func(c *spanConfig) { c.agent = agent } }

// WithOperation replaces the kind's gen_ai.operation.name (e.g.
// vocabulary.OperationEmbeddings or OperationTextCompletion for an LLM
// span); the span name follows it.
func WithOperation(op string) Option { return func(c *spanConfig) { c.operation = op } }

// WithSpanName replaces the span name the SDK would derive.
func WithSpanName(name string) Option { return func(c *spanConfig) { c.name = name } }

// WithToolCallID sets gen_ai.tool.call.id.
func WithToolCallID(id string) Option { return func(c *spanConfig) { c.toolCallID = id } }

// WithDataSource sets gen_ai.data_source.id (retrieval spans).
func WithDataSource(id string) Option { return func(c *spanConfig) { c.dataSource = id } }

// WithConversationID sets gen_ai.conversation.id.
func WithConversationID(id string) Option { return func(c *spanConfig) { c.conversationID = id } }

// WithRemote marks a tool span as the client (true) or server (false) side
// of a remote tool call (MCP): rastir.remote.
func WithRemote(client bool) Option {
	return func(c *spanConfig) {
		if client {
			c.remote = 1
		} else {
			c.remote = 2
		}
	}
}

// WithSpanKind sets the OpenTelemetry span kind (the default is client for
// LLM, retrieval and infra spans, internal otherwise).
func WithSpanKind(k trace.SpanKind) Option { return func(c *spanConfig) { c.spanKind = k } }

// WithAttributes adds attributes at the start.
func WithAttributes(kv ...attribute.KeyValue) Option {
	return func(c *spanConfig) { c.attrs = append(c.attrs, kv...) }
}

// WithLinks adds links at the start.
func WithLinks(links ...trace.Link) Option {
	return func(c *spanConfig) { c.links = append(c.links, links...) }
}

// pendingCap is the number of attributes a span buffers before it writes
// them to the underlying span.
const pendingCap = 16

// spanScratch is the memory a span needs only between its start and its
// end: the start options, then the attributes its setters buffer. It goes
// back to a pool at End, so that what a span allocates of its own is small.
type spanScratch struct {
	cfg     spanConfig
	pending [pendingCap]attribute.KeyValue
}

var scratchPool = sync.Pool{New: func() any { return new(spanScratch) }}

// Span is a span started by the SDK. It is a trace.Span (the context holds
// it, so trace.SpanFromContext returns it) with setters for the GenAI
// fields. Setters buffer their attributes and write them at End (or when
// the buffer fills), so that a failed call keeps what was set before it.
// All methods are safe for concurrent use and on a nil *Span.
type Span struct {
	trace.Span

	kind     Kind
	scope    *agentScope
	start    time.Time
	wrapName string

	mu        sync.Mutex
	ended     bool
	failed    bool
	firstSeen bool
	status    int
	// scratch.pending[:n] holds the attributes set and not yet written;
	// scratch is nil once the span has ended.
	scratch *spanScratch
	n       int
}

// StartAgent starts an agent span ("invoke_agent <name>", gen_ai.agent.name)
// and a context in which the spans below it are attributed to the agent.
func StartAgent(ctx context.Context, name string, opts ...Option) (context.Context, *Span) {
	return Start(ctx, KindAgent, name, opts...)
}

// StartLLM starts an LLM span for a call to model ("chat <model>",
// gen_ai.request.model); set the provider with WithProvider or
// Span.SetProvider.
func StartLLM(ctx context.Context, model string, opts ...Option) (context.Context, *Span) {
	return Start(ctx, KindLLM, model, opts...)
}

// StartTool starts a tool span ("execute_tool <name>", gen_ai.tool.name).
func StartTool(ctx context.Context, name string, opts ...Option) (context.Context, *Span) {
	return Start(ctx, KindTool, name, opts...)
}

// StartRetrieval starts a retrieval span ("retrieval <name>").
func StartRetrieval(ctx context.Context, name string, opts ...Option) (context.Context, *Span) {
	return Start(ctx, KindRetrieval, name, opts...)
}

// StartEvaluation starts an evaluation span named name.
func StartEvaluation(ctx context.Context, name string, opts ...Option) (context.Context, *Span) {
	return Start(ctx, KindEvaluation, name, opts...)
}

// StartInfra starts an infra span named name (by convention
// "<client>.<method>").
func StartInfra(ctx context.Context, name string, opts ...Option) (context.Context, *Span) {
	return Start(ctx, KindInfra, name, opts...)
}

// StartTrace starts a plain span named name.
func StartTrace(ctx context.Context, name string, opts ...Option) (context.Context, *Span) {
	return Start(ctx, KindTrace, name, opts...)
}

// Start starts a span of the given kind. name is the agent name for
// KindAgent, the requested model for KindLLM, the tool name for KindTool,
// the data source for KindRetrieval, and the span name otherwise. The
// returned context carries the span (and, for an agent span, the agent).
func Start(ctx context.Context, kind Kind, name string, opts ...Option) (context.Context, *Span) {
	if ctx == nil {
		ctx = context.Background()
	}
	parentScope := scopeFrom(ctx)
	scratch := scratchPool.Get().(*spanScratch)
	s := &Span{kind: kind, scope: parentScope, start: time.Now(), scratch: scratch}
	// The options are applied to pooled memory: a config on the stack would
	// escape through them.
	cfg := &scratch.cfg
	for _, o := range opts {
		o(cfg)
	}
	s.wrapName = cfg.wrapName

	op := cfg.operation
	if op == "" {
		op = kind.Operation()
	}
	spanName := cfg.name
	// The start attributes are built in the setters' buffer: the trace
	// API's WithAttributes copies them into the start config, so the buffer
	// is free again once the span has started.
	attrs := scratch.pending[:0]
	attrs = append(attrs, attribute.String(vocabulary.RastirSpanTypeKey, kind.SpanType()))
	if op != "" {
		attrs = append(attrs, attribute.String(vocabulary.GenAIOperationName, op))
	}
	agent := cfg.agent
	if agent == "" && kind != KindAgent && kind != KindTrace {
		if parentScope != nil {
			agent = parentScope.agent
		}
	}
	model, provider := cfg.model, cfg.provider
	switch kind {
	case KindAgent:
		if agent == "" {
			agent = name
		}
		if spanName == "" {
			spanName = joinName(op, name)
		}
	case KindLLM:
		if model == "" {
			model = name
		}
		if spanName == "" {
			spanName = joinName(op, model)
		}
	case KindTool:
		attrs = append(attrs, attribute.String(vocabulary.GenAIToolName, name))
		if spanName == "" {
			spanName = joinName(op, name)
		}
	case KindRetrieval:
		if cfg.dataSource == "" {
			cfg.dataSource = name
		}
		if spanName == "" {
			spanName = joinName(op, name)
		}
	default:
		if spanName == "" {
			spanName = name
		}
	}
	if kind == KindTool || kind == KindRetrieval || kind == KindEvaluation {
		m, p := parentScope.modelProvider()
		if model == "" {
			model = m
		}
		if provider == "" {
			provider = p
		}
	}
	if agent != "" {
		attrs = append(attrs, attribute.String(vocabulary.GenAIAgentName, agent))
	}
	if model != "" {
		attrs = append(attrs, attribute.String(vocabulary.GenAIRequestModel, model))
	}
	if provider != "" {
		attrs = append(attrs, attribute.String(vocabulary.GenAIProviderName, provider))
	}
	if cfg.toolCallID != "" {
		attrs = append(attrs, attribute.String(vocabulary.GenAIToolCallID, cfg.toolCallID))
	}
	if cfg.dataSource != "" {
		attrs = append(attrs, attribute.String(vocabulary.GenAIDataSourceID, cfg.dataSource))
	}
	if cfg.conversationID != "" {
		attrs = append(attrs, attribute.String(vocabulary.GenAIConversationID, cfg.conversationID))
	}
	if cfg.remote != 0 {
		attrs = append(attrs, attribute.Bool(vocabulary.RastirRemote, cfg.remote == 1))
	}
	attrs = append(attrs, cfg.attrs...)

	sk := cfg.spanKind
	if sk == trace.SpanKindUnspecified {
		switch kind {
		case KindLLM, KindRetrieval, KindInfra:
			sk = trace.SpanKindClient
		default:
			sk = trace.SpanKindInternal
		}
	}
	startOpts := [3]trace.SpanStartOption{
		trace.WithAttributes(attrs...),
		trace.WithSpanKind(sk),
	}
	nopts := 2
	if len(cfg.links) > 0 {
		startOpts[2] = trace.WithLinks(cfg.links...)
		nopts = 3
	}
	_, s.Span = tracer().Start(ctx, spanName, startOpts[:nopts]...)
	clear(scratch.pending[:min(len(attrs), pendingCap)])

	switch kind {
	case KindAgent:
		s.scope = newScope(ctx, agent)
		ctx = context.WithValue(ctx, scopeKey{}, s.scope)
	case KindLLM:
		parentScope.setCall(model, provider)
	}
	// The options may hold the caller's slices; the span keeps none of them.
	scratch.cfg = spanConfig{}
	return trace.ContextWithSpan(ctx, s), s
}

func joinName(op, name string) string {
	switch {
	case op == "":
		return name
	case name == "":
		return op
	}
	return op + " " + name
}

// SpanFromContext returns the SDK span the context carries, or nil when the
// current span was not started by the SDK.
func SpanFromContext(ctx context.Context) *Span {
	s, _ := trace.SpanFromContext(ctx).(*Span)
	return s
}

// Kind returns the span's Rastir span type.
func (s *Span) Kind() Kind {
	if s == nil {
		return KindTrace
	}
	return s.kind
}

// StartTime returns when the span started.
func (s *Span) StartTime() time.Time {
	if s == nil {
		return time.Time{}
	}
	return s.start
}

// set buffers attributes; they are written at End, or now when the buffer
// is full.
func (s *Span) set(kvs ...attribute.KeyValue) {
	s.mu.Lock()
	s.setLocked(kvs...)
	s.mu.Unlock()
}

// setLive buffers one attribute and reports whether the span had not
// ended (a setter of an ended span changes nothing, not even the context's
// model).
func (s *Span) setLive(kv attribute.KeyValue) bool {
	s.mu.Lock()
	live := !s.ended
	s.setLocked(kv)
	s.mu.Unlock()
	return live
}

func (s *Span) setLocked(kvs ...attribute.KeyValue) {
	if s.ended {
		return
	}
	for _, kv := range kvs {
		if s.n == pendingCap {
			s.flushLocked()
		}
		s.scratch.pending[s.n] = kv
		s.n++
	}
}

// flushLocked writes the buffered attributes (the span copies them).
func (s *Span) flushLocked() {
	if s.n > 0 {
		pending := s.scratch.pending[:s.n]
		s.Span.SetAttributes(pending...)
		clear(pending)
	}
	s.n = 0
}

// The trace.Span methods, safe on a nil *Span as the setters are.

// SpanContext returns the span's context (empty on a nil *Span).
func (s *Span) SpanContext() trace.SpanContext {
	if s == nil {
		return trace.SpanContext{}
	}
	return s.Span.SpanContext()
}

// IsRecording reports whether the span records.
func (s *Span) IsRecording() bool {
	return s != nil && s.Span.IsRecording()
}

// SetStatus sets the span's status (Fail records an error with its
// category).
func (s *Span) SetStatus(code codes.Code, description string) {
	if s == nil {
		return
	}
	s.Span.SetStatus(code, description)
}

// RecordError adds an exception event for err (Fail also sets the status,
// error.type and the category).
func (s *Span) RecordError(err error, opts ...trace.EventOption) {
	if s == nil {
		return
	}
	s.Span.RecordError(err, opts...)
}

// AddEvent adds an event.
func (s *Span) AddEvent(name string, opts ...trace.EventOption) {
	if s == nil {
		return
	}
	s.Span.AddEvent(name, opts...)
}

// AddLink adds a link.
func (s *Span) AddLink(link trace.Link) {
	if s == nil {
		return
	}
	s.Span.AddLink(link)
}

// SetName renames the span.
func (s *Span) SetName(name string) {
	if s == nil {
		return
	}
	s.Span.SetName(name)
}

// TracerProvider returns the provider of the span's tracer (a no-op one on
// a nil *Span).
func (s *Span) TracerProvider() trace.TracerProvider {
	if s == nil {
		return noop.NewTracerProvider()
	}
	return s.Span.TracerProvider()
}

// SetAttributes buffers attributes like the setters, so that the latest
// value of a key wins whichever way it was set.
func (s *Span) SetAttributes(kv ...attribute.KeyValue) {
	if s == nil {
		return
	}
	s.set(kv...)
}

// SetRequestModel sets gen_ai.request.model (request side: it stays when
// the call fails). On an LLM span the model also becomes the context's
// model for the tool and retrieval spans started after it in the agent.
func (s *Span) SetRequestModel(model string) {
	if s == nil || model == "" {
		return
	}
	if s.setLive(attribute.String(vocabulary.GenAIRequestModel, model)) && s.kind == KindLLM {
		s.scope.setModel(model)
	}
}

// SetProvider sets gen_ai.provider.name (use the semconv values,
// vocabulary.Provider*).
func (s *Span) SetProvider(provider string) {
	if s == nil || provider == "" {
		return
	}
	if s.setLive(attribute.String(vocabulary.GenAIProviderName, provider)) && s.kind == KindLLM {
		s.scope.setProvider(provider)
	}
}

// SetResponseModel sets gen_ai.response.model, the model that answered
// (response side); the request model stays.
func (s *Span) SetResponseModel(model string) {
	if s == nil || model == "" {
		return
	}
	if s.setLive(attribute.String(vocabulary.GenAIResponseModel, model)) && s.kind == KindLLM {
		s.scope.setModel(model)
	}
}

// SetResponseID sets gen_ai.response.id.
func (s *Span) SetResponseID(id string) {
	if s == nil || id == "" {
		return
	}
	s.set(attribute.String(vocabulary.GenAIResponseID, id))
}

// SetUsage sets gen_ai.usage.input_tokens and output_tokens; a negative
// count is unknown and not written.
func (s *Span) SetUsage(input, output int64) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if input >= 0 {
		s.setLocked(attribute.Int64(vocabulary.GenAIUsageInputTokens, input))
	}
	if output >= 0 {
		s.setLocked(attribute.Int64(vocabulary.GenAIUsageOutputTokens, output))
	}
	s.mu.Unlock()
}

// SetCacheTokens sets the cache read and cache creation parts of the input
// tokens; a negative count is not written.
func (s *Span) SetCacheTokens(read, creation int64) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if read >= 0 {
		s.setLocked(attribute.Int64(vocabulary.GenAIUsageCacheReadTokens, read))
	}
	if creation >= 0 {
		s.setLocked(attribute.Int64(vocabulary.GenAIUsageCacheCreationTokens, creation))
	}
	s.mu.Unlock()
}

// SetReasoningTokens sets the reasoning part of the output tokens.
func (s *Span) SetReasoningTokens(n int64) {
	if s == nil || n < 0 {
		return
	}
	s.set(attribute.Int64(vocabulary.GenAIUsageReasoningTokens, n))
}

// The request's parameters (gen_ai.request.*), which the GenAI semantic
// conventions record when the request sets them; an adapter calls these
// for what the request it traces says.

// SetMaxTokens sets gen_ai.request.max_tokens, the request's limit on the
// output tokens; a negative one is not written.
func (s *Span) SetMaxTokens(n int64) {
	if s == nil || n < 0 {
		return
	}
	s.set(attribute.Int64(vocabulary.GenAIRequestMaxTokens, n))
}

// SetTemperature sets gen_ai.request.temperature.
func (s *Span) SetTemperature(t float64) { s.setFinite(vocabulary.GenAIRequestTemperature, t) }

// SetTopP sets gen_ai.request.top_p.
func (s *Span) SetTopP(p float64) { s.setFinite(vocabulary.GenAIRequestTopP, p) }

// SetTopK sets gen_ai.request.top_k.
func (s *Span) SetTopK(k float64) { s.setFinite(vocabulary.GenAIRequestTopK, k) }

// SetFrequencyPenalty sets gen_ai.request.frequency_penalty.
func (s *Span) SetFrequencyPenalty(p float64) {
	s.setFinite(vocabulary.GenAIRequestFrequencyPenalty, p)
}

// SetPresencePenalty sets gen_ai.request.presence_penalty.
func (s *Span) SetPresencePenalty(p float64) {
	s.setFinite(vocabulary.GenAIRequestPresencePenalty, p)
}

// setFinite buffers a double attribute; NaN and infinities are not written
// (no JSON exporter can carry them).
func (s *Span) setFinite(key string, v float64) {
	if s == nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	s.set(attribute.Float64(key, v))
}

// SetSeed sets gen_ai.request.seed.
func (s *Span) SetSeed(seed int64) {
	if s == nil {
		return
	}
	s.set(attribute.Int64(vocabulary.GenAIRequestSeed, seed))
}

// SetChoiceCount sets gen_ai.request.choice.count, the number of choices
// the request asks for; 1 (the default) and counts below it are not
// written, as the conventions say.
func (s *Span) SetChoiceCount(n int64) {
	if s == nil || n <= 1 {
		return
	}
	s.set(attribute.Int64(vocabulary.GenAIRequestChoiceCount, n))
}

// SetStopSequences sets gen_ai.request.stop_sequences.
func (s *Span) SetStopSequences(seqs ...string) {
	if s == nil || len(seqs) == 0 {
		return
	}
	s.set(attribute.StringSlice(vocabulary.GenAIRequestStopSequences, seqs))
}

// SetOutputType sets gen_ai.output.type, the output type the request asks
// for (vocabulary.OutputType*).
func (s *Span) SetOutputType(t string) {
	if s == nil || t == "" {
		return
	}
	s.set(attribute.String(vocabulary.GenAIOutputType, t))
}

// SetFinishReasons sets gen_ai.response.finish_reasons.
func (s *Span) SetFinishReasons(reasons ...string) {
	if s == nil || len(reasons) == 0 {
		return
	}
	s.set(attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, reasons))
}

// SetCost sets rastir.cost.usd, the cost of the call in US dollars (the
// collector then keeps it rather than computing one); a negative, NaN or
// infinite cost is not written.
func (s *Span) SetCost(usd float64) {
	if s == nil || !(usd >= 0) || math.IsInf(usd, 1) {
		return
	}
	s.set(attribute.Float64(vocabulary.RastirCostUSD, usd))
}

// SetPricingProfile sets rastir.pricing.profile, the price table the cost
// came from.
func (s *Span) SetPricingProfile(profile string) {
	if s == nil || profile == "" {
		return
	}
	s.set(attribute.String(vocabulary.RastirPricingProfile, profile))
}

// SetPricingMissing sets rastir.pricing.missing: no price was known, so no
// cost is recorded.
func (s *Span) SetPricingMissing() {
	if s == nil {
		return
	}
	s.set(attribute.Bool(vocabulary.RastirPricingMissing, true))
}

// SetStreaming sets gen_ai.request.stream.
func (s *Span) SetStreaming(stream bool) {
	if s == nil {
		return
	}
	s.set(attribute.Bool(vocabulary.GenAIRequestStream, stream))
}

// SetTTFT sets gen_ai.response.time_to_first_chunk (in seconds).
func (s *Span) SetTTFT(d time.Duration) {
	if s == nil || d < 0 {
		return
	}
	s.set(attribute.Float64(vocabulary.GenAIResponseTimeToFirstChunk, d.Seconds()))
}

// MarkFirstChunk records the time to the first streamed chunk, now minus
// the span's start; only its first call counts.
func (s *Span) MarkFirstChunk() {
	if s == nil {
		return
	}
	d := time.Since(s.start)
	s.mu.Lock()
	if !s.firstSeen {
		s.firstSeen = true
		s.setLocked(attribute.Float64(vocabulary.GenAIResponseTimeToFirstChunk, d.Seconds()))
	}
	s.mu.Unlock()
}

// SetGuardrail sets the guardrail configured for the call
// (rastir.guardrail.id and, when not empty, rastir.guardrail.version).
func (s *Span) SetGuardrail(id, version string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if id != "" {
		s.setLocked(attribute.String(vocabulary.RastirGuardrailID, id))
	}
	if version != "" {
		s.setLocked(attribute.String(vocabulary.RastirGuardrailVersion, version))
	}
	s.mu.Unlock()
}

// SetGuardrailOutcome sets what the guardrail did: the action
// (vocabulary.GuardrailActionIntervened or GuardrailActionNone) and, when
// not empty, the category (vocabulary.GuardrailCategory*); other values
// become vocabulary.OverflowValue.
func (s *Span) SetGuardrailOutcome(action, category string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if action != "" {
		s.setLocked(attribute.String(vocabulary.RastirGuardrailAction, vocabulary.BoundGuardrailAction(action)))
	}
	if category != "" {
		s.setLocked(attribute.String(vocabulary.RastirGuardrailCategory, vocabulary.BoundGuardrailCategory(category)))
	}
	s.mu.Unlock()
}

// SetConversationID sets gen_ai.conversation.id.
func (s *Span) SetConversationID(id string) {
	if s == nil || id == "" {
		return
	}
	s.set(attribute.String(vocabulary.GenAIConversationID, id))
}

// SetToolCallID sets gen_ai.tool.call.id.
func (s *Span) SetToolCallID(id string) {
	if s == nil || id == "" {
		return
	}
	s.set(attribute.String(vocabulary.GenAIToolCallID, id))
}

// SetServer sets server.address and, when positive, server.port.
func (s *Span) SetServer(address string, port int) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if address != "" {
		s.setLocked(attribute.String(vocabulary.ServerAddress, address))
	}
	if port > 0 {
		s.setLocked(attribute.Int(vocabulary.ServerPort, port))
	}
	s.mu.Unlock()
}

// SetHTTPStatus sets http.response.status_code. A failure recorded on the
// span is then categorised by the status (429 rate_limit, 5xx
// provider_error, ...) before the error's type.
func (s *Span) SetHTTPStatus(code int) {
	if s == nil || code <= 0 {
		return
	}
	s.mu.Lock()
	s.status = code
	s.setLocked(attribute.Int(vocabulary.HTTPResponseStatusCode, code))
	s.mu.Unlock()
}

// Fail records err: status ERROR with the error's message, the exception
// event (exception.type, exception.message), error.type and
// rastir.error.category. A nil err does nothing.
func (s *Span) Fail(err error) {
	if s == nil || err == nil {
		return
	}
	typ := ErrorType(err)
	msg := errorMessage(err)
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	status := s.status
	if status == 0 {
		if status = HTTPStatus(err); status > 0 {
			s.status = status
			s.setLocked(attribute.Int(vocabulary.HTTPResponseStatusCode, status))
		}
	}
	s.failed = true
	s.setLocked(
		attribute.String(vocabulary.ErrorType, typ),
		attribute.String(vocabulary.RastirErrorCategoryKey, categorize(typ, status)),
	)
	s.mu.Unlock()
	s.AddEvent(vocabulary.EventException, trace.WithAttributes(
		attribute.String(vocabulary.AttrExceptionType, typ),
		attribute.String(vocabulary.AttrExceptionMessage, msg),
	))
	s.SetStatus(codes.Error, msg)
}

// FailStatus records a failure known only by its HTTP status (no Go
// error): status ERROR, error.type the status code, and the category of the
// status.
func (s *Span) FailStatus(code int, message string) {
	if s == nil || code <= 0 {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.status = code
	s.failed = true
	s.setLocked(
		attribute.Int(vocabulary.HTTPResponseStatusCode, code),
		attribute.String(vocabulary.ErrorType, itoa(code)),
		attribute.String(vocabulary.RastirErrorCategoryKey, vocabulary.CategorizeHTTPStatus(code)),
	)
	s.mu.Unlock()
	s.SetStatus(codes.Error, message)
}

// Failed reports whether a failure was recorded.
func (s *Span) Failed() bool {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failed
}

// Finish records err (when not nil) and ends the span.
func (s *Span) Finish(err error) {
	if s == nil {
		return
	}
	s.Fail(err)
	s.End()
}

// End writes the buffered attributes and ends the span; later calls do
// nothing.
func (s *Span) End(opts ...trace.SpanEndOption) {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.flushLocked()
	s.ended = true
	scratchPool.Put(s.scratch)
	s.scratch = nil
	s.mu.Unlock()
	s.Span.End(opts...)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
