// Command agent is a small instrumented agent: it asks an OpenAI model for a
// plan, checks the weather with a tool on an MCP server, and formats the
// answer with a local tool. Every step is a span of one trace:
//
//	invoke_agent trip_planner
//	├── chat gpt-4o-mini                 (openai-go, sdk/openai middleware)
//	├── get_weather                      (MCP client, sdk/mcp client middleware)
//	│   └── mcpserver:get_weather        (MCP server, sdk/mcp server middleware)
//	└── execute_tool format_plan         (local tool, rastir.Tool)
//
// The MCP server runs in the same process on a free local port and is
// reached over the streamable HTTP transport, as a remote server would be.
//
// Configuration is by environment only:
//
//	OTEL_EXPORTER_OTLP_ENDPOINT  where spans go over OTLP/HTTP (default http://localhost:4318)
//	RASTIR_PUSH_URL              send spans in Rastir's JSON to this Rastir endpoint instead
//	OTEL_SERVICE_NAME            the service name (RASTIR_SERVICE wins over it)
//	OPENAI_API_KEY               the OpenAI key
//	OPENAI_BASE_URL              another OpenAI-compatible endpoint (default https://api.openai.com/v1/)
//	AGENT_MODEL                  the model (default gpt-4o-mini)
//	AGENT_CITY                   the city to plan a day in (default Lisbon)
package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/openai/openai-go/v3"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	rastirmcp "github.com/otelcol-rastir/otelcol-rastir/sdk/mcp"
	rastiropenai "github.com/otelcol-rastir/otelcol-rastir/sdk/openai"
)

// agentName names the agent span; it is the agent label of every metric.
const agentName = "trip_planner"

func main() {
	if err := run(context.Background()); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context) (err error) {
	// 1. The SDK: a tracer provider exporting to otelcol-rastir (OTLP/HTTP,
	// or Rastir's push format when RASTIR_PUSH_URL is set). Its shutdown
	// flushes the spans still buffered: without it the last spans are lost.
	shutdown, err := rastir.Setup(ctx)
	if err != nil {
		return err
	}
	defer func() {
		flushCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err = errors.Join(err, shutdown(flushCtx))
	}()

	// 2. An MCP server with one tool, traced by the server middleware.
	mcpURL, stopServer, err := startWeatherServer()
	if err != nil {
		return err
	}
	defer stopServer()

	// 3. The clients: openai-go with the tracing middleware, and an MCP
	// client whose tool calls are traced and carry the trace to the server.
	llm := openai.NewClient(rastiropenai.WithTracing()) // reads OPENAI_API_KEY, OPENAI_BASE_URL
	mcpClient := mcp.NewClient(&mcp.Implementation{Name: "trip-planner", Version: "1.0.0"}, nil)
	mcpClient.AddSendingMiddleware(rastirmcp.ClientMiddleware())
	session, err := mcpClient.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint:             mcpURL,
		HTTPClient:           rastirmcp.HTTPClient(nil),
		DisableStandaloneSSE: true,
	}, nil)
	if err != nil {
		return fmt.Errorf("connecting to the MCP server: %w", err)
	}
	defer session.Close()

	model := envOr("AGENT_MODEL", "gpt-4o-mini")
	city := envOr("AGENT_CITY", "Lisbon")

	// 4. The agent: one span, with the LLM and tool spans below it.
	answer, err := rastir.Agent(ctx, agentName, func(ctx context.Context) (string, error) {
		// A typed call: its span takes its values from the params and the
		// decoded completion (the middleware adds the HTTP exchange's).
		completion, err := rastiropenai.NewChatCompletion(ctx, llm.Chat.Completions.New, openai.ChatCompletionNewParams{
			Model: model,
			Messages: []openai.ChatCompletionMessageParamUnion{
				openai.SystemMessage("You plan short city trips. Answer in two sentences."),
				openai.UserMessage("Plan a day out in " + city + "."),
			},
		})
		if err != nil {
			return "", fmt.Errorf("asking the model: %w", err)
		}
		if len(completion.Choices) == 0 {
			return "", errors.New("the model returned no choice")
		}
		plan := completion.Choices[0].Message.Content

		weather, err := session.CallTool(ctx, &mcp.CallToolParams{
			Name:      "get_weather",
			Arguments: map[string]any{"city": city},
		})
		if err != nil {
			return "", fmt.Errorf("calling get_weather: %w", err)
		}

		return rastir.Tool(ctx, "format_plan", func(context.Context) (string, error) {
			return formatPlan(city, plan, weather), nil
		})
	})
	if err != nil {
		return err
	}
	fmt.Println(answer)
	return nil
}

// weatherIn is get_weather's input.
type weatherIn struct {
	City string `json:"city" jsonschema:"the city"`
}

// startWeatherServer serves an MCP server with a get_weather tool over
// streamable HTTP on a free local port, and returns its URL and a stop
// function.
func startWeatherServer() (string, func(), error) {
	server := mcp.NewServer(&mcp.Implementation{Name: "weather", Version: "1.0.0"}, nil)
	server.AddReceivingMiddleware(rastirmcp.ServerMiddleware())
	mcp.AddTool(server, &mcp.Tool{Name: "get_weather", Description: "today's weather in a city"},
		func(_ context.Context, _ *mcp.CallToolRequest, in weatherIn) (*mcp.CallToolResult, any, error) {
			text := "Sunny, 21 °C in " + in.City + "."
			return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: text}}}, nil, nil
		})

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		Handler:           mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return server }, nil),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() { _ = srv.Serve(l) }()
	stop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return "http://" + l.Addr().String() + "/mcp", stop, nil
}

// formatPlan joins the model's plan and the tool's weather report.
func formatPlan(city, plan string, weather *mcp.CallToolResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan for %s: %s\n", city, strings.TrimSpace(plan))
	for _, c := range weather.Content {
		if t, ok := c.(*mcp.TextContent); ok {
			fmt.Fprintf(&b, "Weather: %s\n", t.Text)
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
