package llmenrichprocessor

import (
	"context"
	"slices"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/dialect"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/inference"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/pricing"
)

type enricher struct {
	cfg     *Config
	mappers []dialect.Mapper
	// prices is nil when cost computation is off.
	prices *pricing.Table
}

func newEnricher(cfg *Config) (*enricher, error) {
	e := &enricher{cfg: cfg}
	opts := dialect.Options{RemoveSourceKeys: cfg.Dialects.RemoveSourceKeys}
	// Rastir first: it writes gen_ai.* keys that the others then find set.
	if cfg.Dialects.Rastir {
		e.mappers = append(e.mappers, dialect.NewRastir(opts))
	}
	if cfg.Dialects.GenAI {
		e.mappers = append(e.mappers, dialect.NewGenAI(opts))
	}
	if cfg.Dialects.OpenInference {
		e.mappers = append(e.mappers, dialect.NewOpenInference(opts))
	}
	if cfg.Dialects.OpenLLMetry {
		e.mappers = append(e.mappers, dialect.NewOpenLLMetry(opts))
	}
	if cfg.Dialects.OpenLIT {
		e.mappers = append(e.mappers, dialect.NewOpenLIT(opts))
	}
	if cfg.Cost.Enabled {
		var extra [][]pricing.Price
		if cfg.Cost.PricingFile != "" {
			prices, err := pricing.LoadFile(cfg.Cost.PricingFile)
			if err != nil {
				return nil, err
			}
			extra = append(extra, prices)
		}
		table, err := pricing.NewTable(true, extra...)
		if err != nil {
			return nil, err
		}
		e.prices = table
	}
	return e, nil
}

func (e *enricher) processTraces(_ context.Context, td ptrace.Traces) (ptrace.Traces, error) {
	// First each span on its own: dialects, then inference from what the
	// span has.
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			scope := ss.Scope()
			// The Rastir client infers providers itself; guessing further
			// would change the labels Rastir users' dashboards show.
			rastirScope := scope.Name() == vocabulary.ScopeRastir
			infer := e.cfg.Inference.Enabled && !rastirScope
			// Rastir spans carry the client's own guardrail keys, which
			// the Rastir dialect maps.
			guardrails := e.cfg.Guardrails.Enabled && !rastirScope
			for _, span := range ss.Spans().All() {
				for _, m := range e.mappers {
					m.Map(scope, span)
				}
				if infer {
					inferProviderAndModel(span)
				}
				if guardrails {
					mapGuardrail(span)
				}
			}
		}
	}
	// Then what spans learn from their ancestors, and what needs the final
	// model and provider.
	if e.cfg.AgentContext.Enabled {
		inheritAgentContext(td)
	}
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			// The Rastir client has two content keys; checking every key
			// against every dialect's prefixes cost a third of the time.
			contentKey := isContentKey
			if ss.Scope().Name() == vocabulary.ScopeRastir {
				contentKey = isRastirContentKey
			}
			for _, span := range ss.Spans().All() {
				if e.cfg.TTFT.Enabled && span.Events().Len() > 0 {
					e.ttftFromEvents(span)
				}
				if e.prices != nil {
					e.price(span)
				}
				if e.cfg.ErrorCategories.Enabled && span.Status().Code() == ptrace.StatusCodeError {
					e.categorizeError(span)
				}
				if e.cfg.Content.Mode != ContentKeep {
					e.limitContent(span.Attributes(), contentKey)
					// OpenLIT writes the text again on span events
					// (gen_ai.content.prompt / .completion).
					for _, ev := range span.Events().All() {
						e.limitContent(ev.Attributes(), contentKey)
					}
				}
			}
		}
	}
	return td, nil
}

// price computes the cost of a call that reports token usage but no cost:
// from the price in effect when the span started, for the response model
// (what was billed) or else the requested one. A cost already on the span
// (the client's, authoritative) is kept, and so is a client's statement that
// it had no price. Without a price the span gets rastir.pricing.missing,
// never a zero cost. Only model calls are priced: an agent span that
// carries its run's token totals (semconv's invoke_agent, Agno's) would
// count its calls' cost again wherever span costs are summed.
func (e *enricher) price(span ptrace.Span) {
	attrs := span.Attributes()
	var provider, requestModel, responseModel, spanType string
	var usage pricing.Usage
	hasTokens, done := false, false
	for k, v := range attrs.All() {
		switch k {
		case vocabulary.GenAIProviderName:
			provider = v.Str()
		case vocabulary.GenAIRequestModel:
			requestModel = v.Str()
		case vocabulary.GenAIResponseModel:
			responseModel = v.Str()
		case vocabulary.GenAIUsageInputTokens:
			var ok bool
			usage.Input, ok = dialect.TokenCount(v)
			hasTokens = hasTokens || ok
		case vocabulary.GenAIUsageOutputTokens:
			var ok bool
			usage.Output, ok = dialect.TokenCount(v)
			hasTokens = hasTokens || ok
		case vocabulary.GenAIUsageCacheReadTokens:
			usage.CacheRead, _ = dialect.TokenCount(v)
		case vocabulary.GenAIUsageCacheCreationTokens:
			usage.CacheWrite, _ = dialect.TokenCount(v)
		case vocabulary.RastirCostUSD, vocabulary.RastirPricingMissing:
			done = true
		case vocabulary.RastirSpanTypeKey:
			spanType = v.Str()
		}
	}
	if done || !hasTokens || usage.Input+usage.Output == 0 || spanType != "" && spanType != vocabulary.SpanTypeLLM {
		return
	}
	model := responseModel
	if model == "" {
		model = requestModel
	}
	if provider == "" {
		provider, _ = inference.ProviderFromModel(model)
	}
	price, ok := e.prices.Lookup(provider, model, span.StartTimestamp().AsTime())
	if !ok {
		attrs.PutBool(vocabulary.RastirPricingMissing, true)
		return
	}
	attrs.PutDouble(vocabulary.RastirCostUSD, pricing.Cost(price, usage))
	attrs.PutStr(vocabulary.RastirPricingProfile, e.cfg.Cost.Profile)
}

// ttftFromEvents sets gen_ai.response.time_to_first_chunk (seconds) from
// the earliest first-chunk event, unless the span already has it.
func (e *enricher) ttftFromEvents(span ptrace.Span) {
	var first pcommon.Timestamp
	for _, ev := range span.Events().All() {
		if !slices.Contains(e.cfg.TTFT.EventNames, ev.Name()) {
			continue
		}
		if t := ev.Timestamp(); first == 0 || t < first {
			first = t
		}
	}
	start := span.StartTimestamp()
	if first == 0 || first < start {
		return
	}
	attrs := span.Attributes()
	if _, ok := attrs.Get(vocabulary.GenAIResponseTimeToFirstChunk); ok {
		return
	}
	attrs.PutDouble(vocabulary.GenAIResponseTimeToFirstChunk, float64(first-start)/1e9)
}

// categorizeError gives an ERROR span its category, from the first
// exception event's type (Rastir's source), else error.type, else the HTTP
// status of the call, which also refines a type that says provider_error.
func (e *enricher) categorizeError(span ptrace.Span) {
	attrs := span.Attributes()
	if _, ok := attrs.Get(vocabulary.RastirErrorCategoryKey); ok {
		return
	}
	category := ""
	for _, ev := range span.Events().All() {
		if ev.Name() != vocabulary.EventException {
			continue
		}
		if t, ok := ev.Attributes().Get(vocabulary.AttrExceptionType); ok && t.Type() == pcommon.ValueTypeStr && t.Str() != "" {
			category = e.categorize(t.Str())
			break
		}
	}
	if category == "" || category == vocabulary.ErrorUnknown {
		if t, ok := attrs.Get(vocabulary.ErrorType); ok && t.Type() == pcommon.ValueTypeStr && t.Str() != "" {
			if c := e.categorize(t.Str()); c != vocabulary.ErrorUnknown || category == "" {
				category = c
			}
		}
	}
	// A generic API error (Go's *openai.Error, botocore's ClientError,
	// APIStatusError) says only that the provider failed; the HTTP status
	// says how (429 rate_limit, 504 timeout, ...), as in the Go SDK.
	if category == "" || category == vocabulary.ErrorUnknown || category == vocabulary.ErrorProvider {
		if s, ok := attrs.Get(vocabulary.HTTPResponseStatusCode); ok && s.Type() == pcommon.ValueTypeInt {
			if c := vocabulary.CategorizeHTTPStatus(int(s.Int())); c != vocabulary.ErrorUnknown {
				category = c
			}
		}
	}
	if category == "" {
		category = vocabulary.ErrorUnknown
	}
	attrs.PutStr(vocabulary.RastirErrorCategoryKey, category)
}

func (e *enricher) categorize(typeName string) string {
	if c, ok := e.cfg.ErrorCategories.Rules[typeName]; ok {
		return c
	}
	return vocabulary.CategorizeErrorType(typeName)
}

// limitContent drops or truncates prompt and completion text, in one pass
// over the attributes.
func (e *enricher) limitContent(attrs pcommon.Map, contentKey func(string) bool) {
	if e.cfg.Content.Mode == ContentDrop {
		attrs.RemoveIf(func(k string, _ pcommon.Value) bool { return contentKey(k) })
		return
	}
	for k, v := range attrs.All() {
		if contentKey(k) && v.Type() == pcommon.ValueTypeStr {
			if s := v.Str(); utf8.RuneCountInString(s) > e.cfg.Content.MaxLength {
				v.SetStr(truncateRunes(s, e.cfg.Content.MaxLength))
			}
		}
	}
}

// isRastirContentKey reports whether an attribute of a Rastir span carries
// prompt or completion text.
func isRastirContentKey(k string) bool {
	return k == vocabulary.RastirAttrPromptText || k == vocabulary.RastirAttrCompletionText
}

// isContentKey reports whether an attribute carries prompt or completion
// text, in any dialect the processor reads.
func isContentKey(k string) bool {
	switch k {
	case vocabulary.RastirAttrPromptText, vocabulary.RastirAttrCompletionText,
		vocabulary.GenAIInputMessages, vocabulary.GenAIOutputMessages, vocabulary.GenAISystemInstructions,
		vocabulary.GenAIToolCallArguments, vocabulary.GenAIToolCallResult,
		vocabulary.GenAIRetrievalQueryText, vocabulary.GenAIRetrievalDocuments,
		vocabulary.GenAIPromptDeprecated, vocabulary.GenAICompletionDeprecated:
		return true
	}
	return dialect.IsOpenInferenceContentKey(k) || dialect.IsOpenLLMetryContentKey(k)
}

// truncateRunes keeps the first n characters (not bytes) of s.
func truncateRunes(s string, n int) string {
	i := 0
	for pos := range s {
		if i == n {
			return s[:pos]
		}
		i++
	}
	return s
}
