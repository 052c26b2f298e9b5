// Package pipelineerror turns an error from the next consumer into the HTTP
// answer a Rastir client understands: 429 or 503 (both retried by the
// client, with Retry-After) when the pipeline may take the batch later, 400
// when it never will.
package pipelineerror

import (
	"errors"
	"net/http"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Answer is the HTTP status for a refused batch and the text of its detail.
type Answer struct {
	Status int
	Detail string
}

// Retryable reports whether the answer carries Retry-After.
func (a Answer) Retryable() bool {
	return a.Status == http.StatusTooManyRequests || a.Status == http.StatusServiceUnavailable
}

// For maps a non-nil consumer error:
//   - permanent errors (the data can never be accepted) → 400, as contrib's
//     HTTP receivers do, so the client drops the batch instead of retrying;
//   - errors that carry HTTP 429 or gRPC RESOURCE_EXHAUSTED (a downstream
//     component asking to slow down) → 429;
//   - anything else, e.g. memory_limiter's refusal or a full exporter
//     queue → 503.
func For(err error) Answer {
	msg := err.Error()
	if consumererror.IsPermanent(err) {
		return Answer{Status: http.StatusBadRequest, Detail: "The pipeline rejected the batch: " + msg}
	}
	if tooManyRequests(err) {
		return Answer{Status: http.StatusTooManyRequests, Detail: "The pipeline is overloaded, retry later: " + msg}
	}
	return Answer{Status: http.StatusServiceUnavailable, Detail: "The pipeline is not accepting data, retry later: " + msg}
}

func tooManyRequests(err error) bool {
	var ce *consumererror.Error
	if errors.As(err, &ce) && consumererror.ToHTTPStatus(err) == http.StatusTooManyRequests {
		return true
	}
	if st, ok := status.FromError(err); ok && st.Code() == codes.ResourceExhausted {
		return true
	}
	return false
}
