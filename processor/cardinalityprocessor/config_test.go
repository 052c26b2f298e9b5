package cardinalityprocessor

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/otelcol-rastir/otelcol-rastir/processor/cardinalityprocessor/internal/metadata"
)

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		id       component.ID
		expected *Config
		errs     []string
	}{
		{id: component.NewID(metadata.Type), expected: createDefaultConfig().(*Config)},
		{id: component.NewIDWithName(metadata.Type, "custom"), expected: &Config{
			MaxValueLength: 64,
			OverflowValue:  "other",
			Window:         time.Hour,
			Dimensions: []DimensionConfig{
				{Name: "model", Keys: []string{"gen_ai.request.model", "model"}, MaxValues: 5,
					Aliases: map[string]string{"gpt-4o-2024-08-06": "gpt-4o"}},
				{Name: "tenant", Keys: []string{"rastir.tenant"}, MaxValues: 3},
			},
			Enums:    []EnumConfig{{Name: "span_type", Keys: []string{"rastir.span_type"}, Values: []string{"llm", "tool"}}},
			ClipKeys: []string{"service"},
		}},
		{id: component.NewIDWithName(metadata.Type, "invalid"), errs: []string{
			"max_value_length must not be negative, got -1",
			"overflow_value must not be empty",
			"window must not be negative, got -1s",
			"dimensions[0].max_values must be positive, got 0",
			`dimensions[1].name "model" is already used by dimensions[0]`,
			`dimensions[1].keys: key "gen_ai.request.model" is already in dimensions[0]`,
			"dimensions[1].keys has an empty key",
			"dimensions[2].name must not be empty",
			"dimensions[2].keys must name at least one key",
			`enums[0].name "model" is already used by dimensions[0]`,
			`enums[0].keys: key "a" is already in enums[0]`,
			"enums[0].values must list at least one value",
			"clip_keys[0] must not be empty",
			`clip_keys[1]: key "gen_ai.request.model" is already clipped as a key of dimensions[0]`,
		}},
		{id: component.NewIDWithName(metadata.Type, "bad_aliases"), errs: []string{
			`dimensions[0].aliases: "gcp.gemini": "gemini" is itself an alias`,
			`dimensions[0].aliases: "lost": "__cardinality_overflow__" must not name the overflow value`,
			`dimensions[0].aliases: "same" is an alias of itself`,
		}},
		{id: component.NewIDWithName(metadata.Type, "overflow_in_enum"), errs: []string{
			`enums[0].values must not contain the overflow value "__cardinality_overflow__"`,
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
