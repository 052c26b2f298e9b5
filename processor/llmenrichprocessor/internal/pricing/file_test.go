package pricing

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// TestDefaults keeps the embedded table loadable: NewTable(true) fails for
// everyone if it is not.
func TestDefaults(t *testing.T) {
	prices, err := builtinPrices()
	if err != nil {
		t.Fatal(err)
	}
	if len(prices) == 0 {
		t.Fatal("no built-in prices")
	}
	known := map[string]bool{
		vocabulary.ProviderOpenAI: true, vocabulary.ProviderAnthropic: true, vocabulary.ProviderGCPGemini: true,
		vocabulary.ProviderAWSBedrock: true, vocabulary.ProviderMistralAI: true, vocabulary.ProviderCohere: true,
		vocabulary.ProviderGroq: true,
	}
	earliest, latest := date("2023-01-01"), time.Now().AddDate(1, 0, 0)
	for i, p := range prices {
		if !known[p.Provider] {
			t.Errorf("prices[%d] %s/%s: provider is not a semconv value used here", i, p.Provider, p.Model)
		}
		if p.Model != strings.ToLower(strings.TrimSpace(p.Model)) {
			t.Errorf("prices[%d] %s/%s: model not lower case and trimmed", i, p.Provider, p.Model)
		}
		if u, err := url.Parse(p.Source); err != nil || u.Scheme != "https" || u.Host == "" {
			t.Errorf("prices[%d] %s/%s: source %q is not an https URL", i, p.Provider, p.Model, p.Source)
		}
		if p.EffectiveDate.Before(earliest) || p.EffectiveDate.After(latest) {
			t.Errorf("prices[%d] %s/%s: implausible date %s", i, p.Provider, p.Model, p.EffectiveDate)
		}
		if p.InputPerMTok == 0 {
			t.Errorf("prices[%d] %s/%s: no input price", i, p.Provider, p.Model)
		}
		if p.CacheReadPerMTok > p.InputPerMTok {
			t.Errorf("prices[%d] %s/%s: cache read dearer than input", i, p.Provider, p.Model)
		}
	}

	// Every model the built-in table promises.
	promised := map[string][]string{
		vocabulary.ProviderOpenAI: {"gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "o1", "o3",
			"o3-mini", "o4-mini", "text-embedding-3-small", "text-embedding-3-large"},
		vocabulary.ProviderAnthropic: {"claude-3-5-sonnet", "claude-3-5-haiku", "claude-3-haiku", "claude-3-opus",
			"claude-3-7-sonnet", "claude-sonnet-4", "claude-opus-4"},
		vocabulary.ProviderGCPGemini: {"gemini-2.0-flash", "gemini-2.0-flash-lite", "gemini-1.5-pro", "gemini-1.5-flash",
			"gemini-2.5-pro", "gemini-2.5-flash"},
		vocabulary.ProviderAWSBedrock: {"anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet-20241022-v2:0",
			"anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic.claude-3-haiku-20240307-v1:0",
			"anthropic.claude-3-opus-20240229-v1:0", "anthropic.claude-3-7-sonnet-20250219-v1:0",
			"anthropic.claude-sonnet-4-20250514-v1:0", "anthropic.claude-opus-4-20250514-v1:0",
			"amazon.titan-text-express-v1", "meta.llama3-70b-instruct-v1:0", "meta.llama3-8b-instruct-v1:0"},
		vocabulary.ProviderMistralAI: {"mistral-large", "mistral-small", "codestral"},
		vocabulary.ProviderCohere:    {"command-r", "command-r-plus"},
		vocabulary.ProviderGroq:      {"llama-3.1-8b-instant", "llama-3.3-70b-versatile", "mixtral-8x7b-32768"},
	}
	table, err := NewTable(true)
	if err != nil {
		t.Fatal(err)
	}
	for provider, models := range promised {
		for _, model := range models {
			if _, ok := table.Lookup(provider, model, time.Now()); !ok {
				t.Errorf("no current price for %s/%s", provider, model)
			}
		}
	}
	// Anthropic models carry cache prices.
	for _, model := range promised[vocabulary.ProviderAnthropic] {
		p, _ := table.Lookup(vocabulary.ProviderAnthropic, model, time.Now())
		if p.CacheReadPerMTok == 0 || p.CacheWritePerMTok == 0 {
			t.Errorf("anthropic/%s: no cache prices", model)
		}
	}
}

// TestDefaultsFormatted keeps defaults.json in one layout (two-space
// indentation, one field a line) so that a correction is a one-line diff.
func TestDefaultsFormatted(t *testing.T) {
	var buf bytes.Buffer
	if err := json.Indent(&buf, defaultsJSON, "", "  "); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bytes.TrimSpace(buf.Bytes()), bytes.TrimSpace(defaultsJSON)) {
		t.Error("defaults.json is not indented with two spaces; reformat it (e.g. jq --indent 2 .)")
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadFile(t *testing.T) {
	path := writeFile(t, `{"prices": [
		{"provider": "openai", "model": "gpt-4o", "effective_date": "2030-01-01",
		 "input_per_mtok": 1, "output_per_mtok": 4, "cache_read_per_mtok": 0.5,
		 "source": "https://example.com", "note": "hypothetical"},
		{"provider": "x_ai", "model": "grok-3", "effective_date": "2025-02-17T08:00:00-08:00",
		 "input_per_mtok": 3, "output_per_mtok": 15, "cache_write_per_mtok": 3.75},
		{"provider": "openai", "model": "text-embedding-3-small", "effective_date": "2030-01-01",
		 "input_per_mtok": 0.01, "output_per_mtok": 0}
	]}`)
	prices, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Price{
		{Provider: "openai", Model: "gpt-4o", InputPerMTok: 1, OutputPerMTok: 4, CacheReadPerMTok: 0.5,
			EffectiveDate: date("2030-01-01"), Source: "https://example.com"},
		{Provider: "x_ai", Model: "grok-3", InputPerMTok: 3, OutputPerMTok: 15, CacheWritePerMTok: 3.75,
			EffectiveDate: time.Date(2025, 2, 17, 16, 0, 0, 0, time.UTC)},
		{Provider: "openai", Model: "text-embedding-3-small", InputPerMTok: 0.01, EffectiveDate: date("2030-01-01")},
	}
	if len(prices) != len(want) {
		t.Fatalf("got %d prices, want %d", len(prices), len(want))
	}
	for i := range want {
		if prices[i] != want[i] {
			t.Errorf("prices[%d] = %+v\nwant %+v", i, prices[i], want[i])
		}
	}

	table, err := NewTable(true, prices)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := table.Lookup(vocabulary.ProviderOpenAI, "gpt-4o-2024-11-20", date("2030-06-01")); p.InputPerMTok != 1 {
		t.Errorf("file price not used: %+v", p)
	}

	empty, err := LoadFile(writeFile(t, `{"prices": []}`))
	if err != nil || len(empty) != 0 {
		t.Errorf("empty list: %v, %v", empty, err)
	}
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string // each must appear in the error
	}{
		{"not JSON", "{\n\"prices\": [\n}", []string{"line 3", "invalid character"}},
		{"no prices", `{}`, []string{`no "prices" array`}},
		{"prices not an array", `{"prices": {}}`, []string{"line 1", "cannot unmarshal"}},
		{"unknown top-level field", `{"prices": [], "version": 2}`, []string{`top-level object: json: unknown field "version"`}},
		{"trailing data", `{"prices": []} {}`, []string{"unexpected data after the top-level object"}},
		{"empty", " \n", []string{`empty: want a JSON object with a "prices" array`}},
		{"cut off", "{\n\"prices\": [", []string{"line 2: the JSON ends before its top-level object does"}},
		{"entry not an object", `{"prices": [42]}`, []string{"prices[0] (/): (entry): not a JSON object"}},
		{
			"every bad entry at once",
			`{"prices": [
				{"provider": "openai", "model": "ok", "effective_date": "2025-01-01", "input_per_mtok": 1, "output_per_mtok": 1},
				{"provider": "openai", "model": "neg", "effective_date": "2025-01-01", "input_per_mtok": -1, "output_per_mtok": -2},
				{"model": "noprov", "effective_date": "2025-01-01", "input_per_mtok": 1, "output_per_mtok": 1},
				{"provider": "openai", "effective_date": "2025-01-01", "input_per_mtok": 1, "output_per_mtok": 1},
				{"provider": "openai", "model": "baddate", "effective_date": "01/02/2025", "input_per_mtok": 1, "output_per_mtok": 1},
				{"provider": "openai", "model": "nodate", "input_per_mtok": 1, "output_per_mtok": 1},
				{"provider": "openai", "model": "noprice", "effective_date": "2025-01-01"},
				{"provider": "openai", "model": "typo", "effective_date": "2025-01-01", "input_per_mtok": 1, "output_per_mtok": 1, "input_price": 2},
				{"provider": "openai", "model": "strprice", "effective_date": "2025-01-01", "input_per_mtok": "1", "output_per_mtok": 1},
				{"provider": 7, "model": "numprov", "effective_date": "2025-01-01", "input_per_mtok": 1, "output_per_mtok": 1},
				{"provider": "openai", "model": "zerocache", "effective_date": "2025-01-01", "input_per_mtok": 1, "output_per_mtok": 1, "cache_read_per_mtok": 0},
				{"provider": "OpenAI", "model": "OK", "effective_date": "2025-01-01", "input_per_mtok": 2, "output_per_mtok": 2}
			]}`,
			[]string{
				"prices[1] (openai/neg): input_per_mtok: negative price -1",
				"prices[1] (openai/neg): output_per_mtok: negative price -2",
				"prices[2] (/noprov): provider: missing",
				"prices[3] (openai/): model: missing",
				`prices[4] (openai/baddate): effective_date: "01/02/2025" is not a date`,
				"prices[5] (openai/nodate): effective_date: missing",
				"prices[6] (openai/noprice): input_per_mtok: missing",
				"prices[6] (openai/noprice): output_per_mtok: missing",
				"prices[7] (openai/typo): input_price: unknown field",
				`prices[8] (openai/strprice): input_per_mtok: want a number, got "1"`,
				"prices[9] (/numprov): provider: want a string, got 7",
				"prices[10] (openai/zerocache): cache_read_per_mtok: 0 would bill these tokens at the input price",
				"prices[11] (OpenAI/OK): effective_date: same provider, model and date as prices[0]",
				"13 problem(s)",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, tt.content)
			_, err := LoadFile(path)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, path) {
				t.Errorf("error does not name the file:\n%s", msg)
			}
			for _, want := range tt.want {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q:\n%s", want, msg)
				}
			}
			if strings.Contains(msg, "prices[0] (openai/ok)") {
				t.Errorf("the good entry is reported:\n%s", msg)
			}
			// One problem per field: a wrongly typed provider is not also
			// "missing".
			if strings.Contains(msg, "(/numprov): provider: missing") {
				t.Errorf("provider reported twice:\n%s", msg)
			}
		})
	}

	if _, err := LoadFile(filepath.Join(t.TempDir(), "absent.json")); err == nil || !strings.Contains(err.Error(), "absent.json") {
		t.Errorf("missing file: %v", err)
	}
}
