// Package httptap lets the SDK's HTTP adapters read a model provider's
// request and response without consuming them: the request body is read
// from a copy, and a response body is passed through to its reader while a
// Handler sees it (the whole JSON body, or an event stream line by line)
// and ends the span when the body ends.
package httptap

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"sync"
)

const (
	// MaxBuffered bounds the copy of a non-stream body a Tap keeps; past it
	// the Handler gets no body.
	MaxBuffered = 8 << 20
	// MaxLine bounds one line of an event stream; a longer line is
	// dropped. A line can be a whole response (the Responses API's
	// response.completed event, with a generated image in base64), so it
	// has a non-stream body's bound.
	MaxLine = MaxBuffered
)

// Handler receives what a Tap sees, one call at a time.
type Handler interface {
	// Line is one line of an event stream, without its line end.
	Line(line []byte)
	// Finish is called once: at the body's end (err nil), at a read
	// error, or when the body is closed before its end (err nil). body is
	// the whole body of a non-stream response, nil when it outgrew
	// MaxBuffered or for a stream; it is only valid during the call.
	Finish(body []byte, err error)
}

// Tap is an io.ReadCloser over a response body. Its zero value is ready
// for Init; an adapter embeds it in its own per-response state so that both
// cost one allocation.
type Tap struct {
	rc     io.ReadCloser
	h      Handler
	stream bool

	mu       sync.Mutex
	done     bool
	closing  bool // Close was called: a read error from then on is the close's doing
	overflow bool // non-stream: the body outgrew MaxBuffered; stream: dropping an over-long line
	// buf holds the body (non-stream) or the current incomplete line
	// (stream); it comes from slabPool through slab and goes back there
	// once the Handler has finished.
	buf  []byte
	slab *[]byte
}

// slabPool holds the buffers of finished taps.
var slabPool = sync.Pool{New: func() any { return new([]byte) }}

// New taps rc. A stream is split into lines; otherwise the body is kept
// whole, with room for sizeHint bytes (the Content-Length, when known).
func New(rc io.ReadCloser, stream bool, sizeHint int64, h Handler) *Tap {
	t := new(Tap)
	t.Init(rc, stream, sizeHint, h)
	return t
}

// Init makes t, a zero Tap, tap rc (see New).
func (t *Tap) Init(rc io.ReadCloser, stream bool, sizeHint int64, h Handler) {
	t.rc, t.h, t.stream = rc, h, stream
	t.slab = slabPool.Get().(*[]byte)
	t.buf = (*t.slab)[:0]
	if !stream && sizeHint > 0 && sizeHint <= MaxBuffered {
		t.buf = slices.Grow(t.buf, int(sizeHint))
	}
}

func (t *Tap) Read(p []byte) (int, error) {
	n, err := t.rc.Read(p)
	t.mu.Lock()
	if !t.done {
		if n > 0 {
			t.observe(p[:n])
		}
		if err != nil {
			if errors.Is(err, io.EOF) || t.closing {
				t.finish(nil)
			} else {
				t.finish(err)
			}
		}
	}
	t.mu.Unlock()
	return n, err
}

func (t *Tap) Close() error {
	// A Read blocked on another goroutine fails once the body is closed;
	// that is the caller ending the response early, not a failed call.
	t.mu.Lock()
	t.closing = true
	t.mu.Unlock()
	err := t.rc.Close()
	t.mu.Lock()
	if !t.done {
		t.finish(nil)
	}
	t.mu.Unlock()
	return err
}

func (t *Tap) observe(p []byte) {
	if !t.stream {
		if t.overflow {
			return
		}
		if len(t.buf)+len(p) > MaxBuffered {
			t.overflow = true
			t.buf = nil
			return
		}
		t.buf = append(t.buf, p...)
		return
	}
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			if !t.overflow {
				if len(t.buf)+len(p) > MaxLine {
					t.overflow = true
					t.buf = t.buf[:0]
				} else {
					t.buf = append(t.buf, p...)
				}
			}
			return
		}
		line := p[:i]
		p = p[i+1:]
		if t.overflow || len(t.buf)+len(line) > MaxLine {
			t.overflow = false
			t.buf = t.buf[:0]
			continue
		}
		if len(t.buf) > 0 {
			t.buf = append(t.buf, line...)
			line = t.buf
		}
		t.h.Line(bytes.TrimSuffix(line, []byte{'\r'}))
		t.buf = t.buf[:0]
	}
}

func (t *Tap) finish(err error) {
	t.done = true
	var body []byte
	switch {
	case !t.stream && !t.overflow:
		body = t.buf
		if body == nil {
			body = []byte{}
		}
	case t.stream && len(t.buf) > 0 && !t.overflow:
		// A last line without its newline.
		t.h.Line(bytes.TrimSuffix(t.buf, []byte{'\r'}))
	}
	t.h.Finish(body, err)
	if cap(t.buf) <= maxPooled {
		*t.slab = t.buf[:0]
		slabPool.Put(t.slab)
	}
	t.buf, t.slab = nil, nil
}
