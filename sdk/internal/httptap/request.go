package httptap

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled bounds the buffers kept for reading request bodies; a larger
// one is left to the garbage collector.
const maxPooled = 1 << 20

// PeekRequest calls read with a copy of req's body and leaves the body the
// client sends as it was (re-readable through GetBody). body is only valid
// during the call. Nothing is called when there is no body or it cannot be
// read.
//
// The body itself is read, and GetBody asked once for the body to send: a
// GetBody that copies (the Stainless clients' for their JSON bodies,
// net/http's for a bytes or strings reader) allocates at each call, and
// one that rewinds a shared reader (the Stainless clients' for a
// *bytes.Reader body) must be asked after the read, which drained it.
func PeekRequest(req *http.Request, read func(body []byte)) {
	if req.Body == nil || req.Body == http.NoBody {
		return
	}
	if req.GetBody == nil {
		data, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		SetBody(req, data)
		if err == nil {
			read(data)
		}
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooled {
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	_, readErr := buf.ReadFrom(req.Body)
	_ = req.Body.Close()
	switch rc, err := req.GetBody(); {
	case err == nil:
		req.Body = rc
	case readErr == nil:
		// The body read is what is left to send (the pooled buffer is
		// reused, so it is copied).
		SetBody(req, bytes.Clone(buf.Bytes()))
	default:
		// Neither whole: the transport fails with the read's error, as
		// it would have without the peek, not with a cut body sent.
		req.Body = io.NopCloser(io.MultiReader(bytes.NewReader(bytes.Clone(buf.Bytes())), errReader{readErr}))
	}
	if readErr == nil {
		read(buf.Bytes())
	}
}

// errReader fails every read with its error.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// SetBody makes data the body of req, re-readable through GetBody.
func SetBody(req *http.Request, data []byte) {
	req.Body = io.NopCloser(bytes.NewReader(data))
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	req.ContentLength = int64(len(data))
}

// IsEventStream tells a server-sent events response by its Content-Type.
func IsEventStream(contentType string) bool {
	return strings.HasPrefix(strings.TrimSpace(strings.ToLower(contentType)), "text/event-stream")
}

// Port is the port req goes to: the URL's, else its scheme's default (0
// when unknown).
func Port(req *http.Request) int {
	// An empty port would make Atoi allocate its error.
	if ps := req.URL.Port(); ps != "" {
		if p, err := strconv.Atoi(ps); err == nil && p > 0 {
			return p
		}
	}
	switch req.URL.Scheme {
	case "https":
		return 443
	case "http":
		return 80
	}
	return 0
}
