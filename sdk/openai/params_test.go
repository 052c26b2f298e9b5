package rastiropenai_test

import (
	"bytes"
	"context"
	"maps"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// The request's parameters (gen_ai.request.*, gen_ai.output.type) as the
// client sends them, read from the request body.

// chatResponseAttrs are the attributes of a span of a chat completion
// answered with chat_completion.json, but for the server's.
func chatResponseAttrs(model string) map[string]any {
	return map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          model,
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
		vocabulary.GenAIResponseModel:         "gpt-4.1-2025-04-14",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(19),
		vocabulary.GenAIUsageOutputTokens:     int64(10),
		vocabulary.GenAIUsageCacheReadTokens:  int64(0),
		vocabulary.GenAIUsageReasoningTokens:  int64(0),
	}
}

// with returns a copy of base with the extra attributes and the server's.
func with(t *testing.T, base map[string]any, extra map[string]any, host string, port int64) map[string]any {
	t.Helper()
	m := maps.Clone(base)
	maps.Copy(m, extra)
	m[vocabulary.ServerAddress] = host
	m[vocabulary.ServerPort] = port
	return m
}

func TestChatCompletionParams(t *testing.T) {
	schema := shared.ResponseFormatJSONSchemaParam{JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{
		Name:   "answer",
		Schema: map[string]any{"type": "object", "properties": map[string]any{"type": map[string]any{"type": "string"}}},
	}}
	all := func(p *openai.ChatCompletionNewParams) {
		p.MaxCompletionTokens = openai.Int(512)
		p.MaxTokens = openai.Int(1024) // deprecated: max_completion_tokens wins
		p.Temperature = openai.Float(0.7)
		p.TopP = openai.Float(0.9)
		p.FrequencyPenalty = openai.Float(0.5)
		p.PresencePenalty = openai.Float(-0.25)
		p.Seed = openai.Int(42)
		p.N = openai.Int(3)
		p.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: []string{"\n\n", "END"}}
		p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &schema}
	}
	allAttrs := map[string]any{
		vocabulary.GenAIRequestMaxTokens:        int64(512),
		vocabulary.GenAIRequestTemperature:      0.7,
		vocabulary.GenAIRequestTopP:             0.9,
		vocabulary.GenAIRequestFrequencyPenalty: 0.5,
		vocabulary.GenAIRequestPresencePenalty:  -0.25,
		vocabulary.GenAIRequestSeed:             int64(42),
		vocabulary.GenAIRequestChoiceCount:      int64(3),
		vocabulary.GenAIRequestStopSequences:    []string{"\n\n", "END"},
		vocabulary.GenAIOutputType:              vocabulary.OutputTypeJSON,
	}
	for _, tt := range []struct {
		name string
		set  func(*openai.ChatCompletionNewParams)
		want map[string]any
	}{
		{"none", func(*openai.ChatCompletionNewParams) {}, nil},
		{"all", all, allAttrs},
		{"deprecated max_tokens, one stop string, json_object", func(p *openai.ChatCompletionNewParams) {
			p.MaxTokens = openai.Int(100)
			p.Stop = openai.ChatCompletionNewParamsStopUnion{OfString: openai.String("STOP")}
			p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
		}, map[string]any{
			vocabulary.GenAIRequestMaxTokens:     int64(100),
			vocabulary.GenAIRequestStopSequences: []string{"STOP"},
			vocabulary.GenAIOutputType:           vocabulary.OutputTypeJSON,
		}},
		{"text format, one choice, zeros", func(p *openai.ChatCompletionNewParams) {
			p.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfText: &shared.ResponseFormatTextParam{}}
			p.N = openai.Int(1) // the default: not recorded
			p.Temperature = openai.Float(0)
			p.Seed = openai.Int(0)
		}, map[string]any{
			vocabulary.GenAIOutputType:         vocabulary.OutputTypeText,
			vocabulary.GenAIRequestTemperature: 0.0,
			vocabulary.GenAIRequestSeed:        int64(0),
		}},
	} {
		for _, way := range chatCallWays {
			t.Run(tt.name+"/"+way.name, func(t *testing.T) {
				rec := adaptertest.Record(t)
				srv := server(t, "/v1/chat/completions", reply{200, "application/json", "chat_completion.json"})
				host, port := adaptertest.HostPort(t, srv)
				params := chatParams("gpt-4.1")
				tt.set(&params)
				_, err := way.call(context.Background(), client(srv), params)
				require.NoError(t, err)
				assert.Equal(t, with(t, chatResponseAttrs("gpt-4.1"), tt.want, host, port),
					adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
			})
		}
	}
}

// TestParamsOnFailedCall: the parameters are the request's, recorded
// whether or not the call succeeds.
func TestParamsOnFailedCall(t *testing.T) {
	for _, way := range chatCallWays {
		t.Run(way.name, func(t *testing.T) { testParamsOnFailedCall(t, way.call) })
	}
}

func testParamsOnFailedCall(t *testing.T, call chatCall) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/chat/completions", reply{500, "application/json", "error_500.json"})
	host, port := adaptertest.HostPort(t, srv)
	params := chatParams("gpt-4o")
	params.MaxCompletionTokens = openai.Int(64)
	params.Temperature = openai.Float(1.5)
	params.Stop = openai.ChatCompletionNewParamsStopUnion{OfString: openai.String("END")}
	_, err := call(context.Background(), client(srv), params)
	require.Error(t, err)

	adaptertest.CheckFailed(t, rec, err, "*apierror.Error", map[string]any{
		vocabulary.RastirSpanTypeKey:         vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:        vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:         "gpt-4o",
		vocabulary.GenAIProviderName:         vocabulary.ProviderOpenAI,
		vocabulary.ServerAddress:             host,
		vocabulary.ServerPort:                port,
		vocabulary.HTTPResponseStatusCode:    int64(500),
		vocabulary.ErrorType:                 "*apierror.Error",
		vocabulary.RastirErrorCategoryKey:    vocabulary.ErrorProvider,
		vocabulary.GenAIRequestMaxTokens:     int64(64),
		vocabulary.GenAIRequestTemperature:   1.5,
		vocabulary.GenAIRequestStopSequences: []string{"END"},
	})
}

func TestResponsesParams(t *testing.T) {
	base := map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "gpt-4.1",
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
		vocabulary.GenAIResponseModel:         "gpt-4.1-2025-04-14",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(36),
		vocabulary.GenAIUsageOutputTokens:     int64(87),
		vocabulary.GenAIUsageCacheReadTokens:  int64(0),
		vocabulary.GenAIUsageReasoningTokens:  int64(0),
	}
	for _, tt := range []struct {
		name string
		set  func(*responses.ResponseNewParams)
		want map[string]any
	}{
		{"none", func(*responses.ResponseNewParams) {}, nil},
		{"all", func(p *responses.ResponseNewParams) {
			p.MaxOutputTokens = openai.Int(256)
			p.Temperature = openai.Float(0.2)
			p.TopP = openai.Float(0.95)
			p.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
				OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{
					Name:   "story",
					Schema: map[string]any{"type": "object"},
				},
			}}
		}, map[string]any{
			vocabulary.GenAIRequestMaxTokens:   int64(256),
			vocabulary.GenAIRequestTemperature: 0.2,
			vocabulary.GenAIRequestTopP:        0.95,
			vocabulary.GenAIOutputType:         vocabulary.OutputTypeJSON,
		}},
		{"json_object", func(p *responses.ResponseNewParams) {
			p.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
				OfJSONObject: &shared.ResponseFormatJSONObjectParam{},
			}}
		}, map[string]any{vocabulary.GenAIOutputType: vocabulary.OutputTypeJSON}},
		{"text", func(p *responses.ResponseNewParams) {
			p.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
				OfText: &shared.ResponseFormatTextParam{},
			}}
		}, map[string]any{vocabulary.GenAIOutputType: vocabulary.OutputTypeText}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, "/v1/responses", reply{200, "application/json", "responses.json"})
			host, port := adaptertest.HostPort(t, srv)
			params := responses.ResponseNewParams{
				Model: "gpt-4.1",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Tell me a story.")},
			}
			tt.set(&params)
			c := client(srv)
			_, err := c.Responses.New(context.Background(), params)
			require.NoError(t, err)
			assert.Equal(t, with(t, base, tt.want, host, port),
				adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
		})
	}
}

func TestCompletionParams(t *testing.T) {
	base := map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationTextCompletion,
		vocabulary.GenAIRequestModel:          "gpt-3.5-turbo-instruct",
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "cmpl-uqkvlQyYK7bGYrRHQ0eXlWi7",
		vocabulary.GenAIResponseModel:         "gpt-3.5-turbo-instruct",
		vocabulary.GenAIResponseFinishReasons: []string{"length"},
		vocabulary.GenAIUsageInputTokens:      int64(5),
		vocabulary.GenAIUsageOutputTokens:     int64(7),
	}
	for _, tt := range []struct {
		name string
		set  func(*openai.CompletionNewParams)
		want map[string]any
	}{
		{"none", func(*openai.CompletionNewParams) {}, nil},
		{"all", func(p *openai.CompletionNewParams) {
			p.MaxTokens = openai.Int(7)
			p.Temperature = openai.Float(1)
			p.TopP = openai.Float(0.5)
			p.FrequencyPenalty = openai.Float(2)
			p.PresencePenalty = openai.Float(-2)
			p.Seed = openai.Int(-7)
			p.N = openai.Int(2)
			p.Stop = openai.CompletionNewParamsStopUnion{OfStringArray: []string{"\n", "Q:", "A:", "###", "END"}}
		}, map[string]any{
			vocabulary.GenAIRequestMaxTokens:        int64(7),
			vocabulary.GenAIRequestTemperature:      1.0,
			vocabulary.GenAIRequestTopP:             0.5,
			vocabulary.GenAIRequestFrequencyPenalty: 2.0,
			vocabulary.GenAIRequestPresencePenalty:  -2.0,
			vocabulary.GenAIRequestSeed:             int64(-7),
			vocabulary.GenAIRequestChoiceCount:      int64(2),
			vocabulary.GenAIRequestStopSequences:    []string{"\n", "Q:", "A:", "###", "END"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, "/v1/completions", reply{200, "application/json", "completion.json"})
			host, port := adaptertest.HostPort(t, srv)
			params := openai.CompletionNewParams{
				Model:  "gpt-3.5-turbo-instruct",
				Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String("Say this is a test")},
			}
			tt.set(&params)
			c := client(srv)
			_, err := c.Completions.New(context.Background(), params)
			require.NoError(t, err)
			assert.Equal(t, with(t, base, tt.want, host, port),
				adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
		})
	}
}

// TestParamsRawBody: parameters of the wrong JSON type, and those the
// endpoint does not take, are left out; a whole number written with a
// fraction or an exponent is read as the integer.
func TestParamsRawBody(t *testing.T) {
	const msgs = `"messages":[{"content":"Hello!","role":"user","n":5,"stop":"x"}]`
	for _, tt := range []struct {
		name, path, file, body string
		want                   map[string]any
	}{
		{"chat wrong types", "/v1/chat/completions", "chat_completion.json",
			`{"model":"gpt-4.1",` + msgs + `,"max_completion_tokens":"512","max_tokens":1.5,"temperature":"hot","top_p":null,` +
				`"frequency_penalty":true,"presence_penalty":[0],"seed":1e19,"n":{"v":2},"stop":["a",1],"response_format":{"type":"yaml"}}`,
			nil},
		{"chat wrong max_completion_tokens falls back on max_tokens", "/v1/chat/completions", "chat_completion.json",
			`{"model":"gpt-4.1",` + msgs + `,"max_completion_tokens":-1.5,"max_tokens":512.0,"n":3e0,"seed":-9223372036854775808,` +
				`"stop":[],"response_format":"json_object","temperature":1e400}`,
			map[string]any{
				vocabulary.GenAIRequestMaxTokens:   int64(512),
				vocabulary.GenAIRequestChoiceCount: int64(3),
				vocabulary.GenAIRequestSeed:        int64(-9223372036854775808),
			}},
		{"chat nested keys and escapes", "/v1/chat/completions", "chat_completion.json",
			`{"model":"gpt-4.1",` + msgs + `,"stop":["\u0045ND","\"q\""],"response_format":{"json_schema":{"type":"text"},"type":"json_object"},` +
				`"metadata":{"seed":"1","temperature":2}}`,
			map[string]any{
				vocabulary.GenAIRequestStopSequences: []string{"END", `"q"`},
				vocabulary.GenAIOutputType:           vocabulary.OutputTypeJSON,
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, tt.path, reply{200, "application/json", tt.file})
			host, port := adaptertest.HostPort(t, srv)
			c := client(srv)
			_, err := c.Chat.Completions.New(context.Background(), chatParams("unused"),
				option.WithRequestBody("application/json", bytes.NewReader([]byte(tt.body))))
			require.NoError(t, err)
			assert.Equal(t, with(t, chatResponseAttrs("gpt-4.1"), tt.want, host, port),
				adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
		})
	}
}

// TestResponsesParamsRawBody: the Responses API takes neither seed, n,
// stop nor response_format, and its output type is text.format.type.
func TestResponsesParamsRawBody(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, "/v1/responses", reply{200, "application/json", "responses.json"})
	c := client(srv)
	_, err := c.Responses.New(context.Background(), responses.ResponseNewParams{},
		option.WithRequestBody("application/json", bytes.NewReader([]byte(
			`{"model":"gpt-4.1","input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}],`+
				`"seed":1,"n":2,"stop":"x","max_tokens":5,"max_completion_tokens":6,"response_format":{"type":"json_object"},`+
				`"text":{"type":"json_object","format":"json_object","verbosity":"low"},"max_output_tokens":"9","top_p":"1"}`))))
	require.NoError(t, err)
	m := adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
	for _, k := range []string{
		vocabulary.GenAIRequestMaxTokens, vocabulary.GenAIRequestTopP, vocabulary.GenAIRequestSeed,
		vocabulary.GenAIRequestChoiceCount, vocabulary.GenAIRequestStopSequences, vocabulary.GenAIOutputType,
	} {
		assert.NotContains(t, m, k)
	}
	assert.Equal(t, "gpt-4.1", m[vocabulary.GenAIRequestModel])
}
