package rastiropenai

import (
	"io"
	"net/http"
	"strings"

	"github.com/openai/openai-go/v3/option"
	"github.com/tidwall/sjson"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// wrapName marks the spans of this package's middleware, so that a second
// one (given twice) does not trace the same call again.
const wrapName = "openai-go middleware"

// Option configures the middleware.
type Option func(*config)

type config struct {
	provider    string
	streamUsage bool

	// Copies of the last request and response model names and span name:
	// a client mostly calls one model, which then costs no allocation.
	requestModels, responseModels httptap.Recent
	spanNames                     httptap.SpanNames
	// The last request's stop sequences.
	stops httptap.RecentStrings
}

// WithStreamUsage makes streamed chat completion requests ask for the
// usage chunk (stream_options.include_usage) when they do not say; the
// stream then ends with a chunk without choices that carries the usage.
func WithStreamUsage() Option { return func(c *config) { c.streamUsage = true } }

// WithProvider records provider (a gen_ai.provider.name value,
// vocabulary.Provider*) on every span instead of the one derived from the
// request's host.
func WithProvider(provider string) Option { return func(c *config) { c.provider = provider } }

// WithTracing returns the client option that installs Middleware.
func WithTracing(opts ...Option) option.RequestOption {
	return option.WithMiddleware(Middleware(opts...))
}

// Middleware returns the openai-go middleware that traces the model calls
// of a client. The response body the client reads is passed through
// unchanged; the span ends when the client has read the body to its end or
// closed it.
func Middleware(opts ...Option) option.Middleware {
	var c config
	for _, o := range opts {
		o(&c)
	}
	return c.handle
}

// endpoint is the kind of model call a request is.
type endpoint uint8

const (
	endpointNone endpoint = iota
	endpointChat
	endpointResponses
	endpointCompletions
	endpointEmbeddings
)

// classify tells the model calls (POST to a known path, also under Azure's
// /openai/deployments/<name>/ prefix) from the other requests.
func classify(req *http.Request) (endpoint, string) {
	if req.Method != http.MethodPost {
		return endpointNone, ""
	}
	p := strings.TrimSuffix(req.URL.Path, "/")
	switch {
	case strings.HasSuffix(p, "/chat/completions"):
		return endpointChat, vocabulary.OperationChat
	case strings.HasSuffix(p, "/responses"), strings.HasSuffix(p, "/responses/compact"):
		// A compaction is a pass of the model over the conversation, with
		// its usage, in a response object without model or status.
		return endpointResponses, vocabulary.OperationChat
	case strings.HasSuffix(p, "/completions"):
		return endpointCompletions, vocabulary.OperationTextCompletion
	case strings.HasSuffix(p, "/embeddings"):
		return endpointEmbeddings, vocabulary.OperationEmbeddings
	}
	return endpointNone, ""
}

// request is what the middleware reads from a request body.
type request struct {
	model             string
	stream, usageSaid bool
	params            jsonwalk.Params
}

// outputTypeOf maps a response format type (Chat Completions'
// response_format.type, the Responses API's text.format.type) to
// gen_ai.output.type; "" for one it does not know.
func outputTypeOf(t string) string {
	switch t {
	case "json_object", "json_schema":
		return vocabulary.OutputTypeJSON
	case "text":
		return vocabulary.OutputTypeText
	}
	return ""
}

// requestFields reads the model, the stream flag, whether the request
// says if it wants a stream's usage, and the parameters the endpoint ep
// takes, from a copy of the request body; the body the client sends is
// left as it is. A parameter of the wrong JSON type is left out.
func (c *config) requestFields(req *http.Request, ep endpoint) (r request) {
	httptap.PeekRequest(req, func(body []byte) {
		// A view of the pooled buffer: the model and stop sequences are
		// copied before they are kept.
		js := httptap.View(body)
		p := &r.params
		var (
			top param
			// format: the level-2 member is text.format.
			format bool
			// The stop sequences of the last stop member, taken from a
			// pool at the first.
			stops *jsonwalk.StringList
		)
		// One pass: a request's messages can be long, and the keys looked
		// for are often absent.
		jsonwalk.Walk(js, func(it *jsonwalk.Iterator) bool {
			switch it.Level() {
			case 1:
				top = paramOf(ep, it)
				c.readParam(it, top, &r)
				if top == paramStop {
					stops = stops.Start(it, true)
				}
			case 2:
				switch top {
				case paramStreamOptions:
					if it.Key() == `"include_usage"` {
						r.usageSaid = true
					}
				case paramStop:
					stops.Add(it)
				case paramResponseFormat:
					if it.Key() == `"type"` {
						p.OutputType = outputTypeOf(jsonwalk.String(it))
					}
				case paramText:
					format = it.Key() == `"format"`
				}
			case 3:
				if top == paramText && format && it.Key() == `"type"` {
					p.OutputType = outputTypeOf(jsonwalk.String(it))
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

// readParam reads a top-level member of a request.
func (c *config) readParam(it *jsonwalk.Iterator, m param, r *request) {
	p := &r.params
	switch m {
	case paramModel:
		r.model = c.requestModels.String(jsonwalk.String(it))
	case paramStream:
		r.stream = jsonwalk.IsTrue(it)
	case paramMaxCompletionTokens, paramMaxOutputTokens:
		p.Read(it, jsonwalk.ParamMaxCompletionTokens)
	case paramMaxTokens:
		p.Read(it, jsonwalk.ParamMaxTokens)
	case paramSeed:
		p.Read(it, jsonwalk.ParamSeed)
	case paramN:
		p.Read(it, jsonwalk.ParamChoiceCount)
	case paramTemperature:
		p.Read(it, jsonwalk.ParamTemperature)
	case paramTopP:
		p.Read(it, jsonwalk.ParamTopP)
	case paramFrequencyPenalty:
		p.Read(it, jsonwalk.ParamFrequencyPenalty)
	case paramPresencePenalty:
		p.Read(it, jsonwalk.ParamPresencePenalty)
	case paramResponseFormat, paramText:
		// A later member of the same name replaces the earlier one.
		p.OutputType = ""
	}
}

// askStreamUsage sets stream_options.include_usage in the body of out (a
// copy of the request, whose body it replaces).
func askStreamUsage(out *http.Request) {
	if out.GetBody == nil {
		return
	}
	rc, err := out.GetBody()
	if err != nil {
		return
	}
	data, err := io.ReadAll(rc)
	_ = rc.Close()
	if err != nil {
		return
	}
	if data, err = sjson.SetBytes(data, "stream_options.include_usage", true); err == nil {
		httptap.SetBody(out, data)
	}
}

func (c *config) handle(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	ep, op := classify(req)
	if ep == endpointNone || rastir.InWrapped(req.Context(), wrapName) {
		// Not a model call, or one a middleware of ours already traces.
		return next(req)
	}
	if span := rastir.WrappedSpan(req.Context(), typedCall.WrapName); span != nil {
		return c.annotate(span, req, next)
	}
	r := c.requestFields(req, ep)
	model, stream := r.model, r.stream
	host := req.URL.Hostname()
	port := httptap.Port(req)
	provider := c.providerOf(host, port)
	ctx, span := rastir.StartLLM(req.Context(), model,
		rastir.WithOperation(op), rastir.WithProvider(provider),
		rastir.WithSpanName(c.spanNames.Name(op, model)), rastir.WithWrapName(wrapName))
	out := req.WithContext(ctx)
	if !span.IsRecording() {
		// The sampler dropped the span: its context still goes out with
		// the request, but nothing is recorded, so the response is left
		// as it is.
		resp, err := next(out)
		span.End()
		return resp, err
	}
	span.SetServer(host, port)
	if stream {
		span.SetStreaming(true)
	}
	// Request-side: recorded whether or not the call succeeds.
	r.params.Record(span)
	if c.streamUsage && stream && !r.usageSaid && ep == endpointChat {
		askStreamUsage(out)
	}
	resp, err := next(out)
	if err != nil {
		span.Finish(err)
		return resp, err
	}
	if resp == nil || resp.Body == nil {
		span.End()
		return resp, nil
	}
	span.SetHTTPStatus(resp.StatusCode)
	b := &body{span: span, ep: ep, status: resp.StatusCode, req: req}
	b.res.models = &c.responseModels
	events := resp.StatusCode < 400 && httptap.IsEventStream(resp.Header.Get("Content-Type"))
	b.tap.Init(resp.Body, events, resp.ContentLength, b)
	resp.Body = &b.tap
	return resp, nil
}

// providerOf is the provider of a request to host and port: WithProvider's,
// else ProviderFromHost's.
func (c *config) providerOf(host string, port int) string {
	if c.provider != "" {
		return c.provider
	}
	return ProviderFromHost(host, port)
}

// ProviderFromHost returns the gen_ai.provider.name of an OpenAI-compatible
// endpoint from its host and port: the provider whose host it is
// (vocabulary.ProviderFromServerAddress: Azure OpenAI, Azure AI Inference,
// Groq, Mistral, DeepSeek, xAI, Perplexity, Gemini's and Vertex AI's
// OpenAI-compatible endpoints, ...), Ollama on its default port 11434, and
// otherwise openai.
func ProviderFromHost(host string, port int) string {
	if p, ok := vocabulary.ProviderFromServerAddress(host); ok {
		return p
	}
	if port == 11434 {
		return vocabulary.ProviderOllama
	}
	return vocabulary.ProviderOpenAI
}
