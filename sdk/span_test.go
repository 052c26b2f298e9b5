package rastir

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

func TestStartHelpersAttributes(t *testing.T) {
	tests := []struct {
		name     string
		start    func(context.Context) (context.Context, *Span)
		wantName string
		wantKind trace.SpanKind
		want     map[string]any
	}{
		{
			name:     "agent",
			start:    func(ctx context.Context) (context.Context, *Span) { return StartAgent(ctx, "planner") },
			wantName: "invoke_agent planner",
			wantKind: trace.SpanKindInternal,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeAgent,
				vocabulary.GenAIOperationName: vocabulary.OperationInvokeAgent,
				vocabulary.GenAIAgentName:     "planner",
			},
		},
		{
			name: "llm",
			start: func(ctx context.Context) (context.Context, *Span) {
				return StartLLM(ctx, "gpt-4o", WithProvider(vocabulary.ProviderOpenAI), WithConversationID("c-1"))
			},
			wantName: "chat gpt-4o",
			wantKind: trace.SpanKindClient,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:   vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName:  vocabulary.OperationChat,
				vocabulary.GenAIRequestModel:   "gpt-4o",
				vocabulary.GenAIProviderName:   vocabulary.ProviderOpenAI,
				vocabulary.GenAIConversationID: "c-1",
			},
		},
		{
			name: "llm embeddings",
			start: func(ctx context.Context) (context.Context, *Span) {
				return StartLLM(ctx, "text-embedding-3-small", WithOperation(vocabulary.OperationEmbeddings))
			},
			wantName: "embeddings text-embedding-3-small",
			wantKind: trace.SpanKindClient,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
				vocabulary.GenAIOperationName: vocabulary.OperationEmbeddings,
				vocabulary.GenAIRequestModel:  "text-embedding-3-small",
			},
		},
		{
			name: "tool",
			start: func(ctx context.Context) (context.Context, *Span) {
				return StartTool(ctx, "search", WithToolCallID("call_1"))
			},
			wantName: "execute_tool search",
			wantKind: trace.SpanKindInternal,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeTool,
				vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool,
				vocabulary.GenAIToolName:      "search",
				vocabulary.GenAIToolCallID:    "call_1",
			},
		},
		{
			name: "remote tool client",
			start: func(ctx context.Context) (context.Context, *Span) {
				return StartTool(ctx, "weather", WithRemote(true), WithSpanKind(trace.SpanKindClient))
			},
			wantName: "execute_tool weather",
			wantKind: trace.SpanKindClient,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeTool,
				vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool,
				vocabulary.GenAIToolName:      "weather",
				vocabulary.RastirRemote:       true,
			},
		},
		{
			name: "remote tool server",
			start: func(ctx context.Context) (context.Context, *Span) {
				return StartTool(ctx, "weather", WithRemote(false), WithSpanName("mcpserver:weather"))
			},
			wantName: "mcpserver:weather",
			wantKind: trace.SpanKindInternal,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeTool,
				vocabulary.GenAIOperationName: vocabulary.OperationExecuteTool,
				vocabulary.GenAIToolName:      "weather",
				vocabulary.RastirRemote:       false,
			},
		},
		{
			name:     "retrieval",
			start:    func(ctx context.Context) (context.Context, *Span) { return StartRetrieval(ctx, "docs") },
			wantName: "retrieval docs",
			wantKind: trace.SpanKindClient,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeRetrieval,
				vocabulary.GenAIOperationName: vocabulary.OperationRetrieval,
				vocabulary.GenAIDataSourceID:  "docs",
			},
		},
		{
			name: "evaluation",
			start: func(ctx context.Context) (context.Context, *Span) {
				return StartEvaluation(ctx, "relevance", WithAttributes(attribute.Float64("score", 0.5)))
			},
			wantName: "relevance",
			wantKind: trace.SpanKindInternal,
			want: map[string]any{
				vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeEvaluation,
				"score":                      0.5,
			},
		},
		{
			name:     "infra",
			start:    func(ctx context.Context) (context.Context, *Span) { return StartInfra(ctx, "redis.Get") },
			wantName: "redis.Get",
			wantKind: trace.SpanKindClient,
			want:     map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeInfra},
		},
		{
			name:     "trace",
			start:    func(ctx context.Context) (context.Context, *Span) { return StartTrace(ctx, "request") },
			wantName: "request",
			wantKind: trace.SpanKindInternal,
			want:     map[string]any{vocabulary.RastirSpanTypeKey: vocabulary.SpanTypeSystem},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := record(t)
			ctx, s := tt.start(t.Context())
			assert.Same(t, s, SpanFromContext(ctx))
			assert.Equal(t, s.SpanContext(), trace.SpanContextFromContext(ctx))
			s.End()
			got := spanNamed(t, rec, tt.wantName)
			assert.Equal(t, tt.want, attrMap(got.Attributes()))
			assert.Equal(t, tt.wantKind, got.SpanKind())
			assert.Equal(t, ScopeName, got.InstrumentationScope().Name)
			assert.Equal(t, codes.Unset, got.Status().Code)
		})
	}
}

func TestLLMSetters(t *testing.T) {
	rec := record(t)
	_, s := StartLLM(t.Context(), "claude-sonnet-4", WithProvider(vocabulary.ProviderAnthropic))
	s.SetResponseModel("claude-sonnet-4-20250514")
	s.SetResponseID("msg_1")
	s.SetUsage(120, 45)
	s.SetCacheTokens(100, 0)
	s.SetReasoningTokens(7)
	s.SetFinishReasons("end_turn")
	s.SetCost(0.0042)
	s.SetPricingProfile("default")
	s.SetStreaming(true)
	s.SetTTFT(250 * time.Millisecond)
	s.MarkFirstChunk() // SetTTFT is explicit; MarkFirstChunk records its own once
	s.SetGuardrail("gr-1", "2")
	s.SetGuardrailOutcome(vocabulary.GuardrailActionIntervened, "made_up")
	s.SetServer("api.anthropic.com", 443)
	s.SetToolCallID("")
	s.End()
	s.SetUsage(1, 1) // after End: ignored
	got := attrMap(spanNamed(t, rec, "chat claude-sonnet-4").Attributes())
	ttft := got[vocabulary.GenAIResponseTimeToFirstChunk].(float64)
	delete(got, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Less(t, ttft, 250e-3, "MarkFirstChunk (set after SetTTFT) wins")
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:             vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:            vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:             "claude-sonnet-4",
		vocabulary.GenAIProviderName:             vocabulary.ProviderAnthropic,
		vocabulary.GenAIResponseModel:            "claude-sonnet-4-20250514",
		vocabulary.GenAIResponseID:               "msg_1",
		vocabulary.GenAIUsageInputTokens:         int64(120),
		vocabulary.GenAIUsageOutputTokens:        int64(45),
		vocabulary.GenAIUsageCacheReadTokens:     int64(100),
		vocabulary.GenAIUsageCacheCreationTokens: int64(0),
		vocabulary.GenAIUsageReasoningTokens:     int64(7),
		vocabulary.GenAIResponseFinishReasons:    []string{"end_turn"},
		vocabulary.RastirCostUSD:                 0.0042,
		vocabulary.RastirPricingProfile:          "default",
		vocabulary.GenAIRequestStream:            true,
		vocabulary.RastirGuardrailID:             "gr-1",
		vocabulary.RastirGuardrailVersion:        "2",
		vocabulary.RastirGuardrailAction:         vocabulary.GuardrailActionIntervened,
		vocabulary.RastirGuardrailCategory:       vocabulary.OverflowValue,
		vocabulary.ServerAddress:                 "api.anthropic.com",
		vocabulary.ServerPort:                    int64(443),
	}, got)
}

// TestRequestParamSetters: the request's parameters are written as the
// GenAI conventions type them; a choice count of 1, a negative limit, NaN
// and infinities, no stop sequences and no output type are not.
func TestRequestParamSetters(t *testing.T) {
	rec := record(t)
	_, s := StartLLM(t.Context(), "gpt-4.1")
	s.SetMaxTokens(512)
	s.SetTemperature(0)
	s.SetTopP(0.9)
	s.SetTopK(40)
	s.SetFrequencyPenalty(-0.5)
	s.SetPresencePenalty(math.Inf(1))
	s.SetSeed(-7)
	s.SetChoiceCount(3)
	s.SetStopSequences("\n\n", "END")
	s.SetOutputType(vocabulary.OutputTypeJSON)
	s.End()
	_, s2 := StartLLM(t.Context(), "gpt-4.1-mini")
	s2.SetMaxTokens(-1)
	s2.SetTemperature(math.NaN())
	s2.SetChoiceCount(1)
	s2.SetStopSequences()
	s2.SetOutputType("")
	s2.End()
	got := attrMap(spanNamed(t, rec, "chat gpt-4.1").Attributes())
	for _, k := range []string{vocabulary.RastirSpanTypeKey, vocabulary.GenAIOperationName, vocabulary.GenAIRequestModel} {
		delete(got, k)
	}
	assert.Equal(t, map[string]any{
		vocabulary.GenAIRequestMaxTokens:        int64(512),
		vocabulary.GenAIRequestTemperature:      0.0,
		vocabulary.GenAIRequestTopP:             0.9,
		vocabulary.GenAIRequestTopK:             40.0,
		vocabulary.GenAIRequestFrequencyPenalty: -0.5,
		vocabulary.GenAIRequestSeed:             int64(-7),
		vocabulary.GenAIRequestChoiceCount:      int64(3),
		vocabulary.GenAIRequestStopSequences:    []string{"\n\n", "END"},
		vocabulary.GenAIOutputType:              vocabulary.OutputTypeJSON,
	}, got)
	assert.Len(t, spanNamed(t, rec, "chat gpt-4.1-mini").Attributes(), 3)
	var nilSpan *Span
	nilSpan.SetTemperature(1)
	nilSpan.SetStopSequences("x")
}

func TestSettersBeyondTheBuffer(t *testing.T) {
	rec := record(t)
	_, s := StartTrace(t.Context(), "many")
	for i := range 3 * pendingCap {
		s.SetAttributes(attribute.Int(fmt.Sprintf("k%02d", i), i))
	}
	s.SetAttributes(attribute.Int("k00", -1)) // the latest value of a key wins
	s.End()
	got := attrMap(spanNamed(t, rec, "many").Attributes())
	assert.Len(t, got, 3*pendingCap+1)
	assert.Equal(t, int64(-1), got["k00"])
	assert.Equal(t, int64(3*pendingCap-1), got[fmt.Sprintf("k%02d", 3*pendingCap-1)])
}

func TestStartAttributesFillTheBuffer(t *testing.T) {
	rec := record(t)
	kvs := make([]attribute.KeyValue, pendingCap+2)
	for i := range kvs {
		kvs[i] = attribute.Int(fmt.Sprintf("s%02d", i), i)
	}
	_, s := StartTrace(t.Context(), "full", WithAttributes(kvs[:pendingCap-1]...))
	s.SetUsage(1, 2)
	s.End()
	_, s2 := StartTrace(t.Context(), "over", WithAttributes(kvs...))
	s2.SetUsage(3, 4)
	s2.End()
	assert.Len(t, spanNamed(t, rec, "full").Attributes(), pendingCap+2)
	got := attrMap(spanNamed(t, rec, "over").Attributes())
	assert.Len(t, got, pendingCap+5)
	assert.Equal(t, int64(4), got[vocabulary.GenAIUsageOutputTokens])
}

// The pooled buffer a span leaves at End carries nothing into the next
// span, and the start options of one span none into the next.
func TestPooledScratchStartsEmpty(t *testing.T) {
	rec := record(t)
	for i := range 3 {
		opts := []Option{WithProvider(vocabulary.ProviderOpenAI)}
		if i == 0 {
			opts = append(opts, WithConversationID("c1"), WithAttributes(attribute.String(vocabulary.ServerAddress, "api.openai.com")))
		}
		_, s := StartLLM(t.Context(), fmt.Sprintf("m%d", i), opts...)
		if i == 0 {
			for j := range pendingCap + 3 {
				s.SetAttributes(attribute.Int(fmt.Sprintf("k%02d", j), j))
			}
		}
		s.End()
	}
	first := attrMap(spanNamed(t, rec, "chat m0").Attributes())
	assert.Equal(t, "api.openai.com", first[vocabulary.ServerAddress])
	assert.Equal(t, "c1", first[vocabulary.GenAIConversationID])
	assert.Len(t, first, 6+pendingCap+3)
	for _, name := range []string{"chat m1", "chat m2"} {
		assert.Equal(t, map[string]any{
			vocabulary.RastirSpanTypeKey:  vocabulary.SpanTypeLLM,
			vocabulary.GenAIOperationName: vocabulary.OperationChat,
			vocabulary.GenAIRequestModel:  name[len("chat "):],
			vocabulary.GenAIProviderName:  vocabulary.ProviderOpenAI,
		}, attrMap(spanNamed(t, rec, name).Attributes()), name)
	}
}

func TestContextInheritance(t *testing.T) {
	rec := record(t)
	ctx, root := StartTrace(t.Context(), "request")
	// Under a plain trace span: no agent, no model.
	_, orphan := StartTool(ctx, "orphan")
	orphan.End()

	actx, agent := StartAgent(ctx, "planner")
	assert.Equal(t, "planner", AgentFromContext(actx))
	_, llm := StartLLM(actx, "gpt-4o", WithProvider(vocabulary.ProviderOpenAI))
	m, p := ModelFromContext(actx)
	assert.Equal(t, "gpt-4o", m, "request side reaches the siblings at once")
	assert.Equal(t, vocabulary.ProviderOpenAI, p)
	llm.SetResponseModel("gpt-4o-2024-08-06")
	llm.End()

	// A tool after the LLM call, below a plain span of the agent.
	tctx, step := StartTrace(actx, "step")
	_, tool := StartTool(tctx, "search")
	tool.End()
	_, ret := StartRetrieval(tctx, "kb")
	ret.End()
	_, infra := StartInfra(tctx, "db.Query")
	infra.End()
	step.End()

	// A nested agent starts from the parent's model and names its own spans.
	sctx, sub := StartAgent(actx, "researcher")
	_, subTool := StartTool(sctx, "fetch", WithModel("explicit"))
	subTool.End()
	_, subLLM := StartLLM(sctx, "claude-haiku", WithProvider(vocabulary.ProviderAnthropic))
	subLLM.End()
	sub.End()
	// The sub-agent's LLM call does not leak to the parent agent.
	m, _ = ModelFromContext(actx)
	assert.Equal(t, "gpt-4o-2024-08-06", m)
	agent.End()
	root.End()

	assert.NotContains(t, attrMap(spanNamed(t, rec, "execute_tool orphan").Attributes()), vocabulary.GenAIAgentName)
	assert.NotContains(t, attrMap(spanNamed(t, rec, "request").Attributes()), vocabulary.GenAIAgentName)
	assert.NotContains(t, attrMap(spanNamed(t, rec, "step").Attributes()), vocabulary.GenAIAgentName)

	toolAttrs := attrMap(spanNamed(t, rec, "execute_tool search").Attributes())
	assert.Equal(t, "planner", toolAttrs[vocabulary.GenAIAgentName])
	assert.Equal(t, "gpt-4o-2024-08-06", toolAttrs[vocabulary.GenAIRequestModel], "the response model is the latest")
	assert.Equal(t, vocabulary.ProviderOpenAI, toolAttrs[vocabulary.GenAIProviderName])
	retAttrs := attrMap(spanNamed(t, rec, "retrieval kb").Attributes())
	assert.Equal(t, "planner", retAttrs[vocabulary.GenAIAgentName])
	assert.Equal(t, "gpt-4o-2024-08-06", retAttrs[vocabulary.GenAIRequestModel])
	infraAttrs := attrMap(spanNamed(t, rec, "db.Query").Attributes())
	assert.Equal(t, "planner", infraAttrs[vocabulary.GenAIAgentName])
	assert.NotContains(t, infraAttrs, vocabulary.GenAIRequestModel)
	llmAttrs := attrMap(spanNamed(t, rec, "chat gpt-4o").Attributes())
	assert.Equal(t, "planner", llmAttrs[vocabulary.GenAIAgentName])

	subToolAttrs := attrMap(spanNamed(t, rec, "execute_tool fetch").Attributes())
	assert.Equal(t, "researcher", subToolAttrs[vocabulary.GenAIAgentName])
	assert.Equal(t, "explicit", subToolAttrs[vocabulary.GenAIRequestModel])
	assert.Equal(t, vocabulary.ProviderOpenAI, subToolAttrs[vocabulary.GenAIProviderName], "inherited from the parent agent")
	assert.Equal(t, "researcher", attrMap(spanNamed(t, rec, "chat claude-haiku").Attributes())[vocabulary.GenAIAgentName])

	// Parent links.
	assert.Equal(t, agent.SpanContext().SpanID(), spanNamed(t, rec, "chat gpt-4o").Parent().SpanID())
	assert.Equal(t, step.SpanContext().SpanID(), spanNamed(t, rec, "execute_tool search").Parent().SpanID())
	assert.Equal(t, root.SpanContext().TraceID(), spanNamed(t, rec, "execute_tool fetch").SpanContext().TraceID())
}

func TestContextWithAgent(t *testing.T) {
	rec := record(t)
	ctx := ContextWithAgent(t.Context(), "remote-planner")
	_, s := StartTool(ctx, "weather", WithRemote(false))
	s.End()
	assert.Equal(t, "remote-planner", attrMap(spanNamed(t, rec, "execute_tool weather").Attributes())[vocabulary.GenAIAgentName])
	assert.Empty(t, AgentFromContext(t.Context()))
}

func TestTwoPhaseEnrichmentOnFailure(t *testing.T) {
	rec := record(t)
	ctx, agent := StartAgent(t.Context(), "a")
	_, err := LLM(ctx, "gpt-4o", func(ctx context.Context) (string, error) {
		SpanFromContext(ctx).SetProvider(vocabulary.ProviderAzureAIOpenAI)
		return "", &rateLimitError{}
	}, WithProvider(vocabulary.ProviderOpenAI))
	require.Error(t, err)
	out, err := LLM(ctx, "gpt-4o-mini", func(ctx context.Context) (string, error) {
		s := SpanFromContext(ctx)
		s.SetResponseModel("gpt-4o-mini-2024-07-18")
		s.SetUsage(10, 2)
		return "ok", nil
	}, WithProvider(vocabulary.ProviderOpenAI))
	require.NoError(t, err)
	assert.Equal(t, "ok", out)
	agent.End()

	failed := spanNamed(t, rec, "chat gpt-4o")
	got := attrMap(failed.Attributes())
	assert.Equal(t, "gpt-4o", got[vocabulary.GenAIRequestModel])
	assert.Equal(t, vocabulary.ProviderAzureAIOpenAI, got[vocabulary.GenAIProviderName], "request side set inside the call survives")
	assert.Equal(t, "*rastir.rateLimitError", got[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorRateLimit, got[vocabulary.RastirErrorCategoryKey])
	assert.NotContains(t, got, vocabulary.GenAIResponseModel)
	assert.Equal(t, codes.Error, failed.Status().Code)
	assert.Equal(t, "too many requests", failed.Status().Description)
	require.Len(t, failed.Events(), 1)
	ev := failed.Events()[0]
	assert.Equal(t, vocabulary.EventException, ev.Name)
	assert.Equal(t, map[string]any{
		vocabulary.AttrExceptionType:    "*rastir.rateLimitError",
		vocabulary.AttrExceptionMessage: "too many requests",
	}, attrMap(ev.Attributes))

	ok := spanNamed(t, rec, "chat gpt-4o-mini")
	got = attrMap(ok.Attributes())
	assert.Equal(t, "gpt-4o-mini", got[vocabulary.GenAIRequestModel])
	assert.Equal(t, "gpt-4o-mini-2024-07-18", got[vocabulary.GenAIResponseModel])
	assert.Equal(t, int64(10), got[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, codes.Unset, ok.Status().Code)
	assert.Empty(t, ok.Events())
	assert.NotContains(t, got, vocabulary.ErrorType)
}

type rateLimitError struct{}

func (*rateLimitError) Error() string { return "too many requests" }

func TestRunRecordsPanics(t *testing.T) {
	rec := record(t)
	assert.PanicsWithValue(t, "boom", func() {
		_, _ = Tool(t.Context(), "explode", func(context.Context) (int, error) { panic("boom") })
	})
	s := spanNamed(t, rec, "execute_tool explode")
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "panic: boom", s.Status().Description)
	assert.Equal(t, "rastir.PanicError", attrMap(s.Attributes())[vocabulary.ErrorType])
}

// TestRunRecordsErrorPanics: a function that panics with an error (a
// library's panic(err)) has that error's type and category recorded, and
// the recorded error unwraps to it.
func TestRunRecordsErrorPanics(t *testing.T) {
	rec := record(t)
	cause := &rateLimitError{}
	assert.PanicsWithValue(t, cause, func() {
		_, _ = Tool(t.Context(), "explode", func(context.Context) (int, error) { panic(cause) })
	})
	s := spanNamed(t, rec, "execute_tool explode")
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "panic: too many requests", s.Status().Description)
	a := attrMap(s.Attributes())
	assert.Equal(t, "*rastir.rateLimitError", a[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorRateLimit, a[vocabulary.RastirErrorCategoryKey])
	assert.ErrorIs(t, PanicError{Value: cause}, cause)
}

// TestRunRecordsGoexit: a function that ends its goroutine with
// runtime.Goexit (testing's FailNow and SkipNow do) did not return: its
// span fails with ErrGoexit instead of ending as a success.
func TestRunRecordsGoexit(t *testing.T) {
	rec := record(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = Tool(t.Context(), "quit", func(context.Context) (int, error) {
			runtime.Goexit()
			return 0, nil
		})
	}()
	<-done
	s := spanNamed(t, rec, "execute_tool quit")
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, ErrGoexit.Error(), s.Status().Description)
}

func TestGenericWrappers(t *testing.T) {
	rec := record(t)
	ctx := t.Context()
	type run func() error
	calls := map[string]run{
		"invoke_agent a": func() error {
			_, err := Agent(ctx, "a", func(context.Context) (int, error) { return 1, nil })
			return err
		},
		"execute_tool t": func() error {
			_, err := Tool(ctx, "t", func(context.Context) (int, error) { return 1, errors.New("x") })
			return err
		},
		"retrieval r": func() error {
			_, err := Retrieval(ctx, "r", func(context.Context) (int, error) { return 1, nil })
			return err
		},
		"e": func() error {
			_, err := Evaluation(ctx, "e", func(context.Context) (int, error) { return 1, nil })
			return err
		},
		"i.m": func() error {
			_, err := Infra(ctx, "i.m", func(context.Context) (int, error) { return 1, nil })
			return err
		},
		"p": func() error {
			_, err := Trace(ctx, "p", func(context.Context) (int, error) { return 1, nil })
			return err
		},
	}
	for name, call := range calls {
		err := call()
		s := spanNamed(t, rec, name)
		if err != nil {
			assert.Equal(t, codes.Error, s.Status().Code, name)
			assert.Equal(t, "*errors.errorString", attrMap(s.Attributes())[vocabulary.ErrorType])
			assert.Equal(t, vocabulary.ErrorUnknown, attrMap(s.Attributes())[vocabulary.RastirErrorCategoryKey])
		} else {
			assert.Equal(t, codes.Unset, s.Status().Code, name)
		}
		assert.True(t, s.EndTime().After(s.StartTime()) || s.EndTime().Equal(s.StartTime()))
	}
	assert.Len(t, rec.Ended(), len(calls))
}

func TestNilSpanIsSafe(t *testing.T) {
	var s *Span
	s.SetRequestModel("m")
	s.SetProvider("p")
	s.SetResponseModel("m")
	s.SetUsage(1, 1)
	s.SetCost(1)
	s.MarkFirstChunk()
	s.Fail(errors.New("x"))
	s.FailStatus(500, "x")
	s.Finish(nil)
	s.End()
	assert.False(t, s.Failed())
	assert.Equal(t, KindTrace, s.Kind())
	assert.Nil(t, SpanFromContext(context.Background()))
}

// TestNilSpanTraceSpanMethods: the trace.Span methods are safe on a nil
// *Span too, which SpanFromContext returns under another instrumentation's
// span.
func TestNilSpanTraceSpanMethods(t *testing.T) {
	ctx, other := otel.Tracer("other").Start(context.Background(), "other")
	defer other.End()
	s := SpanFromContext(ctx)
	require.Nil(t, s)
	assert.NotPanics(t, func() {
		s.AddEvent("cache_miss")
		s.AddLink(trace.Link{})
		s.RecordError(errors.New("x"))
		s.SetStatus(codes.Error, "x")
		s.SetName("renamed")
		assert.False(t, s.IsRecording())
		assert.False(t, s.SpanContext().IsValid())
		assert.NotNil(t, s.TracerProvider())
	})
}

func TestContextModelAndProviderArePaired(t *testing.T) {
	rec := record(t)
	ctx, agent := StartAgent(t.Context(), "router")
	_, _ = LLM(ctx, "gpt-4o-mini", func(context.Context) (int, error) { return 1, nil },
		WithProvider(vocabulary.ProviderOpenAI))
	// A second model whose provider the caller does not give.
	_, _ = LLM(ctx, "llama3", func(context.Context) (int, error) { return 1, nil })
	m, p := ModelFromContext(ctx)
	assert.Equal(t, "llama3", m)
	assert.Empty(t, p, "the provider of the previous call is not llama3's")
	_, _ = Tool(ctx, "search", func(context.Context) (int, error) { return 1, nil })
	agent.End()

	got := attrMap(spanNamed(t, rec, "execute_tool search").Attributes())
	assert.Equal(t, "llama3", got[vocabulary.GenAIRequestModel])
	assert.NotContains(t, got, vocabulary.GenAIProviderName)
}

func TestHelpersFollowTheGlobalProvider(t *testing.T) {
	prev := otel.GetTracerProvider()
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	UseTracerProvider(nil)
	var recs []*tracetest.SpanRecorder
	for range 2 {
		rec := tracetest.NewSpanRecorder()
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
		t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
		// An application (or a test) installing a new global provider.
		otel.SetTracerProvider(tp)
		_, s := StartTool(t.Context(), "t")
		s.End()
		recs = append(recs, rec)
	}
	assert.Len(t, recs[0].Ended(), 1)
	assert.Len(t, recs[1].Ended(), 1, "the span went to the provider installed last")
}

// TestNilFunctionIsAnError: a wrapper given a nil function returns
// ErrNilFunc in a failed span instead of panicking inside it.
func TestNilFunctionIsAnError(t *testing.T) {
	rec := record(t)
	assert.NotPanics(t, func() {
		n, err := Tool[int](t.Context(), "t", nil)
		require.ErrorIs(t, err, ErrNilFunc)
		assert.Zero(t, n)
	})
	s := spanNamed(t, rec, "execute_tool t")
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, ErrNilFunc.Error(), s.Status().Description)

	var get func(context.Context, string) (string, error)
	wrapped := WrapFunc("cache", "Get", get)
	assert.NotPanics(t, func() {
		_, err := wrapped(t.Context(), "k")
		require.ErrorIs(t, err, ErrNilFunc)
	})
	assert.Equal(t, codes.Error, spanNamed(t, rec, "cache.Get").Status().Code)
}

// TestSpanUsedAfterEnd: a span whose setters keep being called after End
// (a late goroutine, a stream callback) touches no pooled memory the next
// spans use; run with -race. Its own late values go nowhere.
func TestSpanUsedAfterEnd(t *testing.T) {
	rec := record(t)
	ctx, agent := StartAgent(t.Context(), "a")
	_, late := StartLLM(ctx, "m0", WithProvider(vocabulary.ProviderOpenAI))
	late.End()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				late.SetAttributes(attribute.String("late", "x"))
				late.SetUsage(1, 2)
				late.SetCacheTokens(3, 4)
				late.SetFinishReasons("stop")
				late.SetServer("h", 1)
				late.SetHTTPStatus(500)
				late.MarkFirstChunk()
				late.Fail(errors.New("late"))
				late.FailStatus(502, "late")
				late.End()
			}
		})
	}
	const n = 200
	for i := range n {
		_, s := StartLLM(ctx, "m1", WithAttributes(attribute.Int("i", i)))
		s.SetUsage(int64(i), 1)
		s.End()
	}
	close(stop)
	wg.Wait()
	agent.End()

	for _, s := range rec.Ended() {
		got := attrMap(s.Attributes())
		assert.NotContains(t, got, "late", s.Name())
		assert.NotContains(t, got, vocabulary.ErrorType, s.Name())
		if s.Name() == "chat m1" {
			assert.Equal(t, got["i"], got[vocabulary.GenAIUsageInputTokens])
			assert.Len(t, got, 7)
		}
	}
	assert.Len(t, rec.Ended(), n+2)
}

// TestConcurrentSettersOnOneSpan: setters on one span from several
// goroutines, while it ends: each value written before End is kept.
func TestConcurrentSettersOnOneSpan(t *testing.T) {
	rec := record(t)
	_, s := StartTrace(t.Context(), "shared")
	var wg sync.WaitGroup
	// 3 × 2 × 16 + 1 stays below the SDK's default limit of 128.
	for g := range 3 {
		wg.Go(func() {
			for i := range 2 * pendingCap {
				s.SetAttributes(attribute.Int(fmt.Sprintf("g%d.%02d", g, i), i))
			}
		})
	}
	wg.Wait()
	s.End()
	assert.Len(t, spanNamed(t, rec, "shared").Attributes(), 1+3*2*pendingCap)
}

// TestLateModelDoesNotReachTheContext: an LLM span's setters after End
// change nothing, not even the agent's model that later tools read.
func TestLateModelDoesNotReachTheContext(t *testing.T) {
	record(t)
	ctx, agent := StartAgent(t.Context(), "a")
	defer agent.End()
	_, llm := StartLLM(ctx, "gpt-4o", WithProvider(vocabulary.ProviderOpenAI))
	llm.End()
	llm.SetResponseModel("late-model")
	llm.SetRequestModel("late-request")
	llm.SetProvider(vocabulary.ProviderAnthropic)
	m, p := ModelFromContext(ctx)
	assert.Equal(t, "gpt-4o", m)
	assert.Equal(t, vocabulary.ProviderOpenAI, p)
}

// TestSetCostRejectsNonFinite: a cost that is not a finite non-negative
// number is not written (an infinite cost would poison a cost counter),
// nor does it replace a cost written before; zero is a cost.
func TestSetCostRejectsNonFinite(t *testing.T) {
	rec := record(t)
	for _, tc := range []struct {
		model string
		first []float64 // set before the invalid costs
		want  any       // nil: no cost
	}{
		{"none", nil, nil},
		{"kept", []float64{0.5}, 0.5},
		{"free", []float64{0}, 0.0},
	} {
		_, s := StartLLM(t.Context(), tc.model)
		for _, c := range tc.first {
			s.SetCost(c)
		}
		s.SetCost(math.Inf(1))
		s.SetCost(math.NaN())
		s.SetCost(-1)
		s.End()
		got, ok := attrMap(spanNamed(t, rec, "chat "+tc.model).Attributes())[vocabulary.RastirCostUSD]
		assert.Equal(t, tc.want != nil, ok, tc.model)
		assert.Equal(t, tc.want, got, tc.model)
	}
}

// TestContextFlowsToGoroutinesAfterTheAgentEnded: work an agent started in
// goroutines that outlive its span is still attributed to it, and an LLM
// call made there still gives its model to the tool after it.
func TestContextFlowsToGoroutinesAfterTheAgentEnded(t *testing.T) {
	rec := record(t)
	ctx, agent := StartAgent(t.Context(), "planner")
	agent.End()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = LLM(ctx, "gpt-4o", func(context.Context) (int, error) { return 1, nil }, WithProvider(vocabulary.ProviderOpenAI))
		_, _ = Tool(ctx, "search", func(context.Context) (int, error) { return 1, nil })
	}()
	<-done
	got := attrMap(spanNamed(t, rec, "execute_tool search").Attributes())
	assert.Equal(t, "planner", got[vocabulary.GenAIAgentName])
	assert.Equal(t, "gpt-4o", got[vocabulary.GenAIRequestModel])
	assert.Equal(t, vocabulary.ProviderOpenAI, got[vocabulary.GenAIProviderName])
	assert.Equal(t, agent.SpanContext().SpanID(), spanNamed(t, rec, "execute_tool search").Parent().SpanID())
}

// TestNilContext: the context readers take a nil context as Start does,
// as an empty one, instead of panicking.
func TestNilContext(t *testing.T) {
	rec := record(t)
	var nilCtx context.Context //nolint:staticcheck // the bad input under test
	assert.NotPanics(t, func() {
		assert.Empty(t, AgentFromContext(nilCtx))
		m, p := ModelFromContext(nilCtx)
		assert.Empty(t, m)
		assert.Empty(t, p)
		assert.False(t, InWrapped(nilCtx, "x.y"))
		assert.Nil(t, SpanFromContext(nilCtx))
		ctx := ContextWithAgent(nilCtx, "remote")
		_, s := StartTool(ctx, "weather")
		s.End()
	})
	assert.Equal(t, "remote", attrMap(spanNamed(t, rec, "execute_tool weather").Attributes())[vocabulary.GenAIAgentName])
}
