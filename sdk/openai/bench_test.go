package rastiropenai_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/sdktest"
	rastiropenai "github.com/otelcol-rastir/otelcol-rastir/sdk/openai"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// BenchmarkChatCompletion compares a chat completion through an
// instrumented client (spans recorded by a sampler-on provider without an
// exporter), directly and as a typed call, with the same call through a
// bare client, without a span and in a bare OpenTelemetry span made by
// hand, over one httptest server.
func BenchmarkChatCompletion(b *testing.B) {
	data, err := os.ReadFile("testdata/chat_completion.json")
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(data)
	}))
	defer srv.Close()
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer func() {
		rastir.UseTracerProvider(nil)
		_ = tp.Shutdown(context.Background())
	}()
	base := []option.RequestOption{option.WithBaseURL(srv.URL + "/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0)}
	params := chatParams("gpt-4.1")
	bare := openai.NewClient(base...)
	instrumented := openai.NewClient(append(base, rastiropenai.WithTracing())...)
	tr := tp.Tracer("bench")
	for _, bc := range []struct {
		name string
		call func() (*openai.ChatCompletion, error)
	}{
		{"bare", func() (*openai.ChatCompletion, error) {
			return bare.Chat.Completions.New(context.Background(), params)
		}},
		{"bare-otel-span", func() (*openai.ChatCompletion, error) {
			ctx, s := startBareSpan(tr)
			c, err := bare.Chat.Completions.New(ctx, params)
			if err == nil {
				endBareSpan(s, c)
			}
			return c, err
		}},
		{"instrumented", func() (*openai.ChatCompletion, error) {
			return instrumented.Chat.Completions.New(context.Background(), params)
		}},
		{"typed", func() (*openai.ChatCompletion, error) {
			return rastiropenai.NewChatCompletion(context.Background(), instrumented.Chat.Completions.New, params)
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.call(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSpan compares the adapter's work for one chat completion with a
// bare OpenTelemetry span carrying the same attributes, both on a provider
// whose spans end in a no-op exporter (the target's setting) and on one
// without a span processor at all (where the span itself costs least).
// The adapter is measured both ways it traces a call: the middleware alone
// (over the HTTP exchange, reading the request and response JSON), and a
// typed call (NewChatCompletion, reading the client's decoded values, the
// middleware recording the exchange).
func BenchmarkSpan(b *testing.B) {
	data, err := os.ReadFile("testdata/chat_completion.json")
	if err != nil {
		b.Fatal(err)
	}
	reqBody := []byte(`{"messages":[{"content":"Hello!","role":"user"}],"model":"gpt-4.1"}`)
	for _, pc := range []struct {
		name string
		tp   *sdktrace.TracerProvider
	}{
		{"noop-exporter", sdktest.NewNoopProvider()},
		{"no-exporter", sdktrace.NewTracerProvider()},
	} {
		b.Run(pc.name, func(b *testing.B) {
			rastir.UseTracerProvider(pc.tp)
			defer func() {
				rastir.UseTracerProvider(nil)
				_ = pc.tp.Shutdown(context.Background())
			}()
			benchSpan(b, pc.tp, data, reqBody)
		})
	}
}

func benchSpan(b *testing.B, tp *sdktrace.TracerProvider, data, reqBody []byte) {
	req, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions", bytes.NewReader(reqBody))
	if err != nil {
		b.Fatal(err)
	}
	var decoded openai.ChatCompletion
	if err := decoded.UnmarshalJSON(data); err != nil {
		b.Fatal(err)
	}
	// Every case makes the same exchange: the client's part is to build
	// the request with the call's context, send it through the transport
	// chain (with or without the middleware), read the body to its end and
	// return the completion, decoded once here (decoding costs the same
	// with or without the adapter). The in-memory transport reuses its
	// response: what a real transport allocates is the same in every case.
	header := http.Header{"Content-Type": []string{"application/json"}}
	var resp http.Response
	rd := bytes.NewReader(data)
	rc := io.NopCloser(rd)
	next := func(*http.Request) (*http.Response, error) {
		rd.Reset(data)
		resp = http.Response{StatusCode: http.StatusOK, Header: header, ContentLength: int64(len(data)), Body: rc}
		return &resp, nil
	}
	mw := rastiropenai.Middleware()
	traced := func(r *http.Request) (*http.Response, error) { return mw(r, next) }
	call := func(ctx context.Context, send func(*http.Request) (*http.Response, error)) (*openai.ChatCompletion, error) {
		resp, err := send(req.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return nil, err
		}
		_ = resp.Body.Close()
		return &decoded, nil
	}
	params := chatParams("gpt-4.1")

	// The bare span is made by hand around the call, its attributes taken
	// from the completion.
	var bare sdktest.PerOp
	b.Run("bare-otel", func(b *testing.B) {
		tr := tp.Tracer("bench")
		bare = sdktest.Measure(b, func() {
			ctx, s := startBareSpan(tr)
			c, err := call(ctx, next)
			if err != nil {
				b.Fatal(err)
			}
			endBareSpan(s, c)
		})
	})

	b.Run("adapter", func(b *testing.B) {
		adapter := sdktest.Measure(b, func() {
			if _, err := call(context.Background(), traced); err != nil {
				b.Fatal(err)
			}
		})
		sdktest.ReportRatios(b, adapter, bare)
	})

	b.Run("adapter-typed", func(b *testing.B) {
		create := func(ctx context.Context, _ openai.ChatCompletionNewParams, _ ...option.RequestOption) (*openai.ChatCompletion, error) {
			return call(ctx, traced)
		}
		typed := sdktest.Measure(b, func() {
			if _, err := rastiropenai.NewChatCompletion(context.Background(), create, params); err != nil {
				b.Fatal(err)
			}
		})
		sdktest.ReportRatios(b, typed, bare)
	})
}

// startBareSpan starts the bare OpenTelemetry span of a chat completion, as
// code instrumented by hand would: what the request tells at the start.
func startBareSpan(tr trace.Tracer) (context.Context, trace.Span) {
	return tr.Start(context.Background(), "chat gpt-4.1", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(
			attribute.String(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeLLM),
			attribute.String(vocabulary.GenAIOperationName, vocabulary.OperationChat),
			attribute.String(vocabulary.GenAIRequestModel, "gpt-4.1"),
			attribute.String(vocabulary.GenAIProviderName, vocabulary.ProviderOpenAI),
		))
}

// endBareSpan ends the bare span with the attributes the adapter records,
// taken from the decoded completion c.
func endBareSpan(s trace.Span, c *openai.ChatCompletion) {
	reasons := make([]string, len(c.Choices))
	for i := range c.Choices {
		reasons[i] = c.Choices[i].FinishReason
	}
	s.SetAttributes(
		attribute.String(vocabulary.ServerAddress, "api.openai.com"),
		attribute.Int(vocabulary.ServerPort, 443),
		attribute.Int(vocabulary.HTTPResponseStatusCode, 200),
		attribute.String(vocabulary.GenAIResponseID, c.ID),
		attribute.String(vocabulary.GenAIResponseModel, c.Model),
		attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, reasons),
		attribute.Int64(vocabulary.GenAIUsageInputTokens, c.Usage.PromptTokens),
		attribute.Int64(vocabulary.GenAIUsageOutputTokens, c.Usage.CompletionTokens),
		attribute.Int64(vocabulary.GenAIUsageCacheReadTokens, c.Usage.PromptTokensDetails.CachedTokens),
		attribute.Int64(vocabulary.GenAIUsageReasoningTokens, c.Usage.CompletionTokensDetails.ReasoningTokens),
	)
	s.End()
}
