package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
)

// fixtureDir is where the Rastir client's captured batches live, relative to
// the repository root.
const fixtureDir = "testdata/rastir-client"

// Wire formats the load generator can send.
const (
	modeRastir = "rastir" // POST /v1/telemetry, the fixture body as is
	modeOTLP   = "otlp"   // POST /v1/traces, OTLP JSON of the same spans
)

// batch is one request body, ready to be sent any number of times.
type batch struct {
	name  string
	body  []byte
	spans int
}

// repoPath finds rel (a path inside the repository) from the working
// directory or one of its parents, so that the command works from the
// repository root as well as from its own directory.
func repoPath(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		p := filepath.Join(dir, rel)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%s not found in the working directory or its parents", rel)
		}
		dir = parent
	}
}

// loadBatches reads every *.json fixture of dir (in name order) and returns
// the bodies to send in mode: the fixture itself, or its spans converted
// once to OTLP JSON. Span counts come from decoding each fixture.
func loadBatches(dir, mode string) ([]batch, error) {
	if mode != modeRastir && mode != modeOTLP {
		return nil, fmt.Errorf("unknown mode %q (want %s or %s)", mode, modeRastir, modeOTLP)
	}
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no *.json fixtures in %s", dir)
	}
	sort.Strings(paths)
	dec := rastirjson.NewDecoder(rastirjson.DefaultLimits())
	out := make([]batch, 0, len(paths))
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		b := batch{name: filepath.Base(p), body: raw}
		otlp, spans, err := toOTLP(dec, raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", b.name, err)
		}
		b.spans = spans
		if mode == modeOTLP {
			b.body = otlp
		}
		out = append(out, b)
	}
	return out, nil
}

// toOTLP decodes a Rastir batch the way the rastir receiver does and
// marshals the result as an OTLP/HTTP JSON ExportTraceServiceRequest.
func toOTLP(dec *rastirjson.Decoder, rastirBody []byte) ([]byte, int, error) {
	td, err := dec.Decode(rastirBody)
	if err != nil {
		return nil, 0, err
	}
	n := td.SpanCount()
	if n == 0 {
		return nil, 0, errors.New("batch has no spans")
	}
	var m ptrace.JSONMarshaler
	body, err := m.MarshalTraces(td)
	if err != nil {
		return nil, 0, err
	}
	return body, n, nil
}

// totalSpans is the number of spans in one pass over batches.
func totalSpans(batches []batch) int {
	n := 0
	for _, b := range batches {
		n += b.spans
	}
	return n
}
