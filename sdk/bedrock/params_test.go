package rastirbedrock

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	smithydocument "github.com/aws/smithy-go/document"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// paramKeys are the request parameters' attributes.
var paramKeys = []string{
	vocabulary.GenAIRequestMaxTokens, vocabulary.GenAIRequestTemperature, vocabulary.GenAIRequestTopP,
	vocabulary.GenAIRequestTopK, vocabulary.GenAIRequestFrequencyPenalty, vocabulary.GenAIRequestPresencePenalty,
	vocabulary.GenAIRequestSeed, vocabulary.GenAIRequestChoiceCount, vocabulary.GenAIRequestStopSequences,
	vocabulary.GenAIOutputType,
}

func TestConverseParams(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"converse": {body: converseOK}})
	_, err := newClient(srv.URL).Converse(context.Background(), &bedrockruntime.ConverseInput{
		ModelId:  aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Messages: userMessage("Hello"),
		InferenceConfig: &types.InferenceConfiguration{
			MaxTokens: aws.Int32(512), Temperature: aws.Float32(0.7), TopP: aws.Float32(0.9),
			StopSequences: []string{"\n\nHuman:", "END"},
		},
		AdditionalModelRequestFields: document.NewLazyDocument(map[string]any{"top_k": 250}),
	})
	require.NoError(t, err)

	var body struct {
		InferenceConfig              map[string]any `json:"inferenceConfig"`
		AdditionalModelRequestFields map[string]any `json:"additionalModelRequestFields"`
	}
	require.NoError(t, json.Unmarshal([]byte(srv.bodies[0]), &body))
	assert.Equal(t, map[string]any{"maxTokens": 512.0, "temperature": 0.7, "topP": 0.9, "stopSequences": []any{"\n\nHuman:", "END"}}, body.InferenceConfig)
	assert.Equal(t, map[string]any{"top_k": 250.0}, body.AdditionalModelRequestFields)

	_, a := onlySpan(t, rec)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:             vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:            vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:             "anthropic.claude-3-haiku-20240307-v1:0",
		vocabulary.GenAIProviderName:             vocabulary.ProviderAWSBedrock,
		vocabulary.GenAIRequestMaxTokens:         int64(512),
		vocabulary.GenAIRequestTemperature:       0.7,
		vocabulary.GenAIRequestTopP:              0.9,
		vocabulary.GenAIRequestTopK:              250.0,
		vocabulary.GenAIRequestStopSequences:     []string{"\n\nHuman:", "END"},
		vocabulary.GenAIUsageInputTokens:         int64(12 + 4),
		vocabulary.GenAIUsageOutputTokens:        int64(9),
		vocabulary.GenAIUsageCacheReadTokens:     int64(4),
		vocabulary.GenAIUsageCacheCreationTokens: int64(0),
		vocabulary.GenAIResponseFinishReasons:    []string{"end_turn"},
	}, a)
}

// TestConverseParamsNone: a call without inference configuration, or with
// an empty one, records no parameter; nor do InvokeModel calls, whose body
// is not read.
func TestConverseParamsNone(t *testing.T) {
	for _, in := range []*bedrockruntime.ConverseInput{
		{},
		{InferenceConfig: &types.InferenceConfiguration{}},
		{InferenceConfig: &types.InferenceConfiguration{StopSequences: []string{}}, AdditionalModelRequestFields: document.NewLazyDocument(map[string]any{})},
	} {
		rec := adaptertest.Record(t)
		srv := newServer(t, map[string]reply{"converse": {body: converseOK}})
		in.ModelId, in.Messages = aws.String("anthropic.claude-3-haiku-20240307-v1:0"), userMessage("Hello")
		_, err := newClient(srv.URL).Converse(context.Background(), in)
		require.NoError(t, err)
		_, a := onlySpan(t, rec)
		for _, k := range paramKeys {
			assert.NotContains(t, a, k)
		}
	}

	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"invoke": {body: titanBody}})
	_, err := newClient(srv.URL).InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
		ModelId: aws.String("amazon.titan-text-express-v1"), ContentType: aws.String("application/json"),
		Body: []byte(`{"inputText":"Hello","textGenerationConfig":{"maxTokenCount":512,"temperature":0.5}}`),
	})
	require.NoError(t, err)
	_, a := onlySpan(t, rec)
	for _, k := range paramKeys {
		assert.NotContains(t, a, k)
	}
}

// TestConverseParamsEdges: an explicit zero temperature and max tokens are
// recorded, an empty stop list is not; they are on the span of a call that
// fails and of a stream.
func TestConverseParamsEdges(t *testing.T) {
	inference := &types.InferenceConfiguration{MaxTokens: aws.Int32(0), Temperature: aws.Float32(0), StopSequences: []string{}}
	want := map[string]any{vocabulary.GenAIRequestMaxTokens: int64(0), vocabulary.GenAIRequestTemperature: 0.0}
	check := func(t *testing.T, a map[string]any) {
		t.Helper()
		for _, k := range paramKeys {
			if v, ok := want[k]; ok {
				assert.Equal(t, v, a[k], k)
			} else {
				assert.NotContains(t, a, k)
			}
		}
	}

	t.Run("failed call", func(t *testing.T) {
		rec := adaptertest.Record(t)
		srv := newServer(t, map[string]reply{"converse": awsError(http.StatusTooManyRequests, "ThrottlingException", "Too many requests")})
		_, err := newClient(srv.URL).Converse(context.Background(), &bedrockruntime.ConverseInput{
			ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"), Messages: userMessage("Hello"), InferenceConfig: inference,
		})
		require.Error(t, err)
		s, a := onlySpan(t, rec)
		assert.Equal(t, codes.Error, s.Status().Code)
		check(t, a)
	})
	t.Run("stream", func(t *testing.T) {
		rec := adaptertest.Record(t)
		srv := newServer(t, map[string]reply{"converse-stream": {frames: streamFrames("end_turn",
			`{"usage":{"inputTokens":10,"outputTokens":3,"totalTokens":13},"metrics":{"latencyMs":300}}`)}})
		out, err := newClient(srv.URL).ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
			ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"), Messages: userMessage("Hello"), InferenceConfig: inference,
		})
		require.NoError(t, err)
		_, err = readStream(t, out)
		require.NoError(t, err)
		_, a := onlySpan(t, rec)
		assert.Equal(t, true, a[vocabulary.GenAIRequestStream])
		check(t, a)
	})
}

// TestAdditionalTopK: top_k is read from a plain number at the top level
// of the additional fields, and from nothing else.
func TestAdditionalTopK(t *testing.T) {
	type fields struct {
		TopK int `json:"top_k"`
	}
	tests := []struct {
		name string
		doc  document.Interface
		want any // nil: not recorded
	}{
		{"top_k int", document.NewLazyDocument(map[string]any{"top_k": 40}), 40.0},
		{"topK", document.NewLazyDocument(map[string]any{"topK": int64(5)}), 5.0},
		{"float32", document.NewLazyDocument(map[string]any{"top_k": float32(0.1)}), 0.1},
		{"uint16", document.NewLazyDocument(map[string]any{"top_k": uint16(8)}), 8.0},
		{"float64", document.NewLazyDocument(map[string]any{"top_k": 2.5}), 2.5},
		{"zero", document.NewLazyDocument(map[string]any{"top_k": 0}), 0.0},
		{"json number", document.NewLazyDocument(map[string]any{"top_k": json.Number("12")}), 12.0},
		{"smithy number", document.NewLazyDocument(map[string]any{"top_k": smithydocument.Number("7")}), 7.0},
		{"top_k first", document.NewLazyDocument(map[string]any{"top_k": 3, "topK": 4}), 3.0},
		{"string", document.NewLazyDocument(map[string]any{"top_k": "40"}), nil},
		{"nested", document.NewLazyDocument(map[string]any{"inferenceConfig": map[string]any{"topK": 20}}), nil},
		{"struct", document.NewLazyDocument(fields{TopK: 40}), nil},
		{"other map type", document.NewLazyDocument(map[string]int{"top_k": 40}), nil},
		{"nil value", document.NewLazyDocument(nil), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := newServer(t, map[string]reply{"converse": {body: converseOK}})
			_, err := newClient(srv.URL).Converse(context.Background(), &bedrockruntime.ConverseInput{
				ModelId: aws.String("anthropic.claude-3-haiku-20240307-v1:0"), Messages: userMessage("Hello"),
				AdditionalModelRequestFields: tt.doc,
			})
			require.NoError(t, err)
			_, a := onlySpan(t, rec)
			if tt.want == nil {
				assert.NotContains(t, a, vocabulary.GenAIRequestTopK)
			} else {
				assert.InDelta(t, tt.want, a[vocabulary.GenAIRequestTopK], 1e-12)
			}
		})
	}
}
