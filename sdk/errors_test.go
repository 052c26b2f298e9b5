package rastir

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

type statusError struct{ code int }

func (e *statusError) Error() string   { return fmt.Sprintf("status %d", e.code) }
func (e *statusError) StatusCode() int { return e.code }

type awsError struct{ code int }

func (e awsError) Error() string       { return "operation error" }
func (e awsError) HTTPStatusCode() int { return e.code }

type ValidationError struct{}

func (ValidationError) Error() string { return "bad input" }

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// httpClientTimeout makes a real net/http client time out.
func httpClientTimeout(t *testing.T) error {
	t.Helper()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-block }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(block) })
	c := &http.Client{Timeout: 20 * time.Millisecond}
	resp, err := c.Get(srv.URL)
	if resp != nil {
		_ = resp.Body.Close()
	}
	require.Error(t, err)
	return err
}

// dialTimeout makes a real net.OpError with a deadline.
func dialTimeout(t *testing.T) error {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = ln.Close() })
	conn, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetReadDeadline(time.Now()))
	_, err = conn.Read(make([]byte, 1))
	require.Error(t, err)
	return err
}

func TestErrorTypeAndCategory(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now())
	defer cancel()
	<-expired.Done()
	cancelled, cancel2 := context.WithCancel(context.Background())
	cancel2()

	tests := []struct {
		name         string
		err          error
		status       int
		wantType     string
		wantCategory string
	}{
		{"deadline", context.DeadlineExceeded, 0, "context.deadlineExceededError", vocabulary.ErrorTimeout},
		{"wrapped deadline", fmt.Errorf("call: %w", expired.Err()), 0, "context.deadlineExceededError", vocabulary.ErrorTimeout},
		{"cancelled", fmt.Errorf("call: %w", cancelled.Err()), 0, vocabulary.ErrorTypeContextCanceled, vocabulary.ErrorUnknown},
		{"net timeout", &net.OpError{Op: "read", Net: "tcp", Err: timeoutErr{}}, 0, vocabulary.ErrorTypeTimeout, vocabulary.ErrorTimeout},
		{"real read deadline", dialTimeout(t), 0, vocabulary.ErrorTypeTimeout, vocabulary.ErrorTimeout},
		{"real http client timeout", httpClientTimeout(t), 0, "context.deadlineExceededError", vocabulary.ErrorTimeout},
		{"os deadline", os.ErrDeadlineExceeded, 0, vocabulary.ErrorTypeTimeout, vocabulary.ErrorTimeout},
		{"plain", errors.New("x"), 0, "*errors.errorString", vocabulary.ErrorUnknown},
		{"wrapped type", fmt.Errorf("a: %w", fmt.Errorf("b: %w", ValidationError{})), 0, "rastir.ValidationError", vocabulary.ErrorValidation},
		{"joined", errors.Join(&rateLimitError{}, errors.New("y")), 0, "*rastir.rateLimitError", vocabulary.ErrorRateLimit},
		{"status method 429", &statusError{429}, 0, "*rastir.statusError", vocabulary.ErrorRateLimit},
		{"status method 503", fmt.Errorf("w: %w", &statusError{503}), 0, "*rastir.statusError", vocabulary.ErrorProvider},
		{"aws status 400", awsError{400}, 0, "rastir.awsError", vocabulary.ErrorValidation},
		{"explicit status wins", &rateLimitError{}, 500, "*rastir.rateLimitError", vocabulary.ErrorProvider},
		{"status 408", errors.New("x"), 408, "*errors.errorString", vocabulary.ErrorTimeout},
		{"panic", PanicError{"boom"}, 0, "rastir.PanicError", vocabulary.ErrorUnknown},
		{"panic with an error", PanicError{&rateLimitError{}}, 0, "*rastir.rateLimitError", vocabulary.ErrorRateLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.wantType, ErrorType(tt.err))
			assert.Equal(t, tt.wantCategory, ErrorCategory(tt.err, tt.status))
			// The span records the same, as the collector would compute it.
			rec := record(t)
			_, s := StartLLM(t.Context(), "m")
			s.SetHTTPStatus(tt.status)
			s.Finish(tt.err)
			got := attrMap(spanNamed(t, rec, "chat m").Attributes())
			assert.Equal(t, tt.wantType, got[vocabulary.ErrorType])
			assert.Equal(t, tt.wantCategory, got[vocabulary.RastirErrorCategoryKey])
			if tt.status == 0 && HTTPStatus(tt.err) == 0 {
				// Without an HTTP status the category is the type's, as the
				// collector computes it from exception.type.
				assert.Equal(t, tt.wantCategory, vocabulary.CategorizeErrorType(tt.wantType))
			}
		})
	}
	assert.Empty(t, ErrorType(nil))
	assert.Empty(t, ErrorCategory(nil, 500))
	assert.Zero(t, HTTPStatus(nil))
}

// apiError is an error type whose methods expect a non-nil receiver.
type apiError struct {
	code int
	err  error
}

func (e *apiError) Error() string       { return e.err.Error() }
func (e *apiError) Unwrap() error       { return e.err }
func (e *apiError) HTTPStatusCode() int { return e.code }

func TestTypedNilErrorIsRecordedWithoutPanic(t *testing.T) {
	rec := record(t)
	var err error
	require.NotPanics(t, func() {
		_, err = Tool(t.Context(), "lookup", func(context.Context) (int, error) {
			var e *apiError // a nil *apiError returned as a non-nil error
			return 0, e
		})
	})
	require.Error(t, err)
	s := spanNamed(t, rec, "execute_tool lookup")
	assert.Equal(t, codes.Error, s.Status().Code)
	assert.Equal(t, "<nil>", s.Status().Description)
	got := attrMap(s.Attributes())
	assert.Equal(t, "*rastir.apiError", got[vocabulary.ErrorType])
	assert.Equal(t, vocabulary.ErrorUnknown, got[vocabulary.RastirErrorCategoryKey])
	assert.NotContains(t, got, vocabulary.HTTPResponseStatusCode)

	var nilErr *apiError
	assert.Equal(t, "*rastir.apiError", ErrorType(nilErr))
	assert.Zero(t, HTTPStatus(nilErr))
	assert.Equal(t, vocabulary.ErrorUnknown, ErrorCategory(nilErr, 0))
}

// TestWrappedTypedNilErrorIsRecordedWithoutPanic: a nil pointer inside an
// error's chain (a typed nil wrapped with %w on its way up, or held by an
// error type of the application) is read by its type alone too: walking
// the chain with errors.Is and errors.As called its Unwrap method and
// panicked.
func TestWrappedTypedNilErrorIsRecordedWithoutPanic(t *testing.T) {
	rec := record(t)
	var nilErr *apiError
	for _, tc := range []struct {
		name, typ string
		err       error
	}{
		{"errorf", "*rastir.apiError", fmt.Errorf("lookup: %w", nilErr)},
		{"join", "*rastir.apiError", errors.Join(nilErr, errors.New("other"))},
		{"custom wrapper", "*rastir.apiError", &apiError{code: 503, err: nilErr}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.NotPanics(t, func() {
				assert.Equal(t, tc.typ, ErrorType(tc.err))
				_ = HTTPStatus(tc.err)
				_ = ErrorCategory(tc.err, 0)
				_, _ = Tool(t.Context(), tc.name, func(context.Context) (int, error) { return 0, tc.err })
			})
			s := spanNamed(t, rec, "execute_tool "+tc.name)
			assert.Equal(t, codes.Error, s.Status().Code)
			assert.Equal(t, tc.typ, attrMap(s.Attributes())[vocabulary.ErrorType])
		})
	}
}
