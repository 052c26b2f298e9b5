package rastirgenai

import (
	"context"
	"errors"
	"iter"
	"net/url"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"google.golang.org/genai"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/decimal"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Option configures Wrap.
type Option func(*Models)

// WithProvider records provider (a gen_ai.provider.name value,
// vocabulary.Provider*) instead of the one of the client's backend.
func WithProvider(provider string) Option { return func(m *Models) { m.provider = provider } }

// Models is a client's *genai.Models whose GenerateContent and
// GenerateContentStream are traced; its other methods are the client's.
type Models struct {
	*genai.Models

	provider string
	host     string
	port     int
}

// Wrap returns the traced Models of client. The provider is gcp.vertex_ai
// for the Vertex AI backend and gcp.gemini for the Gemini API; the server
// address is the client's base URL.
func Wrap(client *genai.Client, opts ...Option) *Models {
	m := &Models{Models: client.Models}
	cfg := client.ClientConfig()
	if cfg.Backend == genai.BackendVertexAI {
		m.provider = vocabulary.ProviderGCPVertexAI
	} else {
		m.provider = vocabulary.ProviderGCPGemini
	}
	if u, err := url.Parse(cfg.HTTPOptions.BaseURL); err == nil && u.Host != "" {
		m.host = u.Hostname()
		m.port, _ = strconv.Atoi(u.Port())
		if m.port == 0 {
			switch u.Scheme {
			case "https":
				m.port = 443
			case "http":
				m.port = 80
			}
		}
	}
	for _, o := range opts {
		o(m)
	}
	return m
}

func (m *Models) start(ctx context.Context, model string, stream bool, config *genai.GenerateContentConfig) (context.Context, *rastir.Span) {
	ctx, span := rastir.StartLLM(ctx, model,
		rastir.WithOperation(vocabulary.OperationGenerateContent), rastir.WithProvider(m.provider))
	span.SetServer(m.host, m.port)
	if stream {
		span.SetStreaming(true)
	}
	if config == nil {
		return ctx, span
	}
	recordParams(span, config)
	if config.ModelArmorConfig != nil {
		// The Model Armor template that screens the call is its guardrail:
		// the prompt's, else the response's.
		id := config.ModelArmorConfig.PromptTemplateName
		if id == "" {
			id = config.ModelArmorConfig.ResponseTemplateName
		}
		span.SetGuardrail(id, "")
	}
	return ctx, span
}

// recordParams records the request's parameters the config sets: a nil
// pointer, a zero count or limit and an empty list are unset (the client
// does not send them).
func recordParams(span *rastir.Span, c *genai.GenerateContentConfig) {
	if c.MaxOutputTokens > 0 {
		span.SetMaxTokens(int64(c.MaxOutputTokens))
	}
	if c.Temperature != nil {
		span.SetTemperature(decimal.Float32(*c.Temperature))
	}
	if c.TopP != nil {
		span.SetTopP(decimal.Float32(*c.TopP))
	}
	if c.TopK != nil {
		span.SetTopK(decimal.Float32(*c.TopK))
	}
	if c.FrequencyPenalty != nil {
		span.SetFrequencyPenalty(decimal.Float32(*c.FrequencyPenalty))
	}
	if c.PresencePenalty != nil {
		span.SetPresencePenalty(decimal.Float32(*c.PresencePenalty))
	}
	if c.Seed != nil {
		span.SetSeed(int64(*c.Seed))
	}
	span.SetChoiceCount(int64(c.CandidateCount))
	span.SetStopSequences(c.StopSequences...)
	span.SetOutputType(outputType(c))
}

// outputType is the gen_ai.output.type the config asks for, or "": json for
// a JSON MIME type or a response schema (structured output); image when the
// response modalities include IMAGE (image models answer with text and
// images); speech when AUDIO is the only one; text for the text/plain or
// text/x.enum MIME type or TEXT as the only modality.
func outputType(c *genai.GenerateContentConfig) string {
	mimeType := vocabulary.OutputTypeOfMIME(c.ResponseMIMEType)
	if mimeType == vocabulary.OutputTypeJSON || c.ResponseSchema != nil || c.ResponseJsonSchema != nil {
		return vocabulary.OutputTypeJSON
	}
	for _, m := range c.ResponseModalities {
		if strings.EqualFold(m, string(genai.ModalityImage)) {
			return vocabulary.OutputTypeImage
		}
	}
	if len(c.ResponseModalities) == 1 {
		switch {
		case strings.EqualFold(c.ResponseModalities[0], string(genai.ModalityAudio)):
			return vocabulary.OutputTypeSpeech
		case strings.EqualFold(c.ResponseModalities[0], string(genai.ModalityText)):
			return vocabulary.OutputTypeText
		}
	}
	return mimeType
}

// GenerateContent calls the client's GenerateContent in an LLM span.
func (m *Models) GenerateContent(ctx context.Context, model string, contents []*genai.Content, config *genai.GenerateContentConfig) (*genai.GenerateContentResponse, error) {
	ctx, span := m.start(ctx, model, false, config)
	defer span.End()
	resp, err := m.Models.GenerateContent(ctx, model, contents, config)
	if err != nil {
		fail(span, err)
		return resp, err
	}
	var r result
	r.add(resp)
	r.record(span)
	return resp, nil
}

// GenerateContentStream calls the client's GenerateContentStream in an LLM
// span that starts when the iteration starts and ends when it stops. The
// usage metadata of the chunks is cumulative: the last chunk's is recorded.
func (m *Models) GenerateContentStream(ctx context.Context, model string, contents []*genai.Content, config *genai.GenerateContentConfig) iter.Seq2[*genai.GenerateContentResponse, error] {
	return func(yield func(*genai.GenerateContentResponse, error) bool) {
		ctx, span := m.start(ctx, model, true, config)
		var r result
		defer func() {
			r.record(span)
			span.End()
		}()
		first := true
		for resp, err := range m.Models.GenerateContentStream(ctx, model, contents, config) {
			if err != nil {
				fail(span, err)
			} else {
				if first {
					first = false
					span.MarkFirstChunk()
				}
				r.add(resp)
			}
			if !yield(resp, err) {
				return
			}
		}
	}
}

// fail records err, with the HTTP status of a *genai.APIError.
func fail(span *rastir.Span, err error) {
	var apiErr genai.APIError
	if errors.As(err, &apiErr) {
		span.SetHTTPStatus(apiErr.Code)
	} else {
		var p *genai.APIError
		if errors.As(err, &p) && p != nil {
			span.SetHTTPStatus(p.Code)
		}
	}
	span.Fail(err)
}

// result is what the responses tell about the call.
type result struct {
	id, model string
	finish    []string
	usage     *genai.GenerateContentResponseUsageMetadata
	// blocked: the prompt was blocked (promptFeedback.blockReason);
	// intervened: the prompt or a candidate was, with category the
	// guardrail category of the first block ("" when none fits).
	blocked, intervened bool
	category            string
}

func (r *result) add(resp *genai.GenerateContentResponse) {
	if resp == nil {
		return
	}
	if r.id == "" {
		r.id = resp.ResponseID
	}
	if resp.ModelVersion != "" {
		r.model = resp.ModelVersion
	}
	if fb := resp.PromptFeedback; fb != nil && !r.blocked &&
		fb.BlockReason != "" && fb.BlockReason != genai.BlockedReasonUnspecified {
		// A blocked prompt has no candidate: its block reason is the
		// call's finish reason.
		r.blocked = true
		r.finish = append(r.finish, strings.ToLower(string(fb.BlockReason)))
		r.intervene(blockCategory(fb.BlockReason))
	}
	for _, c := range resp.Candidates {
		if c != nil && c.FinishReason != "" && c.FinishReason != genai.FinishReasonUnspecified {
			r.finish = append(r.finish, strings.ToLower(string(c.FinishReason)))
			if category, ok := filterCategory(c.FinishReason); ok {
				r.intervene(category)
			}
		}
	}
	if resp.UsageMetadata != nil {
		r.usage = resp.UsageMetadata
	}
}

// intervene records a block by Google's safety filters; the first one
// gives the category.
func (r *result) intervene(category string) {
	if !r.intervened {
		r.intervened, r.category = true, category
	}
}

// blockCategory is the guardrail category of a prompt's block reason, or ""
// when none of the bounded categories fits (OTHER, MODEL_ARMOR, JAILBREAK,
// newer reasons). Block reasons share the finish reasons' names and table.
func blockCategory(reason genai.BlockedReason) string {
	category, _ := vocabulary.SafetyFinishCategory(string(reason))
	return category
}

// filterCategory reports whether a candidate's finish reason says Google's
// safety filters stopped it, and the guardrail category of the filter: the
// table llm_enrich reads finish reasons with. Recitation, language and the
// other reasons are not safety filters.
func filterCategory(reason genai.FinishReason) (string, bool) {
	return vocabulary.SafetyFinishCategory(string(reason))
}

func (r *result) record(span *rastir.Span) {
	span.SetResponseID(r.id)
	span.SetResponseModel(r.model)
	if len(r.finish) > 0 {
		span.SetAttributes(attribute.StringSlice(vocabulary.GenAIResponseFinishReasons, r.finish))
	}
	if r.intervened {
		// Not an error: the call succeeded and Google refused the prompt
		// or the answer.
		span.SetGuardrailOutcome(vocabulary.GuardrailActionIntervened, r.category)
	}
	if u := r.usage; u != nil {
		// promptTokenCount includes the cached content but not the tool
		// results given back to the model (toolUsePromptTokenCount), which
		// are input too; candidatesTokenCount excludes the thoughts, which
		// semconv counts in the output.
		span.SetUsage(int64(u.PromptTokenCount)+int64(u.ToolUsePromptTokenCount), int64(u.CandidatesTokenCount)+int64(u.ThoughtsTokenCount))
		if u.CachedContentTokenCount > 0 {
			span.SetCacheTokens(int64(u.CachedContentTokenCount), -1)
		}
		if u.ThoughtsTokenCount > 0 {
			span.SetAttributes(attribute.Int64(vocabulary.GenAIUsageReasoningTokens, int64(u.ThoughtsTokenCount)))
		}
	}
}
