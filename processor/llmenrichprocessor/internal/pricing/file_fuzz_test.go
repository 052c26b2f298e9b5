package pricing

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
)

// FuzzParsePrices decodes any pricing file without a panic. An accepted
// file gives only named, dated entries with finite prices that are not
// negative, each holding what encoding/json decodes from the entry into a
// struct of the same shape. A rejected one gives an error that says where
// and what: a line of the file, the "prices" array, or an entry and its
// field.
func FuzzParsePrices(f *testing.F) {
	// A few entries of the built-in table: the whole table is so large that
	// minimizing an input made from it takes the fuzzer a minute.
	var defaults struct {
		Prices []json.RawMessage `json:"prices"`
	}
	if err := json.Unmarshal(defaultsJSON, &defaults); err != nil || len(defaults.Prices) < 4 {
		f.Fatalf("defaults.json: %v", err)
	}
	excerpt, err := json.MarshalIndent(map[string]any{"prices": defaults.Prices[:4]}, "", "  ")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(excerpt)
	for _, s := range []string{
		`{"prices": [{"provider": "openai", "model": "gpt-4o", "effective_date": "2030-01-01", "input_per_mtok": 1, "output_per_mtok": 4,` +
			` "cache_read_per_mtok": 0.5, "source": "https://example.com", "note": "hypothetical"},` +
			`{"provider": "x_ai", "model": "grok-3", "effective_date": "2025-02-17T08:00:00-08:00", "input_per_mtok": 3, "output_per_mtok": 15, "cache_write_per_mtok": 3.75}]}`,
		`{"prices": [{"provider": "openai", "model": "neg", "effective_date": "2025-01-01", "input_per_mtok": -1, "output_per_mtok": 1e400},` +
			`{"provider": "openai", "model": "zerocache", "effective_date": "2025-01-01", "input_per_mtok": 1, "output_per_mtok": 1, "cache_read_per_mtok": 0},` +
			`{"provider": "OpenAI", "model": "NEG", "effective_date": "2025-01-01", "input_per_mtok": "1", "input_price": 2}, 42, null]}`,
		"{\n\"prices\": [\n}", `{}`, `{"prices": {}}`, `{"prices": [], "version": 2}`, `{"prices": []} {}`, ``, ` `, `{"prices": [`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		prices, err := parsePrices(data)
		if err != nil {
			if prices != nil {
				t.Errorf("prices and an error: %v", err)
			}
			checkNamesProblem(t, err, data)
			return
		}
		var doc struct {
			Prices []struct {
				Provider      string  `json:"provider"`
				Model         string  `json:"model"`
				EffectiveDate string  `json:"effective_date"`
				Source        string  `json:"source"`
				Input         float64 `json:"input_per_mtok"`
				Output        float64 `json:"output_per_mtok"`
				CacheRead     float64 `json:"cache_read_per_mtok"`
				CacheWrite    float64 `json:"cache_write_per_mtok"`
			} `json:"prices"`
		}
		// A type error can only be an earlier value of a repeated key (the
		// file's reader, like encoding/json, keeps the last); encoding/json
		// decodes the rest of the input after one.
		var typeErr *json.UnmarshalTypeError
		if err := json.Unmarshal(data, &doc); err != nil && !errors.As(err, &typeErr) {
			t.Fatalf("accepted, but encoding/json rejects it: %v\n%s", err, data)
		}
		if len(doc.Prices) != len(prices) {
			t.Fatalf("%d prices, encoding/json finds %d entries\n%s", len(prices), len(doc.Prices), data)
		}
		for i, p := range prices {
			want := doc.Prices[i]
			if strings.TrimSpace(p.Provider) == "" || strings.TrimSpace(p.Model) == "" || p.EffectiveDate.IsZero() {
				t.Errorf("prices[%d] = %+v: unnamed or undated", i, p)
			}
			for _, v := range []float64{p.InputPerMTok, p.OutputPerMTok, p.CacheReadPerMTok, p.CacheWritePerMTok} {
				if !(v >= 0) || math.IsInf(v, 1) {
					t.Errorf("prices[%d] = %+v: price %v", i, p, v)
				}
			}
			date, _ := parseDate(want.EffectiveDate)
			got := [...]any{p.Provider, p.Model, p.Source, p.InputPerMTok, p.OutputPerMTok, p.CacheReadPerMTok, p.CacheWritePerMTok, p.EffectiveDate}
			if exp := [...]any{want.Provider, want.Model, want.Source, want.Input, want.Output, want.CacheRead, want.CacheWrite, date}; got != exp {
				t.Errorf("prices[%d] = %v, encoding/json decodes %v\n%s", i, got, exp, data)
			}
		}
	})
}

// checkNamesProblem fails t unless err says where the problem is and what
// it is.
func checkNamesProblem(t *testing.T, err error, data []byte) {
	t.Helper()
	msg := err.Error()
	var entry *EntryError
	switch {
	case errors.As(err, &entry):
		if entry.Field == "" || entry.Problem == "" {
			t.Errorf("entry error without a field or problem: %q", msg)
		}
	case strings.HasPrefix(msg, "line ") && strings.Contains(msg, ": "):
	case strings.Contains(msg, `"prices"`), strings.HasPrefix(msg, "top-level object: "):
	default:
		t.Errorf("error does not say where the problem is: %q\n%q", msg, data)
	}
}
