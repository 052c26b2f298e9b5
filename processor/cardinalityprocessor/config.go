package cardinalityprocessor

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"go.opentelemetry.io/collector/confmap"
)

// Config is the configuration of the cardinality processor.
type Config struct {
	// MaxValueLength is the most characters (runes, not bytes) a value of a
	// dimension's key or of a clip key keeps; longer values are clipped
	// before they are guarded. 0 disables clipping.
	MaxValueLength int `mapstructure:"max_value_length"`

	// OverflowValue replaces a value over its dimension's cap or outside its
	// enum. It is never admitted into a dimension.
	OverflowValue string `mapstructure:"overflow_value"`

	// Window, when positive, lets an admitted value that has not been seen
	// for this long free its slot for a new value. 0 keeps every admitted
	// value until restart (Rastir's behaviour).
	Window time.Duration `mapstructure:"window"`

	// Dimensions are the bounded sets of values: every key of a dimension
	// shares one admitted set, on spans and metric data points alike.
	Dimensions []DimensionConfig `mapstructure:"dimensions"`

	// Enums are keys whose values must be one of a fixed set.
	Enums []EnumConfig `mapstructure:"enums"`

	// ClipKeys are keys whose values are clipped to MaxValueLength but not
	// guarded (Rastir clips the service and env labels).
	ClipKeys []string `mapstructure:"clip_keys"`

	_ struct{}
}

// DimensionConfig is one admitted set of values shared by its keys.
type DimensionConfig struct {
	// Name names the dimension in the processor's telemetry.
	Name string `mapstructure:"name"`
	// Keys are the span attribute keys and metric data point attribute keys
	// whose string values are guarded by this dimension.
	Keys []string `mapstructure:"keys"`
	// MaxValues is the most distinct values the dimension admits.
	MaxValues int `mapstructure:"max_values"`
	// Aliases maps a value to the value whose slot it shares: two
	// spellings of one thing (a provider's semconv name and Rastir's word
	// for it, both on a Rastir span) count as one value. The value itself
	// passes unchanged.
	Aliases map[string]string `mapstructure:"aliases"`

	_ struct{}
}

// EnumConfig is a set of keys with a fixed set of allowed values.
type EnumConfig struct {
	// Name names the enum in the processor's telemetry.
	Name string `mapstructure:"name"`
	// Keys are the attribute keys whose string values must be one of Values.
	Keys []string `mapstructure:"keys"`
	// Values are the allowed values (exact, case-sensitive).
	Values []string `mapstructure:"values"`

	_ struct{}
}

var _ confmap.Validator = (*Config)(nil)

// Validate reports every problem at once.
func (cfg *Config) Validate() error {
	var errs []error
	if cfg.MaxValueLength < 0 {
		errs = append(errs, fmt.Errorf("max_value_length must not be negative, got %d", cfg.MaxValueLength))
	}
	if cfg.OverflowValue == "" {
		errs = append(errs, errors.New("overflow_value must not be empty"))
	}
	if cfg.Window < 0 {
		errs = append(errs, fmt.Errorf("window must not be negative, got %s", cfg.Window))
	}

	// A name is unique among dimensions and enums (it labels telemetry); a
	// key belongs to at most one dimension and at most one enum (an enum
	// can bound a key that a dimension also caps).
	names := map[string]string{}
	checkName := func(kind string, i int, name string) {
		if name == "" {
			errs = append(errs, fmt.Errorf("%s[%d].name must not be empty", kind, i))
			return
		}
		if prev, ok := names[name]; ok {
			errs = append(errs, fmt.Errorf("%s[%d].name %q is already used by %s", kind, i, name, prev))
			return
		}
		names[name] = fmt.Sprintf("%s[%d]", kind, i)
	}
	checkKeys := func(kind string, i int, keys []string, owner map[string]string) {
		if len(keys) == 0 {
			errs = append(errs, fmt.Errorf("%s[%d].keys must name at least one key", kind, i))
		}
		for _, k := range keys {
			if k == "" {
				errs = append(errs, fmt.Errorf("%s[%d].keys has an empty key", kind, i))
				continue
			}
			here := fmt.Sprintf("%s[%d]", kind, i)
			if prev, ok := owner[k]; ok {
				errs = append(errs, fmt.Errorf("%s.keys: key %q is already in %s", here, k, prev))
				continue
			}
			owner[k] = here
		}
	}

	dimKeys := map[string]string{}
	for i, d := range cfg.Dimensions {
		checkName("dimensions", i, d.Name)
		checkKeys("dimensions", i, d.Keys, dimKeys)
		if d.MaxValues <= 0 {
			errs = append(errs, fmt.Errorf("dimensions[%d].max_values must be positive, got %d", i, d.MaxValues))
		}
		errs = append(errs, d.validateAliases(i, cfg.OverflowValue)...)
	}
	enumKeys := map[string]string{}
	for i, e := range cfg.Enums {
		checkName("enums", i, e.Name)
		checkKeys("enums", i, e.Keys, enumKeys)
		if len(e.Values) == 0 {
			errs = append(errs, fmt.Errorf("enums[%d].values must list at least one value", i))
		}
		for _, v := range e.Values {
			if v == cfg.OverflowValue {
				errs = append(errs, fmt.Errorf("enums[%d].values must not contain the overflow value %q", i, v))
			}
		}
	}
	for i, k := range cfg.ClipKeys {
		if k == "" {
			errs = append(errs, fmt.Errorf("clip_keys[%d] must not be empty", i))
			continue
		}
		if prev, ok := dimKeys[k]; ok {
			errs = append(errs, fmt.Errorf("clip_keys[%d]: key %q is already clipped as a key of %s", i, k, prev))
		}
	}
	return errors.Join(errs...)
}

// validateAliases checks that aliases name real values and resolve in one
// step, in a stable order.
func (d *DimensionConfig) validateAliases(i int, overflow string) []error {
	var errs []error
	for _, from := range slices.Sorted(maps.Keys(d.Aliases)) {
		to := d.Aliases[from]
		switch {
		case from == overflow || to == overflow:
			errs = append(errs, fmt.Errorf("dimensions[%d].aliases: %q: %q must not name the overflow value", i, from, to))
		case from == to:
			errs = append(errs, fmt.Errorf("dimensions[%d].aliases: %q is an alias of itself", i, from))
		default:
			if _, ok := d.Aliases[to]; ok {
				errs = append(errs, fmt.Errorf("dimensions[%d].aliases: %q: %q is itself an alias", i, from, to))
			}
		}
	}
	return errs
}
