package rastiranthropic

import (
	"context"
	"errors"
	"net/http"

	"github.com/anthropics/anthropic-sdk-go"
	"github.com/anthropics/anthropic-sdk-go/option"
	"github.com/anthropics/anthropic-sdk-go/packages/param"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/typedcall"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// messageCall is the typed call NewMessage. The middleware records the
// HTTP exchange of such a call on its span and leaves the response to it,
// instead of tracing the call itself.
var messageCall = typedcall.Call{WrapName: "anthropic-sdk-go typed call", Provider: vocabulary.ProviderAnthropic, Names: new(httptap.SpanNames)}

// MessageNewFunc is the signature of client.Messages.New.
type MessageNewFunc = func(context.Context, anthropic.MessageNewParams, ...option.RequestOption) (*anthropic.Message, error)

// NewMessage calls create (client.Messages.New) with params and opts in an
// LLM span, which it ends when create returns: the call whole, retries and
// the decoding of the response included. The request's fields are read
// from params and the response's from the message the client decoded, so
// that the JSON is parsed once, by the client.
//
// A client with WithTracing (or Middleware) adds what only the HTTP exchange
// tells: server.address, server.port, http.response.status_code (of the
// last attempt), and the provider of the base URL's host or of its
// WithProvider option; without it the provider is anthropic. The span's
// attributes are those the middleware alone records for the same call.
func NewMessage(ctx context.Context, create MessageNewFunc, params anthropic.MessageNewParams, opts ...option.RequestOption) (*anthropic.Message, error) {
	return typedcall.Run(ctx, &messageCall, params.Model,
		func(span *rastir.Span) {
			p := messageParams(&params)
			p.Record(span)
		},
		func(ctx context.Context) (*anthropic.Message, error) { return create(ctx, params, opts...) },
		recordMessage)
}

// recordMessage records what a Messages call returned: the message, or
// the failure; an *anthropic.Error gives its status first, which
// categorises the failure.
func recordMessage(span *rastir.Span, m *anthropic.Message, err error) {
	var r result
	switch {
	case err != nil:
		var apiErr *anthropic.Error
		if errors.As(err, &apiErr) && apiErr != nil {
			span.SetHTTPStatus(apiErr.StatusCode)
		}
	case m != nil:
		r.readDecoded(m)
	}
	r.record(span, err)
}

// messageParams are the parameters of a Messages request that a span
// records, as the middleware reads them from its body (max_tokens, which
// the client always sends, included).
func messageParams(params *anthropic.MessageNewParams) (p jsonwalk.Params) {
	p.SetInt(jsonwalk.ParamMaxTokens, params.MaxTokens)
	setFloat(&p, jsonwalk.ParamTemperature, params.Temperature)
	setFloat(&p, jsonwalk.ParamTopP, params.TopP)
	if params.TopK.Valid() {
		p.SetFloat(jsonwalk.ParamTopK, float64(params.TopK.Value))
	}
	if params.StopSequences != nil {
		p.StopSequences = params.StopSequences
	}
	if f := &params.OutputConfig.Format; f.Schema != nil || f.Type != "" {
		// Structured outputs: the client sends the format, a JSON schema
		// (a format set to null, which is none, has neither).
		p.OutputType = vocabulary.OutputTypeJSON
	}
	return p
}

// setFloat sets the double parameter which when the request gives it.
func setFloat(p *jsonwalk.Params, which jsonwalk.Param, v param.Opt[float64]) {
	if v.Valid() {
		p.SetFloat(which, v.Value)
	}
}

// readDecoded reads a decoded message as readMessage reads its JSON. A
// message with members the client does not know, at the levels
// readMessage reads, is read from its JSON by readMessage.
func (r *result) readDecoded(m *anthropic.Message) {
	u := &m.Usage
	if len(m.JSON.ExtraFields) > 0 || len(u.JSON.ExtraFields) > 0 || len(u.OutputTokensDetails.JSON.ExtraFields) > 0 {
		r.readMessage(m.RawJSON())
		return
	}
	r.id = typedcall.String(m.ID, m.JSON.ID.Raw())
	if model := typedcall.String(m.Model, m.JSON.Model.Raw()); model != "" {
		// The client's copy, kept by the message too.
		r.model = model
	}
	r.setFinish(typedcall.String(string(m.StopReason), m.JSON.StopReason.Raw()))
	if !typedcall.IsObject(m.JSON.Usage.Raw()) {
		return
	}
	r.haveUsage = true
	r.input = jsonwalk.CountOf(u.JSON.InputTokens.Raw())
	r.output = jsonwalk.CountOf(u.JSON.OutputTokens.Raw())
	r.cacheRead = jsonwalk.CountOf(u.JSON.CacheReadInputTokens.Raw())
	r.cacheCreation = jsonwalk.CountOf(u.JSON.CacheCreationInputTokens.Raw())
	r.thinking = -1
	if typedcall.IsObject(u.JSON.OutputTokensDetails.Raw()) {
		r.thinking = jsonwalk.CountOf(u.OutputTokensDetails.JSON.ThinkingTokens.Raw())
	}
}

// annotate records one HTTP attempt of a typed call on its span
// (typedcall.Annotate).
func (c *config) annotate(span *rastir.Span, req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	return typedcall.Annotate(&messageCall, span, req, c.providerOf, next)
}
