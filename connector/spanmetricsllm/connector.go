package spanmetricsllm

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/connector"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.uber.org/zap"

	"github.com/otelcol-rastir/otelcol-rastir/connector/spanmetricsllm/internal/metadata"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// defaultPricingProfile is Rastir's profile of a cost without one.
const defaultPricingProfile = "default"

// spanmetricsLLM derives Rastir's rastir_* families (and optionally the
// GenAI semconv client metrics) from spans and sends them to the next
// consumer every flush interval.
type spanmetricsLLM struct {
	cfg       *Config
	logger    *zap.Logger
	next      consumer.Metrics
	telemetry *metadata.TelemetryBuilder
	delta     bool
	lim       limits

	// now is the clock (tests replace it).
	now func() time.Time

	mu       sync.Mutex
	families []*family
	// Semconv families (nil when off) and the source resources they refer
	// to, by an encoding of the resource's attributes.
	tokenUsage, opDuration *family
	resources              map[string]*resourceEntry
	nextResourceID         uint64
	// portText holds the decimal text of the server ports seen (at most
	// 65535), so that a span's port is a label value without allocating.
	portText map[int64]string

	// Scratch, reused under mu.
	keys     keyScratch
	resBuf   []byte
	resNames []string
	fields   spanFields
	vals     [maxLabels]string

	started  bool
	done     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
}

// resourceEntry is a source resource of semconv series.
type resourceEntry struct {
	id    uint64
	key   string
	attrs pcommon.Map
	refs  int
}

var _ connector.Traces = (*spanmetricsLLM)(nil)

func newConnector(set connector.Settings, cfg *Config, next consumer.Metrics) (*spanmetricsLLM, error) {
	tb, err := metadata.NewTelemetryBuilder(set.TelemetrySettings)
	if err != nil {
		return nil, err
	}
	c := &spanmetricsLLM{
		cfg:       cfg,
		logger:    set.Logger,
		next:      next,
		telemetry: tb,
		delta:     cfg.temporality() == pmetric.AggregationTemporalityDelta,
		lim:       limits{maxSeries: cfg.MaxSeriesPerMetric},
		now:       time.Now,
		families:  newRastirFamilies(cfg),
		keys:      keyScratch{key: make([]byte, 0, 512), over: make([]byte, 0, 512)},
		done:      make(chan struct{}),
		stopped:   make(chan struct{}),
	}
	if cfg.GenAISemconvMetrics.Enabled {
		c.tokenUsage, c.opDuration = newSemconvFamilies()
		c.resources = make(map[string]*resourceEntry)
		c.portText = make(map[int64]string)
	}
	return c, nil
}

// Start runs the flush loop.
func (c *spanmetricsLLM) Start(context.Context, component.Host) error {
	c.started = true
	go c.flushLoop()
	return nil
}

func (c *spanmetricsLLM) flushLoop() {
	defer close(c.stopped)
	t := time.NewTicker(c.cfg.MetricsFlushInterval)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			c.flush(context.Background())
		}
	}
}

// Shutdown stops the flush loop and sends what was aggregated since the
// last flush (the next consumer shuts down after this connector).
func (c *spanmetricsLLM) Shutdown(ctx context.Context) error {
	c.stopOnce.Do(func() {
		if c.started {
			close(c.done)
			<-c.stopped
			c.flush(ctx)
		}
		c.telemetry.Shutdown()
	})
	return nil
}

// Capabilities says the spans are only read.
func (*spanmetricsLLM) Capabilities() consumer.Capabilities {
	return consumer.Capabilities{MutatesData: false}
}

// ConsumeTraces aggregates the spans; metrics leave on the next flush.
func (c *spanmetricsLLM) ConsumeTraces(_ context.Context, td ptrace.Traces) error {
	c.mu.Lock()
	c.aggregate(td)
	c.mu.Unlock()
	return nil
}

func (c *spanmetricsLLM) aggregate(td ptrace.Traces) {
	o := observation{now: pcommon.NewTimestampFromTime(c.now())}
	if c.cfg.Exemplars.Enabled {
		o.maxExemplars = c.cfg.Exemplars.MaxPerDataPoint
	}
	maxLen := c.cfg.MaxLabelValueLength
	rss := td.ResourceSpans()
	for i := range rss.Len() {
		rs := rss.At(i)
		resAttrs := rs.Resource().Attributes()
		service, env := vocabulary.UnknownService, vocabulary.UnknownEnv
		if v, ok := resAttrs.Get(vocabulary.ResourceServiceName); ok && v.Type() == pcommon.ValueTypeStr {
			service = v.Str()
		}
		if v, ok := resAttrs.Get(vocabulary.ResourceDeploymentEnvironmentName); ok && v.Type() == pcommon.ValueTypeStr {
			env = v.Str()
		} else if v, ok := resAttrs.Get(vocabulary.ResourceDeploymentEnvironment); ok && v.Type() == pcommon.ValueTypeStr {
			env = v.Str()
		}
		service, env = validUTF8(clip(service, maxLen)), validUTF8(clip(env, maxLen))
		var res *resourceEntry
		if c.tokenUsage != nil {
			res = c.resourceOf(rs.Resource())
		}
		sss := rs.ScopeSpans()
		for j := range sss.Len() {
			ss := sss.At(j)
			rastirScope := ss.Scope().Name() == vocabulary.ScopeRastir
			spans := ss.Spans()
			for k := range spans.Len() {
				span := spans.At(k)
				o.traceID, o.spanID = span.TraceID(), span.SpanID()
				c.observeSpan(span, rastirScope, service, env, res, &o)
			}
		}
	}
}

// observeSpan applies Rastir's per-span algorithm (collector spec §3.3) to
// the canonical attributes.
func (c *spanmetricsLLM) observeSpan(span ptrace.Span, rastirScope bool, service, env string, res *resourceEntry, o *observation) {
	f := &c.fields
	readSpan(span.Attributes(), f)
	maxLen := c.cfg.MaxLabelValueLength
	fam := c.families

	spanType := vocabulary.NormalizeRastirSpanType(f.spanType)
	isError := span.Status().Code() == ptrace.StatusCodeError
	status := vocabulary.WireStatusOK
	switch {
	case isError:
		status = vocabulary.WireStatusError
	case f.wireStatus != "":
		// Clipped, unlike Rastir: the raw status is any text.
		status = clip(f.wireStatus, maxLen)
	}
	model := f.requestModel
	if model == "" {
		model = f.responseModel
	}
	model = clip(model, maxLen)
	provider := f.provider
	switch {
	case c.cfg.RastirProviderNames && f.providerLabel != "":
		// A Rastir client's own word, which its server labels.
		provider = f.providerLabel
	case c.cfg.RastirProviderNames:
		provider = vocabulary.RastirProviderLabel(provider)
	}
	provider = clip(provider, maxLen)
	agent := clip(f.agent, maxLen)

	vals := c.vals[:]
	c.addSum(fam[famSpansIngested], append(vals[:0], service, env, spanType, status), 1, o)

	duration, hasDuration := spanDuration(span, rastirScope, f)
	if hasDuration {
		c.observe(fam[famDuration], append(vals[:0], service, env, spanType, model, provider, agent), duration, o)
	}
	if isError {
		category := f.errorCategory
		if category == "" {
			category = vocabulary.ErrorUnknown
		}
		c.addSum(fam[famErrors], append(vals[:0], service, env, spanType, clip(category, maxLen), model, provider, agent), 1, o)
	}

	switch spanType {
	case vocabulary.SpanTypeLLM:
		c.observeLLM(f, service, env, model, provider, agent, o)
	case vocabulary.SpanTypeTool:
		tool := f.toolName
		if tool == "" {
			tool = span.Name()
		}
		if tool == "" {
			tool = vocabulary.WireUnknownName
		}
		c.addSum(fam[famToolCalls], append(vals[:0], service, env, clip(tool, maxLen), agent, model, provider), 1, o)
	case vocabulary.SpanTypeRetrieval:
		c.addSum(fam[famRetrievalCalls], append(vals[:0], service, env, agent, model, provider), 1, o)
	}

	if c.tokenUsage != nil {
		c.observeSemconv(f, duration, hasDuration, isError, res, o)
	}
}

// observeLLM records the families of an LLM span.
func (c *spanmetricsLLM) observeLLM(f *spanFields, service, env, model, provider, agent string, o *observation) {
	fam := c.families
	vals := c.vals[:]
	maxLen := c.cfg.MaxLabelValueLength
	// llm_calls and the token counters share their labels, hence one key.
	mpa := c.vals[:len(labelsModelAgent)]
	mpa[0], mpa[1], mpa[2], mpa[3], mpa[4] = service, env, model, provider, agent
	c.addSum(fam[famLLMCalls], mpa, 1, o)
	// Summed as floats, as Rastir does: two int64 counts may overflow.
	var tin, tout float64
	if f.hasTokensIn && f.tokensIn > 0 {
		tin = float64(f.tokensIn)
		c.addSumSameKey(fam[famTokensInput], mpa, tin, o)
	}
	if f.hasTokensOut && f.tokensOut > 0 {
		tout = float64(f.tokensOut)
		c.addSumSameKey(fam[famTokensOutput], mpa, tout, o)
	}
	if tin+tout > 0 {
		c.observe(fam[famTokensPerCall], append(vals[:0], service, env, model, provider), tin+tout, o)
	}
	if f.cost > 0 {
		profile := f.pricingProfile
		if profile == "" {
			profile = defaultPricingProfile
		}
		c.addSum(fam[famCostTotal], append(vals[:0], service, env, model, provider, agent, clip(profile, maxLen)), f.cost, o)
		c.observe(fam[famCostPerCall], append(vals[:0], service, env, model), f.cost, o)
	}
	if f.pricingMissing {
		c.addSum(fam[famPricingMissing], append(vals[:0], service, env, model, provider), 1, o)
	}
	if f.hasTTFT && f.ttft >= 0 {
		c.observe(fam[famTTFT], append(vals[:0], service, env, model, provider), f.ttft, o)
	}
	if f.guardrailID != "" {
		c.addSum(fam[famGuardrailRequests], append(vals[:0], service, env, provider, model, agent,
			clip(f.guardrailID, maxLen), clip(f.guardrailVersion, maxLen)), 1, o)
	}
	if f.guardrailAction != "" && f.guardrailAction != vocabulary.GuardrailActionNone {
		id := f.guardrailID
		if id == "" {
			id = vocabulary.UnknownGuardrailID
		}
		c.addSum(fam[famGuardrailViolations], append(vals[:0], service, env, provider, model, agent, clip(id, maxLen),
			vocabulary.BoundGuardrailAction(f.guardrailAction), vocabulary.BoundGuardrailCategory(f.guardrailCategory)), 1, o)
	}
}

func (c *spanmetricsLLM) addSum(f *family, values []string, v float64, o *observation) {
	s := f.lookup(&c.keys, nil, values, c.lim, o.now)
	f.add(s, v, o)
}

// addSumSameKey is addSum for the values of the previous lookup, whose key
// is still in c.keys.key.
func (c *spanmetricsLLM) addSumSameKey(f *family, values []string, v float64, o *observation) {
	s := f.lookupKey(&c.keys, nil, values, c.lim, o.now)
	f.add(s, v, o)
}

func (c *spanmetricsLLM) observe(f *family, values []string, v float64, o *observation) {
	s := f.lookup(&c.keys, nil, values, c.lim, o.now)
	f.observe(s, v, o)
}

// Operations whose spans gen_ai.client.* metrics describe (client calls
// to a model).
func semconvOperation(op string) bool {
	switch op {
	case vocabulary.OperationChat, vocabulary.OperationTextCompletion,
		vocabulary.OperationGenerateContent, vocabulary.OperationEmbeddings:
		return true
	}
	return false
}

// observeSemconv records gen_ai.client.token.usage and
// gen_ai.client.operation.duration for a model call, with the semconv
// attributes the span has.
func (c *spanmetricsLLM) observeSemconv(f *spanFields, duration float64, hasDuration, isError bool, res *resourceEntry, o *observation) {
	if !semconvOperation(f.operation) {
		return
	}
	maxLen := c.cfg.MaxLabelValueLength
	errorType := f.errorType
	if errorType == "" && isError {
		errorType = vocabulary.ErrorTypeOther
	}
	op, provider := f.operation, clip(f.provider, maxLen)
	reqModel, respModel := clip(f.requestModel, maxLen), clip(f.responseModel, maxLen)
	server, errorType := clip(f.serverAddress, maxLen), clip(errorType, maxLen)
	var port string
	if f.hasServerPort {
		port = c.portString(f.serverPort)
	}
	vals := c.vals[:]
	if hasDuration {
		s := c.opDuration.lookup(&c.keys, res, append(vals[:0], op, provider, reqModel, respModel, server, port, errorType), c.lim, o.now)
		c.opDuration.observe(s, duration, o)
	}
	if f.hasTokensIn && f.tokensIn >= 0 {
		s := c.tokenUsage.lookup(&c.keys, res, append(vals[:0], op, provider, reqModel, respModel,
			vocabulary.GenAITokenTypeInput, server, port), c.lim, o.now)
		c.tokenUsage.observe(s, float64(f.tokensIn), o)
	}
	if f.hasTokensOut && f.tokensOut >= 0 {
		s := c.tokenUsage.lookup(&c.keys, res, append(vals[:0], op, provider, reqModel, respModel,
			vocabulary.GenAITokenTypeOutput, server, port), c.lim, o.now)
		c.tokenUsage.observe(s, float64(f.tokensOut), o)
	}
}

// portString returns the decimal text of a server port (1 to maxPort).
func (c *spanmetricsLLM) portString(port int64) string {
	s, ok := c.portText[port]
	if !ok {
		s = strconv.FormatInt(port, 10)
		c.portText[port] = s
	}
	return s
}

// resourceOf returns the entry of a source resource, creating it on first
// sight; entries without series are dropped at flush.
func (c *spanmetricsLLM) resourceOf(r pcommon.Resource) *resourceEntry {
	// Keys in sorted order: a resource is the same source whatever the
	// order of its attributes.
	attrs := r.Attributes()
	names := c.resNames[:0]
	for k := range attrs.All() {
		names = append(names, k)
	}
	slices.Sort(names)
	c.resNames = names
	b := c.resBuf[:0]
	for _, k := range names {
		v, _ := attrs.Get(k)
		b = appendKey(b, k)
		b = append(b, byte(v.Type()))
		if v.Type() == pcommon.ValueTypeStr {
			b = appendKey(b, v.Str())
		} else {
			b = appendKey(b, v.AsString())
		}
	}
	c.resBuf = b
	// The names may share memory with the request: do not keep them.
	clear(names)
	if e, ok := c.resources[string(b)]; ok {
		return e
	}
	c.nextResourceID++
	e := &resourceEntry{id: c.nextResourceID, key: string(b), attrs: pcommon.NewMap()}
	r.Attributes().CopyTo(e.attrs)
	c.resources[e.key] = e
	return e
}
