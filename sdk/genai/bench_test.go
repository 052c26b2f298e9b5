package rastirgenai_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"google.golang.org/genai"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	rastirgenai "github.com/otelcol-rastir/otelcol-rastir/sdk/genai"
)

// canned answers every request with body, in process.
type canned []byte

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Header: http.Header{"Content-Type": []string{"application/json"}},
		Body: io.NopCloser(bytes.NewReader(c)), Request: req,
	}, nil
}

// BenchmarkGenerateContent compares a GenerateContent call through the
// client (in process, no network) without and with tracing, with no
// config and with a config that sets every request parameter; spans are
// recorded by a provider with no exporter.
func BenchmarkGenerateContent(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	data, err := os.ReadFile("testdata/generate_content.json")
	if err != nil {
		b.Fatal(err)
	}
	client, err := genai.NewClient(context.Background(), &genai.ClientConfig{
		APIKey: "test-key", Backend: genai.BackendGeminiAPI,
		HTTPClient:  &http.Client{Transport: canned(data)},
		HTTPOptions: genai.HTTPOptions{BaseURL: "https://generativelanguage.googleapis.com/"},
	})
	if err != nil {
		b.Fatal(err)
	}
	type generator interface {
		GenerateContent(context.Context, string, []*genai.Content, *genai.GenerateContentConfig) (*genai.GenerateContentResponse, error)
	}
	contents := genai.Text("Hello")
	full := &genai.GenerateContentConfig{
		Temperature: genai.Ptr[float32](0.7), TopP: genai.Ptr[float32](0.9), TopK: genai.Ptr[float32](40),
		MaxOutputTokens: 256, CandidateCount: 2, StopSequences: []string{"END"}, Seed: genai.Ptr[int32](7),
		PresencePenalty: genai.Ptr[float32](0.5), FrequencyPenalty: genai.Ptr[float32](0.25),
		ResponseMIMEType: "application/json",
	}
	for _, bc := range []struct {
		name   string
		m      generator
		config *genai.GenerateContentConfig
	}{
		{"bare", client.Models, nil},
		{"traced", rastirgenai.Wrap(client), nil},
		{"bare_params", client.Models, full},
		{"traced_params", rastirgenai.Wrap(client), full},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.m.GenerateContent(context.Background(), "gemini-2.5-flash", contents, bc.config); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
