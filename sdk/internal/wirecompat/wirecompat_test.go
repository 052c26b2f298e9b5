package wirecompat

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/rastirjson"
	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// capture runs a scenario through the push exporter and returns the
// request bodies and the spans that were sent.
func capture(t *testing.T) ([][]byte, []sdktrace.ReadOnlySpan) {
	t.Helper()
	var mu sync.Mutex
	var bodies [][]byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, b)
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	exp, err := rastir.NewPushExporter(srv.URL)
	require.NoError(t, err)
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(resource.NewSchemaless(
			attribute.String(vocabulary.ResourceServiceName, "shop"),
			attribute.String(vocabulary.ResourceDeploymentEnvironmentName, "prod"),
			attribute.String(vocabulary.ResourceServiceVersion, "3.1"),
		)),
		sdktrace.WithSpanProcessor(rec),
		sdktrace.WithBatcher(exp, sdktrace.WithBatchTimeout(time.Hour)),
	)
	rastir.UseTracerProvider(tp)
	defer rastir.UseTracerProvider(nil)

	ctx, root := rastir.StartTrace(t.Context(), "scn.go", rastir.WithAttributes(
		attribute.String("request_id", "req-1"), attribute.StringSlice("tags", []string{"a", "b"}),
		attribute.Float64("ratio", 0.25), attribute.Bool("beta", true)))
	actx, agent := rastir.StartAgent(ctx, "support_agent")
	_, s := rastir.StartLLM(actx, "gpt-4o", rastir.WithProvider(vocabulary.ProviderOpenAI))
	s.SetResponseModel("gpt-4o-2024-08-06")
	s.SetUsage(120, 45)
	s.SetFinishReasons("stop")
	s.SetCost(0.00075)
	s.SetPricingProfile("default")
	s.SetTTFT(80 * time.Millisecond)
	s.SetStreaming(true)
	s.End()
	_, _ = rastir.LLM(actx, "anthropic.claude-3-haiku-20240307-v1:0", func(ctx context.Context) (int, error) {
		sp := rastir.SpanFromContext(ctx)
		sp.SetGuardrail("gr-1", "2")
		sp.SetGuardrailOutcome(vocabulary.GuardrailActionIntervened, vocabulary.GuardrailCategoryDeniedTopic)
		return 0, context.DeadlineExceeded
	}, rastir.WithProvider(vocabulary.ProviderAWSBedrock))
	_, _ = rastir.Tool(actx, "lookup", func(context.Context) (int, error) { return 0, errors.New("no such order \"x\"\n") },
		rastir.WithRemote(true))
	_, _ = rastir.Retrieval(actx, "kb", func(context.Context) (int, error) { return 3, nil })
	agent.End()
	root.End()
	require.NoError(t, tp.Shutdown(context.Background()))
	mu.Lock()
	defer mu.Unlock()
	return bodies, rec.Ended()
}

func TestPushBodiesDecodeToTheSentSpans(t *testing.T) {
	bodies, sent := capture(t)
	require.Len(t, bodies, 1)
	dec := rastirjson.NewDecoder(rastirjson.DefaultLimits())
	td, err := dec.Decode(bodies[0])
	require.NoError(t, err)
	require.Equal(t, 1, td.ResourceSpans().Len())
	rs := td.ResourceSpans().At(0)
	res := rs.Resource().Attributes().AsRaw()
	assert.Equal(t, "shop", res[vocabulary.ResourceServiceName])
	assert.Equal(t, "prod", res[vocabulary.ResourceDeploymentEnvironmentName])
	assert.Equal(t, "3.1", res[vocabulary.ResourceServiceVersion])
	got := rs.ScopeSpans().At(0).Spans()
	require.Equal(t, len(sent), got.Len())

	byID := map[pcommon.SpanID]ptrace.Span{}
	for _, sp := range got.All() {
		byID[sp.SpanID()] = sp
	}
	for _, want := range sent {
		sp, ok := byID[pcommon.SpanID(want.SpanContext().SpanID())]
		require.True(t, ok, want.Name())
		assert.Equal(t, pcommon.TraceID(want.SpanContext().TraceID()), sp.TraceID(), want.Name())
		assert.Equal(t, pcommon.SpanID(want.Parent().SpanID()), sp.ParentSpanID(), want.Name())
		// A tool span goes out under its tool's name, as Rastir names tools.
		wantName := want.Name()
		if tool := stringAttr(want.Attributes(), vocabulary.GenAIToolName); tool != "" &&
			stringAttr(want.Attributes(), vocabulary.RastirSpanTypeKey) == vocabulary.SpanTypeTool {
			wantName = tool
		}
		assert.Equal(t, wantName, sp.Name())
		assert.Equal(t, pcommon.NewTimestampFromTime(want.StartTime()), sp.StartTimestamp(), want.Name())
		assert.Equal(t, pcommon.NewTimestampFromTime(want.EndTime()), sp.EndTimestamp(), want.Name())
		if want.Status().Code == codes.Error {
			assert.Equal(t, ptrace.StatusCodeError, sp.Status().Code(), want.Name())
			assert.Equal(t, want.Status().Description, sp.Status().Message(), want.Name())
		} else {
			assert.Equal(t, ptrace.StatusCodeOk, sp.Status().Code(), want.Name())
		}
		attrs := sp.Attributes().AsRaw()
		// No id had to be kept raw: the OTLP ids reproduce the wire ids.
		assert.NotContains(t, attrs, vocabulary.WireKeySpanID)
		assert.NotContains(t, attrs, vocabulary.WireKeyTraceID)
		assert.NotContains(t, attrs, vocabulary.WireKeyParentSpanID)
		assert.InDelta(t, float64(want.EndTime().Sub(want.StartTime()))/1e6, attrs[vocabulary.WireKeyDurationMs], 1e-6)
		assert.Equal(t, expectedRastirAttributes(want), withoutWireKeys(attrs), want.Name())
		require.Equal(t, len(want.Events()), sp.Events().Len(), want.Name())
		category := stringAttr(want.Attributes(), vocabulary.RastirErrorCategoryKey)
		firstException := true
		for i, ev := range want.Events() {
			got := sp.Events().At(i)
			assert.Equal(t, ev.Name, got.Name())
			assert.Equal(t, pcommon.NewTimestampFromTime(ev.Time), got.Timestamp())
			wantAttrs, gotAttrs := attrsRaw(ev.Attributes), got.Attributes().AsRaw()
			if ev.Name == vocabulary.EventException && firstException && category != "" {
				// The event a Rastir server categorises the span by names
				// the span's category in a type that server reads.
				firstException = false
				assert.Equal(t, category, vocabulary.RastirServerErrorCategory(gotAttrs[vocabulary.AttrExceptionType].(string)), want.Name())
				delete(wantAttrs, vocabulary.AttrExceptionType)
				delete(gotAttrs, vocabulary.AttrExceptionType)
			}
			assert.Equal(t, wantAttrs, gotAttrs)
		}
	}
}

// expectedRastirAttributes is what the span's attributes are in Rastir's
// names (the push exporter's mapping).
func expectedRastirAttributes(s sdktrace.ReadOnlySpan) map[string]any {
	m := map[string]any{}
	var reqModel, respModel string
	for _, kv := range s.Attributes() {
		v := kv.Value
		switch kv.Key {
		case vocabulary.RastirSpanTypeKey, vocabulary.GenAIOperationName:
		case vocabulary.GenAIRequestModel:
			reqModel = v.AsString()
		case vocabulary.GenAIResponseModel:
			respModel = v.AsString()
		case vocabulary.GenAIProviderName:
			m[vocabulary.RastirAttrProvider] = vocabulary.RastirProviderLabel(v.AsString())
		case vocabulary.GenAIAgentName:
			m[vocabulary.RastirAttrAgent] = v.AsString()
		case vocabulary.GenAIToolName:
			m[vocabulary.RastirAttrToolName] = v.AsString()
		case vocabulary.GenAIUsageInputTokens:
			m[vocabulary.RastirAttrTokensInput] = v.AsInt64()
		case vocabulary.GenAIUsageOutputTokens:
			m[vocabulary.RastirAttrTokensOutput] = v.AsInt64()
		case vocabulary.GenAIResponseFinishReasons:
			m[vocabulary.RastirAttrFinishReason] = v.AsStringSlice()[0]
		case vocabulary.RastirCostUSD:
			m[vocabulary.RastirAttrCostUSD] = v.AsFloat64()
		case vocabulary.RastirPricingProfile:
			m[vocabulary.RastirAttrPricingProfile] = v.AsString()
		case vocabulary.GenAIResponseTimeToFirstChunk:
			m[vocabulary.RastirAttrTTFTMs] = math.Round(v.AsFloat64()*1e5) / 100
		case vocabulary.GenAIRequestStream:
			m[vocabulary.RastirAttrStreaming] = v.AsBool()
		case vocabulary.RastirRemote:
			if v.AsBool() {
				m[vocabulary.RastirAttrRemote] = vocabulary.RastirRemoteTrue
			} else {
				m[vocabulary.RastirAttrRemote] = vocabulary.RastirRemoteFalse
			}
		case vocabulary.RastirGuardrailID:
			m[vocabulary.RastirAttrGuardrailID] = v.AsString()
		case vocabulary.RastirGuardrailVersion:
			m[vocabulary.RastirAttrGuardrailVersion] = v.AsString()
		case vocabulary.RastirGuardrailAction:
			m[vocabulary.RastirAttrGuardrailAction] = v.AsString()
		case vocabulary.RastirGuardrailCategory:
			m[vocabulary.RastirAttrGuardrailCat] = v.AsString()
		default:
			m[string(kv.Key)] = rawValue(v)
		}
	}
	if respModel != "" {
		m[vocabulary.RastirAttrModel] = respModel
	} else if reqModel != "" {
		m[vocabulary.RastirAttrModel] = reqModel
	}
	if s.Status().Code == codes.Error {
		m[vocabulary.RastirAttrErrorMessage] = s.Status().Description
	}
	return m
}

func rawValue(v attribute.Value) any {
	if v.Type() == attribute.STRINGSLICE {
		out := []any{}
		for _, s := range v.AsStringSlice() {
			out = append(out, s)
		}
		return out
	}
	return v.AsInterface()
}

func attrsRaw(kvs []attribute.KeyValue) map[string]any {
	m := map[string]any{}
	for _, kv := range kvs {
		m[string(kv.Key)] = rawValue(kv.Value)
	}
	return m
}

func withoutWireKeys(m map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if k == vocabulary.WireKeySpanType || k == vocabulary.WireKeyDurationMs {
			continue
		}
		out[k] = v
	}
	return out
}

// jsonType names a JSON value's type.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "?"
}

func keyTypes(m map[string]any) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = jsonType(v)
	}
	return out
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestPushBodiesHaveThePythonClientsShape(t *testing.T) {
	bodies, _ := capture(t)
	var ours map[string]any
	require.NoError(t, json.Unmarshal(bodies[0], &ours))
	for _, fixture := range []string{"rastir-client-0001.json", "rastir-client-0011.json"} {
		t.Run(fixture, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", fixture))
			require.NoError(t, err)
			// The fixture is a real request the decoder accepts.
			_, err = rastirjson.NewDecoder(rastirjson.DefaultLimits()).Decode(raw)
			require.NoError(t, err)
			var py map[string]any
			require.NoError(t, json.Unmarshal(raw, &py))

			assert.Equal(t, keyTypes(py), keyTypes(ours), "batch keys and types")
			pySpans, goSpans := py[vocabulary.WireSpans].([]any), ours[vocabulary.WireSpans].([]any)
			pySpan := pySpans[0].(map[string]any)
			var pyRoot map[string]any
			for _, s := range pySpans {
				if s.(map[string]any)[vocabulary.WireParentSpanID] == nil {
					pyRoot = s.(map[string]any)
				}
			}
			// Every span has the fixture's keys, with the same value types
			// (parent_span_id is a string, or null on the root as in
			// Python).
			for _, s := range goSpans {
				gs := s.(map[string]any)
				want := keyTypes(pySpan)
				if gs[vocabulary.WireParentSpanID] == nil {
					want = keyTypes(pyRoot)
				}
				assert.Equal(t, want, keyTypes(gs), "span %v", gs[vocabulary.WireName])
				assert.Len(t, gs[vocabulary.WireSpanID], len(pySpan[vocabulary.WireSpanID].(string)))
				assert.Len(t, gs[vocabulary.WireTraceID], len(pySpan[vocabulary.WireTraceID].(string)))
				// Attributes the Python client also sends have its types.
				ga := gs[vocabulary.WireAttributes].(map[string]any)
				for _, ps := range pySpans {
					pa := ps.(map[string]any)[vocabulary.WireAttributes].(map[string]any)
					for k, v := range pa {
						if gv, ok := ga[k]; ok {
							assert.Equal(t, jsonType(v), jsonType(gv), "attribute %s", k)
						}
					}
					for _, pe := range ps.(map[string]any)[vocabulary.WireEvents].([]any) {
						for _, ge := range gs[vocabulary.WireEvents].([]any) {
							assert.Equal(t, keys(pe.(map[string]any)), keys(ge.(map[string]any)), "event keys")
							assert.Equal(t, keyTypes(pe.(map[string]any)), keyTypes(ge.(map[string]any)), "event types")
						}
					}
				}
			}
		})
	}
}

// stringAttr is the string value of key among attrs ("" when absent).
func stringAttr(attrs []attribute.KeyValue, key string) string {
	for _, kv := range attrs {
		if string(kv.Key) == key {
			return kv.Value.AsString()
		}
	}
	return ""
}
