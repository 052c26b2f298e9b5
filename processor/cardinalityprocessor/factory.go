package cardinalityprocessor

import (
	"context"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/processor"
	"go.opentelemetry.io/collector/processor/processorhelper"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor/internal/metadata"
)

// NewFactory returns the factory of the cardinality processor.
func NewFactory() processor.Factory {
	return processor.NewFactory(
		metadata.Type,
		createDefaultConfig,
		processor.WithTraces(createTraces, metadata.TracesStability),
		processor.WithMetrics(createMetrics, metadata.MetricsStability),
	)
}

// Default names of the dimensions and enums (they label the processor's
// telemetry).
const (
	dimModel          = "model"
	dimProvider       = "provider"
	dimTool           = "tool"
	dimAgent          = "agent"
	dimErrorType      = "error_type"
	dimGuardrailID    = "guardrail_id"
	dimPricingProfile = "pricing_profile"

	enumSpanType          = "span_type"
	enumErrorCategory     = "error_category"
	enumGuardrailAction   = "guardrail_action"
	enumGuardrailCategory = "guardrail_category"
)

// createDefaultConfig spells out Rastir's caps (collector spec §3.2.2) on
// the canonical span attribute keys and on the rastir_* metric labels.
func createDefaultConfig() component.Config {
	return &Config{
		MaxValueLength: 128,
		OverflowValue:  vocabulary.OverflowValue,
		Window:         0,
		Dimensions: []DimensionConfig{
			{Name: dimModel, MaxValues: 50, Keys: []string{vocabulary.GenAIRequestModel, vocabulary.GenAIResponseModel, vocabulary.LabelModel}},
			// A Rastir span carries the client's word (gemini, or ADK's
			// google in rastir.provider.label) and its semconv name
			// (gcp.gemini, gcp.gen_ai): one provider, one slot, as in Rastir.
			{Name: dimProvider, MaxValues: 10, Keys: []string{vocabulary.GenAIProviderName, vocabulary.LabelProvider, vocabulary.RastirProviderLabelKey},
				Aliases: vocabulary.ProviderSlotAliases()},
			{Name: dimTool, MaxValues: 200, Keys: []string{vocabulary.GenAIToolName, vocabulary.LabelToolName}},
			{Name: dimAgent, MaxValues: 200, Keys: []string{vocabulary.GenAIAgentName, vocabulary.LabelAgent}},
			{Name: dimErrorType, MaxValues: 50, Keys: []string{vocabulary.RastirErrorCategoryKey, vocabulary.LabelErrorType}},
			{Name: dimGuardrailID, MaxValues: 100, Keys: []string{vocabulary.RastirGuardrailID, vocabulary.LabelGuardrailID}},
			{Name: dimPricingProfile, MaxValues: 20, Keys: []string{vocabulary.RastirPricingProfile, vocabulary.LabelPricingProfile}},
		},
		Enums: []EnumConfig{
			{Name: enumSpanType, Keys: []string{vocabulary.RastirSpanTypeKey, vocabulary.LabelSpanType}, Values: []string{
				vocabulary.SpanTypeAgent, vocabulary.SpanTypeLLM, vocabulary.SpanTypeTool, vocabulary.SpanTypeRetrieval,
				vocabulary.SpanTypeEvaluation, vocabulary.SpanTypeSystem, vocabulary.SpanTypeInfra,
			}},
			{Name: enumErrorCategory, Keys: []string{vocabulary.RastirErrorCategoryKey, vocabulary.LabelErrorType}, Values: []string{
				vocabulary.ErrorTimeout, vocabulary.ErrorRateLimit, vocabulary.ErrorValidation,
				vocabulary.ErrorProvider, vocabulary.ErrorInternal, vocabulary.ErrorUnknown,
			}},
			{Name: enumGuardrailAction, Keys: []string{vocabulary.RastirGuardrailAction, vocabulary.LabelGuardrailAction}, Values: []string{
				vocabulary.GuardrailActionIntervened, vocabulary.GuardrailActionNone,
			}},
			{Name: enumGuardrailCategory, Keys: []string{vocabulary.RastirGuardrailCategory, vocabulary.LabelGuardrailCategory}, Values: []string{
				vocabulary.GuardrailCategoryContentPolicy, vocabulary.GuardrailCategorySensitiveInformation,
				vocabulary.GuardrailCategoryWordPolicy, vocabulary.GuardrailCategoryTopicPolicy,
				vocabulary.GuardrailCategoryContextualGrounding, vocabulary.GuardrailCategoryDeniedTopic,
			}},
		},
		ClipKeys: []string{vocabulary.LabelService, vocabulary.LabelEnv},
	}
}

func createTraces(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Traces) (processor.Traces, error) {
	p, err := acquire(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewTraces(ctx, set, cfg, next, p.processTraces,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithShutdown(p.shutdown))
}

func createMetrics(ctx context.Context, set processor.Settings, cfg component.Config, next consumer.Metrics) (processor.Metrics, error) {
	p, err := acquire(cfg.(*Config), set)
	if err != nil {
		return nil, err
	}
	return processorhelper.NewMetrics(ctx, set, cfg, next, p.processMetrics,
		processorhelper.WithCapabilities(consumer.Capabilities{MutatesData: true}),
		processorhelper.WithShutdown(p.shutdown))
}
