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
// exporter) with the same call through a bare client, over one httptest
// server.
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
	for _, bc := range []struct {
		name string
		c    openai.Client
	}{
		{"bare", openai.NewClient(base...)},
		{"instrumented", openai.NewClient(append(base, rastiropenai.WithTracing())...)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.c.Chat.Completions.New(context.Background(), params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSpan compares the adapter's work for one chat completion (the
// middleware over an in-memory response, body read by the caller) with a
// bare OpenTelemetry span carrying the same attributes, both on a provider
// whose spans end in a no-op exporter (the target's setting) and on one
// without a span processor at all (where the span itself costs least, so
// the adapter's own work weighs most). The adapter case reports its time
// and allocations relative to the bare case of the same run (time-ratio,
// allocs-ratio).
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
	// Both cases make the same exchange: an in-memory transport whose
	// response is reused (what a real transport allocates is the same with
	// or without the adapter), and a caller that reads the body to its end
	// and closes it.
	header := http.Header{"Content-Type": []string{"application/json"}}
	var resp http.Response
	rd := bytes.NewReader(data)
	rc := io.NopCloser(rd)
	next := func(*http.Request) (*http.Response, error) {
		rd.Reset(data)
		resp = http.Response{StatusCode: http.StatusOK, Header: header, ContentLength: int64(len(data)), Body: rc}
		return &resp, nil
	}
	readBody := func(resp *http.Response) {
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			b.Fatal(err)
		}
		_ = resp.Body.Close()
	}

	// The bare span is made by hand around the call, its attributes taken
	// from the response the client has decoded anyway.
	var bare sdktest.PerOp
	b.Run("bare-otel", func(b *testing.B) {
		tr := tp.Tracer("bench")
		bare = sdktest.Measure(b, func() {
			_, s := tr.Start(context.Background(), "chat gpt-4.1", trace.WithSpanKind(trace.SpanKindClient),
				trace.WithAttributes(
					attribute.String(vocabulary.RastirSpanTypeKey, vocabulary.SpanTypeLLM),
					attribute.String(vocabulary.GenAIOperationName, vocabulary.OperationChat),
					attribute.String(vocabulary.GenAIRequestModel, "gpt-4.1"),
					attribute.String(vocabulary.GenAIProviderName, vocabulary.ProviderOpenAI),
				))
			// The client builds its request with the span's context.
			resp, _ := next(req)
			readBody(resp)
			s.SetAttributes(
				attribute.String(vocabulary.ServerAddress, "api.openai.com"),
				attribute.Int(vocabulary.ServerPort, 443),
				attribute.Int(vocabulary.HTTPResponseStatusCode, 200),
				attribute.String(vocabulary.GenAIResponseID, "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT"),
				attribute.String(vocabulary.GenAIResponseModel, "gpt-4.1-2025-04-14"),
				attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, []string{"stop"}),
				attribute.Int64(vocabulary.GenAIUsageInputTokens, 19),
				attribute.Int64(vocabulary.GenAIUsageOutputTokens, 10),
				attribute.Int64(vocabulary.GenAIUsageCacheReadTokens, 0),
				attribute.Int64(vocabulary.GenAIUsageReasoningTokens, 0),
			)
			s.End()
		})
	})

	b.Run("adapter", func(b *testing.B) {
		mw := rastiropenai.Middleware()
		adapter := sdktest.Measure(b, func() {
			resp, err := mw(req, next)
			if err != nil {
				b.Fatal(err)
			}
			readBody(resp)
		})
		sdktest.ReportRatios(b, adapter, bare)
	})
}
