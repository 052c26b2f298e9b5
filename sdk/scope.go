package rastir

import (
	"context"
	"sync"
)

// agentScope is what an agent span hands down to the spans below it: the
// agent's name, and the model and provider of the latest LLM call made in
// it. It is mutable so that an LLM call's model reaches the tool calls made
// after it (its siblings), as in Rastir's client.
type agentScope struct {
	agent string

	mu       sync.Mutex
	model    string
	provider string
}

type scopeKey struct{}

func scopeFrom(ctx context.Context) *agentScope {
	if ctx == nil {
		return nil
	}
	sc, _ := ctx.Value(scopeKey{}).(*agentScope)
	return sc
}

func (sc *agentScope) modelProvider() (model, provider string) {
	if sc == nil {
		return "", ""
	}
	sc.mu.Lock()
	model, provider = sc.model, sc.provider
	sc.mu.Unlock()
	return model, provider
}

// setCall records the model and provider an LLM call starts with, as a
// pair: a provider the call does not know does not stay from the previous
// call (nor a model). A call knowing neither leaves the previous pair.
func (sc *agentScope) setCall(model, provider string) {
	if sc == nil || model == "" && provider == "" {
		return
	}
	sc.mu.Lock()
	sc.model, sc.provider = model, provider
	sc.mu.Unlock()
}

func (sc *agentScope) setModel(model string) {
	if sc == nil || model == "" {
		return
	}
	sc.mu.Lock()
	sc.model = model
	sc.mu.Unlock()
}

func (sc *agentScope) setProvider(provider string) {
	if sc == nil || provider == "" {
		return
	}
	sc.mu.Lock()
	sc.provider = provider
	sc.mu.Unlock()
}

// AgentFromContext returns the name of the agent the context runs in (the
// nearest agent span above it), or "".
func AgentFromContext(ctx context.Context) string {
	if sc := scopeFrom(ctx); sc != nil {
		return sc.agent
	}
	return ""
}

// ModelFromContext returns the model and provider of the latest LLM call
// made in the context's agent (response model over request model), or "".
func ModelFromContext(ctx context.Context) (model, provider string) {
	return scopeFrom(ctx).modelProvider()
}

// ContextWithAgent returns a context in which spans are attributed to the
// named agent without an agent span of this process above them (for example
// on the server side of a remote tool call whose caller sent the agent's
// name). Model and provider start from the parent context's.
func ContextWithAgent(ctx context.Context, agent string) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return context.WithValue(ctx, scopeKey{}, newScope(ctx, agent))
}

func newScope(ctx context.Context, agent string) *agentScope {
	model, provider := scopeFrom(ctx).modelProvider()
	return &agentScope{agent: agent, model: model, provider: provider}
}
