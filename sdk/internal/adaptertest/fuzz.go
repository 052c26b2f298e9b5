package adaptertest

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

// What the fuzz tests of the SDK's readers share.

// AddFiles adds the named files of the test's testdata directory to f's
// seed corpus.
func AddFiles(f *testing.F, names ...string) {
	f.Helper()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}

// Canonical decodes data into v with encoding/json and encodes v again:
// one spelling per key, escapes included, for a reader to be checked
// against what encoding/json decoded. It is false when encoding/json
// rejects data.
func Canonical(data []byte, v any) ([]byte, bool) {
	if json.Unmarshal(data, v) != nil {
		return nil, false
	}
	out, err := json.Marshal(v)
	return out, err == nil
}

// Deref returns *p, or none when p is nil.
func Deref[T any](p *T, none T) T {
	if p == nil {
		return none
	}
	return *p
}

// ChunkedReader reads data whole, a byte at a time or in halves, by mode
// (a fuzzed number), the ways a body reaches a tap.
func ChunkedReader(data []byte, mode uint8) io.Reader {
	rd := bytes.NewReader(data)
	switch mode % 3 {
	case 1:
		return iotest.OneByteReader(rd)
	case 2:
		return iotest.HalfReader(rd)
	}
	return rd
}
