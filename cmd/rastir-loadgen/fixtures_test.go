package main

import (
	"bytes"
	"path/filepath"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
)

// TestOTLPConversion checks that the OTLP body of each fixture holds the
// same spans as the rastir receiver decodes from the fixture.
func TestOTLPConversion(t *testing.T) {
	dir := filepath.Join("..", "..", fixtureDir)
	rastir, err := loadBatches(dir, modeRastir)
	if err != nil {
		t.Fatal(err)
	}
	otlp, err := loadBatches(dir, modeOTLP)
	if err != nil {
		t.Fatal(err)
	}
	if len(rastir) == 0 || len(rastir) != len(otlp) {
		t.Fatalf("%d rastir batches, %d otlp batches", len(rastir), len(otlp))
	}
	dec := rastirjson.NewDecoder(rastirjson.DefaultLimits())
	var u ptrace.JSONUnmarshaler
	for i := range rastir {
		r, o := rastir[i], otlp[i]
		if r.name != o.name || r.spans != o.spans || r.spans == 0 {
			t.Fatalf("batch %d: %s/%d spans vs %s/%d spans", i, r.name, r.spans, o.name, o.spans)
		}
		if bytes.Equal(r.body, o.body) {
			t.Fatalf("%s: otlp body is the rastir body", r.name)
		}
		want, err := dec.Decode(r.body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := u.UnmarshalTraces(o.body)
		if err != nil {
			t.Fatalf("%s: OTLP JSON does not unmarshal: %v", o.name, err)
		}
		if got.SpanCount() != r.spans {
			t.Errorf("%s: %d spans in OTLP, want %d", o.name, got.SpanCount(), r.spans)
		}
		// Same spans: same ids, names and attributes, in order.
		ws := want.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		gs := got.ResourceSpans().At(0).ScopeSpans().At(0).Spans()
		for j := range ws.Len() {
			w, g := ws.At(j), gs.At(j)
			if w.TraceID() != g.TraceID() || w.SpanID() != g.SpanID() || w.Name() != g.Name() ||
				w.StartTimestamp() != g.StartTimestamp() || !w.Attributes().Equal(g.Attributes()) {
				t.Errorf("%s: span %d differs after the OTLP round trip", o.name, j)
			}
		}
		if !want.ResourceSpans().At(0).Resource().Attributes().Equal(got.ResourceSpans().At(0).Resource().Attributes()) {
			t.Errorf("%s: resource differs after the OTLP round trip", o.name)
		}
	}
	if _, err := loadBatches(dir, "grpc"); err == nil {
		t.Error("unknown mode accepted")
	}
}

func TestEndpoint(t *testing.T) {
	if got := endpoint(modeRastir, "", "h:1", "h:2").url; got != "http://h:1/v1/telemetry" {
		t.Errorf("rastir url %q", got)
	}
	if got := endpoint(modeOTLP, "", "h:1", "h:2").url; got != "http://h:2/v1/traces" {
		t.Errorf("otlp url %q", got)
	}
	if got := endpoint(modeOTLP, "http://x/y", "h:1", "h:2").url; got != "http://x/y" {
		t.Errorf("explicit url %q", got)
	}
}
