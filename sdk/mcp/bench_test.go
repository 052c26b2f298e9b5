package rastirmcp

import (
	"context"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// BenchmarkCallTool compares a tools/call over the in-memory transport
// without and with both middlewares (two spans, recorded by a provider with
// no exporter).
func BenchmarkCallTool(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)
	for _, traced := range []bool{false, true} {
		name := "bare"
		if traced {
			name = "traced"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s := mcp.NewServer(&mcp.Implementation{Name: "tools", Version: "1.0.0"}, nil)
			mcp.AddTool(s, &mcp.Tool{Name: "echo"}, func(_ context.Context, _ *mcp.CallToolRequest, in searchIn) (*mcp.CallToolResult, any, error) {
				return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: in.Query}}}, nil, nil
			})
			c := mcp.NewClient(&mcp.Implementation{Name: "agent", Version: "1.0.0"}, nil)
			if traced {
				s.AddReceivingMiddleware(ServerMiddleware())
				c.AddSendingMiddleware(ClientMiddleware())
			}
			st, ct := mcp.NewInMemoryTransports()
			ss, err := s.Connect(ctx, st, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer ss.Close()
			cs, err := c.Connect(ctx, ct, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer cs.Close()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: "echo", Arguments: map[string]any{"query": "x"}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
