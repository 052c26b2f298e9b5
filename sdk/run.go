package rastir

import (
	"context"
	"errors"
	"fmt"
)

// ErrNilFunc is the error of a wrapper (Run, Tool, WrapFunc, ...) given a
// nil function: recorded on its span and returned, instead of a panic.
var ErrNilFunc = errors.New("rastir: nil function")

// ErrGoexit is the error a wrapper records when its function ended the
// goroutine with runtime.Goexit (testing's FailNow, SkipNow) instead of
// returning: the call did not complete.
var ErrGoexit = errors.New("rastir: function called runtime.Goexit")

// Run calls fn in a span of the given kind (see Start for what name is),
// with the span in fn's context (SpanFromContext gives it to fn for the
// setters), and records fn's error, the status and the duration. A panic
// is recorded as an error and re-raised. A nil fn is ErrNilFunc.
func Run[T any](ctx context.Context, kind Kind, name string, fn func(context.Context) (T, error), opts ...Option) (result T, err error) {
	ctx, s := Start(ctx, kind, name, opts...)
	if fn == nil {
		s.Finish(ErrNilFunc)
		return result, ErrNilFunc
	}
	returned := false
	defer func() {
		if r := recover(); r != nil {
			s.Fail(PanicError{r})
			s.End()
			panic(r)
		}
		if !returned {
			// Neither a return nor a panic (panic(nil) recovers as a
			// *runtime.PanicNilError): runtime.Goexit.
			s.Finish(ErrGoexit)
			return
		}
		s.Finish(err)
	}()
	result, err = fn(ctx)
	returned = true
	return result, err
}

// Agent runs fn in an agent span: the spans below it are attributed to the
// agent.
func Agent[T any](ctx context.Context, name string, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	return Run(ctx, KindAgent, name, fn, opts...)
}

// LLM runs fn in an LLM span for a call to model; fn sets the response
// fields on SpanFromContext(ctx).
func LLM[T any](ctx context.Context, model string, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	return Run(ctx, KindLLM, model, fn, opts...)
}

// Tool runs fn in a tool span.
func Tool[T any](ctx context.Context, name string, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	return Run(ctx, KindTool, name, fn, opts...)
}

// Retrieval runs fn in a retrieval span.
func Retrieval[T any](ctx context.Context, name string, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	return Run(ctx, KindRetrieval, name, fn, opts...)
}

// Evaluation runs fn in an evaluation span.
func Evaluation[T any](ctx context.Context, name string, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	return Run(ctx, KindEvaluation, name, fn, opts...)
}

// Infra runs fn in an infra span.
func Infra[T any](ctx context.Context, name string, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	return Run(ctx, KindInfra, name, fn, opts...)
}

// Trace runs fn in a plain span.
func Trace[T any](ctx context.Context, name string, fn func(context.Context) (T, error), opts ...Option) (T, error) {
	return Run(ctx, KindTrace, name, fn, opts...)
}

// PanicError is the error a wrapper records for a panic of the function it
// runs (the panic itself goes on). A panic with an error (a library's
// panic(err)) unwraps to it, so that error.type and the category are that
// error's.
type PanicError struct{ Value any }

func (p PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Unwrap returns the panic's value if it is an error, else nil.
func (p PanicError) Unwrap() error {
	err, _ := p.Value.(error)
	return err
}
