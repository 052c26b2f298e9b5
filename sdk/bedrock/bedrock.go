// Package rastirbedrock traces Amazon Bedrock Runtime calls made with the
// AWS SDK for Go v2 (Converse, ConverseStream, InvokeModel,
// InvokeModelWithResponseStream) as Rastir LLM
// spans: model, token usage, stop reason, the guardrail the call was made
// with and what it did, and errors with their category. It instruments the
// SDK's middleware stack.
package rastirbedrock

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	smithydocument "github.com/aws/smithy-go/document"
	"github.com/aws/smithy-go/middleware"
	"go.opentelemetry.io/otel/attribute"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/decimal"
)

// MiddlewareID names the middlewares in the SDK's stack.
const MiddlewareID = "RastirBedrock"

// WithTracing returns an option for bedrockruntime.New and NewFromConfig
// that traces the client's calls:
//
//	client := bedrockruntime.NewFromConfig(cfg, rastirbedrock.WithTracing())
func WithTracing() func(*bedrockruntime.Options) {
	return func(o *bedrockruntime.Options) { o.APIOptions = append(o.APIOptions, AddMiddleware) }
}

// AddMiddleware adds the tracing middlewares to an SDK stack; use it in
// aws.Config.APIOptions or bedrockruntime.Options.APIOptions. Operations
// other than Converse, ConverseStream, InvokeModel and
// InvokeModelWithResponseStream are not traced.
// Adding it twice to a stack adds nothing.
func AddMiddleware(stack *middleware.Stack) error {
	if _, ok := stack.Initialize.Get(MiddlewareID); ok {
		return nil
	}
	if err := stack.Initialize.Add(middleware.InitializeMiddlewareFunc(MiddlewareID, handleInitialize), middleware.Before); err != nil {
		return err
	}
	// Innermost in the deserialize step: it sees the HTTP response before
	// the SDK's deserializers read it.
	return stack.Deserialize.Add(middleware.DeserializeMiddlewareFunc(MiddlewareID, handleDeserialize), middleware.After)
}

type operation uint8

const (
	opConverse operation = iota + 1
	opConverseStream
	opInvokeModel
	opInvokeModelStream
)

// call is what the request says, and what the deserialize middleware
// found in the response.
type call struct {
	op   operation
	span *rastir.Span
	// guardrail: the call was made with a guardrail; trace: with its trace.
	guardrail, trace bool

	// Set by the deserialize middleware, in the goroutine of the call.
	guardrailTrace     []byte // Converse: trace.guardrail as Bedrock sent it
	inputTokensHeader  int64  // InvokeModel: X-Amzn-Bedrock-Input-Token-Count, or -1
	outputTokensHeader int64
	cacheReadHeader    int64 // InvokeModel: X-Amzn-Bedrock-Cache-Read-Input-Token-Count, or -1
	cacheWriteHeader   int64
	// InvokeModel: the amazon-bedrock-guardrailAction header.
	guardrailActionHeader string
	// ConverseStream, InvokeModelWithResponseStream: the stream's reader
	// ends the span.
	streaming bool
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

func handleInitialize(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	c := &call{inputTokensHeader: -1, outputTokensHeader: -1, cacheReadHeader: -1, cacheWriteHeader: -1}
	var modelID, guardrailID, guardrailVersion string
	// Converse, ConverseStream: the request's parameters.
	var inference *types.InferenceConfiguration
	var additional any
	switch p := in.Parameters.(type) {
	case *bedrockruntime.ConverseInput:
		c.op = opConverse
		modelID = deref(p.ModelId)
		inference, additional = p.InferenceConfig, p.AdditionalModelRequestFields
		if g := p.GuardrailConfig; g != nil {
			guardrailID, guardrailVersion = deref(g.GuardrailIdentifier), deref(g.GuardrailVersion)
			c.trace = g.Trace == types.GuardrailTraceEnabled || g.Trace == types.GuardrailTraceEnabledFull
		}
	case *bedrockruntime.ConverseStreamInput:
		c.op = opConverseStream
		modelID = deref(p.ModelId)
		inference, additional = p.InferenceConfig, p.AdditionalModelRequestFields
		if g := p.GuardrailConfig; g != nil {
			guardrailID, guardrailVersion = deref(g.GuardrailIdentifier), deref(g.GuardrailVersion)
			c.trace = g.Trace == types.GuardrailTraceEnabled || g.Trace == types.GuardrailTraceEnabledFull
		}
	case *bedrockruntime.InvokeModelInput:
		c.op = opInvokeModel
		modelID = deref(p.ModelId)
		guardrailID, guardrailVersion = deref(p.GuardrailIdentifier), deref(p.GuardrailVersion)
		c.trace = p.Trace == types.TraceEnabled || p.Trace == types.TraceEnabledFull
	case *bedrockruntime.InvokeModelWithResponseStreamInput:
		c.op = opInvokeModelStream
		modelID = deref(p.ModelId)
		guardrailID, guardrailVersion = deref(p.GuardrailIdentifier), deref(p.GuardrailVersion)
		c.trace = p.Trace == types.TraceEnabled || p.Trace == types.TraceEnabledFull
	default:
		if callFrom(ctx) != nil {
			// A call made inside a traced one with its context (the
			// credential chain's STS or IMDS request): its response is
			// not the traced call's.
			ctx = context.WithValue(ctx, callKey{}, (*call)(nil))
		}
		return next.HandleInitialize(ctx, in)
	}
	c.guardrail = guardrailID != ""

	opts := []rastir.Option{rastir.WithProvider(vocabulary.ProviderAWSBedrock)}
	if c.op == opInvokeModel && strings.Contains(strings.ToLower(modelID), "embed") {
		// Titan, Cohere and Nova embedding models.
		opts = append(opts, rastir.WithOperation(vocabulary.OperationEmbeddings))
	}
	ctx, span := rastir.StartLLM(ctx, modelID, opts...)
	c.span = span
	if c.op == opConverseStream || c.op == opInvokeModelStream {
		span.SetStreaming(true)
	}
	recordParams(span, inference, additional)
	if c.guardrail {
		span.SetAttributes(attribute.String(vocabulary.AWSBedrockGuardrailID, guardrailID))
		if guardrailVersion != "" {
			span.SetAttributes(attribute.String(vocabulary.GenAIGuardrailPolicyVersion, guardrailVersion))
		}
	}

	out, md, err := next.HandleInitialize(context.WithValue(ctx, callKey{}, c), in)
	if err != nil {
		fail(span, err)
		span.End()
		return out, md, err
	}
	switch r := out.Result.(type) {
	case *bedrockruntime.ConverseOutput:
		c.recordConverse(r)
	case *bedrockruntime.InvokeModelOutput:
		c.recordInvokeModel(r)
	case *bedrockruntime.ConverseStreamOutput, *bedrockruntime.InvokeModelWithResponseStreamOutput:
		if c.streaming {
			// The stream's reader records the events and ends the span.
			return out, md, nil
		}
	}
	span.End()
	return out, md, nil
}

// recordParams records the parameters of a Converse request: its
// inference configuration (a nil pointer and an empty stop list are unset,
// the SDK does not send them) and top_k when the additional model request
// fields hold it as a plain number at their top level.
func recordParams(span *rastir.Span, inference *types.InferenceConfiguration, additional any) {
	if inference != nil {
		if inference.MaxTokens != nil {
			span.SetMaxTokens(int64(*inference.MaxTokens))
		}
		if inference.Temperature != nil {
			span.SetTemperature(decimal.Float32(*inference.Temperature))
		}
		if inference.TopP != nil {
			span.SetTopP(decimal.Float32(*inference.TopP))
		}
		span.SetStopSequences(inference.StopSequences...)
	}
	if k, ok := additionalTopK(additional); ok {
		span.SetTopK(k)
	}
}

// additionalTopK is the top_k (Anthropic, Mistral, ...) or topK of the
// additional model request fields, when they are a document made from a
// map[string]any (document.NewLazyDocument, or one decoded from JSON)
// whose value under that key is a number. The document's value is read as
// the caller gave it, never marshalled: a struct, another map type or a
// nested key (Nova's inferenceConfig.topK) is not read.
func additionalTopK(doc any) (float64, bool) {
	v, ok := doc.(interface{ Value() any })
	if !ok {
		return 0, false
	}
	fields, ok := v.Value().(map[string]any)
	if !ok {
		return 0, false
	}
	for _, key := range [...]string{"top_k", "topK"} {
		if k, ok := number(fields[key]); ok {
			return k, true
		}
	}
	return 0, false
}

// number is v as a float64 when v is a Go number or a JSON number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case smithydocument.Number:
		f, err := n.Float64()
		return f, err == nil
	case float32:
		return decimal.Float32(n), true
	}
	rv := reflect.ValueOf(v)
	switch {
	case rv.CanInt():
		return float64(rv.Int()), true
	case rv.CanUint():
		return float64(rv.Uint()), true
	case rv.CanFloat():
		return rv.Float(), true
	}
	return 0, false
}

func (c *call) recordConverse(r *bedrockruntime.ConverseOutput) {
	s := c.span
	if u := r.Usage; u != nil {
		cacheRead, cacheWrite := int32Count(u.CacheReadInputTokens), int32Count(u.CacheWriteInputTokens)
		s.SetUsage(withCache(int32Count(u.InputTokens), cacheRead, cacheWrite), int32Count(u.OutputTokens))
		s.SetCacheTokens(cacheRead, cacheWrite)
	}
	stop := string(r.StopReason)
	if stop != "" {
		s.SetFinishReasons(stop)
	}
	if r.Trace != nil && r.Trace.PromptRouter != nil {
		// A prompt router's call: the model that answered.
		s.SetResponseModel(deref(r.Trace.PromptRouter.InvokedModelId))
	}
	c.recordGuardrail(c.converseAction(stop), c.guardrailTrace)
}

// converseAction is the guardrail action of a Converse call by its stop
// reason (the Converse response has no action field): intervened, else
// none when the call was made with a guardrail.
func (c *call) converseAction(stop string) string {
	switch {
	case stop == vocabulary.BedrockStopReasonGuardrailIntervened:
		return string(types.GuardrailActionGuardrailIntervened)
	case c.guardrail:
		return string(types.GuardrailActionNone)
	}
	return ""
}

// recordGuardrail writes the guardrail outcome of a call made with a
// guardrail: Bedrock's action and, when the trace was on, its assessment as
// JSON.
func (c *call) recordGuardrail(action string, assessment []byte) {
	if !c.guardrail && action == "" {
		return
	}
	if action != "" {
		c.span.SetAttributes(attribute.String(vocabulary.AWSBedrockGuardrailAction, action))
	}
	if len(assessment) > 0 {
		c.span.SetAttributes(attribute.String(vocabulary.AWSBedrockGuardrailAssessment, string(assessment)))
	}
}

// fail records an SDK error: the span's error with, for a service error,
// error.type its code (ThrottlingException) and the category of the code,
// else of the HTTP status. An input the SDK rejected before any request
// (smithy.InvalidParamsError: a required field such as ModelId missing) is
// a validation error.
func fail(s *rastir.Span, err error) {
	s.Fail(err)
	if invalidParams(err) {
		s.SetAttributes(attribute.String(vocabulary.RastirErrorCategoryKey, vocabulary.ErrorValidation))
		return
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() == "" {
		return
	}
	code := ae.ErrorCode()
	attrs := []attribute.KeyValue{attribute.String(vocabulary.ErrorType, code)}
	if c := vocabulary.CategorizeErrorType(code); c != vocabulary.ErrorUnknown {
		attrs = append(attrs, attribute.String(vocabulary.RastirErrorCategoryKey, c))
	}
	s.SetAttributes(attrs...)
}

// invalidParams reports whether err is the SDK's validation of the
// operation's input (the validators return it by value).
func invalidParams(err error) bool {
	var v smithy.InvalidParamsError
	var p *smithy.InvalidParamsError
	return errors.As(err, &v) || errors.As(err, &p)
}

// withCache is the input token count semconv asks for: Bedrock counts the
// prompt cache's reads and writes apart from the input tokens (Anthropic's
// bodies too), the span counts them in. Unknown counts are negative.
func withCache(input, cacheRead, cacheWrite int64) int64 {
	if input < 0 {
		return input
	}
	return addCounts(addCounts(input, max(cacheRead, 0)), max(cacheWrite, 0))
}

// addCounts adds two token counts (not negative), stopping at the largest
// int64 rather than wrapping to a negative count, which would not be
// written.
func addCounts(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func int32Count(p *int32) int64 {
	if p == nil {
		return -1
	}
	return int64(*p)
}
