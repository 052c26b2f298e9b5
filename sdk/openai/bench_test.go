package rastiropenai_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	rastiropenai "github.com/otelcol-rastir/otelcol-rastir/sdk/openai"
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
