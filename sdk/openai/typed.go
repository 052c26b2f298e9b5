package rastiropenai

import (
	"context"
	"errors"
	"net/http"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	oparam "github.com/openai/openai-go/v3/packages/param"
	"github.com/openai/openai-go/v3/packages/respjson"
	"github.com/openai/openai-go/v3/responses"
	"github.com/tidwall/gjson"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/httptap"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/jsonwalk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/typedcall"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// typedCall describes the typed calls NewChatCompletion and NewResponse. The
// middleware records the HTTP exchange of such a call on its span and
// leaves the response to it, instead of tracing the call itself.
var typedCall = typedcall.Call{WrapName: "openai-go typed call", Provider: vocabulary.ProviderOpenAI, Names: new(httptap.SpanNames)}

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
	return typedcall.Run(ctx, &typedCall, params.Model,
		func(span *rastir.Span) {
			p := chatParams(&params)
			p.Record(span)
		},
		func(ctx context.Context) (*openai.ChatCompletion, error) { return create(ctx, params, opts...) },
		recordCompletion)
}

// The recorders of what a typed call returned.
var (
	recordCompletion = recordWith((*result).readChatCompletion)
	recordResponse   = recordWith((*result).readTypedResponse)
)

// recordWith returns the recorder of what a typed call returned: the
// failure, or what read reads from the decoded response.
func recordWith[R any](read func(*result, *R)) func(*rastir.Span, *R, error) {
	return func(span *rastir.Span, res *R, err error) {
		var r result
		switch {
		case err != nil:
			r.typedFailure(span, err)
		case res != nil:
			read(&r, res)
		}
		r.record(span, err)
	}
}

// ResponseNewFunc is the signature of client.Responses.New.
type ResponseNewFunc = func(context.Context, responses.ResponseNewParams, ...option.RequestOption) (*responses.Response, error)

// NewResponse calls create (client.Responses.New) with params and opts in
// an LLM span, as NewChatCompletion does a chat completion: the request's
// fields are read from params and the response's from the response the
// client decoded.
func NewResponse(ctx context.Context, create ResponseNewFunc, params responses.ResponseNewParams, opts ...option.RequestOption) (*responses.Response, error) {
	return typedcall.Run(ctx, &typedCall, params.Model,
		func(span *rastir.Span) {
			p := responseParams(&params)
			p.Record(span)
		},
		func(ctx context.Context) (*responses.Response, error) { return create(ctx, params, opts...) },
		recordResponse)
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
	format := &params.ResponseFormat
	p.OutputType = formatOutputType(format.OfText != nil, format.OfJSONSchema != nil || format.OfJSONObject != nil)
	return p
}

// responseParams are the parameters of a Responses API request that a
// span records, as the middleware reads them from its body.
func responseParams(params *responses.ResponseNewParams) (p jsonwalk.Params) {
	setInt(&p, jsonwalk.ParamMaxCompletionTokens, params.MaxOutputTokens)
	setFloat(&p, jsonwalk.ParamTemperature, params.Temperature)
	setFloat(&p, jsonwalk.ParamTopP, params.TopP)
	format := &params.Text.Format
	p.OutputType = formatOutputType(format.OfText != nil, format.OfJSONSchema != nil || format.OfJSONObject != nil)
	return p
}

// formatOutputType is the gen_ai.output.type of a request's output format:
// text, JSON (an object or a schema's), or "" when it gives none.
func formatOutputType(text, json bool) string {
	switch {
	case text:
		return vocabulary.OutputTypeText
	case json:
		return vocabulary.OutputTypeJSON
	}
	return ""
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
	r.typedIDs(c.ID, c.JSON.ID, c.Model, c.JSON.Model)
	for i := range c.Choices {
		ch := &c.Choices[i]
		if reason := typedString(ch.FinishReason, ch.JSON.FinishReason); reason != "" {
			// The client's copy, kept by the completion too.
			r.appendFinish(reason)
		}
	}
	if u := &c.Usage; isObject(c.JSON.Usage) {
		in, out := &u.PromptTokensDetails.JSON, &u.CompletionTokensDetails.JSON
		r.typedUsage(typedCounts{u.JSON.PromptTokens, u.JSON.CompletionTokens, u.JSON.PromptTokensDetails, u.JSON.CompletionTokensDetails,
			in.CachedTokens, in.CacheWriteTokens, out.ReasoningTokens})
	}
}

// typedIDs records a decoded response's id and model, each given with
// its member.
func (r *result) typedIDs(id string, idMember respjson.Field, model string, modelMember respjson.Field) {
	r.id = typedString(id, idMember)
	r.model = typedString(model, modelMember)
}

// typedCounts are the members of a decoded usage object (Chat
// Completions' or the Responses API's) that a span records.
type typedCounts struct {
	input, output, inputDetails, outputDetails respjson.Field
	// Members of the details objects.
	cached, cacheWrite, reasoning respjson.Field
}

// typedUsage records the counts of a decoded usage object as usageReader
// reads its JSON: -1 for a count it does not carry, or whose details
// member is not an object.
func (r *result) typedUsage(u typedCounts) {
	r.haveUsage = true
	r.input = jsonwalk.CountOf(u.input.Raw())
	r.output = jsonwalk.CountOf(u.output.Raw())
	r.cached, r.cacheWrite, r.reasoning = -1, -1, -1
	if isObject(u.inputDetails) {
		r.cached = jsonwalk.CountOf(u.cached.Raw())
		r.cacheWrite = jsonwalk.CountOf(u.cacheWrite.Raw())
	}
	if isObject(u.outputDetails) {
		r.reasoning = jsonwalk.CountOf(u.reasoning.Raw())
	}
}

// readTypedResponse reads a decoded Responses API response as readResponse
// reads its JSON. A response whose usage has members the client does not
// know (another provider's counts) is read from its JSON by readResponse.
func (r *result) readTypedResponse(res *responses.Response) {
	if responseHasExtraFields(res) {
		r.readResponse(res.RawJSON())
		return
	}
	r.typedIDs(res.ID, res.JSON.ID, res.Model, res.JSON.Model)
	if e := &res.Error; isObject(res.JSON.Error) {
		r.responseFailed(typedString(e.Message, e.JSON.Message), typedString(string(e.Code), e.JSON.Code))
	}
	var incomplete string
	if d := &res.IncompleteDetails; isObject(res.JSON.IncompleteDetails) {
		incomplete = typedString(d.Reason, d.JSON.Reason)
	}
	r.responseStatus(typedString(string(res.Status), res.JSON.Status), incomplete)
	if u := &res.Usage; isObject(res.JSON.Usage) {
		in, out := &u.InputTokensDetails.JSON, &u.OutputTokensDetails.JSON
		r.typedUsage(typedCounts{u.JSON.InputTokens, u.JSON.OutputTokens, u.JSON.InputTokensDetails, u.JSON.OutputTokensDetails,
			in.CachedTokens, in.CacheWriteTokens, out.ReasoningTokens})
	}
}

// responseHasExtraFields tells a response whose usage has members the
// client does not know: readResponse reads Chat Completions' spellings of
// the counts there too (prompt_tokens, prompt_tokens_details, ...) and
// DeepSeek's prompt_cache_hit_tokens. Elsewhere it reads only members the
// client knows, by the same names (the client matches them by case too),
// so that another member there (OpenAI's store, say, which the client's
// Response does not have) does not make the response read twice.
func responseHasExtraFields(res *responses.Response) bool {
	return len(res.Usage.JSON.ExtraFields) > 0
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

// typedString is a decoded string member, "" when the JSON did not give a
// string.
func typedString(v string, f respjson.Field) string { return typedcall.String(v, f.Raw()) }

// isObject tells a member the JSON gave as an object.
func isObject(f respjson.Field) bool { return typedcall.IsObject(f.Raw()) }

// annotate records one HTTP attempt of a typed call on its span
// (typedcall.Annotate).
func (c *config) annotate(span *rastir.Span, req *http.Request, next option.MiddlewareNext) (*http.Response, error) {
	return typedcall.Annotate(&typedCall, span, req, c.providerOf, next)
}
