package cardinalityprocessor

import (
	"context"
	"sync"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/pmetric"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor/internal/metadata"
)

// telemetryKeyDimension is the attribute of the processor's own metrics.
const telemetryKeyDimension = "dimension"

// rule is what happens to the value of one attribute key: bounded by an
// enum, clipped, guarded by a dimension, in that order.
type rule struct {
	enum *enum
	clip bool
	dim  *dimension
	// role marks the keys that say whether a span is a tool span and
	// whether it names its tool.
	role keyRole
}

// keyRole is what a key tells about a span's tool name.
type keyRole uint8

const (
	roleNone keyRole = iota
	roleSpanType
	roleToolName
)

// state is the processor's work, shared by every instance (traces and
// metrics, in any number of pipelines) created from one configuration, so
// that a dimension is one set of admitted values for all of them.
type state struct {
	maxLen   int
	overflow string
	windowed bool
	now      func() time.Time

	rules map[string]*rule
	// keyLens has bit n set when a configured key is n bytes long (bit 63:
	// 63 bytes or more); most attribute keys are skipped on it alone.
	keyLens uint64

	dims  []*dimension
	enums []*enum

	// toolName is the rule of gen_ai.tool.name (nil when none bounds it):
	// it also bounds the span name that labels a tool span without a tool
	// name in the span-metrics connector.
	toolName *rule

	telemetry *metadata.TelemetryBuilder
	// addOpts[i] labels overflows of dims[i], then of enums[i-len(dims)].
	addOpts [][]metric.AddOption
}

func newState(cfg *Config, set component.TelemetrySettings) (*state, error) {
	s := &state{
		maxLen:   cfg.MaxValueLength,
		overflow: cfg.OverflowValue,
		windowed: cfg.Window > 0,
		now:      time.Now,
		rules:    make(map[string]*rule),
	}
	ruleOf := func(key string) *rule {
		r := s.rules[key]
		if r == nil {
			r = &rule{}
			s.rules[key] = r
			s.keyLens |= 1 << min(len(key), 63)
		}
		return r
	}
	for _, dc := range cfg.Dimensions {
		d := newDimension(dc.Name, dc.MaxValues, cfg.OverflowValue, cfg.Window.Nanoseconds(), dc.Aliases)
		s.dims = append(s.dims, d)
		for _, k := range dc.Keys {
			r := ruleOf(k)
			r.dim = d
			r.clip = cfg.MaxValueLength > 0
		}
	}
	for _, ec := range cfg.Enums {
		e := newEnum(ec.Name, ec.Values, cfg.OverflowValue)
		s.enums = append(s.enums, e)
		for _, k := range ec.Keys {
			ruleOf(k).enum = e
		}
	}
	for _, k := range cfg.ClipKeys {
		if cfg.MaxValueLength > 0 {
			ruleOf(k).clip = true
		}
	}
	if r := s.rules[vocabulary.GenAIToolName]; r != nil {
		s.toolName = r
		r.role = roleToolName
		ruleOf(vocabulary.RastirSpanTypeKey).role = roleSpanType
	}
	names := make([]string, 0, len(s.dims)+len(s.enums))
	for _, d := range s.dims {
		names = append(names, d.name)
	}
	for _, e := range s.enums {
		names = append(names, e.name)
	}
	for _, n := range names {
		s.addOpts = append(s.addOpts, []metric.AddOption{
			metric.WithAttributeSet(attribute.NewSet(attribute.String(telemetryKeyDimension, n))),
		})
	}

	tb, err := metadata.NewTelemetryBuilder(set)
	if err != nil {
		return nil, err
	}
	observeOpts := make([][]metric.ObserveOption, len(s.dims))
	for i, d := range s.dims {
		observeOpts[i] = []metric.ObserveOption{
			metric.WithAttributeSet(attribute.NewSet(attribute.String(telemetryKeyDimension, d.name))),
		}
	}
	err = tb.RegisterProcessorCardinalityAdmittedValuesCallback(func(_ context.Context, o metric.Int64Observer) error {
		for i, d := range s.dims {
			o.Observe(int64(d.size()), observeOpts[i]...)
		}
		return nil
	})
	if err != nil {
		tb.Shutdown()
		return nil, err
	}
	s.telemetry = tb
	return s, nil
}

// batchTime is the time at which a batch is processed, in nanoseconds; it
// is only needed when values age out.
func (s *state) batchTime() int64 {
	if !s.windowed {
		return 0
	}
	return s.now().UnixNano()
}

// apply bounds, clips and guards one attribute value in place; it reports
// whether the value changed.
func (s *state) apply(r *rule, v pcommon.Value, now int64) bool {
	if v.Type() != pcommon.ValueTypeStr {
		return false
	}
	orig := v.Str()
	out := s.bound(r, orig, now)
	if len(out) == len(orig) && out == orig {
		return false
	}
	v.SetStr(out)
	return true
}

// bound returns v bounded by the rule's enum, clipped and guarded.
func (s *state) bound(r *rule, v string, now int64) string {
	if r.enum != nil {
		v = r.enum.bound(v)
	}
	// The overflow value stays whole, even when longer than the limit:
	// the metrics pipeline receives it from the traces pipeline.
	if r.clip && len(v) > s.maxLen && v != s.overflow {
		v = clip(v, s.maxLen)
	}
	if r.dim != nil {
		v = r.dim.guard(v, now)
	}
	return v
}

// applyMap applies the rules to every configured key of attrs; it reports
// whether a value changed.
func (s *state) applyMap(attrs pcommon.Map, now int64) bool {
	changed := false
	attrs.Range(func(k string, v pcommon.Value) bool {
		if s.keyLens&(1<<min(len(k), 63)) == 0 {
			return true
		}
		if r := s.rules[k]; r != nil && s.apply(r, v, now) {
			changed = true
		}
		return true
	})
	return changed
}

// applySpan applies the rules to a span's attributes. A tool span without
// a tool name (none, not a string, or empty) is labelled with its span
// name (else "unknown") by the span-metrics connector: that name, bounded
// by gen_ai.tool.name's rule, is written to gen_ai.tool.name, so that tool
// names share one bounded set whichever way a span gives its tool.
func (s *state) applySpan(span ptrace.Span, now int64) {
	attrs := span.Attributes()
	if s.toolName == nil {
		s.applyMap(attrs, now)
		return
	}
	isTool, named := false, false
	attrs.Range(func(k string, v pcommon.Value) bool {
		if s.keyLens&(1<<min(len(k), 63)) == 0 {
			return true
		}
		r := s.rules[k]
		if r == nil {
			return true
		}
		s.apply(r, v, now)
		switch r.role {
		case roleSpanType:
			isTool = v.Type() == pcommon.ValueTypeStr && v.Str() == vocabulary.SpanTypeTool
		case roleToolName:
			named = v.Type() == pcommon.ValueTypeStr && v.Str() != ""
		case roleNone:
		}
		return true
	})
	if isTool && !named {
		name := span.Name()
		if name == "" {
			name = vocabulary.WireUnknownName
		}
		attrs.PutStr(vocabulary.GenAIToolName, s.bound(s.toolName, name, now))
	}
}

// report moves the overflows counted since the last report to the
// processor's telemetry.
func (s *state) report(ctx context.Context) {
	for i, d := range s.dims {
		if n := d.overflows.Swap(0); n > 0 {
			s.telemetry.ProcessorCardinalityOverflows.Add(ctx, n, s.addOpts[i]...)
		}
	}
	for i, e := range s.enums {
		if n := e.overflows.Swap(0); n > 0 {
			s.telemetry.ProcessorCardinalityOverflows.Add(ctx, n, s.addOpts[len(s.dims)+i]...)
		}
	}
}

func (s *state) processTraces(ctx context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	now := s.batchTime()
	rss := td.ResourceSpans()
	for i := 0; i < rss.Len(); i++ {
		sss := rss.At(i).ScopeSpans()
		for j := 0; j < sss.Len(); j++ {
			spans := sss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s.applySpan(spans.At(k), now)
			}
		}
	}
	s.report(ctx)
	return td, nil
}

func (s *state) processMetrics(ctx context.Context, md pmetric.Metrics) (pmetric.Metrics, error) {
	now := s.batchTime()
	var m merger
	rms := md.ResourceMetrics()
	for i := 0; i < rms.Len(); i++ {
		sms := rms.At(i).ScopeMetrics()
		for j := 0; j < sms.Len(); j++ {
			ms := sms.At(j).Metrics()
			for k := 0; k < ms.Len(); k++ {
				s.processMetric(&m, ms.At(k), now)
			}
		}
	}
	s.report(ctx)
	return md, nil
}

// processMetric guards the attributes of every data point of a metric and,
// when a value changed, merges the points that became identical.
func (s *state) processMetric(m *merger, metric pmetric.Metric, now int64) {
	changed := false
	switch metric.Type() {
	case pmetric.MetricTypeGauge:
		dps := metric.Gauge().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			if s.applyMap(dps.At(i).Attributes(), now) {
				m.markChanged(i, dps.Len(), !changed)
				changed = true
			}
		}
		if changed {
			m.mergeNumbers(dps, false)
		}
	case pmetric.MetricTypeSum:
		dps := metric.Sum().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			if s.applyMap(dps.At(i).Attributes(), now) {
				m.markChanged(i, dps.Len(), !changed)
				changed = true
			}
		}
		if changed {
			m.mergeNumbers(dps, true)
		}
	case pmetric.MetricTypeHistogram:
		dps := metric.Histogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			if s.applyMap(dps.At(i).Attributes(), now) {
				m.markChanged(i, dps.Len(), !changed)
				changed = true
			}
		}
		if changed {
			m.mergeHistograms(dps)
		}
	case pmetric.MetricTypeExponentialHistogram:
		dps := metric.ExponentialHistogram().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			if s.applyMap(dps.At(i).Attributes(), now) {
				m.markChanged(i, dps.Len(), !changed)
				changed = true
			}
		}
		if changed {
			m.mergeExponentialHistograms(dps)
		}
	case pmetric.MetricTypeSummary:
		dps := metric.Summary().DataPoints()
		for i := 0; i < dps.Len(); i++ {
			if s.applyMap(dps.At(i).Attributes(), now) {
				m.markChanged(i, dps.Len(), !changed)
				changed = true
			}
		}
		if changed {
			m.mergeSummaries(dps)
		}
	}
}

// registry holds the state of each configuration in use, so that the
// traces and metrics instances of one component share their dimensions.
var registry = struct {
	sync.Mutex
	states map[*Config]*sharedState
}{states: make(map[*Config]*sharedState)}

type sharedState struct {
	*state
	refs int
}

// handle is one created processor instance; its shutdown releases its
// reference to the shared state.
type handle struct {
	*state
	cfg  *Config
	once sync.Once
}

func acquire(cfg *Config, set processor.Settings) (*handle, error) {
	registry.Lock()
	defer registry.Unlock()
	ss := registry.states[cfg]
	if ss == nil {
		st, err := newState(cfg, set.TelemetrySettings)
		if err != nil {
			return nil, err
		}
		ss = &sharedState{state: st}
		registry.states[cfg] = ss
	}
	ss.refs++
	return &handle{state: ss.state, cfg: cfg}, nil
}

func (h *handle) shutdown(context.Context) error {
	h.once.Do(func() {
		registry.Lock()
		defer registry.Unlock()
		ss := registry.states[h.cfg]
		if ss == nil || ss.state != h.state {
			return
		}
		ss.refs--
		if ss.refs == 0 {
			delete(registry.states, h.cfg)
			ss.telemetry.Shutdown()
		}
	})
	return nil
}
