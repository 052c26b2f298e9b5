package pricing

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testPrices is a small table with the shapes Lookup must handle: nested
// prefixes, Bedrock ids, price changes.
func testPrices() []Price {
	openai, bedrock := vocabulary.ProviderOpenAI, vocabulary.ProviderAWSBedrock
	return []Price{
		{Provider: openai, Model: "gpt-4o", InputPerMTok: 5, OutputPerMTok: 15, EffectiveDate: date("2024-05-13")},
		{Provider: openai, Model: "gpt-4o", InputPerMTok: 2.5, OutputPerMTok: 10, EffectiveDate: date("2024-10-02")},
		{Provider: openai, Model: "gpt-4o-mini", InputPerMTok: 0.15, OutputPerMTok: 0.6, EffectiveDate: date("2024-07-18")},
		{Provider: openai, Model: "o3", InputPerMTok: 10, OutputPerMTok: 40, EffectiveDate: date("2025-04-16")},
		{Provider: openai, Model: "o3", InputPerMTok: 2, OutputPerMTok: 8, EffectiveDate: date("2025-06-10")},
		{Provider: bedrock, Model: "anthropic.claude-3-haiku", InputPerMTok: 0.25, OutputPerMTok: 1.25, EffectiveDate: date("2024-03-13")},
		{Provider: vocabulary.ProviderGCPGemini, Model: "gemini-2.0-flash", InputPerMTok: 0.1, OutputPerMTok: 0.4, EffectiveDate: date("2025-02-05")},
	}
}

func TestLookup(t *testing.T) {
	table, err := NewTable(false, testPrices())
	if err != nil {
		t.Fatal(err)
	}
	openai, bedrock := vocabulary.ProviderOpenAI, vocabulary.ProviderAWSBedrock
	at := date("2025-07-01")

	tests := []struct {
		name      string
		provider  string
		model     string
		at        time.Time
		wantModel string  // "" when not found
		wantInput float64 // identifies the dated entry
	}{
		{"exact", openai, "gpt-4o-mini", at, "gpt-4o-mini", 0.15},
		{"dated snapshot", openai, "gpt-4o-2024-11-20", at, "gpt-4o", 2.5},
		{"longest prefix wins", openai, "gpt-4o-mini-2024-07-18", at, "gpt-4o-mini", 0.15},
		{"boundary colon", openai, "gpt-4o:extended", at, "gpt-4o", 2.5},
		{"boundary dot", openai, "gpt-4o.1", at, "gpt-4o", 2.5},
		{"boundary at", openai, "gpt-4o@2024-08-06", at, "gpt-4o", 2.5},
		{"boundary slash", openai, "gpt-4o/eu", at, "gpt-4o", 2.5},
		{"no boundary", openai, "gpt-4o1", at, "", 0},
		{"no boundary longer", openai, "gpt-4omni", at, "", 0},
		{"o3 does not match o3x", openai, "o3x", at, "", 0},
		{"prefix only when followed", openai, "gpt-4", at, "", 0},
		{"trailing boundary only", openai, "gpt-4o-", at, "gpt-4o", 2.5},
		{"case-insensitive", "OpenAI", "GPT-4o-Mini", at, "gpt-4o-mini", 0.15},
		{"date before first entry", openai, "gpt-4o", date("2024-05-12"), "", 0},
		{"date on first entry", openai, "gpt-4o", date("2024-05-13"), "gpt-4o", 5},
		{"date between entries", openai, "gpt-4o", date("2024-10-01"), "gpt-4o", 5},
		{"date on change", openai, "gpt-4o", date("2024-10-02"), "gpt-4o", 2.5},
		{"date within change day", openai, "o3-2025-04-16", date("2025-06-10").Add(time.Hour), "o3", 2},
		{"date just before change", openai, "o3", date("2025-06-10").Add(-time.Nanosecond), "o3", 10},
		{"date in other zone", openai, "o3", time.Date(2025, 6, 9, 23, 0, 0, 0, time.FixedZone("UTC-2", -2*3600)), "o3", 2},
		{
			// gpt-4o-mini matches but has no price yet: no fallback to gpt-4o.
			"model chosen before date", openai, "gpt-4o-mini", date("2024-06-01"), "", 0,
		},
		{"bedrock id", bedrock, "anthropic.claude-3-haiku-20240307-v1:0", at, "anthropic.claude-3-haiku", 0.25},
		{"bedrock cross-region profile", bedrock, "us.anthropic.claude-3-haiku-20240307-v1:0", at, "anthropic.claude-3-haiku", 0.25},
		{"bedrock global profile", bedrock, "global.anthropic.claude-3-haiku-20240307-v1:0", at, "anthropic.claude-3-haiku", 0.25},
		{
			"bedrock ARN", bedrock,
			"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
			at, "anthropic.claude-3-haiku", 0.25,
		},
		{"bedrock model without its vendor", bedrock, "claude-3-haiku-20240307-v1:0", at, "anthropic.claude-3-haiku", 0.25},
		{"geo prefix only on bedrock", openai, "us.gpt-4o", at, "", 0},
		{"path prefix", vocabulary.ProviderGCPGemini, "models/gemini-2.0-flash-001", at, "gemini-2.0-flash", 0.1},
		{"unknown model", openai, "davinci-002", at, "", 0},
		{"unknown provider", vocabulary.ProviderCohere, "gpt-4o", at, "", 0},
		{"model under other provider", bedrock, "gpt-4o", at, "", 0},
		{"empty model", openai, "", at, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := table.Lookup(tt.provider, tt.model, tt.at)
			if ok != (tt.wantModel != "") {
				t.Fatalf("Lookup(%q, %q, %s) found=%v (%+v), want found=%v", tt.provider, tt.model, tt.at, ok, got, !ok)
			}
			if !ok {
				return
			}
			if got.Model != tt.wantModel || got.InputPerMTok != tt.wantInput {
				t.Errorf("Lookup(%q, %q, %s) = %s at %v, want %s at %v", tt.provider, tt.model, tt.at,
					got.Model, got.InputPerMTok, tt.wantModel, tt.wantInput)
			}
		})
	}
}

// TestBedrockNameWithoutVendor: a name without the vendor finds the
// vendor's entry unless the name is listed itself or two vendors share it.
func TestBedrockNameWithoutVendor(t *testing.T) {
	bedrock := vocabulary.ProviderAWSBedrock
	table, err := NewTable(false, []Price{
		{Provider: bedrock, Model: "meta.shared-model", InputPerMTok: 1, EffectiveDate: date("2024-01-01")},
		{Provider: bedrock, Model: "mistral.shared-model", InputPerMTok: 2, EffectiveDate: date("2024-01-01")},
		{Provider: bedrock, Model: "amazon.nova-pro", InputPerMTok: 3, EffectiveDate: date("2024-01-01")},
		{Provider: bedrock, Model: "nova-pro", InputPerMTok: 4, EffectiveDate: date("2024-01-01")},
	})
	if err != nil {
		t.Fatal(err)
	}
	at := date("2025-01-01")
	if got, ok := table.Lookup(bedrock, "shared-model-v1:0", at); ok {
		t.Errorf("a name two vendors share found %+v", got)
	}
	if got, ok := table.Lookup(bedrock, "nova-pro-v1:0", at); !ok || got.InputPerMTok != 4 {
		t.Errorf("a name listed itself: got %+v, %v, want its own entry", got, ok)
	}
	if got, ok := table.Lookup(bedrock, "meta.shared-model", at); !ok || got.InputPerMTok != 1 {
		t.Errorf("the full id: got %+v, %v", got, ok)
	}
}

func TestLookupNilTable(t *testing.T) {
	var table *Table
	if _, ok := table.Lookup(vocabulary.ProviderOpenAI, "gpt-4o", time.Now()); ok {
		t.Error("nil table found a price")
	}
}

func TestLookupBuiltin(t *testing.T) {
	table, err := NewTable(true)
	if err != nil {
		t.Fatal(err)
	}
	at := date("2025-12-01")
	tests := []struct {
		provider, model, wantModel string
	}{
		{vocabulary.ProviderOpenAI, "gpt-4o-mini-2024-07-18", "gpt-4o-mini"},
		{vocabulary.ProviderOpenAI, "gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"},
		{vocabulary.ProviderOpenAI, "gpt-4.1-2025-04-14", "gpt-4.1"},
		{vocabulary.ProviderOpenAI, "o1-mini-2024-09-12", "o1-mini"},
		{vocabulary.ProviderOpenAI, "o3-mini-2025-01-31", "o3-mini"},
		{vocabulary.ProviderOpenAI, "o4-mini-2025-04-16", "o4-mini"},
		{vocabulary.ProviderOpenAI, "text-embedding-3-small", "text-embedding-3-small"},
		{vocabulary.ProviderAnthropic, "claude-3-5-sonnet-20241022", "claude-3-5-sonnet"},
		{vocabulary.ProviderAnthropic, "claude-3-5-haiku-latest", "claude-3-5-haiku"},
		{vocabulary.ProviderAnthropic, "claude-sonnet-4-20250514", "claude-sonnet-4"},
		{vocabulary.ProviderAnthropic, "claude-opus-4-20250514", "claude-opus-4"},
		{vocabulary.ProviderAnthropic, "claude-opus-4-5-20251101", "claude-opus-4-5"},
		{vocabulary.ProviderGCPGemini, "gemini-2.0-flash-001", "gemini-2.0-flash"},
		{vocabulary.ProviderGCPGemini, "gemini-2.0-flash-lite-001", "gemini-2.0-flash-lite"},
		{vocabulary.ProviderGCPGemini, "gemini-1.5-flash-8b-001", "gemini-1.5-flash-8b"},
		{vocabulary.ProviderGCPGemini, "gemini-2.5-flash-lite", "gemini-2.5-flash-lite"},
		{vocabulary.ProviderAWSBedrock, "anthropic.claude-3-haiku-20240307-v1:0", "anthropic.claude-3-haiku-20240307"},
		{vocabulary.ProviderAWSBedrock, "us.anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic.claude-3-5-sonnet-20241022"},
		{vocabulary.ProviderAWSBedrock, "amazon.titan-text-express-v1", "amazon.titan-text-express"},
		{vocabulary.ProviderAWSBedrock, "meta.llama3-70b-instruct-v1:0", "meta.llama3-70b-instruct"},
		{vocabulary.ProviderMistralAI, "mistral-large-2411", "mistral-large"},
		{vocabulary.ProviderMistralAI, "mistral-small-2501", "mistral-small"},
		{vocabulary.ProviderMistralAI, "codestral-2501", "codestral"},
		{vocabulary.ProviderCohere, "command-r-plus-08-2024", "command-r-plus"},
		{vocabulary.ProviderCohere, "command-r-08-2024", "command-r"},
		{vocabulary.ProviderGroq, "mixtral-8x7b-32768", "mixtral-8x7b"},
		{vocabulary.ProviderGroq, "llama-3.3-70b-versatile", "llama-3.3-70b-versatile"},
	}
	for _, tt := range tests {
		got, ok := table.Lookup(tt.provider, tt.model, at)
		if !ok || got.Model != tt.wantModel {
			t.Errorf("Lookup(%q, %q) = %q, %v; want %q", tt.provider, tt.model, got.Model, ok, tt.wantModel)
		}
	}
	// Newer Bedrock Claude versions are not priced as their older
	// siblings: the Bedrock entries are keyed by dated id.
	if got, ok := table.Lookup(vocabulary.ProviderAWSBedrock, "anthropic.claude-opus-4-5-20251101-v1:0", at); ok {
		t.Errorf("claude-opus-4-5 on Bedrock priced as %q", got.Model)
	}
	// "command-r7b" is another model, not a command-r snapshot.
	if got, ok := table.Lookup(vocabulary.ProviderCohere, "command-r7b-12-2024", at); ok {
		t.Errorf("command-r7b priced as %q", got.Model)
	}
}

func TestNewTableOverride(t *testing.T) {
	openai := vocabulary.ProviderOpenAI
	launch := date("2024-07-18")
	override := []Price{
		// Same provider, model and date as a built-in: replaces it.
		{Provider: openai, Model: "gpt-4o-mini", InputPerMTok: 1, OutputPerMTok: 2, EffectiveDate: launch},
		// A later date: added.
		{Provider: openai, Model: "gpt-4o-mini", InputPerMTok: 3, OutputPerMTok: 4, EffectiveDate: date("2030-01-01")},
		// A new model, spelt in upper case.
		{Provider: "OpenAI", Model: "My-Finetune", InputPerMTok: 5, OutputPerMTok: 6, EffectiveDate: launch},
	}
	table, err := NewTable(true, override)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := table.Lookup(openai, "gpt-4o-mini", date("2025-01-01")); p.InputPerMTok != 1 {
		t.Errorf("override of built-in: input %v, want 1", p.InputPerMTok)
	}
	if p, _ := table.Lookup(openai, "gpt-4o-mini", date("2031-01-01")); p.InputPerMTok != 3 {
		t.Errorf("added date: input %v, want 3", p.InputPerMTok)
	}
	if p, ok := table.Lookup(openai, "my-finetune", launch); !ok || p.InputPerMTok != 5 {
		t.Errorf("added model: %+v, %v", p, ok)
	}
	// Built-ins not overridden stay.
	if _, ok := table.Lookup(openai, "gpt-4o", date("2025-01-01")); !ok {
		t.Error("built-in gpt-4o lost")
	}

	// A later set overrides an earlier one.
	second := []Price{{Provider: openai, Model: "gpt-4o-mini", InputPerMTok: 7, OutputPerMTok: 8, EffectiveDate: launch}}
	table, err = NewTable(false, override, second)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := table.Lookup(openai, "gpt-4o-mini", date("2025-01-01")); p.InputPerMTok != 7 {
		t.Errorf("later set: input %v, want 7", p.InputPerMTok)
	}

	// Without built-ins, nothing else is there.
	if _, ok := table.Lookup(openai, "gpt-4o", date("2025-01-01")); ok {
		t.Error("gpt-4o found without built-ins")
	}
}

func TestNewTableValidation(t *testing.T) {
	good := Price{Provider: vocabulary.ProviderOpenAI, Model: "m", InputPerMTok: 1, OutputPerMTok: 1, EffectiveDate: date("2025-01-01")}
	bad := []Price{
		good,
		{Provider: "", Model: "", InputPerMTok: -1, OutputPerMTok: 1, EffectiveDate: date("2025-01-01")},
		{Provider: vocabulary.ProviderOpenAI, Model: "x", InputPerMTok: 1, OutputPerMTok: 1, CacheReadPerMTok: -0.5},
		{Provider: "OPENAI", Model: "M", InputPerMTok: 2, OutputPerMTok: 2, EffectiveDate: date("2025-01-01")},
	}
	_, err := NewTable(false, bad)
	if err == nil {
		t.Fatal("no error")
	}
	var entryErr *EntryError
	if !errors.As(err, &entryErr) {
		t.Fatalf("%v: no *EntryError", err)
	}
	for _, want := range []string{
		"prices[1] (/): provider: missing",
		"prices[1] (/): model: missing",
		"prices[1] (/): input_per_mtok: negative price -1",
		"prices[2] (openai/x): effective_date: missing",
		"prices[2] (openai/x): cache_read_per_mtok: negative price -0.5",
		"prices[3] (OPENAI/M): effective_date: same provider, model and date as prices[0]",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "prices[0] (") {
		t.Errorf("the good entry is reported:\n%v", err)
	}

	// Several sets: the error says which.
	_, err = NewTable(false, []Price{good}, bad)
	if err == nil || !strings.Contains(err.Error(), "price set 1") {
		t.Errorf("want the set named, got %v", err)
	}
}

func BenchmarkLookup(b *testing.B) {
	table, err := NewTable(true)
	if err != nil {
		b.Fatal(err)
	}
	at := date("2025-09-01")
	cases := []struct{ name, provider, model string }{
		{"hit exact", vocabulary.ProviderOpenAI, "gpt-4o-mini"},
		{"hit prefix", vocabulary.ProviderOpenAI, "gpt-4o-mini-2024-07-18"},
		{"hit bedrock profile", vocabulary.ProviderAWSBedrock, "us.anthropic.claude-3-5-sonnet-20241022-v2:0"},
		{"miss", vocabulary.ProviderOpenAI, "some-unknown-model-2025-01-01"},
		{"miss provider", "unknown.provider", "gpt-4o"},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				table.Lookup(c.provider, c.model, at)
			}
		})
	}
}

func TestLookupDoesNotAllocate(t *testing.T) {
	table, err := NewTable(true)
	if err != nil {
		t.Fatal(err)
	}
	at := date("2025-09-01")
	for _, model := range []string{"gpt-4o-mini-2024-07-18", "some-unknown-model-2025-01-01"} {
		allocs := testing.AllocsPerRun(100, func() {
			table.Lookup(vocabulary.ProviderOpenAI, model, at)
		})
		if allocs != 0 {
			t.Errorf("Lookup(%q) allocates %v times", model, allocs)
		}
	}
}
