package rastiropenai

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// readStream passes data through a streaming body in reads of one byte and
// returns the attributes of the ended span.
func readStream(t *testing.T, data []byte, ep endpoint) map[string]any {
	t.Helper()
	rec := adaptertest.Record(t)
	_, span := rastir.StartLLM(context.Background(), "gpt-4o-mini")
	b := httptap.New(io.NopCloser(iotest.OneByteReader(bytes.NewReader(data))), true, 0,
		&body{span: span, ep: ep, status: 200})
	got, err := io.ReadAll(b)
	require.NoError(t, err)
	assert.Equal(t, data, got, "the body passes through unchanged")
	require.NoError(t, b.Close())
	return adaptertest.Attrs(adaptertest.Only(t, rec).Attributes())
}

func TestStreamOneByteReadsAndCRLF(t *testing.T) {
	data, err := os.ReadFile("testdata/chat_stream.sse")
	require.NoError(t, err)
	for name, d := range map[string][]byte{
		"lf":   data,
		"crlf": bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n")),
		// No newline after the last event.
		"unterminated": bytes.TrimRight(data, "\n"),
	} {
		t.Run(name, func(t *testing.T) {
			m := readStream(t, d, endpointChat)
			assert.Equal(t, "chatcmpl-123", m[vocabulary.GenAIResponseID])
			assert.Equal(t, []string{"stop"}, m[vocabulary.GenAIResponseFinishReasons])
			assert.Equal(t, int64(9), m[vocabulary.GenAIUsageInputTokens])
			assert.Equal(t, int64(2), m[vocabulary.GenAIUsageOutputTokens])
			assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
		})
	}
}

func TestStreamOverlongLineSkipped(t *testing.T) {
	data, err := os.ReadFile("testdata/chat_stream.sse")
	require.NoError(t, err)
	long := "data: {\"id\":\"chatcmpl-long\",\"x\":\"" + strings.Repeat("a", httptap.MaxLine) + "\"}\n\n"
	m := readStream(t, append([]byte(long), data...), endpointChat)
	// The over-long event is dropped; the ones after it are read.
	assert.Equal(t, "chatcmpl-123", m[vocabulary.GenAIResponseID])
	assert.Equal(t, int64(9), m[vocabulary.GenAIUsageInputTokens])
}

func TestResponsesStreamOneByteReads(t *testing.T) {
	data, err := os.ReadFile("testdata/responses_stream.sse")
	require.NoError(t, err)
	m := readStream(t, data, endpointResponses)
	assert.Equal(t, "resp_67c9fdcecf488190bdd9a0409de3a1ec07b8b0ad4e5eb654", m[vocabulary.GenAIResponseID])
	assert.Equal(t, int64(37), m[vocabulary.GenAIUsageInputTokens])
	assert.Contains(t, m, vocabulary.GenAIResponseTimeToFirstChunk)
}

// TestFirstOutputChunk: the time to first chunk is taken at the first
// chunk that carries model output, not at one that carries only Azure's
// prompt filter results, a role, an empty content, filter annotations or
// the usage.
func TestFirstOutputChunk(t *testing.T) {
	const (
		chunk = `{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1761903214,"model":"gpt-4o-2024-11-20","choices":[`
		end   = `]}`
	)
	for _, tt := range []struct {
		name, data string
		ep         endpoint
		want       bool
	}{
		{"azure prompt filter results", `{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[{"prompt_index":0,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"jailbreak":{"filtered":false,"detected":false},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}}}]}`, endpointChat, false},
		{"azure role", chunk + `{"content_filter_results":{},"delta":{"content":"","refusal":null,"role":"assistant"},"finish_reason":null,"index":0,"logprobs":null}` + end, endpointChat, false},
		{"role", chunk + `{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}` + end, endpointChat, false},
		{"azure asynchronous filter annotation", chunk + `{"index":0,"finish_reason":null,"content_filter_results":{"hate":{"filtered":false,"severity":"safe"},"self_harm":{"filtered":false,"severity":"safe"},"sexual":{"filtered":false,"severity":"safe"},"violence":{"filtered":false,"severity":"safe"}},"content_filter_offsets":{"check_offset":35,"start_offset":35,"end_offset":36}}` + end, endpointChat, false},
		{"usage", chunk + `],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}`, endpointChat, false},
		{"empty tool calls", chunk + `{"index":0,"delta":{"tool_calls":[]},"finish_reason":null}` + end, endpointChat, false},
		{"content", chunk + `{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}` + end, endpointChat, true},
		{"escaped content", chunk + `{"index":0,"delta":{"content":"\n"},"logprobs":null,"finish_reason":null}` + end, endpointChat, true},
		{"refusal", chunk + `{"index":0,"delta":{"refusal":"I'm sorry"},"logprobs":null,"finish_reason":null}` + end, endpointChat, true},
		{"tool call", chunk + `{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_DdmO9pD3xa9XTPNJ32zg2hcA","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}` + end, endpointChat, true},
		{"function call", chunk + `{"index":0,"delta":{"role":"assistant","content":null,"function_call":{"name":"get_weather","arguments":""}},"finish_reason":null}` + end, endpointChat, true},
		{"reasoning content", chunk + `{"index":0,"delta":{"content":null,"reasoning_content":"Okay"},"logprobs":null,"finish_reason":null}` + end, endpointChat, true},
		{"reasoning", chunk + `{"index":0,"delta":{"reasoning":"The user"},"finish_reason":null}` + end, endpointChat, true},
		{"finish reason only", chunk + `{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}` + end, endpointChat, true},
		{"completion text", `{"id":"cmpl-1","object":"text_completion","created":1761903214,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"Hello","index":0,"logprobs":null,"finish_reason":null}]}`, endpointCompletions, true},
		{"completion empty text", `{"id":"cmpl-1","object":"text_completion","created":1761903214,"model":"gpt-3.5-turbo-instruct","choices":[{"text":"","index":0,"logprobs":null,"finish_reason":null}]}`, endpointCompletions, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			adaptertest.Record(t)
			_, span := rastir.StartLLM(context.Background(), "gpt-4o")
			b := &body{span: span, ep: tt.ep, status: 200}
			b.Line([]byte("data: " + tt.data))
			assert.Equal(t, tt.want, b.res.firstChunk)
			span.End()
		})
	}
}

// TestResponsesFirstOutputEvent: in a Responses API stream, the events
// that announce the response or an empty item do not mark the first
// output; a delta, a partial image, a finished output item or the
// response's end do.
func TestResponsesFirstOutputEvent(t *testing.T) {
	const response = `,"response":{"id":"resp_1","object":"response","created_at":1761903214,"status":"in_progress","error":null,"incomplete_details":null,"model":"gpt-4.1-2025-04-14","output":[],"usage":null}}`
	for _, tt := range []struct {
		data string
		want bool
	}{
		{`{"type":"response.created","sequence_number":0` + response, false},
		{`{"type":"response.in_progress","sequence_number":1` + response, false},
		{`{"type":"response.queued","sequence_number":0` + response, false},
		{`{"type":"response.output_item.added","sequence_number":2,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}`, false},
		{`{"type":"response.content_part.added","sequence_number":3,"item_id":"msg_1","output_index":0,"content_index":0,"part":{"type":"output_text","text":"","annotations":[]}}`, false},
		{`{"type":"response.web_search_call.searching","sequence_number":3,"output_index":0,"item_id":"ws_1"}`, false},
		{`{"type":"response.output_text.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hi"}`, true},
		{`{"type":"response.refusal.delta","sequence_number":4,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"I'm sorry"}`, true},
		{`{"type":"response.function_call_arguments.delta","sequence_number":4,"item_id":"fc_1","output_index":0,"delta":"{""}`, true},
		{`{"type":"response.reasoning_summary_text.delta","sequence_number":4,"item_id":"rs_1","output_index":0,"summary_index":0,"delta":"**Thinking"}`, true},
		{`{"type":"response.image_generation_call.partial_image","sequence_number":4,"output_index":0,"item_id":"ig_1","partial_image_index":0,"partial_image_b64":"iVBORw0KGgo"}`, true},
		{`{"type":"response.output_item.done","sequence_number":5,"output_index":0,"item":{"id":"ig_1","type":"image_generation_call","status":"completed","result":"iVBORw0KGgo"}}`, true},
		{`{"type":"response.completed","sequence_number":6,"response":{"id":"resp_1","object":"response","status":"completed","model":"gpt-4.1-2025-04-14","output":[],"usage":{"input_tokens":5,"output_tokens":0,"total_tokens":5}}}`, true},
		{`{"type":"response.incomplete","sequence_number":6,"response":{"id":"resp_1","object":"response","status":"incomplete","incomplete_details":{"reason":"content_filter"},"model":"gpt-4.1-2025-04-14","output":[]}}`, true},
	} {
		typ := gjson.Get(tt.data, "type").String()
		t.Run(typ, func(t *testing.T) {
			adaptertest.Record(t)
			_, span := rastir.StartLLM(context.Background(), "gpt-4.1")
			b := &body{span: span, ep: endpointResponses, status: 200}
			b.Line([]byte("event: " + typ))
			b.Line([]byte("data: " + tt.data))
			assert.Equal(t, tt.want, b.res.firstChunk)
			span.End()
		})
	}
}

// TestClassify: the model calls are told by their path, also under
// Azure's deployment prefix; the Responses API's other POSTs (a
// cancellation, a token count) are not model calls.
func TestClassify(t *testing.T) {
	for _, tt := range []struct {
		method, url string
		want        endpoint
		op          string
	}{
		{http.MethodPost, "https://api.openai.com/v1/chat/completions", endpointChat, vocabulary.OperationChat},
		{http.MethodPost, "https://api.openai.com/v1/responses", endpointResponses, vocabulary.OperationChat},
		{http.MethodPost, "https://api.openai.com/v1/responses/compact", endpointResponses, vocabulary.OperationChat},
		{http.MethodPost, "https://my-res.openai.azure.com/openai/v1/responses/compact/", endpointResponses, vocabulary.OperationChat},
		{http.MethodPost, "https://api.openai.com/v1/completions", endpointCompletions, vocabulary.OperationTextCompletion},
		{http.MethodPost, "https://my-res.openai.azure.com/openai/deployments/emb/embeddings?api-version=2024-10-21", endpointEmbeddings, vocabulary.OperationEmbeddings},
		{http.MethodPost, "https://api.openai.com/v1/responses/resp_123/cancel", endpointNone, ""},
		{http.MethodPost, "https://api.openai.com/v1/responses/input_tokens", endpointNone, ""},
		{http.MethodGet, "https://api.openai.com/v1/responses/compact", endpointNone, ""},
	} {
		req, err := http.NewRequest(tt.method, tt.url, nil)
		require.NoError(t, err)
		ep, op := classify(req)
		assert.Equal(t, tt.want, ep, "%s %s", tt.method, tt.url)
		assert.Equal(t, tt.op, op, "%s %s", tt.method, tt.url)
	}
}

// BenchmarkReadCompletion is the part of BenchmarkSpan's adapter case that
// reads the response: one pass over the published chat completion example.
func BenchmarkReadCompletion(b *testing.B) {
	data, err := os.ReadFile("testdata/chat_completion.json")
	if err != nil {
		b.Fatal(err)
	}
	var models httptap.Recent
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		r := result{models: &models}
		r.readCompletion(httptap.View(data))
	}
}

// allParamsBody is a chat completion request that sets every parameter
// the middleware reads.
const allParamsBody = `{"messages":[{"content":"Hello!","role":"user"}],"model":"gpt-4.1",` +
	`"max_completion_tokens":512,"temperature":0.7,"top_p":0.9,"frequency_penalty":0.5,"presence_penalty":-0.25,` +
	`"seed":42,"n":3,"stop":["\n\n","END"],"response_format":{"type":"json_object"}}`

// BenchmarkRequestFields reads a chat completion request without
// parameters and one with all of them (the part of BenchmarkSpan's adapter
// case that reads the request; http.Request's GetBody allocates its
// reader).
func BenchmarkRequestFields(b *testing.B) {
	for _, bc := range []struct{ name, body string }{
		{"no-params", `{"messages":[{"content":"Hello!","role":"user"}],"model":"gpt-4.1"}`},
		{"all-params", allParamsBody},
	} {
		b.Run(bc.name, func(b *testing.B) {
			req, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions", strings.NewReader(bc.body))
			if err != nil {
				b.Fatal(err)
			}
			var c config
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.body)))
			for b.Loop() {
				r := c.requestFields(req, endpointChat)
				if r.model != "gpt-4.1" {
					b.Fatal(r.model)
				}
			}
		})
	}
}

// TestRecordParamsAllocs: reading and recording every parameter allocates
// no more than the stop sequences' attribute value does (once the stop
// sequences have been seen; a string with escapes, which encoding/json
// decodes, costs its decoding's allocations more).
func TestRecordParamsAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts vary under the race detector")
	}
	body := strings.Replace(allParamsBody, `"\n\n"`, `"STOP"`, 1)
	require.NotEqual(t, allParamsBody, body)
	req, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions", strings.NewReader(body))
	require.NoError(t, err)
	var c config
	noParams, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions",
		strings.NewReader(`{"messages":[{"content":"Hello!","role":"user"}],"model":"gpt-4.1"}`))
	require.NoError(t, err)
	adaptertest.Record(t)
	_, span := rastir.StartLLM(context.Background(), "gpt-4.1")
	defer span.End()
	r := c.requestFields(req, endpointChat)
	base := testing.AllocsPerRun(100, func() {
		c.requestFields(noParams, endpointChat)
	})
	all := testing.AllocsPerRun(100, func() {
		r = c.requestFields(req, endpointChat)
		r.params.Record(span)
	})
	// attribute.StringSlice copies the stop sequences into an array.
	assert.Equal(t, base+1, all)
}
