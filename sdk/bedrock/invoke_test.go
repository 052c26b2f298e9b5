package rastirbedrock

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// tokenHeaders are Bedrock's token count headers of an InvokeModel
// response.
func tokenHeaders(in, out string) map[string]string {
	return map[string]string{"X-Amzn-Bedrock-Input-Token-Count": in, "X-Amzn-Bedrock-Output-Token-Count": out, "X-Amzn-Bedrock-Invocation-Latency": "812"}
}

// TestInvokeModelVendors: the finish reasons and token counts of each
// vendor's InvokeModel response body (the model parameters pages of the
// Bedrock user guide), as the vendor sent them.
func TestInvokeModelVendors(t *testing.T) {
	for _, tc := range []struct {
		name, model string
		headers     map[string]string
		body        string
		finish      []string
		in, out     int64 // -1: not recorded
	}{
		{
			name: "titan finish", model: "amazon.titan-text-express-v1",
			headers: tokenHeaders("6", "11"), body: titanBody,
			finish: []string{"FINISH"}, in: 6, out: 11,
		},
		{
			name: "titan length, counts from the body", model: "amazon.titan-text-premier-v1:0",
			body:   `{"inputTextTokenCount":9,"results":[{"tokenCount":512,"outputText":"A 'hello world' program is traditionally the first program written when learning a new language, and","completionReason":"LENGTH"}]}`,
			finish: []string{"LENGTH"}, in: 9, out: 512,
		},
		{
			name: "titan content filtered", model: "amazon.titan-text-lite-v1",
			body:   `{"inputTextTokenCount":14,"results":[{"tokenCount":0,"outputText":"","completionReason":"CONTENT_FILTERED"}]}`,
			finish: []string{"CONTENT_FILTERED"}, in: 14, out: 0,
		},
		{
			name: "cohere command r", model: "cohere.command-r-plus-v1:0",
			body: `{"response_id":"4a3b1c2d-5e6f-4a7b-8c9d-0e1f2a3b4c5d","text":"The capital of France is Paris.","generation_id":"8d7c6b5a-4f3e-4d2c-9b1a-0f9e8d7c6b5a",` +
				`"chat_history":[{"role":"USER","message":"What is the capital of France?"},{"role":"CHATBOT","message":"The capital of France is Paris."}],` +
				`"finish_reason":"COMPLETE","meta":{"api_version":{"version":"1"},"billed_units":{"input_tokens":7,"output_tokens":8}}}`,
			finish: []string{"COMPLETE"}, in: 7, out: 8,
		},
		{
			name: "cohere command r max tokens", model: "cohere.command-r-v1:0",
			body: `{"response_id":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","text":"Paris is the capital and largest city of France, with","generation_id":"1e2d3c4b-5a6f-4e7d-8c9b-0a1f2e3d4c5b",` +
				`"chat_history":[],"finish_reason":"MAX_TOKENS","meta":{"api_version":{"version":"1"},"billed_units":{"input_tokens":12,"output_tokens":10},"tokens":{"input_tokens":78,"output_tokens":10}}}`,
			finish: []string{"MAX_TOKENS"}, in: 12, out: 10,
		},
		{
			name: "cohere command, two generations", model: "cohere.command-text-v14",
			headers: tokenHeaders("5", "27"),
			body: `{"generations":[{"finish_reason":"COMPLETE","id":"a8c1b9f2-3d4e-4f5a-8b6c-7d8e9f0a1b2c","text":" Paris."},` +
				`{"finish_reason":"MAX_TOKENS","id":"b9d2c0a3-4e5f-4a6b-9c7d-8e9f0a1b2c3d","text":" The capital of France is Paris, a city"}],` +
				`"id":"5b0c6e1a-2f3d-4e5a-9b8c-7d6e5f4a3b2c","prompt":"What is the capital of France?"}`,
			finish: []string{"COMPLETE", "MAX_TOKENS"}, in: 5, out: 27,
		},
		{
			name: "mistral text completion", model: "mistral.mistral-7b-instruct-v0:2",
			headers: tokenHeaders("20", "200"),
			body:    `{"outputs":[{"text":" A hello world program prints the words Hello, World! and is often","stop_reason":"length"}]}`,
			finish:  []string{"length"}, in: 20, out: 200,
		},
		{
			name: "mistral chat completion", model: "mistral.mistral-large-2407-v1:0",
			headers: tokenHeaders("15", "9"),
			body:    `{"choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris."},"stop_reason":"stop"}]}`,
			finish:  []string{"stop"}, in: 15, out: 9,
		},
		{
			name: "meta llama length", model: "meta.llama3-8b-instruct-v1:0",
			body:   `{"generation":"A hello world program is a simple program that","prompt_token_count":20,"generation_token_count":10,"stop_reason":"length"}`,
			finish: []string{"length"}, in: 20, out: 10,
		},
		{
			name: "ai21 jamba", model: "ai21.jamba-1-5-large-v1:0",
			body: `{"id":"chatcmpl-4d0f6d7a-2b3c-4d5e-8f9a-0b1c2d3e4f5a","choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris.","tool_calls":null},"finish_reason":"stop"}],` +
				`"usage":{"prompt_tokens":17,"completion_tokens":9,"total_tokens":26},"meta":{"requestDurationMillis":412},"model":"jamba-1.5-large"}`,
			finish: []string{"stop"}, in: 17, out: 9,
		},
		{
			name: "amazon nova", model: "us.amazon.nova-lite-v1:0",
			body: `{"output":{"message":{"content":[{"text":"A hello world program prints"}],"role":"assistant"}},"stopReason":"max_tokens",` +
				`"usage":{"inputTokens":13,"outputTokens":5,"totalTokens":18,"cacheReadInputTokenCount":0,"cacheWriteInputTokenCount":0}}`,
			finish: []string{"max_tokens"}, in: 13, out: 5,
		},
		{
			name: "deepseek r1", model: "us.deepseek.r1-v1:0",
			headers: tokenHeaders("10", "120"),
			body:    `{"choices":[{"text":"<think>The user asks for the capital of France.</think>\n\nThe capital of France is Paris.","stop_reason":"stop"}]}`,
			finish:  []string{"stop"}, in: 10, out: 120,
		},
		{
			name: "openai gpt-oss", model: "openai.gpt-oss-20b-1:0",
			body: `{"id":"chatcmpl-7f3e2d1c","object":"chat.completion","created":1754000000,"model":"openai.gpt-oss-20b-1:0",` +
				`"choices":[{"index":0,"message":{"role":"assistant","content":"The capital of France is Paris."},"finish_reason":"stop"}],"usage":{"prompt_tokens":21,"completion_tokens":35,"total_tokens":56}}`,
			finish: []string{"stop"}, in: 21, out: 35,
		},
		{
			name: "anthropic text completions", model: "anthropic.claude-v2:1",
			headers: tokenHeaders("14", "6"),
			body:    `{"type":"completion","completion":" Paris.","stop_reason":"stop_sequence","stop":"\n\nHuman:"}`,
			finish:  []string{"stop_sequence"}, in: 14, out: 6,
		},
		{
			name: "cohere embed", model: "cohere.embed-english-v3",
			headers: tokenHeaders("6", "0"),
			body:    `{"embeddings":[[0.0153,-0.0461,0.0268]],"id":"2b0f5c3e-1d4a-4e6b-9c8d-7a6b5c4d3e2f","response_type":"embeddings_floats","texts":["hello world"]}`,
			in:      6, out: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := newServer(t, map[string]reply{"invoke": {headers: tc.headers, body: tc.body}})
			_, err := newClient(srv.URL).InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
				ModelId: aws.String(tc.model), ContentType: aws.String("application/json"), Body: []byte(`{}`),
			})
			require.NoError(t, err)
			s, a := onlySpan(t, rec)
			assert.Equal(t, codes.Unset, s.Status().Code)
			if tc.finish == nil {
				assert.NotContains(t, a, vocabulary.GenAIResponseFinishReasons)
			} else {
				assert.Equal(t, tc.finish, a[vocabulary.GenAIResponseFinishReasons])
			}
			for key, want := range map[string]int64{vocabulary.GenAIUsageInputTokens: tc.in, vocabulary.GenAIUsageOutputTokens: tc.out} {
				if want < 0 {
					assert.NotContains(t, a, key)
				} else {
					assert.Equal(t, want, a[key], key)
				}
			}
			assert.NotContains(t, a, vocabulary.AWSBedrockGuardrailAction, "no guardrail was asked for")
		})
	}
}

// TestInvokeModelTokenSources: Bedrock's token count headers are the
// counts it meters and bills, for every model; they win over a body's
// counts (Cohere's billed_units, here without Cohere's prompt template), and
// the body fills in what the headers lack. The prompt cache's counts come
// from their headers too.
func TestInvokeModelTokenSources(t *testing.T) {
	rec := adaptertest.Record(t)
	const cohere = `{"response_id":"4a3b1c2d","text":"Paris.","generation_id":"8d7c6b5a","chat_history":[],"finish_reason":"COMPLETE",` +
		`"meta":{"api_version":{"version":"1"},"billed_units":{"input_tokens":7,"output_tokens":2}}}`
	srv := newServer(t, map[string]reply{"invoke": {headers: tokenHeaders("9", "2"), body: cohere}})
	client := newClient(srv.URL)
	invoke := func(model string) map[string]any {
		t.Helper()
		_, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
			ModelId: aws.String(model), ContentType: aws.String("application/json"), Body: []byte(`{}`),
		})
		require.NoError(t, err)
		ended := rec.Ended()
		return adaptertest.Attrs(ended[len(ended)-1].Attributes())
	}
	a := invoke("cohere.command-r-v1:0")
	assert.Equal(t, int64(9), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(2), a[vocabulary.GenAIUsageOutputTokens])

	// Only the output header: the input from the body.
	srv.replies["invoke"] = reply{headers: map[string]string{"X-Amzn-Bedrock-Output-Token-Count": "2"}, body: cohere}
	a = invoke("cohere.command-r-v1:0")
	assert.Equal(t, int64(7), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(2), a[vocabulary.GenAIUsageOutputTokens])

	// The cache headers of a model whose body has no cache counts (Bedrock
	// counts the cache apart from the input, the span counts it in).
	srv.replies["invoke"] = reply{headers: map[string]string{
		"X-Amzn-Bedrock-Input-Token-Count": "4", "X-Amzn-Bedrock-Output-Token-Count": "9",
		"X-Amzn-Bedrock-Cache-Read-Input-Token-Count": "1583", "X-Amzn-Bedrock-Cache-Write-Input-Token-Count": "0",
	}, body: `{"choices":[{"index":0,"message":{"role":"assistant","content":"The report covers Q3."},"stop_reason":"stop"}]}`}
	a = invoke("mistral.mistral-large-2407-v1:0")
	assert.Equal(t, int64(4+1583), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1583), a[vocabulary.GenAIUsageCacheReadTokens])
	assert.Equal(t, int64(0), a[vocabulary.GenAIUsageCacheCreationTokens])
	assert.Equal(t, int64(9), a[vocabulary.GenAIUsageOutputTokens])
}

// TestInvokeModelGuardrailOutcome: InvokeModel's guardrail outcome is
// Bedrock's amazon-bedrock-guardrailAction (the body's, else the response
// header's), as Converse's is its stop reason. A model's own content
// filter (Titan's CONTENT_FILTERED, Converse's content_filtered) is a
// finish reason, not a guardrail intervention.
func TestInvokeModelGuardrailOutcome(t *testing.T) {
	for _, tc := range []struct {
		name      string
		guardrail bool
		headers   map[string]string
		body      string
		action    string // "": not recorded
		finish    string
	}{
		{
			name: "titan filtered, guardrail let it through", guardrail: true,
			body:   `{"inputTextTokenCount":14,"results":[{"tokenCount":0,"outputText":"","completionReason":"CONTENT_FILTERED"}],"amazon-bedrock-guardrailAction":"NONE"}`,
			action: "NONE", finish: "CONTENT_FILTERED",
		},
		{
			name:   "titan filtered, no guardrail",
			body:   `{"inputTextTokenCount":14,"results":[{"tokenCount":0,"outputText":"","completionReason":"CONTENT_FILTERED"}]}`,
			finish: "CONTENT_FILTERED",
		},
		{
			name: "titan, guardrail intervened", guardrail: true,
			body:   `{"inputTextTokenCount":11,"results":[{"tokenCount":0,"outputText":"Sorry, the model cannot answer this question.","completionReason":"CONTENT_FILTERED"}],"amazon-bedrock-guardrailAction":"INTERVENED"}`,
			action: vocabulary.BedrockGuardrailActionIntervened, finish: "CONTENT_FILTERED",
		},
		{
			name: "header only", guardrail: true,
			headers: map[string]string{"amazon-bedrock-guardrailAction": "INTERVENED"},
			body:    `{"generation":"Sorry, the model cannot answer this question.","prompt_token_count":18,"generation_token_count":0,"stop_reason":"stop"}`,
			action:  vocabulary.BedrockGuardrailActionIntervened, finish: "stop",
		},
		{
			name: "the body wins over the header", guardrail: true,
			headers: map[string]string{"amazon-bedrock-guardrailAction": "NONE"},
			body:    `{"generation":"Sorry, the model cannot answer this question.","prompt_token_count":18,"generation_token_count":0,"stop_reason":"stop","amazon-bedrock-guardrailAction":"INTERVENED"}`,
			action:  vocabulary.BedrockGuardrailActionIntervened, finish: "stop",
		},
		{
			name: "header, body not JSON", guardrail: true,
			headers: map[string]string{"amazon-bedrock-guardrailAction": "INTERVENED", "Content-Type": "application/octet-stream"},
			body:    "\x00\x01",
			action:  vocabulary.BedrockGuardrailActionIntervened,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := newServer(t, map[string]reply{"invoke": {headers: tc.headers, body: tc.body}})
			in := &bedrockruntime.InvokeModelInput{ModelId: aws.String("amazon.titan-text-express-v1"), ContentType: aws.String("application/json"), Body: []byte(`{}`)}
			if tc.guardrail {
				in.GuardrailIdentifier, in.GuardrailVersion = aws.String("gr-1234abcd"), aws.String("1")
			}
			_, err := newClient(srv.URL).InvokeModel(context.Background(), in)
			require.NoError(t, err)
			_, a := onlySpan(t, rec)
			if tc.action == "" {
				assert.NotContains(t, a, vocabulary.AWSBedrockGuardrailAction)
			} else {
				assert.Equal(t, tc.action, a[vocabulary.AWSBedrockGuardrailAction])
			}
			if tc.finish == "" {
				assert.NotContains(t, a, vocabulary.GenAIResponseFinishReasons)
			} else {
				assert.Equal(t, []string{tc.finish}, a[vocabulary.GenAIResponseFinishReasons])
			}
		})
	}
}
