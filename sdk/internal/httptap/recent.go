package httptap

import (
	"slices"
	"strings"
	"sync/atomic"
)

// Recent keeps a copy of the last string it was given, so that an adapter
// reading the same model name out of every request or response (a view of
// a reused buffer) keeps one copy of it rather than one per call. Safe for
// concurrent use.
type Recent struct{ last atomic.Pointer[string] }

// String returns a copy of view that is safe to keep (a fresh one from a
// nil *Recent).
func (r *Recent) String(view string) string {
	if view == "" {
		return ""
	}
	if r == nil {
		return strings.Clone(view)
	}
	if p := r.last.Load(); p != nil && *p == view {
		return *p
	}
	s := strings.Clone(view)
	r.last.Store(&s)
	return s
}

// SpanNames keeps the last span name it joined, so that calls to the same
// model share one "<operation> <model>" string. Safe for concurrent use.
type SpanNames struct{ last atomic.Pointer[spanName] }

type spanName struct{ op, model, name string }

// Name returns "<op> <model>" (op alone without a model), the name the SDK
// gives an LLM span.
func (n *SpanNames) Name(op, model string) string {
	if model == "" {
		return op
	}
	if p := n.last.Load(); p != nil && p.op == op && p.model == model {
		return p.name
	}
	e := &spanName{op: op, model: model, name: op + " " + model}
	n.last.Store(e)
	return e.name
}

// RecentStrings keeps a copy of the last list of strings it was given, as
// Recent does of one string: a client mostly sends the same stop sequences
// with every request. Safe for concurrent use.
type RecentStrings struct{ last atomic.Pointer[[]string] }

// Strings returns a copy of views that is safe to keep and that no one
// changes (shared with other calls given the same strings); nil for none.
func (r *RecentStrings) Strings(views []string) []string {
	if len(views) == 0 {
		return nil
	}
	if p := r.last.Load(); p != nil && slices.Equal(*p, views) {
		return *p
	}
	// One copy of all the text, which the strings share.
	n := 0
	for _, v := range views {
		n += len(v)
	}
	var b strings.Builder
	b.Grow(n)
	for _, v := range views {
		b.WriteString(v)
	}
	joined := b.String()
	owned := make([]string, len(views))
	for i, v := range views {
		owned[i], joined = joined[:len(v)], joined[len(v):]
	}
	r.last.Store(&owned)
	return owned
}
