package llmenrichprocessor

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-rastir/otelcol-rastir/processor/llmenrichprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		id       component.ID
		expected *Config
		errs     []string
	}{
		{id: component.NewID(metadata.Type), expected: createDefaultConfig().(*Config)},
		{id: component.NewIDWithName(metadata.Type, "custom"), expected: &Config{
			Dialects:        DialectsConfig{Rastir: false, GenAI: true, OpenInference: true, OpenLLMetry: true, OpenLIT: true, RemoveSourceKeys: true},
			Inference:       InferenceConfig{Enabled: true},
			AgentContext:    AgentContextConfig{Enabled: false},
			TTFT:            createDefaultConfig().(*Config).TTFT,
			Guardrails:      GuardrailsConfig{Enabled: false},
			ErrorCategories: ErrorCategoriesConfig{Enabled: true, Rules: map[string]string{"MyTimeout": "timeout", "QuotaError": "rate_limit"}},
			Content:         ContentConfig{Mode: ContentTruncate, MaxLength: 100},
			Cost:            CostConfig{Enabled: false, Profile: "ours"},
		}},
		{id: component.NewIDWithName(metadata.Type, "invalid"), errs: []string{
			`error_categories.rules["X"]: "flaky" is not one of`,
			`content.mode must be drop, truncate or keep, got "shred"`,
			`cost.pricing_file: `,
			`ttft.event_names must name at least one event`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id.String(), func(t *testing.T) {
			cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
			require.NoError(t, err)
			sub, err := cm.Sub(tt.id.String())
			require.NoError(t, err)
			cfg := createDefaultConfig().(*Config)
			require.NoError(t, sub.Unmarshal(cfg))
			err = confmap.Validate(cfg)
			if len(tt.errs) > 0 {
				require.Error(t, err)
				for _, e := range tt.errs {
					assert.Contains(t, err.Error(), e)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.expected, cfg)
		})
	}
}
