package llmenrichprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/metadata"
)

// NewFactory returns the factory of the llm_enrich processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
	)
}

func createDefaultConfig() component.Config {
	return &Config{
		Dialects:     DialectsConfig{Rastir: true, GenAI: true, OpenInference: true, OpenLLMetry: true, OpenLIT: true},
		Inference:    InferenceConfig{Enabled: true},
		AgentContext: AgentContextConfig{Enabled: true},
		TTFT: TTFTConfig{Enabled: true, EventNames: []string{
			vocabulary.EventOpenInferenceFirstToken,
			vocabulary.EventOpenLLMetryCompletionChunk,
			vocabulary.EventGenAICompletionChunk,
		}},
		ErrorCategories: ErrorCategoriesConfig{Enabled: true},
		Guardrails:      GuardrailsConfig{Enabled: true},
		Content:         ContentConfig{Mode: ContentDrop, MaxLength: 4096},
		Cost:            CostConfig{Enabled: true, Profile: defaultPricingProfile},
	}
}

// defaultPricingProfile labels costs computed from the built-in table; it
// is Rastir's default profile name, so dashboards need no new value.
const defaultPricingProfile = "default"

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := newEnricher(cfg.(*Config))
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}))
}
