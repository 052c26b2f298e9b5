package pricing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// Table finds the price of a call. It is immutable once built, so one Table
// serves any number of goroutines without locking.
type Table struct {
	// byProvider maps a lower-case provider to its lower-case models, each
	// with its prices in ascending EffectiveDate order.
	byProvider map[string]map[string][]Price
}

// NewTable builds a Table from the built-in prices (when builtin is true)
// and then each of extra in order. An entry replaces an earlier one with the
// same provider, model and effective date (so a file corrects a built-in
// price) and is added otherwise (so a file adds models and price changes).
//
// Every entry of extra is checked; the error lists every problem, one
// *EntryError per bad field, with the entry's index in its slice.
func NewTable(builtin bool, extra ...[]Price) (*Table, error) {
	type key struct {
		provider, model string
		date            int64
	}
	merged := make(map[key]Price)
	add := func(prices []Price) {
		for _, p := range prices {
			p.Provider = lowerASCII(strings.TrimSpace(p.Provider))
			p.Model = lowerASCII(strings.TrimSpace(p.Model))
			p.EffectiveDate = p.EffectiveDate.UTC()
			merged[key{p.Provider, p.Model, p.EffectiveDate.UnixNano()}] = p
		}
	}

	if builtin {
		prices, err := builtinPrices()
		if err != nil {
			return nil, err
		}
		add(prices)
	}
	var errs []error
	for i, prices := range extra {
		err := validate(prices)
		if err == nil {
			add(prices)
			continue
		}
		if len(extra) > 1 {
			err = fmt.Errorf("price set %d: %w", i, err)
		}
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	t := &Table{byProvider: make(map[string]map[string][]Price)}
	for k, p := range merged {
		models := t.byProvider[k.provider]
		if models == nil {
			models = make(map[string][]Price)
			t.byProvider[k.provider] = models
		}
		models[k.model] = append(models[k.model], p)
	}
	for _, models := range t.byProvider {
		for _, prices := range models {
			slices.SortFunc(prices, func(a, b Price) int {
				return a.EffectiveDate.Compare(b.EffectiveDate)
			})
		}
	}
	addBedrockVendorlessNames(t.byProvider[vocabulary.ProviderAWSBedrock])
	return t, nil
}

// addBedrockVendorlessNames lists each Bedrock model ("anthropic.claude-3-haiku")
// also under its name without the vendor ("claude-3-haiku"), which is how
// OpenLLMetry's and OpenInference's Bedrock instrumentations and the Rastir
// client name the model. A name that is listed itself, or that two vendors
// share, is not added.
func addBedrockVendorlessNames(models map[string][]Price) {
	names := make(map[string][]Price)
	for model, prices := range models {
		_, name, found := strings.Cut(model, ".")
		if !found || name == "" {
			continue
		}
		if _, listed := models[name]; listed {
			continue
		}
		if _, shared := names[name]; shared {
			names[name] = nil
			continue
		}
		names[name] = prices
	}
	for name, prices := range names {
		if prices != nil {
			models[name] = prices
		}
	}
}

// Lookup returns the price of model from provider in force at at: among the
// entries of the best-matching model, the one with the latest EffectiveDate
// not after at. It reports false when no model matches or when the matching
// model has no price yet at at. The Price returned names the entry that
// matched (lower case), which may be a prefix of model.
//
// Provider is compared exactly (ignoring ASCII case); callers pass the
// gen_ai.provider.name value. The model is matched, in order, by
//
//  1. its exact name;
//  2. the longest configured name that is a prefix of it and is followed in
//     it by '-', ':', '.', '@' or '/', so that "gpt-4o-mini-2024-07-18"
//     finds "gpt-4o-mini" (never "gpt-4o" while "gpt-4o-mini" exists) and
//     "anthropic.claude-3-haiku-20240307-v1:0" finds
//     "anthropic.claude-3-haiku-20240307", but "gpt-4o1" does not find
//     "gpt-4o";
//  3. for aws.bedrock, the same without a cross-region inference profile
//     prefix ("us.", "eu.", "apac.", "global.", ...);
//  4. the same for the part after the last '/', so that "models/gemini-2.0-flash"
//     and Bedrock ARNs find their model.
//
// A Bedrock model is also found by its name without the vendor
// ("claude-3-haiku-20240307-v1:0" finds "anthropic.claude-3-haiku-20240307").
//
// The model is chosen before the date: when "gpt-4o-mini" matches but has no
// price yet at at, Lookup reports false rather than fall back to "gpt-4o",
// whose price is not the price of gpt-4o-mini at any date.
//
// Lookup does not allocate unless provider or model has upper-case letters.
func (t *Table) Lookup(provider, model string, at time.Time) (Price, bool) {
	if t == nil {
		return Price{}, false
	}
	provider = lowerASCII(provider)
	models := t.byProvider[provider]
	if models == nil {
		return Price{}, false
	}
	prices := resolveModel(models, lowerASCII(model), provider == vocabulary.ProviderAWSBedrock)
	for i := len(prices) - 1; i >= 0; i-- {
		if !prices[i].EffectiveDate.After(at) {
			return prices[i], true
		}
	}
	return Price{}, false
}

// resolveModel applies the matching steps of Lookup to a lower-case model.
func resolveModel(models map[string][]Price, model string, bedrock bool) []Price {
	for {
		if prices := matchModel(models, model); prices != nil {
			return prices
		}
		if bedrock {
			if rest, ok := cutBedrockGeoPrefix(model); ok {
				if prices := matchModel(models, rest); prices != nil {
					return prices
				}
			}
		}
		i := strings.LastIndexByte(model, '/')
		if i < 0 {
			return nil
		}
		model = model[i+1:]
	}
}

// matchModel finds model exactly, else the longest configured prefix of
// model that ends on a name boundary.
func matchModel(models map[string][]Price, model string) []Price {
	if prices, ok := models[model]; ok {
		return prices
	}
	for i := len(model) - 1; i > 0; i-- {
		if isNameBoundary(model[i]) {
			if prices, ok := models[model[:i]]; ok {
				return prices
			}
		}
	}
	return nil
}

// isNameBoundary reports whether c separates the parts of a model name:
// '-' (gpt-4o-mini-2024-07-18), ':' (Bedrock's -v1:0, fine-tune ids), '.'
// (Bedrock's vendor prefix), '@' (Vertex AI's claude-3-haiku@20240307) and
// '/' (paths such as models/gemini-2.0-flash).
func isNameBoundary(c byte) bool {
	switch c {
	case '-', ':', '.', '@', '/':
		return true
	}
	return false
}

// bedrockGeoPrefixes are the prefixes of Bedrock cross-region inference
// profile ids ("us.anthropic.claude-3-5-haiku-20241022-v1:0"). For the models
// priced here, a profile costs what the model costs in its source region.
var bedrockGeoPrefixes = []string{"us.", "eu.", "apac.", "us-gov.", "jp.", "au.", "ca.", "global."}

func cutBedrockGeoPrefix(model string) (string, bool) {
	for _, prefix := range bedrockGeoPrefixes {
		if rest, ok := strings.CutPrefix(model, prefix); ok {
			return rest, true
		}
	}
	return model, false
}

// lowerASCII lower-cases ASCII letters, returning s itself (no allocation)
// when it has none in upper case. Keys and queries both go through it, so
// matching ignores ASCII case only; model ids are ASCII.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			return strings.Map(func(r rune) rune {
				if 'A' <= r && r <= 'Z' {
					return r + ('a' - 'A')
				}
				return r
			}, s)
		}
	}
	return s
}
