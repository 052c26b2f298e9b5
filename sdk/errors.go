package rastir

import (
	"context"
	"errors"
	"fmt"
	"reflect"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
)

// deadlineExceededType is the type name of context.DeadlineExceeded
// ("context.deadlineExceededError"), which the vocabulary categorises as a
// timeout.
var deadlineExceededType = reflect.TypeOf(context.DeadlineExceeded).String()

// ErrorType returns the error.type (and exception.type) the SDK records for
// err: context.deadlineExceededError for an expired deadline anywhere in the
// chain, vocabulary.ErrorTypeContextCanceled for a cancelled context,
// vocabulary.ErrorTypeTimeout for an error reporting Timeout() (net,
// net/http), else the Go type of the first error in the chain that is not a
// mere wrapper (fmt.Errorf's %w, errors.Join), such as "*openai.Error".
// An error whose chain holds a nil pointer gets that Go type alone (no
// deadline, cancellation or timeout test), so that no method of the nil
// pointer is called.
func ErrorType(err error) string {
	switch {
	case err == nil:
		return ""
	case nilPointer(err):
		return reflect.TypeOf(err).String()
	case hasNilPointer(err, 0):
		// errors.Is would call the nil pointer's methods.
		return reflect.TypeOf(significant(err)).String()
	case errors.Is(err, context.DeadlineExceeded):
		return deadlineExceededType
	case errors.Is(err, context.Canceled):
		return vocabulary.ErrorTypeContextCanceled
	case isTimeout(err):
		return vocabulary.ErrorTypeTimeout
	}
	return reflect.TypeOf(significant(err)).String()
}

// nilPointer reports whether v, a non-nil interface value, holds a nil
// pointer: a function returning a nil *MyError as error, or a nil
// *TracerProvider given as a provider. Its methods may not expect a nil
// receiver, so the SDK reads only its type.
func nilPointer(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// hasNilPointer reports whether err or an error its chain holds is a nil
// pointer; the chain is walked without calling a nil pointer's methods.
func hasNilPointer(err error, depth int) bool {
	for ; err != nil && depth < 32; depth++ {
		if nilPointer(err) {
			return true
		}
		switch u := err.(type) { //nolint:errorlint // walking the chain by hand
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				if hasNilPointer(e, depth+1) {
					return true
				}
			}
			return false
		default:
			return false
		}
	}
	return false
}

// errorMessage returns err's message; fmt prints a nil pointer as "<nil>",
// and a panic of an Error method reaching a nil pointer as its message.
func errorMessage(err error) string {
	if hasNilPointer(err, 0) {
		return fmt.Sprint(err)
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// significant skips the standard library's wrapping types, and a panic's
// around an error, whose names say nothing about the failure.
func significant(err error) error {
	for range 32 {
		switch reflect.TypeOf(err).String() {
		case "*fmt.wrapError", "*fmt.wrapErrors", "*errors.joinError", "rastir.PanicError":
		default:
			return err
		}
		var next error
		switch u := err.(type) { //nolint:errorlint // walking the chain by hand
		case interface{ Unwrap() error }:
			next = u.Unwrap()
		case interface{ Unwrap() []error }:
			if errs := u.Unwrap(); len(errs) > 0 {
				next = errs[0]
			}
		}
		if next == nil {
			return err
		}
		err = next
	}
	return err
}

// HTTPStatus returns the HTTP status code an error carries (a method
// HTTPStatusCode() int, as the AWS SDK's response errors have, or
// StatusCode() int), or 0.
func HTTPStatus(err error) int {
	if err == nil || hasNilPointer(err, 0) {
		return 0
	}
	var a interface{ HTTPStatusCode() int }
	if errors.As(err, &a) {
		return a.HTTPStatusCode()
	}
	var b interface{ StatusCode() int }
	if errors.As(err, &b) {
		return b.StatusCode()
	}
	return 0
}

// ErrorCategory returns the rastir.error.category of err, as the collector
// computes it: by the HTTP status when one is known (httpStatus, else the
// error's own; 429 rate_limit, 408/504 timeout, 400/422 validation_error,
// other 4xx/5xx provider_error), else by vocabulary.CategorizeErrorType of
// ErrorType(err). A nil error is "".
func ErrorCategory(err error, httpStatus int) string {
	if err == nil {
		return ""
	}
	if httpStatus <= 0 {
		httpStatus = HTTPStatus(err)
	}
	return categorize(ErrorType(err), httpStatus)
}

func categorize(typ string, httpStatus int) string {
	if httpStatus > 0 {
		if c := vocabulary.CategorizeHTTPStatus(httpStatus); c != vocabulary.ErrorUnknown {
			return c
		}
	}
	return vocabulary.CategorizeErrorType(typ)
}
