package rastiranthropic_test

import (
	"bytes"
	"context"
	"maps"
	"testing"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// messageAttrs are the attributes of a span of a message answered with
// message.json.
func messageAttrs(host string, port int64, extra map[string]any) map[string]any {
	m := map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "claude-sonnet-4-5",
		vocabulary.GenAIProviderName:          vocabulary.ProviderAnthropic,
		vocabulary.ServerAddress:              host,
		vocabulary.ServerPort:                 port,
		vocabulary.HTTPResponseStatusCode:     int64(200),
		vocabulary.GenAIResponseID:            "msg_013Zva2CMHLNnXjNJJKqJ2EF",
		vocabulary.GenAIResponseModel:         "claude-sonnet-4-5-20250929",
		vocabulary.GenAIResponseFinishReasons: []string{"end_turn"},
		vocabulary.GenAIUsageInputTokens:      int64(2095),
		vocabulary.GenAIUsageOutputTokens:     int64(503),
	}
	maps.Copy(m, extra)
	return m
}

func TestMessageParams(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(*anthropic.MessageNewParams)
		want map[string]any
	}{
		{"max_tokens only", func(*anthropic.MessageNewParams) {}, map[string]any{
			vocabulary.GenAIRequestMaxTokens: int64(1024),
		}},
		{"all", func(p *anthropic.MessageNewParams) {
			p.MaxTokens = 2048
			p.Temperature = anthropic.Float(0.3)
			p.TopP = anthropic.Float(0.8)
			p.TopK = anthropic.Int(40)
			p.StopSequences = []string{"\n\nHuman:", "</answer>"}
		}, map[string]any{
			vocabulary.GenAIRequestMaxTokens:     int64(2048),
			vocabulary.GenAIRequestTemperature:   0.3,
			vocabulary.GenAIRequestTopP:          0.8,
			vocabulary.GenAIRequestTopK:          40.0,
			vocabulary.GenAIRequestStopSequences: []string{"\n\nHuman:", "</answer>"},
		}},
		// Structured outputs: output_config.format is a JSON schema.
		{"json output", func(p *anthropic.MessageNewParams) {
			p.OutputConfig = anthropic.OutputConfigParam{Format: anthropic.JSONOutputFormatParam{
				Schema: map[string]any{"type": "object", "properties": map[string]any{"answer": map[string]any{"type": "string"}}},
			}}
		}, map[string]any{
			vocabulary.GenAIRequestMaxTokens: int64(1024),
			vocabulary.GenAIOutputType:       vocabulary.OutputTypeJSON,
		}},
		// An effort alone asks for no output type.
		{"effort only", func(p *anthropic.MessageNewParams) {
			p.OutputConfig = anthropic.OutputConfigParam{Effort: anthropic.OutputConfigEffortLow}
		}, map[string]any{
			vocabulary.GenAIRequestMaxTokens: int64(1024),
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, reply{200, "application/json", "message.json"})
			host, port := adaptertest.HostPort(t, srv)
			p := params()
			tt.set(&p)
			_, err := client(srv).Messages.New(context.Background(), p)
			require.NoError(t, err)
			assert.Equal(t, messageAttrs(host, port, tt.want), adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
		})
	}
}

// TestMessageParamsRawBody: without parameters, none is recorded;
// parameters of the wrong JSON type are left out; a whole number written
// with a fraction is read as the integer.
func TestMessageParamsRawBody(t *testing.T) {
	const head = `{"model":"claude-sonnet-4-5","messages":[{"role":"user","content":[{"type":"text","text":"Hi","top_k":3}]}]`
	for _, tt := range []struct {
		name, body string
		want       map[string]any
	}{
		{"none", head + `}`, nil},
		{"wrong types", head + `,"max_tokens":"1024","temperature":"0.5","top_p":[1],"top_k":true,"stop_sequences":["a",null]}`, nil},
		{"out of range, stop sequences no array", head + `,"max_tokens":1e19,"temperature":1e999,"stop_sequences":"END"}`, nil},
		{"whole number with a fraction", head + `,"max_tokens":1024.0,"top_k":5e0,"stop_sequences":["\u003c/a\u003e"],"metadata":{"top_p":1}}`, map[string]any{
			vocabulary.GenAIRequestMaxTokens:     int64(1024),
			vocabulary.GenAIRequestTopK:          5.0,
			vocabulary.GenAIRequestStopSequences: []string{"</a>"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := server(t, reply{200, "application/json", "message.json"})
			host, port := adaptertest.HostPort(t, srv)
			_, err := client(srv).Messages.New(context.Background(), params(),
				option.WithRequestBody("application/json", bytes.NewReader([]byte(tt.body))))
			require.NoError(t, err)
			assert.Equal(t, messageAttrs(host, port, tt.want), adaptertest.Attrs(adaptertest.Only(t, rec).Attributes()))
		})
	}
}

// TestParamsOnFailedCall: the parameters are the request's, recorded
// whether or not the call succeeds.
func TestParamsOnFailedCall(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := server(t, reply{529, "application/json", "error_529.json"})
	host, port := adaptertest.HostPort(t, srv)
	p := params()
	p.Temperature = anthropic.Float(1)
	p.StopSequences = []string{"STOP"}
	_, err := client(srv).Messages.New(context.Background(), p)
	require.Error(t, err)
	adaptertest.CheckFailed(t, rec, err, "*apierror.Error", map[string]any{
		vocabulary.RastirSpanTypeKey:         vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:        vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:         "claude-sonnet-4-5",
		vocabulary.GenAIRequestMaxTokens:     int64(1024),
		vocabulary.GenAIRequestTemperature:   1.0,
		vocabulary.GenAIRequestStopSequences: []string{"STOP"},
		vocabulary.GenAIProviderName:         vocabulary.ProviderAnthropic,
		vocabulary.ServerAddress:             host,
		vocabulary.ServerPort:                port,
		vocabulary.HTTPResponseStatusCode:    int64(529),
		vocabulary.ErrorType:                 "*apierror.Error",
		vocabulary.RastirErrorCategoryKey:    vocabulary.ErrorProvider,
	})
}
