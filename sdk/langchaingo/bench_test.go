package rastirlangchaingo

import (
	"context"
	"testing"

	"github.com/tmc/langchaingo/callbacks"
	"github.com/tmc/langchaingo/embeddings"
	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/schema"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// BenchmarkAgentStep measures the callbacks of one agent step (chain, LLM
// call with usage, agent action, tool): three spans, recorded by a provider
// with no exporter.
func BenchmarkAgentStep(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	h := New(WithAgentName("bench"), WithModel("gpt-4o"))
	ctx := context.Background()
	res := &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "stop", GenerationInfo: map[string]any{"PromptTokens": 10, "CompletionTokens": 5}}}}
	action := schema.AgentAction{Tool: "search"}
	b.ReportAllocs()
	for b.Loop() {
		h.HandleChainStart(ctx, nil)
		h.HandleLLMGenerateContentStart(ctx, nil)
		h.HandleLLMGenerateContentEnd(ctx, res)
		h.HandleAgentAction(ctx, action)
		h.HandleToolStart(ctx, "")
		h.HandleToolEnd(ctx, "")
		h.HandleChainEnd(ctx, nil)
	}
}

// BenchmarkAgentStepWrapped measures the same step with the LLM call made
// through WrapModel, around a model that sends the handler its start and
// end callbacks (as langchaingo's OpenAI LLM does) and returns at once.
func BenchmarkAgentStepWrapped(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	h := New(WithAgentName("bench"), WithModel("gpt-4o"))
	ctx := context.Background()
	res := &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "stop", GenerationInfo: map[string]any{"PromptTokens": 10, "CompletionTokens": 5}}}}
	m := h.WrapModel(&scripted{handler: h, res: res, script: func(ctx context.Context, h callbacks.Handler) {
		h.HandleLLMGenerateContentStart(ctx, nil)
		h.HandleLLMGenerateContentEnd(ctx, res)
	}})
	action := schema.AgentAction{Tool: "search"}
	b.ReportAllocs()
	for b.Loop() {
		h.HandleChainStart(ctx, nil)
		if _, err := m.GenerateContent(ctx, nil); err != nil {
			b.Fatal(err)
		}
		h.HandleAgentAction(ctx, action)
		h.HandleToolStart(ctx, "")
		h.HandleToolEnd(ctx, "")
		h.HandleChainEnd(ctx, nil)
	}
}

// BenchmarkEmbedWrapped measures one CreateEmbedding made through
// WrapModel, around a model that returns at once: one embeddings span.
func BenchmarkEmbedWrapped(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	h := New(WithEmbeddingModel("text-embedding-3-small"), WithProvider("openai"))
	m := h.WrapModel(&embedder{vecs: [][]float32{{1, 2, 3}}}).(embeddings.EmbedderClient)
	ctx := context.Background()
	texts := []string{"The food was delicious"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.CreateEmbedding(ctx, texts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerateWrapped measures one GenerateContent made through
// WrapModel around a model that returns at once, without call options and
// with options that set every request parameter.
func BenchmarkGenerateWrapped(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	h := New(WithModel("gpt-4o"), WithProvider("openai"))
	res := &llms.ContentResponse{Choices: []*llms.ContentChoice{{StopReason: "stop", GenerationInfo: map[string]any{"PromptTokens": 10, "CompletionTokens": 5}}}}
	m := h.WrapModel(&scripted{res: res})
	ctx := context.Background()
	params := []llms.CallOption{
		llms.WithMaxTokens(256), llms.WithTemperature(0.2), llms.WithTopP(0.9), llms.WithTopK(40),
		llms.WithSeed(42), llms.WithN(2), llms.WithStopWords([]string{"END"}),
		llms.WithFrequencyPenalty(0.5), llms.WithPresencePenalty(0.5), llms.WithJSONMode(),
	}
	for _, bc := range []struct {
		name string
		opts []llms.CallOption
	}{{"no_options", nil}, {"model_option", []llms.CallOption{llms.WithModel("gpt-4o-mini")}}, {"params", params}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.GenerateContent(ctx, nil, bc.opts...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
