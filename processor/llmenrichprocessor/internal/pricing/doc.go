// Package pricing turns token counts into a USD cost from dated list prices.
//
// Rastir's client priced calls from a user-supplied table only, matched
// provider and model exactly and knew nothing of time or prompt caching, so
// a dated snapshot name ("gpt-4o-mini-2024-07-18"), a Bedrock model id or a
// price change silently produced pricing_missing or a wrong cost. This
// package keeps what Rastir got right (USD per million tokens, later sources
// override earlier ones) and adds:
//
//   - effective dates, so a span is priced at the price in force when it ran
//     and old telemetry does not change cost when a price changes;
//   - prefix matching on a name boundary, so snapshots and Bedrock ids find
//     their base entry without a list of every snapshot;
//   - cache read and cache write prices, under the semconv rule that
//     gen_ai.usage.input_tokens counts all input, cached tokens included
//     (SigNoz's "subtract" mode); additive counts (Anthropic's raw
//     input_tokens) must be converted by the caller;
//   - built-in list prices for the common models, which a file can correct
//     or extend.
//
// # File format
//
// The built-in table (defaults.json, embedded) and override files share one
// JSON format:
//
//	{
//	  "prices": [
//	    {
//	      "provider": "openai",
//	      "model": "gpt-4o-mini",
//	      "effective_date": "2024-07-18",
//	      "input_per_mtok": 0.15,
//	      "output_per_mtok": 0.6,
//	      "cache_read_per_mtok": 0.075,
//	      "source": "https://openai.com/api/pricing/",
//	      "note": "free text for people; ignored"
//	    }
//	  ]
//	}
//
// provider is the gen_ai.provider.name value ("openai", "anthropic",
// "aws.bedrock", "gcp.gemini", "mistral_ai", "cohere", "groq", or any other
// string); provider and model are compared case-insensitively (ASCII).
// effective_date is a date (YYYY-MM-DD, midnight UTC) or an RFC 3339
// timestamp. Prices are USD per million tokens. input_per_mtok and
// output_per_mtok are required (0 is a valid price, e.g. the output of an
// embedding model); cache_read_per_mtok and cache_write_per_mtok are
// optional, and an omitted one bills those tokens at the input price.
// Unknown fields are errors, so that a misspelt price is not read as 0.
package pricing
