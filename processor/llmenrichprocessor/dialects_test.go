package llmenrichprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TestAnthropicInputTokensIncludeCache: whatever the instrumentation, an
// Anthropic call's gen_ai.usage.input_tokens leaves the processor with the
// prompt cache's reads and writes included, as semconv counts them, and a
// second llm_enrich in the path (an agent collector, then a gateway) adds
// nothing more.
func TestAnthropicInputTokensIncludeCache(t *testing.T) {
	build := func() (td ptrace.Traces, openLIT, openLLMetry ptrace.Span) {
		td = ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		ss.Scope().SetName("openlit.instrumentation.anthropic")
		// OpenLIT's Python SDK: Anthropic's input_tokens, which exclude the
		// cache (instrumentation/anthropic/utils.py).
		openLIT = otlpSpan(ss, 1, 0, 1, "chat claude-sonnet-4-5", map[string]any{
			"telemetry.sdk.name": "openlit", "gen_ai.sdk.version": "1.45.0", "gen_ai.operation.name": "chat",
			"gen_ai.provider.name": "anthropic", "server.address": "api.anthropic.com", "gen_ai.request.model": "claude-sonnet-4-5",
			"gen_ai.request.stream": false, "gen_ai.usage.input_tokens": int64(25), "gen_ai.usage.output_tokens": int64(180),
			"gen_ai.client.token.usage": int64(205), "gen_ai.usage.cost": 0.00459,
			"gen_ai.usage.cache_read.input_tokens": int64(3000), "gen_ai.usage.cache_creation.input_tokens": int64(200),
		})
		// OpenLLMetry's Anthropic instrumentation adds the cache itself
		// (opentelemetry-instrumentation-anthropic, _set_token_usage).
		ss2 := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		ss2.Scope().SetName("opentelemetry.instrumentation.anthropic")
		openLLMetry = otlpSpan(ss2, 2, 0, 1, "anthropic.chat", map[string]any{
			"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic", "gen_ai.request.model": "claude-sonnet-4-5",
			"gen_ai.response.model": "claude-sonnet-4-5-20250929", "gen_ai.is_streaming": false,
			"gen_ai.usage.input_tokens": int64(3225), "gen_ai.usage.output_tokens": int64(180), "gen_ai.usage.total_tokens": int64(3405),
			"gen_ai.usage.cache_read.input_tokens": int64(3000), "gen_ai.usage.cache_creation.input_tokens": int64(200),
		})
		return td, openLIT, openLLMetry
	}
	cfg := createDefaultConfig().(*Config)

	td, openLIT, openLLMetry := build()
	enrich(t, cfg, td)
	assert.Equal(t, "3225", str(openLIT.Attributes(), vocabulary.GenAIUsageInputTokens), "OpenLIT")
	assert.Equal(t, "3225", str(openLLMetry.Attributes(), vocabulary.GenAIUsageInputTokens), "OpenLLMetry")

	enrich(t, cfg, td)
	assert.Equal(t, "3225", str(openLIT.Attributes(), vocabulary.GenAIUsageInputTokens), "OpenLIT, second llm_enrich")
	assert.Equal(t, "3225", str(openLLMetry.Attributes(), vocabulary.GenAIUsageInputTokens), "OpenLLMetry, second llm_enrich")

	cfg.Dialects.RemoveSourceKeys = true
	td, openLIT, _ = build()
	enrich(t, cfg, td)
	enrich(t, cfg, td)
	assert.Equal(t, "3225", str(openLIT.Attributes(), vocabulary.GenAIUsageInputTokens), "source keys removed, second llm_enrich")
}

// TestReasoningTokensAndStreamFlag: the reasoning token counts and stream
// flags OpenLLMetry and OpenLIT write under their own gen_ai.* spellings
// reach the canonical keys.
func TestReasoningTokensAndStreamFlag(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetName("opentelemetry.instrumentation.openai.v1")
	openLLMetry := otlpSpan(ss, 1, 0, 1, "openai.chat", map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "o3-mini",
		"gen_ai.is_streaming": true, "gen_ai.usage.input_tokens": int64(1500), "gen_ai.usage.output_tokens": int64(300),
		"gen_ai.usage.total_tokens": int64(1800), "gen_ai.usage.reasoning_tokens": int64(192),
	})
	openLIT := otlpSpan(ss, 2, 0, 1, "chat gemini-2.5-pro", map[string]any{
		"telemetry.sdk.name": "openlit", "gen_ai.operation.name": "chat", "gen_ai.provider.name": "gcp.gemini",
		"gen_ai.request.model": "gemini-2.5-pro", "gen_ai.request.is_stream": false,
		"gen_ai.usage.input_tokens": int64(90), "gen_ai.usage.output_tokens": int64(400),
		"gen_ai.usage.completion_tokens_details.reasoning_tokens": int64(256),
	})
	enrich(t, createDefaultConfig().(*Config), td)
	a := openLLMetry.Attributes()
	assert.Equal(t, "192", str(a, vocabulary.GenAIUsageReasoningTokens), "OpenLLMetry reasoning")
	assert.Equal(t, "true", str(a, vocabulary.GenAIRequestStream), "OpenLLMetry stream flag")
	a = openLIT.Attributes()
	assert.Equal(t, "256", str(a, vocabulary.GenAIUsageReasoningTokens), "OpenLIT reasoning")
	assert.Equal(t, "false", str(a, vocabulary.GenAIRequestStream), "OpenLIT stream flag")
}

// TestFrameworkIsNotAProvider: agent frameworks and libraries name
// themselves in gen_ai.system or gen_ai.provider.name (OpenLIT's framework
// instrumentations, OpenLLMetry's Agno, CrewAI and LangChain ones). A
// framework serves no model, so it never becomes gen_ai.provider.name (nor
// the provider label of the span's metrics): an agent or workflow span has
// no provider, and an LLM span gets one from its other hints or none.
func TestFrameworkIsNotAProvider(t *testing.T) {
	tests := []struct {
		name     string
		attrs    map[string]any
		provider string // "<absent>" for none
	}{
		{"OpenLLMetry Agno agent span", map[string]any{
			"gen_ai.system": "agno", "traceloop.span.kind": "agent", "gen_ai.agent.name": "finance",
			"gen_ai.request.model": "gpt-4o-mini", "llm.usage.total_tokens": int64(907),
		}, "<absent>"},
		{"OpenLIT framework span of 2025", map[string]any{
			"telemetry.sdk.name": "openlit", "gen_ai.system": "langchain", "gen_ai.operation.name": "framework",
			"gen_ai.sdk.version": "1.34.0",
		}, "<absent>"},
		{"OpenLIT CrewAI agent span", map[string]any{
			"telemetry.sdk.name": "openlit", "gen_ai.provider.name": "crewai", "gen_ai.operation.name": "invoke_agent",
			"gen_ai.agent.name": "researcher", "gen_ai.sdk.version": "1.45.0",
		}, "<absent>"},
		{"OpenLLMetry LangGraph workflow span", map[string]any{
			"gen_ai.provider.name": "langgraph", "gen_ai.operation.name": "invoke_workflow", "traceloop.span.kind": "workflow",
		}, "<absent>"},
		{"OpenLIT LangChain chat span: the provider from server.address", map[string]any{
			"telemetry.sdk.name": "openlit", "gen_ai.provider.name": "langchain", "gen_ai.operation.name": "chat",
			"gen_ai.request.model": "my-claude", "server.address": "api.anthropic.com",
		}, vocabulary.ProviderAnthropic},
		{"LLM span of a framework: the provider from the model", map[string]any{
			"gen_ai.system": "LlamaIndex", "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
		}, vocabulary.ProviderOpenAI},
		{"LLM span of a framework without another hint: no provider", map[string]any{
			"gen_ai.system": "llama_index", "gen_ai.operation.name": "chat", "gen_ai.request.model": "llama3.1:8b",
		}, "<absent>"},
		{"a provider in gen_ai.system beats a framework in gen_ai.provider.name", map[string]any{
			"gen_ai.provider.name": "langchain", "gen_ai.system": "anthropic", "gen_ai.operation.name": "chat",
		}, vocabulary.ProviderAnthropic},
		{"a provider no table knows is still kept", map[string]any{
			"gen_ai.system": "Ollama", "gen_ai.operation.name": "chat", "gen_ai.request.model": "llama3.1:8b",
		}, vocabulary.ProviderOllama},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ptrace.NewTraces()
			ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
			span := otlpSpan(ss, 1, 0, 1, "span", tt.attrs)
			enrich(t, createDefaultConfig().(*Config), td)
			assert.Equal(t, tt.provider, str(span.Attributes(), vocabulary.GenAIProviderName))
		})
	}
}

// TestFrameworkProviderNotInherited: a tool span under a framework's agent
// span takes its provider from the agent's LLM call, not the framework.
func TestFrameworkProviderNotInherited(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	otlpSpan(ss, 1, 0, 1, "invoke_agent researcher", map[string]any{
		"gen_ai.provider.name": "crewai", "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "researcher",
		"gen_ai.request.model": "gpt-4o",
	})
	tool := otlpSpan(ss, 2, 1, 2, "execute_tool search", map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"})
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "<absent>", str(tool.Attributes(), vocabulary.GenAIProviderName))
	assert.Equal(t, "gpt-4o", str(tool.Attributes(), vocabulary.GenAIRequestModel))
}

// TestRastirFrameworkProviderKept: the Rastir server labels whatever
// provider word its client sends; Rastir spans keep it.
func TestRastirFrameworkProviderKept(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetName(vocabulary.ScopeRastir)
	span := otlpSpan(ss, 1, 0, 1, "answer", map[string]any{
		vocabulary.WireKeySpanType: "llm", vocabulary.RastirAttrProvider: "langchain", vocabulary.RastirAttrModel: "gpt-4o",
	})
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "langchain", str(span.Attributes(), vocabulary.GenAIProviderName))
}

// TestFrameworkProviderWithoutGenAIDialect: with the GenAI dialect off,
// inference still replaces a framework's name on an LLM span, or removes it.
func TestFrameworkProviderWithoutGenAIDialect(t *testing.T) {
	cfg := createDefaultConfig().(*Config)
	cfg.Dialects.GenAI = false
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	byModel := otlpSpan(ss, 1, 0, 1, "chat claude-sonnet-4-5", map[string]any{
		"gen_ai.provider.name": "langchain", "gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-sonnet-4-5",
	})
	noHint := otlpSpan(ss, 2, 0, 1, "chat llama3.1", map[string]any{
		"gen_ai.provider.name": "langchain", "gen_ai.operation.name": "chat", "gen_ai.request.model": "llama3.1",
	})
	enrich(t, cfg, td)
	assert.Equal(t, vocabulary.ProviderAnthropic, str(byModel.Attributes(), vocabulary.GenAIProviderName))
	assert.Equal(t, "<absent>", str(noHint.Attributes(), vocabulary.GenAIProviderName))
}
