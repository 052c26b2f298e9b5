package pricing

import (
	"math"
	"testing"
)

func TestCost(t *testing.T) {
	withCache := Price{InputPerMTok: 3, OutputPerMTok: 15, CacheReadPerMTok: 0.3, CacheWritePerMTok: 3.75}
	noCache := Price{InputPerMTok: 2, OutputPerMTok: 8}
	readOnly := Price{InputPerMTok: 2.5, OutputPerMTok: 10, CacheReadPerMTok: 1.25}

	tests := []struct {
		name  string
		price Price
		usage Usage
		want  float64
	}{
		{"zero usage", withCache, Usage{}, 0},
		{"input and output", noCache, Usage{Input: 1_000_000, Output: 500_000}, 2 + 4},
		{"one token", noCache, Usage{Input: 1}, 2e-6},
		{
			// 1M input of which 600k read and 100k written: 300k uncached.
			"cache prices", withCache,
			Usage{Input: 1_000_000, Output: 1_000_000, CacheRead: 600_000, CacheWrite: 100_000},
			0.3*3 + 0.6*0.3 + 0.1*3.75 + 15,
		},
		{
			// No cache prices: cache tokens are still input, at the input
			// price, so the cost equals the uncached cost.
			"cache tokens without cache prices", noCache,
			Usage{Input: 1_000_000, CacheRead: 600_000, CacheWrite: 100_000},
			2,
		},
		{
			// A read price but no write price: writes at the input price.
			"cache write without its price", readOnly,
			Usage{Input: 1_000_000, CacheRead: 400_000, CacheWrite: 200_000},
			0.4*2.5 + 0.4*1.25 + 0.2*2.5,
		},
		{
			// Additive counts (input excludes cache): uncached clamps to 0,
			// cache tokens are still priced.
			"uncached input clamped", withCache,
			Usage{Input: 100, CacheRead: 1_000_000, CacheWrite: 1_000_000},
			0.3 + 3.75,
		},
		{"negative counts are zero", noCache, Usage{Input: -5, Output: -5, CacheRead: -5, CacheWrite: -5}, 0},
		{"output only", noCache, Usage{Output: 250_000}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Cost(tt.price, tt.usage)
			if math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("Cost = %.12f, want %.12f", got, tt.want)
			}
			if got < 0 {
				t.Errorf("Cost = %v, negative", got)
			}
		})
	}
}
