package rastirbedrock

import (
	"context"
	"encoding/base64"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// chunks are the chunk events of an InvokeModelWithResponseStream
// response, one per vendor stream event given as JSON.
func chunks(events ...string) []eventstream.Message {
	frames := make([]eventstream.Message, len(events))
	for i, e := range events {
		frames[i] = event("chunk", `{"bytes":"`+base64.StdEncoding.EncodeToString([]byte(e))+`"}`)
	}
	return frames
}

// An Anthropic Messages stream (the Messages API's streaming events) with
// Bedrock's invocation metrics on its last event.
var anthropicStream = []string{
	`{"type":"message_start","message":{"id":"msg_bdrk_01Tf2HtGmdxGtVz6gYMuxSqb","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"cache_read_input_tokens":5,"output_tokens":1}}}`,
	`{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`,
	`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"! How can I help?"}}`,
	`{"type":"content_block_stop","index":0}`,
	`{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":9}}`,
	`{"type":"message_stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":14,"outputTokenCount":9,"invocationLatency":620,"firstByteLatency":310,"cacheReadInputTokenCount":5}}`,
}

func invokeStream(t *testing.T, client *bedrockruntime.Client, in *bedrockruntime.InvokeModelWithResponseStreamInput) (*bedrockruntime.InvokeModelWithResponseStreamOutput, error) {
	t.Helper()
	in.ContentType = aws.String("application/json")
	if in.Body == nil {
		in.Body = []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hello"}]}`)
	}
	return client.InvokeModelWithResponseStream(context.Background(), in)
}

// readChunks reads a response stream to its end and returns the bytes of
// its chunks.
func readChunks(t *testing.T, out *bedrockruntime.InvokeModelWithResponseStreamOutput) (n int, err error) {
	t.Helper()
	stream := out.GetStream()
	for ev := range stream.Events() {
		if c, ok := ev.(*types.ResponseStreamMemberChunk); ok {
			n += len(c.Value.Bytes)
		}
	}
	if err = stream.Close(); err == nil {
		err = stream.Err()
	}
	return n, err
}

func TestInvokeModelStreamAnthropic(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"invoke-with-response-stream": {frames: chunks(anthropicStream...)}})
	out, err := invokeStream(t, newClient(srv.URL), &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId: aws.String("anthropic.claude-3-5-sonnet-20240620-v1:0"),
	})
	require.NoError(t, err)
	assert.Empty(t, rec.Ended(), "the span ends with the stream")
	n, err := readChunks(t, out)
	require.NoError(t, err)
	want := 0
	for _, e := range anthropicStream {
		want += len(e)
	}
	assert.Equal(t, want, n, "the SDK's reader gets the chunks unchanged")

	s, a := onlySpan(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, "chat anthropic.claude-3-5-sonnet-20240620-v1:0", s.Name())
	assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
	delete(a, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "anthropic.claude-3-5-sonnet-20240620-v1:0",
		vocabulary.GenAIResponseModel:         "claude-3-5-sonnet-20240620",
		vocabulary.GenAIResponseID:            "msg_bdrk_01Tf2HtGmdxGtVz6gYMuxSqb",
		vocabulary.GenAIProviderName:          vocabulary.ProviderAWSBedrock,
		vocabulary.GenAIRequestStream:         true,
		vocabulary.GenAIUsageInputTokens:      int64(14 + 5),
		vocabulary.GenAIUsageOutputTokens:     int64(9),
		vocabulary.GenAIUsageCacheReadTokens:  int64(5),
		vocabulary.GenAIResponseFinishReasons: []string{"end_turn"},
	}, a)
}

// TestInvokeModelStreamVendors: each vendor's stream events give the
// finish reason and the time to the first output; the token counts are the
// invocation metrics'.
func TestInvokeModelStreamVendors(t *testing.T) {
	const metrics = `"amazon-bedrock-invocationMetrics":{"inputTokenCount":6,"outputTokenCount":11,"invocationLatency":900,"firstByteLatency":400}`
	const assessment = `{"input":{"gr-1234abcd":{"contentPolicy":{"filters":[{"type":"VIOLENCE","confidence":"HIGH","filterStrength":"HIGH","action":"BLOCKED"}]}}},"outputs":[]}`
	for _, tc := range []struct {
		name, model string
		guardrail   bool
		events      []string
		finish      []string
		action      string // the guardrail action, with a guardrail
		ttft        bool
	}{
		{
			name: "titan", model: "amazon.titan-text-express-v1",
			events: []string{
				`{"outputText":"Hello","index":0,"totalOutputTextTokenCount":null,"completionReason":null,"inputTextTokenCount":6}`,
				`{"outputText":" there.","index":0,"totalOutputTextTokenCount":11,"completionReason":"FINISH","inputTextTokenCount":null,` + metrics + `}`,
			},
			finish: []string{"FINISH"}, ttft: true,
		},
		{
			name: "llama blocked by a guardrail", model: "meta.llama3-8b-instruct-v1:0", guardrail: true,
			events: []string{
				`{"generation":"Sorry, the model cannot answer this question.","prompt_token_count":null,"generation_token_count":11,"stop_reason":"stop","amazon-bedrock-guardrailAction":"INTERVENED",` +
					`"amazon-bedrock-trace":{"guardrail":` + assessment + `},` + metrics + `}`,
			},
			finish: []string{"stop"}, action: vocabulary.BedrockGuardrailActionIntervened, ttft: true,
		},
		{
			name: "llama with a guardrail that did nothing", model: "meta.llama3-8b-instruct-v1:0", guardrail: true,
			events: []string{
				`{"generation":"","prompt_token_count":6,"generation_token_count":1,"stop_reason":null}`,
				`{"generation":"Hi!","prompt_token_count":null,"generation_token_count":2,"stop_reason":null}`,
				`{"generation":"","prompt_token_count":null,"generation_token_count":11,"stop_reason":"length","amazon-bedrock-guardrailAction":"NONE",` + metrics + `}`,
			},
			finish: []string{"length"}, action: "NONE", ttft: true,
		},
		{
			name: "mistral text", model: "mistral.mistral-7b-instruct-v0:2",
			events: []string{
				`{"outputs":[{"text":" Paris","stop_reason":null}]}`,
				`{"outputs":[{"text":".","stop_reason":"stop"}],` + metrics + `}`,
			},
			finish: []string{"stop"}, ttft: true,
		},
		{
			name: "mistral chat", model: "mistral.mistral-large-2407-v1:0",
			events: []string{
				`{"id":"9f4e1c2a","object":"chat.completion.chunk","choices":[{"index":0,"message":{"role":"assistant","content":"Paris."},"stop_reason":null}]}`,
				`{"id":"9f4e1c2a","object":"chat.completion.chunk","choices":[{"index":0,"message":{"role":"assistant","content":""},"stop_reason":"stop"}],` + metrics + `}`,
			},
			finish: []string{"stop"}, ttft: true,
		},
		{
			name: "cohere command r", model: "cohere.command-r-v1:0",
			events: []string{
				`{"is_finished":false,"event_type":"stream-start","generation_id":"1e2d3c4b"}`,
				`{"is_finished":false,"event_type":"text-generation","text":"Paris"}`,
				`{"is_finished":true,"event_type":"stream-end","finish_reason":"COMPLETE","response":{"text":"Paris","finish_reason":"COMPLETE"},` + metrics + `}`,
			},
			finish: []string{"COMPLETE"}, ttft: true,
		},
		{
			name: "nova", model: "us.amazon.nova-lite-v1:0",
			events: []string{
				`{"messageStart":{"role":"assistant"}}`,
				`{"contentBlockDelta":{"delta":{"text":"Paris."},"contentBlockIndex":0}}`,
				`{"contentBlockStop":{"contentBlockIndex":0}}`,
				`{"messageStop":{"stopReason":"end_turn"}}`,
				`{"metadata":{"usage":{"inputTokens":6,"outputTokens":11},"metrics":{},"trace":{}},` + metrics + `}`,
			},
			finish: []string{"end_turn"}, ttft: true,
		},
		{
			name: "no output", model: "amazon.titan-text-lite-v1",
			events: []string{`{"outputText":"","index":0,"totalOutputTextTokenCount":11,"completionReason":"CONTENT_FILTERED","inputTextTokenCount":6,` + metrics + `}`},
			finish: []string{"CONTENT_FILTERED"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := newServer(t, map[string]reply{"invoke-with-response-stream": {frames: chunks(tc.events...)}})
			in := &bedrockruntime.InvokeModelWithResponseStreamInput{ModelId: aws.String(tc.model), Body: []byte(`{"prompt":"Hello"}`)}
			if tc.guardrail {
				in.GuardrailIdentifier, in.GuardrailVersion, in.Trace = aws.String("gr-1234abcd"), aws.String("1"), types.TraceEnabled
			}
			out, err := invokeStream(t, newClient(srv.URL), in)
			require.NoError(t, err)
			_, err = readChunks(t, out)
			require.NoError(t, err)
			s, a := onlySpan(t, rec)
			assert.Equal(t, codes.Unset, s.Status().Code)
			assert.Equal(t, true, a[vocabulary.GenAIRequestStream])
			assert.Equal(t, int64(6), a[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, int64(11), a[vocabulary.GenAIUsageOutputTokens])
			assert.Equal(t, tc.finish, a[vocabulary.GenAIResponseFinishReasons])
			if tc.ttft {
				assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
			} else {
				assert.NotContains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
			}
			if !tc.guardrail {
				assert.NotContains(t, a, vocabulary.AWSBedrockGuardrailAction)
				return
			}
			assert.Equal(t, "gr-1234abcd", a[vocabulary.AWSBedrockGuardrailID])
			assert.Equal(t, "1", a[vocabulary.GenAIGuardrailPolicyVersion])
			assert.Equal(t, tc.action, a[vocabulary.AWSBedrockGuardrailAction])
			if tc.action == vocabulary.BedrockGuardrailActionIntervened {
				assert.JSONEq(t, assessment, a[vocabulary.AWSBedrockGuardrailAssessment].(string))
			} else {
				assert.NotContains(t, a, vocabulary.AWSBedrockGuardrailAssessment)
			}
		})
	}
}

func TestInvokeModelStreamException(t *testing.T) {
	rec := adaptertest.Record(t)
	frames := append(chunks(anthropicStream[:3]...), exception("modelStreamErrorException", "The model stream failed."))
	srv := newServer(t, map[string]reply{"invoke-with-response-stream": {frames: frames}})
	out, err := invokeStream(t, newClient(srv.URL), &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId: aws.String("anthropic.claude-3-5-sonnet-20240620-v1:0"),
	})
	require.NoError(t, err)
	_, err = readChunks(t, out)
	require.Error(t, err)
	s, a := onlySpan(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.NotContains(t, a, vocabulary.GenAIUsageInputTokens)
	// As in TestConverseStreamException: the SDK's reader may rarely lose
	// its connection before the exception frame.
	var netErr *net.OpError
	if errors.As(err, &netErr) {
		assert.Equal(t, "*net.OpError", a[vocabulary.ErrorType])
		return
	}
	assert.Equal(t, "modelStreamErrorException", a[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorProvider, a[vocabulary.RastirErrorCategoryKey])
}

// TestInvokeModelStreamClosedEarly: closing the stream before its end ends
// the span without an error.
func TestInvokeModelStreamClosedEarly(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"invoke-with-response-stream": {frames: chunks(anthropicStream...)}})
	out, err := invokeStream(t, newClient(srv.URL), &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId: aws.String("anthropic.claude-3-5-sonnet-20240620-v1:0"),
	})
	require.NoError(t, err)
	<-out.GetStream().Events()
	require.NoError(t, out.GetStream().Close())
	require.Eventually(t, func() bool { return len(rec.Ended()) == 1 }, 5*time.Second, time.Millisecond)
	s, _ := onlySpan(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
}
