package pipelineerror

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestFor(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		status    int
		retryable bool
	}{
		{"memory limiter refusal", errors.New("data refused due to high memory usage"), http.StatusServiceUnavailable, true},
		{"wrapped plain error", fmt.Errorf("exporter: %w", errors.New("sending queue is full")), http.StatusServiceUnavailable, true},
		{"retryable", consumererror.NewRetryableError(errors.New("later")), http.StatusServiceUnavailable, true},
		{"permanent", consumererror.NewPermanent(errors.New("bad data")), http.StatusBadRequest, false},
		{"http 429", consumererror.NewOTLPHTTPError(errors.New("slow down"), http.StatusTooManyRequests), http.StatusTooManyRequests, true},
		{"grpc resource exhausted", consumererror.NewOTLPGRPCError(errors.New("x"), status.New(codes.ResourceExhausted, "x")), http.StatusTooManyRequests, true},
		{"bare grpc status", status.Error(codes.ResourceExhausted, "x"), http.StatusTooManyRequests, true},
		{"grpc unavailable", status.Error(codes.Unavailable, "x"), http.StatusServiceUnavailable, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := For(tt.err)
			if a.Status != tt.status || a.Retryable() != tt.retryable || a.Detail == "" {
				t.Fatalf("got %+v (retryable %v), want %d %v", a, a.Retryable(), tt.status, tt.retryable)
			}
		})
	}
}
