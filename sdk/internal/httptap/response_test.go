package httptap

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/sdktest"
)

type recorder struct {
	lines    []string
	body     []byte
	bodyNil  bool
	err      error
	finished int
}

func (r *recorder) Line(line []byte) { r.lines = append(r.lines, string(line)) }

func (r *recorder) Finish(body []byte, err error) {
	r.finished++
	r.body, r.bodyNil, r.err = bytes.Clone(body), body == nil, err
}

func TestStreamLines(t *testing.T) {
	const data = "event: a\r\ndata: {\"x\":1}\n\n" + "data: last"
	for name, rd := range map[string]io.Reader{
		"whole":      strings.NewReader(data),
		"byte-wise":  iotest.OneByteReader(strings.NewReader(data)),
		"half-reads": iotest.HalfReader(strings.NewReader(data)),
	} {
		t.Run(name, func(t *testing.T) {
			r := &recorder{}
			tap := New(io.NopCloser(rd), true, 0, r)
			out, err := io.ReadAll(tap)
			if err != nil || string(out) != data {
				t.Fatalf("passed through %q, %v", out, err)
			}
			want := []string{"event: a", `data: {"x":1}`, "", "data: last"}
			if strings.Join(r.lines, "|") != strings.Join(want, "|") {
				t.Fatalf("lines %q, want %q", r.lines, want)
			}
			if r.finished != 1 || !r.bodyNil || r.err != nil {
				t.Fatalf("finish: %d %v %v", r.finished, r.bodyNil, r.err)
			}
			_ = tap.Close()
			if r.finished != 1 {
				t.Fatalf("finished %d times", r.finished)
			}
		})
	}
}

func TestStreamDropsOverlongLine(t *testing.T) {
	data := "data: " + strings.Repeat("a", MaxLine) + "\ndata: ok\n"
	r := &recorder{}
	if _, err := io.ReadAll(New(io.NopCloser(iotest.HalfReader(strings.NewReader(data))), true, 0, r)); err != nil {
		t.Fatal(err)
	}
	if len(r.lines) != 1 || r.lines[0] != "data: ok" {
		t.Fatalf("%d lines, the first %d bytes long", len(r.lines), len(r.lines[0]))
	}
}

func TestWholeBody(t *testing.T) {
	const data = `{"id":"x"}`
	r := &recorder{}
	if _, err := io.ReadAll(New(io.NopCloser(iotest.OneByteReader(strings.NewReader(data))), false, int64(len(data)), r)); err != nil {
		t.Fatal(err)
	}
	if string(r.body) != data || r.bodyNil || r.finished != 1 {
		t.Fatalf("body %q nil %v finished %d", r.body, r.bodyNil, r.finished)
	}
}

func TestBodyOverLimit(t *testing.T) {
	r := &recorder{}
	big := bytes.Repeat([]byte("a"), MaxBuffered+1)
	if _, err := io.ReadAll(New(io.NopCloser(bytes.NewReader(big)), false, 0, r)); err != nil {
		t.Fatal(err)
	}
	if !r.bodyNil || r.finished != 1 {
		t.Fatalf("body kept past the limit: %d bytes", len(r.body))
	}
}

func TestReadErrorAndEarlyClose(t *testing.T) {
	boom := errors.New("connection reset")
	r := &recorder{}
	tap := New(io.NopCloser(iotest.ErrReader(boom)), false, 0, r)
	if _, err := tap.Read(make([]byte, 8)); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	if !errors.Is(r.err, boom) || r.finished != 1 {
		t.Fatalf("finish: %v, %d", r.err, r.finished)
	}

	r = &recorder{}
	tap = New(io.NopCloser(strings.NewReader("data: a\ndata: b")), true, 0, r)
	buf := make([]byte, 8)
	if _, err := tap.Read(buf); err != nil {
		t.Fatal(err)
	}
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	if r.finished != 1 || r.err != nil || len(r.lines) != 1 {
		t.Fatalf("early close: finished %d err %v lines %q", r.finished, r.err, r.lines)
	}
}

// TestConcurrentTapsKeepTheirBodies runs many taps at once: their buffers
// come from one pool and go back to it after Finish, so a buffer handed to
// a second tap while the first still used it would mix the bodies.
func TestConcurrentTapsKeepTheirBodies(t *testing.T) {
	const taps = 64
	errs := make(chan error, taps)
	for i := range taps {
		go func() {
			body := strings.Repeat(string(rune('a'+i%26)), 100+i*37)
			for range 20 {
				var got []byte
				h := finishFunc(func(b []byte, err error) {
					if err != nil {
						errs <- err
						return
					}
					got = bytes.Clone(b)
				})
				var tap Tap
				tap.Init(io.NopCloser(iotest.HalfReader(strings.NewReader(body))), false, int64(len(body)), h)
				if _, err := io.Copy(io.Discard, &tap); err != nil {
					errs <- err
					return
				}
				if string(got) != body {
					errs <- errors.New("a tap saw another tap's body")
					return
				}
			}
			errs <- nil
		}()
	}
	for range taps {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}

// finishFunc is a Handler of whole bodies.
type finishFunc func(body []byte, err error)

func (finishFunc) Line([]byte)                     {}
func (f finishFunc) Finish(body []byte, err error) { f(body, err) }

func TestCloseDuringRead(t *testing.T) {
	// The caller closes the body while another goroutine reads it: the
	// read error the close causes ends the tap without an error.
	body := sdktest.NewBlockedBody()
	r := &recorder{}
	tap := New(body, true, 0, r)
	go func() {
		_, _ = tap.Read(make([]byte, 16))
		body.ReadReturned()
	}()
	<-body.Reading()
	if err := tap.Close(); err != nil {
		t.Fatal(err)
	}
	if r.finished != 1 || r.err != nil {
		t.Fatalf("finished %d times, err %v", r.finished, r.err)
	}
}
