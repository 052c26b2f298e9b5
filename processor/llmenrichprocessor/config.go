package llmenrichprocessor

import (
	"errors"
	"fmt"

	"go.opentelemetry.io/collector/confmap"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/pricing"
)

// Config is the configuration of the llm_enrich processor. Every part can be
// switched off on its own.
type Config struct {
	// Dialects says which instrumentation dialects are read.
	Dialects DialectsConfig `mapstructure:"dialects"`

	// Inference fills an LLM span's missing provider (from server.address or
	// the model) and request model (from a semconv span name).
	Inference InferenceConfig `mapstructure:"inference"`

	// AgentContext lets spans inherit agent, model and provider from their
	// ancestors.
	AgentContext AgentContextConfig `mapstructure:"agent_context"`

	// TTFT derives the time to first chunk from a first-chunk span event.
	TTFT TTFTConfig `mapstructure:"ttft"`

	// ErrorCategories gives every ERROR span exactly one rastir.error.category.
	ErrorCategories ErrorCategoriesConfig `mapstructure:"error_categories"`

	// Guardrails maps the guardrail attributes of Bedrock calls to the
	// canonical rastir.guardrail.* keys.
	Guardrails GuardrailsConfig `mapstructure:"guardrails"`

	// Content decides what happens to prompt and completion text.
	Content ContentConfig `mapstructure:"content"`

	// Cost prices LLM calls that arrive with token counts but no cost.
	Cost CostConfig `mapstructure:"cost"`

	_ struct{}
}

// DialectsConfig switches the dialect mappers on or off.
type DialectsConfig struct {
	// Rastir reads spans of the rastir scope (the rastir receiver's) in the
	// Rastir client's attribute names.
	Rastir bool `mapstructure:"rastir"`
	// GenAI reads the GenAI semantic conventions' deprecated keys (semconv
	// v1.36 and older: gen_ai.system, gen_ai.usage.prompt_tokens, ...) and
	// derives the span type from gen_ai.operation.name.
	GenAI bool `mapstructure:"genai"`
	// OpenInference reads spans that carry openinference.span.kind (Arize
	// OpenInference instrumentations, Phoenix) in OpenInference's keys.
	OpenInference bool `mapstructure:"openinference"`
	// OpenLLMetry reads OpenLLMetry's (Traceloop's) llm.* and traceloop.*
	// keys: the operation and span type from llm.request.type and
	// traceloop.span.kind, go-openllmetry's llm.vendor, models and token
	// counts, finish reasons, the stream flag, agent and tool names.
	OpenLLMetry bool `mapstructure:"openllmetry"`
	// OpenLIT reads what OpenLIT writes beyond semconv: its cost
	// (gen_ai.usage.cost), stream flag, time to first token, reasoning and
	// cache token counts, and the span type of its own operation names.
	OpenLIT bool `mapstructure:"openlit"`
	// RemoveSourceKeys removes a dialect's input key once its value has
	// been written to a canonical key. Content keys (see Content) and the
	// rastir.wire.* keys are never removed by it.
	RemoveSourceKeys bool `mapstructure:"remove_source_keys"`

	_ struct{}
}

// InferenceConfig switches provider and model inference.
type InferenceConfig struct {
	Enabled bool `mapstructure:"enabled"`

	_ struct{}
}

// AgentContextConfig switches agent context inheritance.
type AgentContextConfig struct {
	Enabled bool `mapstructure:"enabled"`

	_ struct{}
}

// TTFTConfig configures time to first chunk from span events.
type TTFTConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// EventNames are the span events that mark the first streamed chunk.
	EventNames []string `mapstructure:"event_names"`

	_ struct{}
}

// GuardrailsConfig switches the mapping of Bedrock guardrail attributes.
type GuardrailsConfig struct {
	Enabled bool `mapstructure:"enabled"`

	_ struct{}
}

// ErrorCategoriesConfig configures error categorisation.
type ErrorCategoriesConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// Rules map an error or exception type name (exact, case-sensitive,
	// module-qualified or not) to a category; they are consulted before the
	// built-in rules.
	Rules map[string]string `mapstructure:"rules"`

	_ struct{}
}

// Content modes.
const (
	ContentDrop     = "drop"
	ContentTruncate = "truncate"
	ContentKeep     = "keep"
)

// ContentConfig configures prompt and completion text. Such text can hold
// personal data and dominates the size of LLM spans, so it is dropped unless
// configured otherwise.
type ContentConfig struct {
	// Mode is drop, truncate or keep.
	Mode string `mapstructure:"mode"`
	// MaxLength is the most characters kept in truncate mode.
	MaxLength int `mapstructure:"max_length"`

	_ struct{}
}

// CostConfig configures cost computation.
type CostConfig struct {
	Enabled bool `mapstructure:"enabled"`
	// PricingFile, when set, is a JSON price file whose entries override and
	// extend the built-in table (see internal/pricing/defaults.json for the
	// format).
	PricingFile string `mapstructure:"pricing_file"`
	// Profile labels computed costs (rastir.pricing.profile).
	Profile string `mapstructure:"profile"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate reports every problem at once.
func (cfg *Config) Validate() error {
	var errs []error
	for name, category := range cfg.ErrorCategories.Rules {
		switch category {
		case vocabulary.ErrorTimeout, vocabulary.ErrorRateLimit, vocabulary.ErrorValidation,
			vocabulary.ErrorProvider, vocabulary.ErrorInternal, vocabulary.ErrorUnknown:
		default:
			errs = append(errs, fmt.Errorf("error_categories.rules[%q]: %q is not one of timeout, rate_limit, validation_error, provider_error, internal_error, unknown", name, category))
		}
		if name == "" {
			errs = append(errs, errors.New("error_categories.rules: a rule has an empty type name"))
		}
	}
	switch cfg.Content.Mode {
	case ContentDrop, ContentKeep:
	case ContentTruncate:
		if cfg.Content.MaxLength <= 0 {
			errs = append(errs, fmt.Errorf("content.max_length must be positive in truncate mode, got %d", cfg.Content.MaxLength))
		}
	default:
		errs = append(errs, fmt.Errorf("content.mode must be drop, truncate or keep, got %q", cfg.Content.Mode))
	}
	if cfg.TTFT.Enabled && len(cfg.TTFT.EventNames) == 0 {
		errs = append(errs, errors.New("ttft.event_names must name at least one event when ttft is enabled"))
	}
	if cfg.Cost.Profile == "" {
		errs = append(errs, errors.New("cost.profile must not be empty"))
	}
	if cfg.Cost.PricingFile != "" {
		// Loaded here so that every problem in the file is reported at
		// start-up, with the rest of the configuration's.
		if _, err := pricing.LoadFile(cfg.Cost.PricingFile); err != nil {
			errs = append(errs, fmt.Errorf("cost.pricing_file: %w", err))
		}
	}
	return errors.Join(errs...)
}
