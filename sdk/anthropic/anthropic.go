package rastiranthropic

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/anthropics/anthropic-sdk-go/option"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// wrapName marks the spans of this package's middleware, so that a second
// one (given twice) does not trace the same call again.
const wrapName = "anthropic-sdk-go middleware"

// Option configures the middleware.
type Option func(*config)

type config struct {
	provider string

	// Copies of the last request and response model names and span name:
	// a client mostly calls one model, which then costs no allocation.
	requestModels, responseModels httptap.Recent
	spanNames                     httptap.SpanNames
	// The last request's stop sequences.
	stops httptap.RecentStrings
}

// WithProvider records provider (a gen_ai.provider.name value,
// vocabulary.Provider*) on every span instead of the one derived from the
// request's host.
func WithProvider(provider string) Option { return func(c *config) { c.provider = provider } }

// WithTracing returns the client option that installs Middleware and turns
// off the client's own OpenTelemetry spans (option.WithoutOpenTelemetry):
// anthropic-sdk-go makes one per call through the global TracerProvider,
// which Setup installs, and that second LLM span with the same usage would
// count each call and its tokens twice. With the SDK's Vertex AI or Bedrock
// options, give it before them (middleware runs in the order given).
func WithTracing(opts ...Option) option.RequestOption {
	return option.Join(option.WithoutOpenTelemetry(), option.WithMiddleware(Middleware(opts...)))
}

// Middleware returns the anthropic-sdk-go middleware that traces the
// Messages API calls of a client. The response body the client reads is
// passed through unchanged; the span ends when the client has read the
// body to its end or closed it. Given without WithTracing, it leaves the
// client's own OpenTelemetry spans on: give option.WithoutOpenTelemetry too.
func Middleware(opts ...Option) option.Middleware {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c.handle
}

// messagesCall tells a Messages API call from the other requests, and
// returns the model a Vertex AI or Bedrock path names.
func messagesCall(req *http.Request) (ok bool, pathModel string) {
	if req.Method != http.MethodPost {
		return false, ""
	}
	p := strings.TrimSuffix(req.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/v1/messages"):
		return true, ""
	case strings.HasSuffix(p, ":rawPredict"), strings.HasSuffix(p, ":streamRawPredict"):
		// Vertex AI: .../publishers/anthropic/models/<model>:rawPredict
		i := strings.LastIndex(p, "/models/")
		if i < 0 {
			return false, ""
		}
		m := p[i+len("/models/") : strings.LastIndexByte(p, ':')]
		if m == "count-tokens" {
			return false, ""
		}
		return true, m
	case strings.HasPrefix(p, "/model/") &&
		(strings.HasSuffix(p, "/invoke") || strings.HasSuffix(p, "/invoke-with-response-stream")):
		// Bedrock: /model/<model id>/invoke
		m := strings.TrimPrefix(p[:strings.LastIndexByte(p, '/')], "/model/")
		if u, err := unescape(m); err == nil {
			m = u
		}
		return true, m
	}
	return false, ""
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, "%") {
		return s, nil
	}
	return url.PathUnescape(s)
}

// request is what the middleware reads from a request body.
type request struct {
	model  string
	stream bool
	params jsonwalk.Params
}

// requestFields reads the model, the stream flag and the parameters
// (max_tokens, temperature, top_p, top_k, stop_sequences: MessageNewParams'
// members; output_config.format, structured outputs, is the json output
// type) from a copy of the request body; the body the client sends is
// left as it is. A parameter of the wrong JSON type is left out.
func (c *config) requestFields(req *http.Request) (r request) {
	httptap.PeekRequest(req, func(body []byte) {
		p := &r.params
		var (
			top member
			// The stop sequences of the last stop_sequences member, taken
			// from a pool at the first.
			stops *jsonwalk.StringList
		)
		// One pass over a view of the pooled buffer: the model and the
		// stop sequences are copied before they are kept.
		jsonwalk.Walk(httptap.View(body), func(it *jsonwalk.Iterator) bool {
			switch it.Level() {
			case 1:
				top = requestMemberOf(it)
				switch top {
				case memberModel:
					r.model = c.requestModels.String(jsonwalk.String(it))
				case memberStream:
					r.stream = jsonwalk.IsTrue(it)
				case memberMaxTokens:
					p.Read(it, jsonwalk.ParamMaxTokens)
				case memberTemperature:
					p.Read(it, jsonwalk.ParamTemperature)
				case memberTopP:
					p.Read(it, jsonwalk.ParamTopP)
				case memberTopK:
					p.Read(it, jsonwalk.ParamTopK)
				case memberStopSequences:
					stops = stops.Start(it, false)
				case memberOutputConfig:
					// A later member of the same name replaces the
					// earlier one.
					p.OutputType = ""
				}
			case 2:
				switch {
				case top == memberStopSequences:
					stops.Add(it)
				case top == memberOutputConfig && it.Key() == `"format"` && jsonwalk.IsObject(it):
					// Structured outputs: the format is a JSON schema
					// (its type's only value is json_schema).
					p.OutputType = vocabulary.OutputTypeJSON
				}
			}
			return false
		})
		if stops != nil {
			p.StopSequences = c.stops.Strings(stops.Views())
			stops.Release()
		}
	})
	return r
}

func (c *config) handle(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	ok, pathModel := messagesCall(req)
	if !ok || rastir.InWrapped(req.Context(), wrapName) {
		// Not a Messages call, or one a middleware of ours already traces.
		return next(req)
	}
	if span := rastir.WrappedSpan(req.Context(), messageCall.WrapName); span != nil {
		return c.annotate(span, req, next)
	}
	r := c.requestFields(req)
	model, stream := r.model, r.stream
	if model == "" {
		model = pathModel
	}
	if strings.HasSuffix(req.URL.Path, ":streamRawPredict") || strings.HasSuffix(req.URL.Path, "/invoke-with-response-stream") {
		stream = true
	}
	host := req.URL.Hostname()
	port := httptap.Port(req)
	provider := c.providerOf(host, port)
	ctx, span := rastir.StartLLM(req.Context(), model, rastir.WithProvider(provider),
		rastir.WithSpanName(c.spanNames.Name(vocabulary.OperationChat, model)), rastir.WithWrapName(wrapName))
	if !span.IsRecording() {
		// The sampler dropped the span: its context still goes out with
		// the request, but nothing is recorded, so the response is left
		// as it is.
		resp, err := next(req.WithContext(ctx))
		span.End()
		return resp, err
	}
	span.SetServer(host, port)
	if stream {
		span.SetStreaming(true)
	}
	// Request-side: recorded whether or not the call succeeds.
	r.params.Record(span)
	resp, err := next(req.WithContext(ctx))
	if err != nil {
		span.Finish(err)
		return resp, err
	}
	if resp == nil || resp.Body == nil {
		span.End()
		return resp, nil
	}
	span.SetHTTPStatus(resp.StatusCode)
	b := &body{span: span, status: resp.StatusCode, req: req, resp: resp}
	b.res.models = &c.responseModels
	events := resp.StatusCode < 400 && httptap.IsEventStream(resp.Header.Get("Content-Type"))
	b.tap.Init(resp.Body, events, resp.ContentLength, b)
	resp.Body = &b.tap
	return resp, nil
}

// providerOf is the provider of a request to host: WithProvider's, else
// ProviderFromHost's (the port tells none).
func (c *config) providerOf(host string, _ int) string {
	if c.provider != "" {
		return c.provider
	}
	return ProviderFromHost(host)
}

// ProviderFromHost returns the gen_ai.provider.name of a Messages API
// endpoint: the provider whose host it is (gcp.vertex_ai for Vertex AI's
// hosts, aws.bedrock for Bedrock runtime's and for Bedrock's Messages API
// endpoint bedrock-mantle.<region>.api.aws;
// vocabulary.ProviderFromServerAddress), otherwise anthropic.
func ProviderFromHost(host string) string {
	if p, ok := vocabulary.ProviderFromServerAddress(host); ok {
		return p
	}
	return vocabulary.ProviderAnthropic
}
