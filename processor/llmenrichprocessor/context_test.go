package llmenrichprocessor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// otlpSpan appends a span of an OTLP instrumentation with the given ids,
// start second and attributes.
func otlpSpan(ss ptrace.ScopeSpans, id, parent byte, start int64, name string, attrs map[string]any) ptrace.Span {
	s := ss.Spans().AppendEmpty()
	s.SetTraceID(pcommon.TraceID{1})
	s.SetSpanID(pcommon.SpanID{id})
	if parent != 0 {
		s.SetParentSpanID(pcommon.SpanID{parent})
	}
	s.SetStartTimestamp(pcommon.Timestamp(start * 1e9))
	s.SetName(name)
	_ = s.Attributes().FromRaw(attrs)
	return s
}

func TestInference(t *testing.T) {
	tests := []struct {
		name            string
		spanName        string
		attrs           map[string]any
		provider, model string
	}{
		{"model from the span name, provider from the host", "chat gpt-4o",
			map[string]any{"gen_ai.operation.name": "chat", "server.address": "api.openai.com"}, "openai", "gpt-4o"},
		{"the host beats the model name", "chat gpt-4o",
			map[string]any{"gen_ai.operation.name": "chat", "server.address": "my-res.openai.azure.com"}, "azure.ai.openai", "gpt-4o"},
		{"a Bedrock model id", "chat",
			map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "us.anthropic.claude-3-5-sonnet-20241022-v2:0"}, "aws.bedrock", "us.anthropic.claude-3-5-sonnet-20241022-v2:0"},
		{"a model name", "generate_content gemini-2.0-flash",
			map[string]any{"gen_ai.operation.name": "generate_content"}, "gcp.gemini", "gemini-2.0-flash"},
		{"an explicit provider is kept", "chat gpt-4o",
			map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "groq"}, "groq", "gpt-4o"},
		{"a tool span gets no provider", "execute_tool search",
			map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.request.model": "gpt-4o"}, "", "gpt-4o"},
		{"a span that is no LLM call is left alone", "GET /",
			map[string]any{"server.address": "api.openai.com"}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			td := ptrace.NewTraces()
			span := otlpSpan(td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty(), 1, 0, 1, tt.spanName, tt.attrs)
			enrich(t, createDefaultConfig().(*Config), td)
			a := span.Attributes()
			assert.Equal(t, orAbsent(tt.provider), str(a, vocabulary.GenAIProviderName))
			assert.Equal(t, orAbsent(tt.model), str(a, vocabulary.GenAIRequestModel))
		})
	}
}

// TestSpanNameModelOnlyForLLMCalls: semconv names a retrieval span
// "retrieval {gen_ai.data_source.id}", not after a model; the data source is
// no model, and the span takes the model of the LLM call that led to it.
func TestSpanNameModelOnlyForLLMCalls(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	otlpSpan(ss, 1, 0, 1, "invoke_agent research", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "research"})
	otlpSpan(ss, 2, 1, 2, "chat gpt-4o", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai"})
	retrieval := otlpSpan(ss, 3, 1, 3, "retrieval product_docs", map[string]any{
		"gen_ai.operation.name": "retrieval", "gen_ai.data_source.id": "product_docs",
	})
	guardrail := otlpSpan(ss, 4, 1, 4, "apply_guardrail pii_filter", map[string]any{"gen_ai.operation.name": "apply_guardrail"})
	enrich(t, createDefaultConfig().(*Config), td)

	a := retrieval.Attributes()
	assert.Equal(t, "gpt-4o", str(a, vocabulary.GenAIRequestModel), "the LLM call before it, not the data source")
	assert.Equal(t, "openai", str(a, vocabulary.GenAIProviderName))
	assert.Equal(t, "research", str(a, vocabulary.GenAIAgentName))
	assert.Equal(t, "<absent>", str(guardrail.Attributes(), vocabulary.GenAIRequestModel), "a guardrail component is no model")
}

func orAbsent(s string) string {
	if s == "" {
		return "<absent>"
	}
	return s
}

// TestAgentContext: an OTLP agent tree (agent → llm, agent → tool; a nested
// agent) gets per-agent attribution without client help.
func TestAgentContext(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	otlpSpan(ss, 1, 0, 1, "invoke_agent triage", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage"})
	llm := otlpSpan(ss, 2, 1, 2, "chat gpt-4o", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o"})
	tool := otlpSpan(ss, 3, 1, 3, "execute_tool search", map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"})
	otlpSpan(ss, 4, 1, 4, "invoke_agent billing", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "billing"})
	innerLLM := otlpSpan(ss, 5, 4, 5, "chat claude-3-5-haiku", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "claude-3-5-haiku"})
	keep := otlpSpan(ss, 6, 4, 6, "execute_tool refund", map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.agent.name": "explicit", "gen_ai.request.model": "own-model"})
	early := otlpSpan(ss, 7, 1, 0, "execute_tool lookup", map[string]any{"gen_ai.operation.name": "execute_tool"})
	enrich(t, createDefaultConfig().(*Config), td)

	assert.Equal(t, "triage", str(llm.Attributes(), vocabulary.GenAIAgentName))
	assert.Equal(t, "triage", str(tool.Attributes(), vocabulary.GenAIAgentName))
	assert.Equal(t, "gpt-4o", str(tool.Attributes(), vocabulary.GenAIRequestModel), "the LLM call before the tool chose it")
	assert.Equal(t, "openai", str(tool.Attributes(), vocabulary.GenAIProviderName))
	assert.Equal(t, "billing", str(innerLLM.Attributes(), vocabulary.GenAIAgentName), "the nearest agent")
	assert.Equal(t, "anthropic", str(innerLLM.Attributes(), vocabulary.GenAIProviderName), "inferred from the model")
	assert.Equal(t, "explicit", str(keep.Attributes(), vocabulary.GenAIAgentName), "never replaced")
	assert.Equal(t, "own-model", str(keep.Attributes(), vocabulary.GenAIRequestModel))
	assert.Equal(t, "triage", str(early.Attributes(), vocabulary.GenAIAgentName))
	assert.Equal(t, "<absent>", str(early.Attributes(), vocabulary.GenAIRequestModel), "no LLM call before it")
}

func TestAgentContextLeavesRastirSpans(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	ss.Scope().SetName(vocabulary.ScopeRastir)
	otlpSpan(ss, 1, 0, 1, "agent", map[string]any{vocabulary.WireKeySpanType: "agent", vocabulary.RastirAttrAgent: "triage"})
	tool := otlpSpan(ss, 2, 1, 2, "search", map[string]any{vocabulary.WireKeySpanType: "tool"})
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "<absent>", str(tool.Attributes(), vocabulary.GenAIAgentName), "the Rastir client's attribution is kept as sent")
}

func TestAgentContextSurvivesCycles(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	otlpSpan(ss, 1, 2, 1, "execute_tool a", map[string]any{"gen_ai.operation.name": "execute_tool"})
	otlpSpan(ss, 2, 1, 1, "execute_tool b", map[string]any{"gen_ai.operation.name": "execute_tool"})
	enrich(t, createDefaultConfig().(*Config), td)
}

// BenchmarkProcessOTLPAgentTree: spans of a semconv instrumentation that
// need inference and agent context (the expensive path).
func BenchmarkProcessOTLPAgentTree(b *testing.B) {
	e, err := newEnricher(createDefaultConfig().(*Config))
	if err != nil {
		b.Fatal(err)
	}
	build := func() ptrace.Traces {
		td := ptrace.NewTraces()
		ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
		for i := range 20 {
			base := byte(i*5 + 1)
			otlpSpan(ss, base, 0, int64(base), "invoke_agent triage", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage"})
			otlpSpan(ss, base+1, base, int64(base+1), "chat gpt-4o", map[string]any{
				"gen_ai.operation.name": "chat", "server.address": "api.openai.com",
				"gen_ai.usage.input_tokens": int64(812), "gen_ai.usage.output_tokens": int64(64),
			})
			otlpSpan(ss, base+2, base, int64(base+2), "execute_tool search", map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"})
			otlpSpan(ss, base+3, base, int64(base+3), "chat gpt-4o-mini", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.usage.prompt_tokens": int64(100)})
			otlpSpan(ss, base+4, base, int64(base+4), "retrieval docs", map[string]any{"gen_ai.operation.name": "retrieval"})
		}
		return td
	}
	benchmarkProcess(b, e, build())
}

// TestAgentContextLatestLLMCall: a tool span takes the model of the LLM
// call under its agent that started last before it, the first in the
// batch of those that started together; calls after it and calls without a
// model do not count.
func TestAgentContextLatestLLMCall(t *testing.T) {
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	otlpSpan(ss, 1, 0, 1, "invoke_agent triage", map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "triage"})
	otlpSpan(ss, 2, 1, 9, "chat late", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "late"})
	otlpSpan(ss, 3, 1, 5, "chat first", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "first"})
	otlpSpan(ss, 4, 1, 5, "chat second", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "second"})
	otlpSpan(ss, 5, 1, 2, "chat early", map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "early"})
	otlpSpan(ss, 6, 1, 6, "chat", map[string]any{"gen_ai.operation.name": "chat"})
	tool := otlpSpan(ss, 7, 1, 7, "execute_tool search", map[string]any{"gen_ai.operation.name": "execute_tool"})
	atStart := otlpSpan(ss, 8, 1, 2, "execute_tool lookup", map[string]any{"gen_ai.operation.name": "execute_tool"})
	enrich(t, createDefaultConfig().(*Config), td)
	assert.Equal(t, "first", str(tool.Attributes(), vocabulary.GenAIRequestModel))
	assert.Equal(t, "early", str(atStart.Attributes(), vocabulary.GenAIRequestModel), "a call that started with it counts")
}

// BenchmarkAgentContextManyCalls: one agent with 10,000 LLM calls and
// 10,000 tool spans that take their model from the calls before them.
func BenchmarkAgentContextManyCalls(b *testing.B) {
	e, err := newEnricher(createDefaultConfig().(*Config))
	if err != nil {
		b.Fatal(err)
	}
	td := ptrace.NewTraces()
	ss := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty()
	spanID := func(i int) pcommon.SpanID {
		return pcommon.SpanID{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i), 1}
	}
	agent := ss.Spans().AppendEmpty()
	agent.SetTraceID(pcommon.TraceID{1})
	agent.SetSpanID(spanID(0))
	_ = agent.Attributes().FromRaw(map[string]any{"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "a"})
	for i := 1; i <= 20000; i++ {
		s := ss.Spans().AppendEmpty()
		s.SetTraceID(pcommon.TraceID{1})
		s.SetSpanID(spanID(i))
		s.SetParentSpanID(spanID(0))
		s.SetStartTimestamp(pcommon.Timestamp(i))
		if i%2 == 1 {
			_ = s.Attributes().FromRaw(map[string]any{"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.provider.name": "openai"})
		} else {
			_ = s.Attributes().FromRaw(map[string]any{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "t"})
		}
	}
	benchmarkProcess(b, e, td)
}
