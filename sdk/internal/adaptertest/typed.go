package adaptertest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// What the tests of the adapters' typed calls share.

// Answering is a server that answers every request with status and a JSON
// body.
func Answering(t testing.TB, status int, body string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// Testdata is the named file of the test's testdata directory.
func Testdata(t testing.TB, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(data)
}

// spanShape is what AssertSameSpans compares of two spans: all but their
// ids and times.
type spanShape struct {
	name        string
	status      sdktrace.Status
	attrs       map[string]any
	eventNames  []string
	eventAttrs  []map[string]any
	parentValid bool
}

func shapeOf(s sdktrace.ReadOnlySpan) spanShape {
	sh := spanShape{name: s.Name(), status: s.Status(), attrs: Attrs(s.Attributes()), parentValid: s.Parent().IsValid()}
	for _, e := range s.Events() {
		sh.eventNames = append(sh.eventNames, e.Name)
		sh.eventAttrs = append(sh.eventAttrs, Attrs(e.Attributes))
	}
	return sh
}

// AssertSameSpans checks that rec recorded two spans, the middleware's and
// then the typed call's of the same call, and that they are the same. For
// a response of status 400 or more, the typed call's status and exception
// message are those of errTyped, the error the client returned (its
// message names the request), where the middleware's are of the error it
// built from the body.
func AssertSameSpans(t testing.TB, rec *tracetest.SpanRecorder, status int, errTyped error) {
	t.Helper()
	spans := rec.Ended()
	require.Len(t, spans, 2)
	want, got := shapeOf(spans[0]), shapeOf(spans[1])
	if status >= 400 {
		require.Equal(t, codes.Error, got.status.Code)
		require.Error(t, errTyped)
		assert.Equal(t, errTyped.Error(), got.status.Description)
		require.NotEmpty(t, got.eventAttrs)
		require.NotEmpty(t, want.eventAttrs)
		assert.Equal(t, errTyped.Error(), got.eventAttrs[0][vocabulary.AttrExceptionMessage])
		got.status.Description, want.status.Description = "", ""
		got.eventAttrs[0][vocabulary.AttrExceptionMessage], want.eventAttrs[0][vocabulary.AttrExceptionMessage] = "", ""
	}
	assert.Equal(t, want, got)
}

// Decoded is a response a client decoded.
type Decoded interface{ RawJSON() string }

// AssertSameCall makes one call both ways, through the middleware alone
// (viaMiddleware) and then as a typed call, and checks that both return the
// same and record the same span (AssertSameSpans; status is the server's
// answer).
func AssertSameCall[R Decoded](t testing.TB, rec *tracetest.SpanRecorder, status int, viaMiddleware, typed func() (R, error)) {
	t.Helper()
	want, errMiddleware := viaMiddleware()
	got, errTyped := typed()
	assert.Equal(t, errMiddleware == nil, errTyped == nil)
	if errMiddleware == nil && errTyped == nil {
		assert.Equal(t, want.RawJSON(), got.RawJSON())
	}
	AssertSameSpans(t, rec, status, errTyped)
}

// FailingFirst is a server that answers every odd request with status and
// failBody (with Retry-After-Ms 1, so that a client retries at once), and
// every even one with 200 and body. It counts the requests.
func FailingFirst(t testing.TB, status int, failBody, body string) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if calls.Add(1)%2 == 1 {
			w.Header().Set("Retry-After-Ms", "1")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(failBody))
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// CheckRetried makes a call that a FailingFirst server fails once, as a
// typed call and then through the middleware alone, on a client that
// retries once. The typed call is one span over both attempts, successful,
// with the last attempt's status; the middleware makes a span per attempt.
// It returns the typed call's span.
func CheckRetried(t testing.TB, rec *tracetest.SpanRecorder, calls *atomic.Int32, typed, viaMiddleware func() error) sdktrace.ReadOnlySpan {
	t.Helper()
	require.NoError(t, typed())
	s := Only(t, rec)
	assert.Equal(t, codes.Unset, s.Status().Code)
	assert.Equal(t, int64(http.StatusOK), Attrs(s.Attributes())[vocabulary.HTTPResponseStatusCode])
	assert.Empty(t, s.Events())

	require.NoError(t, viaMiddleware())
	spans := rec.Ended()
	require.Len(t, spans, 3)
	assert.Equal(t, codes.Error, spans[1].Status().Code)
	assert.Equal(t, codes.Unset, spans[2].Status().Code)
	assert.Equal(t, int32(4), calls.Load())
	return s
}

// CheckFailedWith checks that rec recorded one span, failed with the
// message of err (which must be an error), and returns it.
func CheckFailedWith(t testing.TB, rec *tracetest.SpanRecorder, err error) sdktrace.ReadOnlySpan {
	t.Helper()
	require.Error(t, err)
	s := Only(t, rec)
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, err.Error(), s.Status().Description)
	return s
}
