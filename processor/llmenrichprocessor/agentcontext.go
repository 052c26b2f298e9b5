package llmenrichprocessor

import (
	"cmp"
	"slices"
	"sort"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// maxAncestors bounds the walk up a parent chain (and breaks id cycles).
const maxAncestors = 64

// spanKey identifies a span within a batch.
type spanKey struct {
	trace pcommon.TraceID
	span  pcommon.SpanID
}

// spanContext is what a span contributes to its descendants' context.
type spanContext struct {
	span                             ptrace.Span
	parent                           pcommon.SpanID
	start                            pcommon.Timestamp
	spanType, agent, model, provider string
}

// inheritAgentContext gives LLM, tool and retrieval spans the agent name of
// their nearest agent ancestor, and tool and retrieval spans the model and
// provider of the LLM context above them (the nearest ancestor that has
// them, or the latest LLM call made under that ancestor before the span
// started: the Rastir client's rule, "a tool records the model that chose
// it"). Values a span already has are never replaced. Within one batch; a
// groupbytrace processor before this one makes the batch a whole trace.
//
// Spans of the rastir scope are left as they are: the Rastir client already
// applied its own context rules, and Rastir's metric labels depend on them.
// They still serve as context for other spans.
func inheritAgentContext(td ptrace.Traces) {
	if !anyNeedsContext(td) {
		// The common case (Rastir batches, fully attributed spans): no
		// index is built.
		return
	}
	var index map[spanKey]*spanContext
	var llmChildren map[spanKey][]*spanContext
	var needing []*spanContext
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			fromRastir := ss.Scope().Name() == vocabulary.ScopeRastir
			for _, span := range ss.Spans().All() {
				c := readSpanContext(span)
				if index == nil {
					index = make(map[spanKey]*spanContext, td.SpanCount())
				}
				index[spanKey{span.TraceID(), span.SpanID()}] = c
				if c.spanType == vocabulary.SpanTypeLLM && c.model != "" && !c.parent.IsEmpty() {
					if llmChildren == nil {
						llmChildren = map[spanKey][]*spanContext{}
					}
					k := spanKey{span.TraceID(), c.parent}
					llmChildren[k] = append(llmChildren[k], c)
				}
				if !fromRastir && needsContext(c) {
					needing = append(needing, c)
				}
			}
		}
	}
	// By start, for latestLLMBefore's binary search; stable, so that of
	// calls that started together the first in the batch stays first.
	for _, llms := range llmChildren {
		slices.SortStableFunc(llms, func(a, b *spanContext) int { return cmp.Compare(a.start, b.start) })
	}
	for _, c := range needing {
		inherit(c, index, llmChildren)
	}
}

// anyNeedsContext reports, without allocating, whether a span outside the
// rastir scope lacks what its ancestors could give.
func anyNeedsContext(td ptrace.Traces) bool {
	for _, rs := range td.ResourceSpans().All() {
		for _, ss := range rs.ScopeSpans().All() {
			if ss.Scope().Name() == vocabulary.ScopeRastir {
				continue
			}
			for _, span := range ss.Spans().All() {
				var c spanContext
				readAttributes(span, &c)
				if needsContext(&c) {
					return true
				}
			}
		}
	}
	return false
}

func readSpanContext(span ptrace.Span) *spanContext {
	c := &spanContext{span: span, parent: span.ParentSpanID(), start: span.StartTimestamp()}
	readAttributes(span, c)
	return c
}

func readAttributes(span ptrace.Span, c *spanContext) {
	for k, v := range span.Attributes().All() {
		switch k {
		case vocabulary.RastirSpanTypeKey:
			c.spanType = v.Str()
		case vocabulary.GenAIAgentName:
			c.agent = v.Str()
		case vocabulary.GenAIRequestModel:
			c.model = v.Str()
		case vocabulary.GenAIProviderName:
			c.provider = v.Str()
		}
	}
}

func needsContext(c *spanContext) bool {
	switch c.spanType {
	case vocabulary.SpanTypeLLM:
		return c.agent == ""
	case vocabulary.SpanTypeTool, vocabulary.SpanTypeRetrieval:
		return c.agent == "" || c.model == "" || c.provider == ""
	}
	return false
}

func inherit(c *spanContext, index map[spanKey]*spanContext, llmChildren map[spanKey][]*spanContext) {
	trace := c.span.TraceID()
	wantAgent := c.agent == ""
	wantModel := c.spanType != vocabulary.SpanTypeLLM && c.model == "" && c.provider == ""
	var agent, model, provider string
	parent := c.parent
	for range maxAncestors {
		if parent.IsEmpty() || (!wantAgent || agent != "") && (!wantModel || model != "") {
			break
		}
		a, ok := index[spanKey{trace, parent}]
		if !ok {
			break
		}
		if wantAgent && agent == "" && a.spanType == vocabulary.SpanTypeAgent && a.agent != "" {
			agent = a.agent
		}
		if wantModel && model == "" {
			if a.model != "" {
				model, provider = a.model, a.provider
			} else if llm := latestLLMBefore(llmChildren[spanKey{trace, parent}], c.start); llm != nil {
				model, provider = llm.model, llm.provider
			}
		}
		parent = a.parent
	}
	attrs := c.span.Attributes()
	if agent != "" {
		attrs.PutStr(vocabulary.GenAIAgentName, agent)
	}
	if model != "" {
		attrs.PutStr(vocabulary.GenAIRequestModel, model)
		if provider != "" {
			attrs.PutStr(vocabulary.GenAIProviderName, provider)
		}
	}
}

// latestLLMBefore is the LLM call among siblings (with a model, sorted by
// start) that started last before t, the first of those that started
// then. A binary search: a scan per tool span was quadratic in the calls
// of an agent.
func latestLLMBefore(llms []*spanContext, t pcommon.Timestamp) *spanContext {
	after := sort.Search(len(llms), func(i int) bool { return llms[i].start > t })
	if after == 0 {
		return nil
	}
	latest := llms[after-1].start
	return llms[sort.Search(after, func(i int) bool { return llms[i].start >= latest })]
}
