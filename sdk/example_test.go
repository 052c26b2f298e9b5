package rastir_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

func Example() {
	ctx := context.Background()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	shutdown, err := rastir.Setup(ctx, rastir.WithTracerProvider(tp))
	if err != nil {
		panic(err)
	}
	defer func() { _ = shutdown(ctx) }()
	defer rastir.UseTracerProvider(nil)

	_, _ = rastir.Agent(ctx, "support", func(ctx context.Context) (string, error) {
		answer, err := rastir.LLM(ctx, "gpt-4o", func(ctx context.Context) (string, error) {
			s := rastir.SpanFromContext(ctx)
			s.SetResponseModel("gpt-4o-2024-08-06")
			s.SetUsage(120, 45)
			s.SetFinishReasons("stop")
			return "42", nil
		}, rastir.WithProvider(vocabulary.ProviderOpenAI))
		if err != nil {
			return "", err
		}
		_, err = rastir.Tool(ctx, "lookup", func(context.Context) (int, error) {
			return 0, errors.New("not found")
		})
		return answer, err
	})
	for _, s := range rec.Ended() {
		fmt.Println(s.Name(), s.Status().Code)
	}
	// Output:
	// chat gpt-4o Unset
	// execute_tool lookup Error
	// invoke_agent support Error
}

func ExampleWrapClient() {
	client := rastir.WrapClient("openai", nil)
	_ = client // use as any *http.Client: each request is an infra span "openai.POST"
	_ = rastir.WrapTransport("search", http.DefaultTransport)
}

func ExampleErrorCategory() {
	fmt.Println(rastir.ErrorType(context.DeadlineExceeded), rastir.ErrorCategory(context.DeadlineExceeded, 0))
	fmt.Println(rastir.ErrorCategory(errors.New("slow down"), http.StatusTooManyRequests))
	// Output:
	// context.deadlineExceededError timeout
	// rate_limit
}
