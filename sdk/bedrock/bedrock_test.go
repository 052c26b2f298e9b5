package rastirbedrock

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/sdktest"
)

func onlySpan(t *testing.T, rec *tracetest.SpanRecorder) (sdktrace.ReadOnlySpan, map[string]any) {
	t.Helper()
	ended := rec.Ended()
	require.Len(t, ended, 1)
	return ended[0], adaptertest.Attrs(ended[0].Attributes())
}

// reply is one canned answer of the test server.
type reply struct {
	status  int
	headers map[string]string
	body    string
	frames  []eventstream.Message // an event stream instead of body
	block   bool                  // wait for the client to go away
}

// bedrockServer answers the Bedrock Runtime API paths with canned replies
// and records the requests' headers and bodies.
type bedrockServer struct {
	*httptest.Server
	mu      sync.Mutex
	replies map[string]reply // by operation: converse, converse-stream, invoke
	reqs    []*http.Request
	bodies  []string
}

func newServer(t *testing.T, replies map[string]reply) *bedrockServer {
	t.Helper()
	s := &bedrockServer{replies: replies}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *bedrockServer) serve(w http.ResponseWriter, r *http.Request) {
	body := new(strings.Builder)
	buf := make([]byte, 4096)
	for {
		n, err := r.Body.Read(buf)
		body.Write(buf[:n])
		if err != nil {
			break
		}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, r)
	s.bodies = append(s.bodies, body.String())
	s.mu.Unlock()
	op := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	rep, ok := s.replies[op]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if rep.block {
		<-r.Context().Done()
		return
	}
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	if rep.frames != nil {
		w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
		w.WriteHeader(http.StatusOK)
		enc := eventstream.NewEncoder()
		for _, f := range rep.frames {
			if err := enc.Encode(w, f); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
		return
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	if rep.status == 0 {
		rep.status = http.StatusOK
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write([]byte(rep.body))
}

func newClient(url string) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Source: "test"}, nil
		}),
		RetryMaxAttempts: 1,
		HTTPClient:       testHTTPClient(),
	}, WithTracing(), WithTracing())
}

// testHTTPClient is the tests' HTTP client. smithy-go closes a request's
// body as soon as the response arrives, and the closed body answers WriteTo
// with io.EOF. net/http may still be checking that body for bytes past its
// Content-Length (a local server answers that fast when the machine is
// busy); it takes the EOF for a write error and closes the connection under
// the response stream being read ("use of closed network connection").
// Hiding WriteTo makes that check a Read, which ends cleanly.
func testHTTPClient() *http.Client {
	return &http.Client{Transport: bodyWithoutWriteTo{http.DefaultTransport.(*http.Transport).Clone()}}
}

type bodyWithoutWriteTo struct{ base http.RoundTripper }

func (t bodyWithoutWriteTo) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody {
		req = req.Clone(req.Context())
		req.Body = struct{ io.ReadCloser }{req.Body}
	}
	return t.base.RoundTrip(req)
}

func userMessage(text string) []types.Message {
	return []types.Message{{Role: types.ConversationRoleUser, Content: []types.ContentBlock{&types.ContentBlockMemberText{Value: text}}}}
}

// Converse response of the API reference.
const converseOK = `{
  "output": {"message": {"role": "assistant", "content": [{"text": "Hello! How can I help you today?"}]}},
  "stopReason": "end_turn",
  "usage": {"inputTokens": 12, "outputTokens": 9, "totalTokens": 25, "cacheReadInputTokens": 4, "cacheWriteInputTokens": 0},
  "metrics": {"latencyMs": 512}
}`

// A Converse response whose guardrail blocked the input, with the trace.
const converseBlocked = `{
  "output": {"message": {"role": "assistant", "content": [{"text": "Sorry, I cannot answer that."}]}},
  "stopReason": "guardrail_intervened",
  "usage": {"inputTokens": 0, "outputTokens": 0, "totalTokens": 0},
  "metrics": {"latencyMs": 230},
  "trace": {"guardrail": {
    "inputAssessment": {"gr-1234abcd": {
      "topicPolicy": {"topics": [{"name": "Investment advice", "type": "DENY", "action": "BLOCKED", "detected": true}]},
      "invocationMetrics": {"guardrailProcessingLatency": 120,
        "usage": {"topicPolicyUnits": 1, "contentPolicyUnits": 0, "wordPolicyUnits": 0, "sensitiveInformationPolicyUnits": 0, "sensitiveInformationPolicyFreeUnits": 0, "contextualGroundingPolicyUnits": 0},
        "guardrailCoverage": {"textCharacters": {"guarded": 38, "total": 38}}}
    }},
    "actionReason": "Guardrail blocked."
  }}
}`

func TestConverse(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"converse": {body: converseOK}})
	ctx, agent := rastir.StartAgent(context.Background(), "support")
	out, err := newClient(srv.URL).Converse(ctx, &bedrockruntime.ConverseInput{
		ModelId:  aws.String("us.anthropic.claude-3-5-sonnet-20240620-v1:0"),
		Messages: userMessage("Hello"),
	})
	require.NoError(t, err)
	require.Equal(t, types.StopReasonEndTurn, out.StopReason)
	agent.End()

	var s sdktrace.ReadOnlySpan
	for _, e := range rec.Ended() {
		if e.Name() == "chat us.anthropic.claude-3-5-sonnet-20240620-v1:0" {
			s = e
		}
	}
	require.NotNil(t, s, "one span per call, however often the middleware is added")
	require.Len(t, rec.Ended(), 2)
	assert.Equal(t, agent.SpanContext().SpanID(), s.Parent().SpanID())
	a := adaptertest.Attrs(s.Attributes())
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:             vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:            vocabulary.OperationChat,
		vocabulary.GenAIAgentName:                "support",
		vocabulary.GenAIRequestModel:             "us.anthropic.claude-3-5-sonnet-20240620-v1:0",
		vocabulary.GenAIProviderName:             vocabulary.ProviderAWSBedrock,
		vocabulary.GenAIUsageInputTokens:         int64(12 + 4),
		vocabulary.GenAIUsageOutputTokens:        int64(9),
		vocabulary.GenAIUsageCacheReadTokens:     int64(4),
		vocabulary.GenAIUsageCacheCreationTokens: int64(0),
		vocabulary.GenAIResponseFinishReasons:    []string{"end_turn"},
	}, a)
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, "/model/us.anthropic.claude-3-5-sonnet-20240620-v1:0/converse", srv.reqs[0].URL.Path)
}

func TestConverseGuardrail(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"converse": {body: converseBlocked}})
	_, err := newClient(srv.URL).Converse(context.Background(), &bedrockruntime.ConverseInput{
		ModelId:  aws.String("meta.llama3-70b-instruct-v1:0"),
		Messages: userMessage("Which stocks should I buy?"),
		GuardrailConfig: &types.GuardrailConfiguration{
			GuardrailIdentifier: aws.String("gr-1234abcd"),
			GuardrailVersion:    aws.String("3"),
			Trace:               types.GuardrailTraceEnabled,
		},
	})
	require.NoError(t, err)
	_, a := onlySpan(t, rec)
	assert.Equal(t, "meta.llama3-70b-instruct-v1:0", a[vocabulary.GenAIRequestModel])
	assert.Equal(t, "gr-1234abcd", a[vocabulary.AWSBedrockGuardrailID])
	assert.Equal(t, "3", a[vocabulary.GenAIGuardrailPolicyVersion])
	assert.Equal(t, "GUARDRAIL_INTERVENED", a[vocabulary.AWSBedrockGuardrailAction])
	assert.Equal(t, []string{vocabulary.BedrockStopReasonGuardrailIntervened}, a[vocabulary.GenAIResponseFinishReasons])
	var want, got map[string]any
	require.NoError(t, json.Unmarshal([]byte(converseBlocked), &want))
	require.NoError(t, json.Unmarshal([]byte(a[vocabulary.AWSBedrockGuardrailAssessment].(string)), &got))
	assert.Equal(t, want["trace"].(map[string]any)["guardrail"], got, "the assessment as Bedrock sent it")
	// The request carried the guardrail.
	assert.Contains(t, srv.bodies[0], `"guardrailIdentifier":"gr-1234abcd"`)

	// Without the trace the action still comes from the stop reason; NONE
	// when the guardrail let the call through.
	srv.replies["converse"] = reply{body: converseOK}
	_, err = newClient(srv.URL).Converse(context.Background(), &bedrockruntime.ConverseInput{
		ModelId:         aws.String("meta.llama3-70b-instruct-v1:0"),
		Messages:        userMessage("Hi"),
		GuardrailConfig: &types.GuardrailConfiguration{GuardrailIdentifier: aws.String("gr-1234abcd"), GuardrailVersion: aws.String("DRAFT")},
	})
	require.NoError(t, err)
	a = adaptertest.Attrs(rec.Ended()[1].Attributes())
	assert.Equal(t, "NONE", a[vocabulary.AWSBedrockGuardrailAction])
	assert.Equal(t, "DRAFT", a[vocabulary.GenAIGuardrailPolicyVersion])
	assert.NotContains(t, a, vocabulary.AWSBedrockGuardrailAssessment)
}

// TestCacheTokensInInput: Bedrock counts the prompt cache's reads and writes
// apart from inputTokens (totalTokens is their sum with the output); the
// span's input tokens include them, as semconv and the collector's cost
// expect.
func TestCacheTokensInInput(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{
		"converse": {body: `{"output":{"message":{"role":"assistant","content":[{"text":"The report covers Q3."}]}},"stopReason":"end_turn",
			"usage":{"inputTokens":4,"outputTokens":232,"totalTokens":1819,"cacheReadInputTokens":1583,"cacheWriteInputTokens":0},"metrics":{"latencyMs":1043}}`},
		"converse-stream": {frames: streamFrames("end_turn",
			`{"usage":{"inputTokens":6,"outputTokens":3,"totalTokens":1825,"cacheReadInputTokens":0,"cacheWriteInputTokens":1816},"metrics":{"latencyMs":300}}`)},
		"invoke": {headers: map[string]string{"X-Amzn-Bedrock-Input-Token-Count": "12", "X-Amzn-Bedrock-Output-Token-Count": "7"},
			body: `{"id":"msg_bdrk_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":7,"cache_creation_input_tokens":0,"cache_read_input_tokens":1583}}`},
	})
	client := newClient(srv.URL)
	model := aws.String("anthropic.claude-3-5-sonnet-20240620-v1:0")
	last := func() map[string]any {
		ended := rec.Ended()
		return adaptertest.Attrs(ended[len(ended)-1].Attributes())
	}

	_, err := client.Converse(context.Background(), &bedrockruntime.ConverseInput{ModelId: model, Messages: userMessage("Summarise")})
	require.NoError(t, err)
	a := last()
	assert.Equal(t, int64(4+1583), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1583), a[vocabulary.GenAIUsageCacheReadTokens])
	assert.Equal(t, int64(232), a[vocabulary.GenAIUsageOutputTokens])

	out, err := client.ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{ModelId: model, Messages: userMessage("Hello")})
	require.NoError(t, err)
	_, err = readStream(t, out)
	require.NoError(t, err)
	a = last()
	assert.Equal(t, int64(6+1816), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1816), a[vocabulary.GenAIUsageCacheCreationTokens])

	_, err = client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{
		ModelId: model, ContentType: aws.String("application/json"),
		Body: []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hello"}]}`),
	})
	require.NoError(t, err)
	a = last()
	assert.Equal(t, int64(12+1583), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(1583), a[vocabulary.GenAIUsageCacheReadTokens])
}

func awsError(status int, code, message string) reply {
	return reply{status: status, headers: map[string]string{"X-Amzn-Errortype": code + ":http://internal.amazon.com/coral/com.amazon.bedrock/"}, body: `{"message":"` + message + `"}`}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name      string
		reply     reply
		timeout   bool
		errorType string
		category  string
		status    int64
	}{
		{"throttling", awsError(http.StatusTooManyRequests, "ThrottlingException", "Too many requests, please wait before trying again."), false, "ThrottlingException", vocabulary.ErrorRateLimit, 429},
		{"validation", awsError(http.StatusBadRequest, "ValidationException", "The provided model identifier is invalid."), false, "ValidationException", vocabulary.ErrorValidation, 400},
		{"model timeout", awsError(http.StatusRequestTimeout, "ModelTimeoutException", "Model has timed out in processing the request."), false, "ModelTimeoutException", vocabulary.ErrorTimeout, 408},
		{"internal", awsError(http.StatusInternalServerError, "InternalServerException", "An internal server error occurred."), false, "InternalServerException", vocabulary.ErrorProvider, 500},
		{"bad gateway", reply{status: http.StatusBadGateway, headers: map[string]string{"Content-Type": "text/html"}, body: "<html>502 Bad Gateway</html>"}, false, "", vocabulary.ErrorProvider, 502},
		{"deadline", reply{block: true}, true, "context.deadlineExceededError", vocabulary.ErrorTimeout, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := adaptertest.Record(t)
			srv := newServer(t, map[string]reply{"converse": tc.reply})
			ctx := context.Background()
			if tc.timeout {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, 200*time.Millisecond)
				defer cancel()
			}
			_, err := newClient(srv.URL).Converse(ctx, &bedrockruntime.ConverseInput{
				ModelId:  aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
				Messages: userMessage("Hello"),
			})
			require.Error(t, err)
			s, a := onlySpan(t, rec)
			assert.Equal(t, codes.Error, s.Status().Code)
			assert.Equal(t, tc.category, a[vocabulary.RastirErrorCategoryKey])
			if tc.errorType != "" {
				assert.Equal(t, tc.errorType, a[vocabulary.ErrorType])
			}
			if tc.status != 0 {
				assert.Equal(t, tc.status, a[vocabulary.HTTPResponseStatusCode])
			}
			assert.Equal(t, "anthropic.claude-3-haiku-20240307-v1:0", a[vocabulary.GenAIRequestModel], "request fields survive the failure")
			require.NotEmpty(t, s.Events())
			assert.Equal(t, vocabulary.EventException, s.Events()[0].Name)
		})
	}
}

// TestMissingModelID: the SDK rejects a call without ModelId before any
// request (*smithy.InvalidParamsError, in the initialize step after the
// span starts): the span fails as a validation error.
func TestMissingModelID(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{})
	client := newClient(srv.URL)
	_, err := client.InvokeModel(context.Background(), &bedrockruntime.InvokeModelInput{Body: []byte(`{}`)})
	require.Error(t, err)
	_, err = client.Converse(context.Background(), &bedrockruntime.ConverseInput{Messages: userMessage("Hello")})
	require.Error(t, err)
	_, err = client.ConverseStream(context.Background(), nil)
	require.Error(t, err)
	assert.Empty(t, srv.reqs, "no request was made")
	require.Len(t, rec.Ended(), 3)
	for _, s := range rec.Ended() {
		a := adaptertest.Attrs(s.Attributes())
		assert.Equal(t, codes.Error, s.Status().Code)
		assert.Equal(t, vocabulary.ErrorValidation, a[vocabulary.RastirErrorCategoryKey])
		assert.Equal(t, "smithy.InvalidParamsError", a[vocabulary.ErrorType])
		assert.NotContains(t, a, vocabulary.HTTPResponseStatusCode)
	}
}

// InvokeModel response bodies of the Anthropic Messages API and Meta Llama
// on Bedrock, and Bedrock's token count headers.
const (
	anthropicBody = `{"id":"msg_bdrk_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-3-5-sonnet-20240620","content":[{"type":"text","text":"Hello!"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":15,"output_tokens":7,"cache_creation_input_tokens":2,"cache_read_input_tokens":5}}`
	llamaBlocked  = `{"generation":"Sorry, the model cannot answer this question.","prompt_token_count":18,"generation_token_count":0,"stop_reason":"stop","amazon-bedrock-guardrailAction":"INTERVENED","amazon-bedrock-trace":{"guardrail":{"input":{"gr-1234abcd":{"contentPolicy":{"filters":[{"type":"VIOLENCE","confidence":"HIGH","filterStrength":"HIGH","action":"BLOCKED"}]}}},"outputs":[]}}}`
	titanBody     = `{"inputTextTokenCount":6,"results":[{"tokenCount":11,"outputText":"Hello there.","completionReason":"FINISH"}]}`
)

func TestInvokeModel(t *testing.T) {
	rec := adaptertest.Record(t)
	tokenHeaders := map[string]string{"X-Amzn-Bedrock-Input-Token-Count": "15", "X-Amzn-Bedrock-Output-Token-Count": "7", "X-Amzn-Bedrock-Invocation-Latency": "734"}
	srv := newServer(t, map[string]reply{"invoke": {headers: tokenHeaders, body: anthropicBody}})
	client := newClient(srv.URL)
	invoke := func(model string, in *bedrockruntime.InvokeModelInput) map[string]any {
		t.Helper()
		if in == nil {
			in = &bedrockruntime.InvokeModelInput{}
		}
		in.ModelId = aws.String(model)
		in.ContentType = aws.String("application/json")
		in.Body = []byte(`{"anthropic_version":"bedrock-2023-05-31","max_tokens":100,"messages":[{"role":"user","content":"Hello"}]}`)
		_, err := client.InvokeModel(context.Background(), in)
		require.NoError(t, err)
		ended := rec.Ended()
		return adaptertest.Attrs(ended[len(ended)-1].Attributes())
	}

	a := invoke("anthropic.claude-3-5-sonnet-20240620-v1:0", nil)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:             vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:            vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:             "anthropic.claude-3-5-sonnet-20240620-v1:0",
		vocabulary.GenAIResponseModel:            "claude-3-5-sonnet-20240620",
		vocabulary.GenAIResponseID:               "msg_bdrk_01XFDUDYJgAACzvnptvVoYEL",
		vocabulary.GenAIProviderName:             vocabulary.ProviderAWSBedrock,
		vocabulary.GenAIUsageInputTokens:         int64(15 + 5 + 2),
		vocabulary.GenAIUsageOutputTokens:        int64(7),
		vocabulary.GenAIUsageCacheReadTokens:     int64(5),
		vocabulary.GenAIUsageCacheCreationTokens: int64(2),
		vocabulary.GenAIResponseFinishReasons:    []string{"end_turn"},
	}, a)

	srv.replies["invoke"] = reply{body: llamaBlocked}
	a = invoke("meta.llama3-8b-instruct-v1:0", &bedrockruntime.InvokeModelInput{
		GuardrailIdentifier: aws.String("gr-1234abcd"), GuardrailVersion: aws.String("1"), Trace: types.TraceEnabled,
	})
	assert.Equal(t, int64(18), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(0), a[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, []string{"stop"}, a[vocabulary.GenAIResponseFinishReasons])
	assert.Equal(t, "gr-1234abcd", a[vocabulary.AWSBedrockGuardrailID])
	assert.Equal(t, "1", a[vocabulary.GenAIGuardrailPolicyVersion])
	assert.Equal(t, vocabulary.BedrockGuardrailActionIntervened, a[vocabulary.AWSBedrockGuardrailAction])
	assert.JSONEq(t, `{"input":{"gr-1234abcd":{"contentPolicy":{"filters":[{"type":"VIOLENCE","confidence":"HIGH","filterStrength":"HIGH","action":"BLOCKED"}]}}},"outputs":[]}`,
		a[vocabulary.AWSBedrockGuardrailAssessment].(string))
	last := srv.reqs[len(srv.reqs)-1]
	assert.Equal(t, "gr-1234abcd", last.Header.Get("X-Amzn-Bedrock-GuardrailIdentifier"))
	assert.Equal(t, "1", last.Header.Get("X-Amzn-Bedrock-GuardrailVersion"))

	// Titan: the token count headers, its completion reason.
	srv.replies["invoke"] = reply{headers: map[string]string{"X-Amzn-Bedrock-Input-Token-Count": "6", "X-Amzn-Bedrock-Output-Token-Count": "11"}, body: titanBody}
	a = invoke("amazon.titan-text-express-v1", nil)
	assert.Equal(t, vocabulary.OperationChat, a[vocabulary.GenAIOperationName])
	assert.Equal(t, int64(6), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, int64(11), a[vocabulary.GenAIUsageOutputTokens])
	assert.Equal(t, []string{"FINISH"}, a[vocabulary.GenAIResponseFinishReasons])

	// An embedding model: the embeddings operation; Titan's input count.
	srv.replies["invoke"] = reply{body: `{"embedding":[0.0125,-0.0459,0.0173],"inputTextTokenCount":8}`}
	a = invoke("amazon.titan-embed-text-v2:0", nil)
	assert.Equal(t, vocabulary.OperationEmbeddings, a[vocabulary.GenAIOperationName])
	assert.Equal(t, int64(8), a[vocabulary.GenAIUsageInputTokens])
	assert.NotContains(t, a, vocabulary.GenAIUsageOutputTokens)
	assert.Equal(t, "embeddings amazon.titan-embed-text-v2:0", rec.Ended()[len(rec.Ended())-1].Name())

	// A body that is not JSON, no headers: nothing but the request.
	srv.replies["invoke"] = reply{headers: map[string]string{"Content-Type": "application/octet-stream"}, body: "\x00\x01"}
	a = invoke("stability.sd3-large-v1:0", &bedrockruntime.InvokeModelInput{GuardrailIdentifier: aws.String("gr-2")})
	assert.NotContains(t, a, vocabulary.GenAIUsageInputTokens)
	assert.Equal(t, "gr-2", a[vocabulary.AWSBedrockGuardrailID])
	assert.NotContains(t, a, vocabulary.AWSBedrockGuardrailAction)
}

func event(eventType, payload string) eventstream.Message {
	var h eventstream.Headers
	h.Set(headerMessageType, eventstream.StringValue(messageTypeEvent))
	h.Set(headerEventType, eventstream.StringValue(eventType))
	h.Set(":content-type", eventstream.StringValue("application/json"))
	return eventstream.Message{Headers: h, Payload: []byte(payload)}
}

func exception(exceptionType, message string) eventstream.Message {
	var h eventstream.Headers
	h.Set(headerMessageType, eventstream.StringValue(messageTypeExcept))
	h.Set(headerExceptionType, eventstream.StringValue(exceptionType))
	h.Set(":content-type", eventstream.StringValue("application/json"))
	return eventstream.Message{Headers: h, Payload: []byte(`{"message":"` + message + `"}`)}
}

func streamFrames(stop, metadata string) []eventstream.Message {
	return []eventstream.Message{
		event("messageStart", `{"role":"assistant","p":"abcdefgh"}`),
		event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"Hel"},"p":"abcd"}`),
		event("contentBlockDelta", `{"contentBlockIndex":0,"delta":{"text":"lo!"},"p":"abcdefghijk"}`),
		event("contentBlockStop", `{"contentBlockIndex":0,"p":"ab"}`),
		event("messageStop", `{"stopReason":"`+stop+`","p":"abcdef"}`),
		event("metadata", metadata),
	}
}

func readStream(t *testing.T, out *bedrockruntime.ConverseStreamOutput) (text string, err error) {
	t.Helper()
	stream := out.GetStream()
	var b strings.Builder
	for ev := range stream.Events() {
		if d, ok := ev.(*types.ConverseStreamOutputMemberContentBlockDelta); ok {
			if txt, ok := d.Value.Delta.(*types.ContentBlockDeltaMemberText); ok {
				b.WriteString(txt.Value)
			}
		}
	}
	if err = stream.Close(); err == nil {
		err = stream.Err()
	}
	return b.String(), err
}

func TestConverseStream(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"converse-stream": {frames: streamFrames("end_turn",
		`{"usage":{"inputTokens":10,"outputTokens":3,"totalTokens":15,"cacheReadInputTokens":2},"metrics":{"latencyMs":300},"p":"abc"}`)}})
	out, err := newClient(srv.URL).ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
		ModelId:  aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Messages: userMessage("Hello"),
	})
	require.NoError(t, err)
	assert.Empty(t, rec.Ended(), "the span ends with the stream")
	text, err := readStream(t, out)
	require.NoError(t, err)
	assert.Equal(t, "Hello!", text)

	s, a := onlySpan(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, true, a[vocabulary.GenAIRequestStream])
	assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
	delete(a, vocabulary.GenAIResponseTimeToFirstChunk)
	assert.Equal(t, map[string]any{
		vocabulary.RastirSpanTypeKey:          vocabulary.SpanTypeLLM,
		vocabulary.GenAIOperationName:         vocabulary.OperationChat,
		vocabulary.GenAIRequestModel:          "anthropic.claude-3-haiku-20240307-v1:0",
		vocabulary.GenAIProviderName:          vocabulary.ProviderAWSBedrock,
		vocabulary.GenAIRequestStream:         true,
		vocabulary.GenAIUsageInputTokens:      int64(10 + 2),
		vocabulary.GenAIUsageOutputTokens:     int64(3),
		vocabulary.GenAIUsageCacheReadTokens:  int64(2),
		vocabulary.GenAIResponseFinishReasons: []string{"end_turn"},
	}, a)
}

func TestConverseStreamGuardrail(t *testing.T) {
	rec := adaptertest.Record(t)
	trace := `{"inputAssessment":{"gr-1234abcd":{"contentPolicy":{"filters":[{"type":"HATE","confidence":"HIGH","filterStrength":"HIGH","action":"BLOCKED","detected":true}]}}},"outputAssessments":{}}`
	srv := newServer(t, map[string]reply{"converse-stream": {frames: streamFrames("guardrail_intervened",
		`{"usage":{"inputTokens":0,"outputTokens":0,"totalTokens":0},"metrics":{"latencyMs":80},"trace":{"guardrail":`+trace+`}}`)}})
	out, err := newClient(srv.URL).ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
		ModelId:         aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Messages:        userMessage("..."),
		GuardrailConfig: &types.GuardrailStreamConfiguration{GuardrailIdentifier: aws.String("gr-1234abcd"), GuardrailVersion: aws.String("2"), Trace: types.GuardrailTraceEnabled},
	})
	require.NoError(t, err)
	_, err = readStream(t, out)
	require.NoError(t, err)
	_, a := onlySpan(t, rec)
	assert.Equal(t, "gr-1234abcd", a[vocabulary.AWSBedrockGuardrailID])
	assert.Equal(t, "2", a[vocabulary.GenAIGuardrailPolicyVersion])
	assert.Equal(t, "GUARDRAIL_INTERVENED", a[vocabulary.AWSBedrockGuardrailAction])
	assert.JSONEq(t, trace, a[vocabulary.AWSBedrockGuardrailAssessment].(string))
}

func TestConverseStreamException(t *testing.T) {
	rec := adaptertest.Record(t)
	frames := streamFrames("end_turn", `{}`)[:2]
	frames = append(frames, exception("throttlingException", "Too many tokens, please wait before trying again."))
	srv := newServer(t, map[string]reply{"converse-stream": {frames: frames}})
	out, err := newClient(srv.URL).ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
		ModelId:  aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Messages: userMessage("Hello"),
	})
	require.NoError(t, err)
	_, err = readStream(t, out)
	require.Error(t, err)
	s, a := onlySpan(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
	// Rarely (a few in a thousand runs under -race with several -cpu
	// values, with or without this middleware) the AWS SDK's stream
	// reader loses its connection before the exception frame and reports
	// the network error: the span then carries what the caller saw.
	var netErr *net.OpError
	if errors.As(err, &netErr) {
		assert.Equal(t, "*net.OpError", a[vocabulary.ErrorType])
		return
	}
	assert.Equal(t, "throttlingException", a[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorRateLimit, a[vocabulary.RastirErrorCategoryKey])
}

// TestConverseStreamClosedEarly: closing the stream before its end ends
// the span without an error.
func TestConverseStreamClosedEarly(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{"converse-stream": {frames: streamFrames("end_turn", `{"usage":{"inputTokens":1,"outputTokens":1}}`)}})
	out, err := newClient(srv.URL).ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
		ModelId:  aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Messages: userMessage("Hello"),
	})
	require.NoError(t, err)
	<-out.GetStream().Events()
	require.NoError(t, out.GetStream().Close())
	require.Eventually(t, func() bool { return len(rec.Ended()) == 1 }, 5*time.Second, time.Millisecond)
	s, _ := onlySpan(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
}

// TestNestedCall: an SDK call made inside a traced call with its context
// (the credential chain's STS, SSO, IMDS or container credentials request,
// whose clients get the config's APIOptions, so the middleware too) leaves
// the traced call's span alone.
func TestNestedCall(t *testing.T) {
	rec := adaptertest.Record(t)
	srv := newServer(t, map[string]reply{
		"converse-stream": {frames: streamFrames("end_turn", `{"usage":{"inputTokens":10,"outputTokens":3,"totalTokens":13},"metrics":{"latencyMs":300}}`)},
		"async-invoke":    {body: `{"asyncInvokeSummaries":[]}`},
	})
	other := newClient(srv.URL)
	var fetched int
	creds := aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		fetched++
		if _, err := other.ListAsyncInvokes(ctx, &bedrockruntime.ListAsyncInvokesInput{}); err != nil {
			return aws.Credentials{}, err
		}
		return aws.Credentials{AccessKeyID: "AKIDEXAMPLE", SecretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", Source: "test"}, nil
	}))
	client := bedrockruntime.New(bedrockruntime.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, RetryMaxAttempts: 1,
		HTTPClient: testHTTPClient(),
	}, WithTracing())

	out, err := client.ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{
		ModelId:  aws.String("anthropic.claude-3-haiku-20240307-v1:0"),
		Messages: userMessage("Hello"),
	})
	require.NoError(t, err)
	require.Equal(t, 1, fetched)
	assert.Empty(t, rec.Ended(), "the span ends with the stream, not with the credentials' request")
	_, err = readStream(t, out)
	require.NoError(t, err)
	_, a := onlySpan(t, rec)
	assert.Equal(t, int64(10), a[vocabulary.GenAIUsageInputTokens])
	assert.Equal(t, []string{"end_turn"}, a[vocabulary.GenAIResponseFinishReasons])
	assert.Contains(t, a, vocabulary.GenAIResponseTimeToFirstChunk)
}

// TestOtherOperations: operations other than the three pass through.
func TestOtherOperations(t *testing.T) {
	rec := adaptertest.Record(t)
	stack := middleware.NewStack("test", nil)
	require.NoError(t, AddMiddleware(stack))
	require.NoError(t, AddMiddleware(stack))
	assert.Len(t, stack.Initialize.List(), 1)
	assert.Len(t, stack.Deserialize.List(), 1)
	srv := newServer(t, map[string]reply{})
	_, _ = newClient(srv.URL).GetAsyncInvoke(context.Background(), &bedrockruntime.GetAsyncInvokeInput{InvocationArn: aws.String("arn:aws:bedrock:us-east-1:123456789012:async-invoke/abc")})
	assert.Empty(t, rec.Ended())
}

func TestTapBadFrames(t *testing.T) {
	adaptertest.Record(t)
	_, span := rastir.StartLLM(context.Background(), "m")
	c := &call{span: span}
	tap := newStreamTap(nopCloser{strings.NewReader("")}, c)
	tap.feed([]byte{0, 0, 0, 3})
	assert.True(t, tap.broken)
	tap = newStreamTap(nopCloser{strings.NewReader("")}, c)
	tap.feed([]byte{0, 0, 0, 20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	assert.True(t, tap.broken)
	// Chunk events whose bytes are not base64 or not JSON are skipped.
	tap = newStreamTap(nopCloser{strings.NewReader("")}, c)
	for _, p := range []string{`{"bytes":"!!"}`, `{"bytes":"a\u0062"}`, `{"bytes":null}`, `{"bytes":"e30"}`, `{"bytes":"bm90IGpzb24="}`, `[]`} {
		tap.chunk([]byte(p))
	}
	assert.Empty(t, tap.stop)
	assert.False(t, tap.hasUsage)
	assert.Equal(t, int64(-1), headerCount("x"))
	assert.Nil(t, converseGuardrailTrace([]byte(`{"trace":{"guardrail":[]}}`)))
}

// TestTapCloseDuringRead: the read error that closing the stream causes in
// the SDK's reader goroutine does not fail the span.
func TestTapCloseDuringRead(t *testing.T) {
	rec := adaptertest.Record(t)
	_, span := rastir.StartLLM(context.Background(), "m")
	body := sdktest.NewBlockedBody()
	tap := newStreamTap(body, &call{span: span})
	go func() {
		_, _ = tap.Read(make([]byte, 16))
		body.ReadReturned()
	}()
	<-body.Reading()
	require.NoError(t, tap.Close())
	s, _ := onlySpan(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// TestPromptRouter: a call to a prompt router names the model that
// answered in trace.promptRouter.invokedModelId (Converse, and the stream's
// metadata event): the span's response model.
func TestPromptRouter(t *testing.T) {
	rec := adaptertest.Record(t)
	const router = "arn:aws:bedrock:us-east-1:111122223333:default-prompt-router/anthropic.claude:1"
	const invoked = "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0"
	srv := newServer(t, map[string]reply{
		"converse": {body: `{"output":{"message":{"role":"assistant","content":[{"text":"Paris."}]}},"stopReason":"end_turn",
			"usage":{"inputTokens":18,"outputTokens":92,"totalTokens":110},"metrics":{"latencyMs":1322},
			"trace":{"promptRouter":{"invokedModelId":"` + invoked + `"}}}`},
		"converse-stream": {frames: streamFrames("end_turn",
			`{"usage":{"inputTokens":18,"outputTokens":92,"totalTokens":110},"metrics":{"latencyMs":1322},"trace":{"promptRouter":{"invokedModelId":"`+invoked+`"}}}`)},
	})
	client := newClient(srv.URL)
	_, err := client.Converse(context.Background(), &bedrockruntime.ConverseInput{ModelId: aws.String(router), Messages: userMessage("Capital of France?")})
	require.NoError(t, err)
	out, err := client.ConverseStream(context.Background(), &bedrockruntime.ConverseStreamInput{ModelId: aws.String(router), Messages: userMessage("Capital of France?")})
	require.NoError(t, err)
	_, err = readStream(t, out)
	require.NoError(t, err)

	require.Len(t, rec.Ended(), 2)
	for _, s := range rec.Ended() {
		a := adaptertest.Attrs(s.Attributes())
		assert.Equal(t, router, a[vocabulary.GenAIRequestModel])
		assert.Equal(t, invoked, a[vocabulary.GenAIResponseModel])
		assert.Equal(t, int64(18), a[vocabulary.GenAIUsageInputTokens])
	}
}
