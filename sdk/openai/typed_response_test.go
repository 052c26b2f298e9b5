package rastiropenai_test

import (
	"context"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"
	"github.com/openai/openai-go/v3/shared"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	rastiropenai "github.com/otelcol-rastir/otelcol-rastir/sdk/openai"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

func responseParams(model string) responses.ResponseNewParams {
	return responses.ResponseNewParams{
		Model: model,
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Hi")},
	}
}

// TestNewResponseAsMiddleware: a typed Responses API call records the span
// the middleware alone records for the same call, whatever the response.
func TestNewResponseAsMiddleware(t *testing.T) {
	allParams := responseParams("gpt-4.1")
	allParams.MaxOutputTokens = openai.Int(512)
	allParams.Temperature = openai.Float(0.7)
	allParams.TopP = openai.Float(0.9)
	allParams.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{
		OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{Name: "answer", Schema: map[string]any{"type": "object"}},
	}}

	text := responseParams("gpt-4.1")
	text.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{OfText: &shared.ResponseFormatTextParam{}}}
	text.Temperature = openai.Float(0)

	jsonObject := responseParams("gpt-4.1")
	jsonObject.Text = responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}}

	verbosity := responseParams("gpt-5")
	verbosity.Text = responses.ResponseTextConfigParam{Verbosity: responses.ResponseTextConfigVerbosityLow}

	for _, tt := range []struct {
		name   string
		status int
		body   string
		params responses.ResponseNewParams
		opts   []rastiropenai.Option
	}{
		{"response", 200, adaptertest.Testdata(t, "responses.json"), responseParams("gpt-4.1"), nil},
		{"every parameter", 200, adaptertest.Testdata(t, "responses.json"), allParams, nil},
		{"text format text, temperature 0", 200, adaptertest.Testdata(t, "responses.json"), text, nil},
		{"text format json object", 200, adaptertest.Testdata(t, "responses.json"), jsonObject, nil},
		{"text without format", 200, adaptertest.Testdata(t, "responses.json"), verbosity, nil},
		{"incomplete", 200, `{"id":"resp_2","object":"response","created_at":1,"status":"incomplete","error":null,"incomplete_details":{"reason":"max_output_tokens"},"model":"gpt-5","output":[],` +
			`"usage":{"input_tokens":20,"input_tokens_details":{"cached_tokens":0},"output_tokens":64,"output_tokens_details":{"reasoning_tokens":64},"total_tokens":84}}`, responseParams("gpt-5"), nil},
		{"failed", 200, `{"id":"resp_3","object":"response","created_at":1,"status":"failed","error":{"code":"rate_limit_exceeded","message":"Rate limit reached for gpt-4.1"},"incomplete_details":null,"model":"gpt-4.1","output":[],"usage":null}`,
			responseParams("gpt-4.1"), nil},
		{"failed, code of no category", 200, `{"id":"resp_4","object":"response","created_at":1,"status":"failed","error":{"code":"image_content_policy_violation","message":"x"},"model":"gpt-4.1","output":[]}`,
			responseParams("gpt-4.1"), nil},
		{"cache write tokens", 200, `{"id":"resp_5","object":"response","created_at":1,"status":"completed","model":"gpt-5","output":[],` +
			`"usage":{"input_tokens":3100,"input_tokens_details":{"cached_tokens":1024,"cache_write_tokens":2048},"output_tokens":5,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":3105}}`, responseParams("gpt-5"), nil},
		{"members the client does not know", 200, `{"id":"resp_6","object":"response","created_at":1,"status":"completed","model":"deepseek-chat","output":[],"x_extra":{"id":"no"},` +
			`"usage":{"input_tokens":1300,"output_tokens":3,"total_tokens":1303,"prompt_cache_hit_tokens":1280,"input_tokens_details":{"cached_tokens":1,"other":2}}}`, responseParams("deepseek-chat"), nil},
		{"in progress, no usage", 200, `{"id":"resp_7","object":"response","created_at":1,"status":"in_progress","model":"gpt-4.1","output":[]}`, responseParams("gpt-4.1"), nil},
		{"rate limit", 429, adaptertest.Testdata(t, "error_429.json"), responseParams("gpt-4o"), nil},
		{"server error", 500, adaptertest.Testdata(t, "error_500.json"), responseParams("gpt-4o"), nil},
		{"provider option", 200, adaptertest.Testdata(t, "responses.json"), responseParams("grok-4"), []rastiropenai.Option{rastiropenai.WithProvider(vocabulary.ProviderXAI)}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := adaptertest.Answering(t, tt.status, tt.body)
			c := openai.NewClient(option.WithBaseURL(srv.URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0),
				rastiropenai.WithTracing(tt.opts...))

			adaptertest.AssertSameCall(t, rec, tt.status,
				func() (*responses.Response, error) { return c.Responses.New(context.Background(), tt.params) },
				func() (*responses.Response, error) {
					return rastiropenai.NewResponse(context.Background(), c.Responses.New, tt.params)
				})
		})
	}
}

// TestNewResponseWithoutMiddleware: on a client without the middleware a
// typed Responses API call still records the request and the response.
func TestNewResponseWithoutMiddleware(t *testing.T) {
	rec := adaptertest.Record(t)
	c := openai.NewClient(option.WithBaseURL(adaptertest.Answering(t, 200, adaptertest.Testdata(t, "responses.json")).URL+"/v1"), option.WithAPIKey("k"), option.WithMaxRetries(0))
	params := responseParams("gpt-4.1")
	params.MaxOutputTokens = openai.Int(300)
	params.Text.Format.OfJSONObject = &shared.ResponseFormatJSONObjectParam{}

	res, err := rastiropenai.NewResponse(context.Background(), c.Responses.New, params)
	require.NoError(t, err)
	assert.Contains(t, res.OutputText(), "Lumina")
	s := adaptertest.Only(t, rec)
	assert.Equal(t, "chat gpt-4.1", s.Name())
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "gpt-4.1",
		vocabulary.GenAIRequestMaxTokens:      int64(300),
		vocabulary.GenAIOutputType:            vocabulary.OutputTypeJSON,
		vocabulary.GenAIProviderName:          vocabulary.ProviderOpenAI,
		vocabulary.GenAIResponseID:            "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
		vocabulary.GenAIResponseModel:         "gpt-4.1-2025-04-14",
		vocabulary.GenAIResponseFinishReasons: []string{"stop"},
		vocabulary.GenAIUsageInputTokens:      int64(36),
		vocabulary.GenAIUsageOutputTokens:     int64(87),
		vocabulary.GenAIUsageCacheReadTokens:  int64(0),
		vocabulary.GenAIUsageReasoningTokens:  int64(0),
	}, adaptertest.Attrs(s.Attributes()))
}
