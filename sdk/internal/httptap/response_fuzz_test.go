package httptap

import (
	"bytes"
	"io"
	"testing"

	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

// FuzzStreamLines passes any body through a stream Tap in reads of any
// size: the reader gets the body unchanged, the Handler gets the body's
// lines (without "\n" and one trailing "\r") in order and one Finish.
func FuzzStreamLines(f *testing.F) {
	f.Add([]byte("event: a\r\ndata: {\"x\":1}\n\ndata: last"), uint8(1))
	f.Add([]byte("data: [DONE]\n\n\r\n\n"), uint8(7))
	f.Add([]byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		r := &recorder{}
		out, err := io.ReadAll(New(io.NopCloser(adaptertest.ChunkedReader(data, chunk)), true, 0, r))
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("passed through %q, %v", out, err)
		}
		if r.finished != 1 || r.err != nil || !r.bodyNil {
			t.Fatalf("finished %d times, err %v, body nil %v", r.finished, r.err, r.bodyNil)
		}
		var want []string
		for _, line := range bytes.Split(data, []byte("\n")) {
			want = append(want, string(bytes.TrimSuffix(line, []byte("\r"))))
		}
		// A body ending in a newline has no line after it.
		if len(data) == 0 || data[len(data)-1] == '\n' {
			want = want[:len(want)-1]
		}
		if len(want) != len(r.lines) {
			t.Fatalf("lines %q, want %q", r.lines, want)
		}
		for i := range want {
			if want[i] != r.lines[i] {
				t.Fatalf("line %d %q, want %q", i, r.lines[i], want[i])
			}
		}
	})
}
