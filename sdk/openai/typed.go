package rastiropenai

import (
	"context"
	"errors"
	"net/http"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	oparam "github.com/openai/openai-go/v3/packages/param"
	"github.com/tidwall/gjson"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/typedcall"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// chatCall is the typed call NewChatCompletion. The middleware records
// the HTTP exchange of such a call on its span and leaves the response to
// it, instead of tracing the call itself.
var chatCall = typedcall.Call{WrapName: "openai-go typed call", Provider: vocabulary.ProviderOpenAI, Names: new(httptap.SpanNames)}

// ChatCompletionNewFunc is the signature of client.Chat.Completions.New.
type ChatCompletionNewFunc = func(context.Context, openai.ChatCompletionNewParams, ...option.RequestOption) (*openai.ChatCompletion, error)

// NewChatCompletion calls create (client.Chat.Completions.New) with params
// and opts in an LLM span, which it ends when create returns: the call
// whole, retries and the decoding of the response included. The request's
// fields are read from params and the response's from the completion the
// client decoded, so that the JSON is parsed once, by the client.
//
// A client with WithTracing (or Middleware) adds what only the HTTP exchange
// tells: server.address, server.port, http.response.status_code (of the
// last attempt), and the provider of the base URL's host or of its
// WithProvider option; without it the provider is openai. The span's
// attributes are those the middleware alone records for the same call.
func NewChatCompletion(ctx context.Context, create ChatCompletionNewFunc, params openai.ChatCompletionNewParams, opts ...option.RequestOption) (*openai.ChatCompletion, error) {
	return typedcall.Run(ctx, &chatCall, params.Model,
		func(span *rastir.Span) {
			p := chatParams(&params)
			p.Record(span)
		},
		func(ctx context.Context) (*openai.ChatCompletion, error) { return create(ctx, params, opts...) },
		recordCompletion)
}

// recordCompletion records what a chat completion call returned: the
// completion, or the failure.
func recordCompletion(span *rastir.Span, c *openai.ChatCompletion, err error) {
	var r result
	switch {
	case err != nil:
		r.typedFailure(span, err)
	case c != nil:
		r.readChatCompletion(c)
	}
	r.record(span, err)
}

// chatParams are the parameters of a chat completion request that a span
// records, as the middleware reads them from its body.
func chatParams(params *openai.ChatCompletionNewParams) (p jsonwalk.Params) {
	setInt(&p, jsonwalk.ParamMaxCompletionTokens, params.MaxCompletionTokens)
	setInt(&p, jsonwalk.ParamMaxTokens, params.MaxTokens)
	setInt(&p, jsonwalk.ParamSeed, params.Seed)
	setInt(&p, jsonwalk.ParamChoiceCount, params.N)
	setFloat(&p, jsonwalk.ParamTemperature, params.Temperature)
	setFloat(&p, jsonwalk.ParamTopP, params.TopP)
	setFloat(&p, jsonwalk.ParamFrequencyPenalty, params.FrequencyPenalty)
	setFloat(&p, jsonwalk.ParamPresencePenalty, params.PresencePenalty)
	switch stop := &params.Stop; {
	case stop.OfString.Valid():
		p.StopSequences = []string{stop.OfString.Value}
	case stop.OfStringArray != nil:
		p.StopSequences = stop.OfStringArray
	}
	switch format := &params.ResponseFormat; {
	case format.OfText != nil:
		p.OutputType = vocabulary.OutputTypeText
	case format.OfJSONSchema != nil, format.OfJSONObject != nil:
		p.OutputType = vocabulary.OutputTypeJSON
	}
	return p
}

// setInt sets the integer parameter which when the request gives it.
func setInt(p *jsonwalk.Params, which jsonwalk.Param, v oparam.Opt[int64]) {
	if v.Valid() {
		p.SetInt(which, v.Value)
	}
}

// setFloat sets the double parameter which when the request gives it.
func setFloat(p *jsonwalk.Params, which jsonwalk.Param, v oparam.Opt[float64]) {
	if v.Valid() {
		p.SetFloat(which, v.Value)
	}
}

// typedFailure takes from the error a typed call returns what the
// middleware reads from a failed response: its status, and Azure OpenAI's
// content filter verdict on the prompt.
func (r *result) typedFailure(span *rastir.Span, err error) {
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr == nil {
		return
	}
	span.SetHTTPStatus(apiErr.StatusCode)
	if apiErr.Code == azureContentFilterCode {
		r.filtered = true
		r.readFilterResult(gjson.Get(apiErr.RawJSON(), "innererror.content_filter_result").Raw)
	}
}

// readChatCompletion reads a decoded chat completion as readCompletion
// reads its JSON. The members the client does not know (another
// provider's: Azure OpenAI's filter results, Groq's x_groq, DeepSeek's
// cache hits) are read from the completion's JSON by readCompletion.
func (r *result) readChatCompletion(c *openai.ChatCompletion) {
	if hasExtraFields(c) {
		r.readCompletion(c.RawJSON())
		return
	}
	r.id = typedcall.String(c.ID, c.JSON.ID.Raw())
	r.model = typedcall.String(c.Model, c.JSON.Model.Raw())
	for i := range c.Choices {
		ch := &c.Choices[i]
		if reason := typedcall.String(ch.FinishReason, ch.JSON.FinishReason.Raw()); reason != "" {
			// The client's copy, kept by the completion too.
			if r.finish == nil {
				r.finish = r.finishBuf[:0]
			}
			r.finish = append(r.finish, reason)
		}
	}
	if !typedcall.IsObject(c.JSON.Usage.Raw()) {
		return
	}
	u := &c.Usage
	r.haveUsage = true
	r.input = jsonwalk.CountOf(u.JSON.PromptTokens.Raw())
	r.output = jsonwalk.CountOf(u.JSON.CompletionTokens.Raw())
	r.cached, r.cacheWrite, r.reasoning = -1, -1, -1
	if typedcall.IsObject(u.JSON.PromptTokensDetails.Raw()) {
		r.cached = jsonwalk.CountOf(u.PromptTokensDetails.JSON.CachedTokens.Raw())
		r.cacheWrite = jsonwalk.CountOf(u.PromptTokensDetails.JSON.CacheWriteTokens.Raw())
	}
	if typedcall.IsObject(u.JSON.CompletionTokensDetails.Raw()) {
		r.reasoning = jsonwalk.CountOf(u.CompletionTokensDetails.JSON.ReasoningTokens.Raw())
	}
}

// hasExtraFields tells a completion with members the client does not
// know, at the levels readCompletion reads.
func hasExtraFields(c *openai.ChatCompletion) bool {
	if len(c.JSON.ExtraFields) > 0 || len(c.Usage.JSON.ExtraFields) > 0 ||
		len(c.Usage.PromptTokensDetails.JSON.ExtraFields) > 0 || len(c.Usage.CompletionTokensDetails.JSON.ExtraFields) > 0 {
		return true
	}
	for i := range c.Choices {
		if len(c.Choices[i].JSON.ExtraFields) > 0 {
			return true
		}
	}
	return false
}

// annotate records one HTTP attempt of a typed call on its span
// (typedcall.Annotate).
func (c *config) annotate(req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	return typedcall.Annotate(&chatCall, rastir.SpanFromContext(req.Context()), req, c.providerOf, next)
}
