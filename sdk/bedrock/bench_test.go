package rastirbedrock

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// cannedClient answers every request with its body (a Converse response
// when empty) and headers, in process.
type cannedClient struct {
	body   string
	header map[string]string
}

func (c cannedClient) Do(*http.Request) (*http.Response, error) {
	body := c.body
	if body == "" {
		body = converseOK
	}
	h := http.Header{"Content-Type": []string{"application/json"}}
	for k, v := range c.header {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: http.StatusOK, Header: h, Body: io.NopCloser(strings.NewReader(body))}, nil
}

// BenchmarkConverse compares a Converse call through the SDK (in process,
// no network) without and with the tracing middleware; spans are recorded
// by a provider with no exporter.
func BenchmarkConverse(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	plain := &bedrockruntime.ConverseInput{ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"), Messages: userMessage("Hello")}
	// With every inference parameter, and top_k in the additional fields.
	params := &bedrockruntime.ConverseInput{
		ModelId: plain.ModelId, Messages: plain.Messages,
		InferenceConfig: &types.InferenceConfiguration{
			MaxTokens: aws.Int32(512), Temperature: aws.Float32(0.5), TopP: aws.Float32(0.9), StopSequences: []string{"END"},
		},
		AdditionalModelRequestFields: document.NewLazyDocument(map[string]any{"top_k": 50}),
	}
	for _, bc := range []struct {
		name string
		in   *bedrockruntime.ConverseInput
		opts []func(*bedrockruntime.Options)
	}{
		{"bare", plain, nil},
		{"traced", plain, []func(*bedrockruntime.Options){WithTracing()}},
		{"bare_params", params, nil},
		{"traced_params", params, []func(*bedrockruntime.Options){WithTracing()}},
	} {
		in := bc.in
		client := bedrockruntime.New(bedrockruntime.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("https://bedrock-runtime.us-east-1.amazonaws.com"),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
			}),
			HTTPClient: cannedClient{}, RetryMaxAttempts: 1,
		}, bc.opts...)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.Converse(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInvokeModel: an InvokeModel call of Amazon Titan Text with
// Bedrock's token count headers, without and with the middleware.
func BenchmarkInvokeModel(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	in := &bedrockruntime.InvokeModelInput{
		ModelId: aws.String("amazon.titan-text-express-v1"), ContentType: aws.String("application/json"),
		Body: []byte(`{"inputText":"Hello","textGenerationConfig":{"maxTokenCount":512}}`),
	}
	canned := cannedClient{body: titanBody, header: map[string]string{headerInputTokens: "6", headerOutputTokens: "11"}}
	for _, bc := range []struct {
		name string
		opts []func(*bedrockruntime.Options)
	}{{"bare", nil}, {"traced", []func(*bedrockruntime.Options){WithTracing()}}} {
		client := bedrockruntime.New(bedrockruntime.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("https://bedrock-runtime.us-east-1.amazonaws.com"),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
			}),
			HTTPClient: canned, RetryMaxAttempts: 1,
		}, bc.opts...)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := client.InvokeModel(context.Background(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkInvokeModelWithResponseStream: an Anthropic Messages stream of
// seven chunks read to its end, without and with the middleware.
func BenchmarkInvokeModelWithResponseStream(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	var stream bytes.Buffer
	enc := eventstream.NewEncoder()
	for _, m := range chunks(anthropicStream...) {
		if err := enc.Encode(&stream, m); err != nil {
			b.Fatal(err)
		}
	}
	in := &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId: aws.String("anthropic.claude-3-5-sonnet-20240620-v1:0"), ContentType: aws.String("application/json"),
		Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hello"}]}`),
	}
	canned := cannedClient{body: stream.String(), header: map[string]string{"Content-Type": "application/vnd.amazon.eventstream"}}
	for _, bc := range []struct {
		name string
		opts []func(*bedrockruntime.Options)
	}{{"bare", nil}, {"traced", []func(*bedrockruntime.Options){WithTracing()}}} {
		client := bedrockruntime.New(bedrockruntime.Options{
			Region: "us-east-1", BaseEndpoint: aws.String("https://bedrock-runtime.us-east-1.amazonaws.com"),
			Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
				return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "secret"}, nil
			}),
			HTTPClient: canned, RetryMaxAttempts: 1,
		}, bc.opts...)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out, err := client.InvokeModelWithResponseStream(context.Background(), in)
				if err != nil {
					b.Fatal(err)
				}
				s := out.GetStream()
				n := 0
				for range s.Events() {
					n++
				}
				if err := s.Close(); err != nil || n != len(anthropicStream) {
					b.Fatal(n, err)
				}
			}
		})
	}
}
