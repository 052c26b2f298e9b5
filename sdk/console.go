package rastir

import (
	"context"
	"io"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// consoleExporter writes each span as a line of the push exporter's span
// JSON (OTEL_TRACES_EXPORTER=console).
type consoleExporter struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	stopped bool
}

func (c *consoleExporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped || len(spans) == 0 {
		return nil
	}
	b := c.buf[:0]
	for _, s := range spans {
		b = appendSpan(b, s)
		b = append(b, '\n')
	}
	c.buf = b
	_, err := c.w.Write(b)
	return err
}

func (c *consoleExporter) Shutdown(context.Context) error {
	c.mu.Lock()
	c.stopped = true
	c.buf = nil
	c.mu.Unlock()
	return nil
}
