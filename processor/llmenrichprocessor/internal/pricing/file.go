package pricing

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// defaultsJSON holds the built-in list prices. It is data, not code, so that
// a wrong price is corrected by editing one JSON entry.
//
//go:embed defaults.json
var defaultsJSON []byte

// builtinPrices parses defaultsJSON once; the tests keep it valid.
var builtinPrices = sync.OnceValues(func() ([]Price, error) {
	prices, err := parsePrices(defaultsJSON)
	if err != nil {
		return nil, fmt.Errorf("built-in prices (defaults.json): %w", err)
	}
	return prices, nil
})

// JSON field names, used in the file format and in error messages.
const (
	fieldProvider          = "provider"
	fieldModel             = "model"
	fieldEffectiveDate     = "effective_date"
	fieldInputPerMTok      = "input_per_mtok"
	fieldOutputPerMTok     = "output_per_mtok"
	fieldCacheReadPerMTok  = "cache_read_per_mtok"
	fieldCacheWritePerMTok = "cache_write_per_mtok"
	fieldSource            = "source"
	fieldNote              = "note"
)

// EntryError is one problem with one price entry: the entry's index in its
// file or slice, what it names, and the JSON field at fault.
type EntryError struct {
	Index    int
	Provider string
	Model    string
	Field    string
	Problem  string
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("prices[%d] (%s/%s): %s: %s", e.Index, e.Provider, e.Model, e.Field, e.Problem)
}

// LoadFile reads prices in the JSON format of the built-in table (see the
// package documentation). It checks every entry and reports every problem at
// once, each naming the entry's index and field, so that a file is fixed in
// one pass rather than one error per restart.
func LoadFile(path string) ([]Price, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pricing file: %w", err)
	}
	prices, err := parsePrices(data)
	if err != nil {
		return nil, fmt.Errorf("pricing file %s: %w", path, err)
	}
	return prices, nil
}

// parsePrices decodes and checks the JSON format.
func parsePrices(data []byte) ([]Price, error) {
	var doc struct {
		Prices []json.RawMessage `json:"prices"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, describeJSONError(data, err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("line %d: unexpected data after the top-level object", lineOf(data, dec.InputOffset()))
	}
	if doc.Prices == nil {
		return nil, errors.New(`no "prices" array`)
	}

	prices := make([]Price, len(doc.Prices))
	var problems []*EntryError
	dateOK := make([]bool, len(doc.Prices))
	for i, raw := range doc.Prices {
		p, ok, entryProblems := decodeEntry(i, raw)
		prices[i], dateOK[i] = p, ok
		problems = append(problems, entryProblems...)
	}
	problems = append(problems, duplicates(prices, dateOK)...)
	if len(problems) > 0 {
		return nil, joinEntryErrors(problems)
	}
	return prices, nil
}

// decodeEntry decodes one entry field by field, so that every unknown field
// and every value of the wrong type is reported, not only the first. ok
// reports whether the effective date is usable for duplicate detection.
func decodeEntry(index int, raw json.RawMessage) (p Price, ok bool, problems []*EntryError) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return p, false, []*EntryError{{Index: index, Field: "(entry)", Problem: "not a JSON object"}}
	}
	// The entry's names first, so that every problem can say which entry.
	_ = json.Unmarshal(fields[fieldProvider], &p.Provider)
	_ = json.Unmarshal(fields[fieldModel], &p.Model)
	bad := make(map[string]bool)
	problem := func(field, format string, args ...any) {
		bad[field] = true
		problems = append(problems, &EntryError{
			Index: index, Provider: p.Provider, Model: p.Model,
			Field: field, Problem: fmt.Sprintf(format, args...),
		})
	}

	str := func(field string, dst *string) {
		if v, present := fields[field]; present {
			if err := json.Unmarshal(v, dst); err != nil {
				problem(field, "want a string, got %s", v)
			}
		}
	}
	num := func(field string, dst *float64, required bool) {
		v, present := fields[field]
		switch {
		case !present && required:
			problem(field, "missing (a price in USD per million tokens; 0 if free)")
		case !present:
			// An optional price left out: 0, none.
		case json.Unmarshal(v, dst) != nil:
			problem(field, "want a number, got %s", v)
		case *dst == 0 && !required:
			// 0 in Price means "no separate price"; writing it would not
			// make cache tokens free, so say so instead of surprising.
			problem(field, "0 would bill these tokens at the input price; omit the field for that")
		}
	}

	var note, date string
	str(fieldProvider, &p.Provider)
	str(fieldModel, &p.Model)
	str(fieldEffectiveDate, &date)
	str(fieldSource, &p.Source)
	str(fieldNote, &note)
	num(fieldInputPerMTok, &p.InputPerMTok, true)
	num(fieldOutputPerMTok, &p.OutputPerMTok, true)
	num(fieldCacheReadPerMTok, &p.CacheReadPerMTok, false)
	num(fieldCacheWritePerMTok, &p.CacheWritePerMTok, false)
	if date != "" {
		t, err := parseDate(date)
		if err != nil {
			problem(fieldEffectiveDate, "%q is not a date (want YYYY-MM-DD or RFC 3339)", date)
		}
		p.EffectiveDate = t
	}

	// The checks shared with Go-built prices, but not twice for one field
	// ("want a string" already explains a provider that is "missing").
	for _, e := range checkPrice(index, p) {
		if !bad[e.Field] {
			bad[e.Field] = true
			problems = append(problems, e)
		}
	}

	unknown := make([]string, 0, len(fields))
	for field := range fields {
		switch field {
		case fieldProvider, fieldModel, fieldEffectiveDate, fieldInputPerMTok, fieldOutputPerMTok,
			fieldCacheReadPerMTok, fieldCacheWritePerMTok, fieldSource, fieldNote:
		default:
			unknown = append(unknown, field)
		}
	}
	slices.Sort(unknown)
	for _, field := range unknown {
		// An empty name, or one with quotes or control characters, quoted.
		if quoted := strconv.Quote(field); field == "" || quoted[1:len(quoted)-1] != field {
			field = quoted
		}
		problem(field, "unknown field")
	}
	return p, !bad[fieldEffectiveDate], problems
}

// parseDate accepts a calendar date (midnight UTC, how price lists state
// changes) or an RFC 3339 timestamp (for a change at a known hour).
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// checkPrice finds the problems any entry can have, whether it came from
// JSON or from Go.
func checkPrice(index int, p Price) []*EntryError {
	var problems []*EntryError
	problem := func(field, format string, args ...any) {
		problems = append(problems, &EntryError{
			Index: index, Provider: p.Provider, Model: p.Model,
			Field: field, Problem: fmt.Sprintf(format, args...),
		})
	}
	if strings.TrimSpace(p.Provider) == "" {
		problem(fieldProvider, "missing")
	}
	if strings.TrimSpace(p.Model) == "" {
		problem(fieldModel, "missing")
	}
	if p.EffectiveDate.IsZero() {
		problem(fieldEffectiveDate, "missing")
	}
	for _, price := range []struct {
		field string
		value float64
	}{
		{fieldInputPerMTok, p.InputPerMTok},
		{fieldOutputPerMTok, p.OutputPerMTok},
		{fieldCacheReadPerMTok, p.CacheReadPerMTok},
		{fieldCacheWritePerMTok, p.CacheWritePerMTok},
	} {
		switch {
		case math.IsNaN(price.value) || math.IsInf(price.value, 0):
			problem(price.field, "not a finite number")
		case price.value < 0:
			problem(price.field, "negative price %v", price.value)
		}
	}
	return problems
}

// validate checks prices given from Go (NewTable's extra sets).
func validate(prices []Price) error {
	var problems []*EntryError
	dateOK := make([]bool, len(prices))
	for i, p := range prices {
		entryProblems := checkPrice(i, p)
		problems = append(problems, entryProblems...)
		dateOK[i] = !slices.ContainsFunc(entryProblems, func(e *EntryError) bool {
			return e.Field == fieldEffectiveDate
		})
	}
	problems = append(problems, duplicates(prices, dateOK)...)
	if len(problems) == 0 {
		return nil
	}
	return joinEntryErrors(problems)
}

// duplicates reports entries of one set that repeat the provider, model and
// effective date of an earlier one: within one file that is a mistake, as
// only one of them could apply.
func duplicates(prices []Price, dateOK []bool) []*EntryError {
	type key struct {
		provider, model string
		date            int64
	}
	first := make(map[key]int)
	var problems []*EntryError
	for i, p := range prices {
		if !dateOK[i] || p.Provider == "" || p.Model == "" {
			continue
		}
		k := key{lowerASCII(strings.TrimSpace(p.Provider)), lowerASCII(strings.TrimSpace(p.Model)), p.EffectiveDate.UnixNano()}
		if j, seen := first[k]; seen {
			problems = append(problems, &EntryError{
				Index: i, Provider: p.Provider, Model: p.Model, Field: fieldEffectiveDate,
				Problem: fmt.Sprintf("same provider, model and date as prices[%d]", j),
			})
			continue
		}
		first[k] = i
	}
	return problems
}

func joinEntryErrors(problems []*EntryError) error {
	sortEntryErrors(problems)
	errs := make([]error, len(problems))
	for i, p := range problems {
		errs[i] = p
	}
	return fmt.Errorf("%d problem(s):\n%w", len(problems), errors.Join(errs...))
}

// sortEntryErrors orders problems by entry, keeping their order within an
// entry, so that a report reads top to bottom like the file.
func sortEntryErrors(problems []*EntryError) {
	slices.SortStableFunc(problems, func(a, b *EntryError) int {
		return a.Index - b.Index
	})
}

// describeJSONError adds the line of a syntax or type error, which
// encoding/json gives only as a byte offset, and says what an empty or
// cut-off file or an unknown top-level field is.
func describeJSONError(data []byte, err error) error {
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("line %d: %w", lineOf(data, syntaxErr.Offset), err)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("line %d: %w", lineOf(data, typeErr.Offset), err)
	}
	switch {
	case errors.Is(err, io.EOF):
		return errors.New(`empty: want a JSON object with a "prices" array`)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("line %d: the JSON ends before its top-level object does", lineOf(data, int64(len(data))))
	}
	// An unknown field of the top-level object.
	return fmt.Errorf("top-level object: %w", err)
}

func lineOf(data []byte, offset int64) int {
	offset = min(max(offset, 0), int64(len(data)))
	return bytes.Count(data[:offset], []byte("\n")) + 1
}
