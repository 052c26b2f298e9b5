package pricing

import "time"

// Price is the list price of one model from one date on, in USD per million
// tokens (the unit providers publish and Rastir used).
type Price struct {
	// Provider is the gen_ai.provider.name value the price applies to.
	Provider string
	// Model is the model name or prefix the price applies to.
	Model string

	InputPerMTok  float64
	OutputPerMTok float64
	// CacheReadPerMTok prices input tokens read from a prompt cache. Zero
	// means the provider has no separate price, so cache reads are billed
	// as ordinary input.
	CacheReadPerMTok float64
	// CacheWritePerMTok prices input tokens written to a prompt cache
	// (Anthropic's 5-minute cache write). Zero means cache writes are
	// billed as ordinary input.
	CacheWritePerMTok float64

	// EffectiveDate is when the price took effect; it applies until the
	// next entry for the same provider and model.
	EffectiveDate time.Time

	// Source is where the price was read (a pricing page), for people who
	// need to check or correct it.
	Source string
}

// Usage is the token counts of one call, as the GenAI semantic conventions
// define them: Input counts all input tokens, the cache reads and cache
// writes included, which are also reported on their own.
type Usage struct {
	Input      int64 // gen_ai.usage.input_tokens
	Output     int64 // gen_ai.usage.output_tokens (reasoning included)
	CacheRead  int64 // gen_ai.usage.cache_read.input_tokens
	CacheWrite int64 // gen_ai.usage.cache_creation.input_tokens
}

// Cost is the USD cost of u at price p. The input tokens that were neither
// read from nor written to a cache are billed at the input price, cache
// reads and writes at their own prices (the input price when p has none:
// they were still sent, so they are never dropped), output at the output
// price.
//
// When Input is smaller than CacheRead+CacheWrite, the counts were reported
// additively (input excluding cache) against the convention; the uncached
// part is then taken as 0 rather than negative, so the cost is a lower
// bound instead of an arbitrary number. Negative counts are taken as 0.
func Cost(p Price, u Usage) float64 {
	input, output := nonNegative(u.Input), nonNegative(u.Output)
	cacheRead, cacheWrite := nonNegative(u.CacheRead), nonNegative(u.CacheWrite)
	uncached := max(input-cacheRead-cacheWrite, 0)

	cacheReadPrice := p.CacheReadPerMTok
	if cacheReadPrice == 0 {
		cacheReadPrice = p.InputPerMTok
	}
	cacheWritePrice := p.CacheWritePerMTok
	if cacheWritePrice == 0 {
		cacheWritePrice = p.InputPerMTok
	}

	return (float64(uncached)*p.InputPerMTok +
		float64(cacheRead)*cacheReadPrice +
		float64(cacheWrite)*cacheWritePrice +
		float64(output)*p.OutputPerMTok) / 1e6
}

func nonNegative(n int64) int64 {
	return max(n, 0)
}
