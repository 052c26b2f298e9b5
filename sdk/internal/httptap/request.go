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
func PeekRequest(req *http.Request, read func(body []byte)) {
	if req.Body == nil || req.Body == http.NoBody {
		return
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooled {
			buf.Reset()
			bufPool.Put(buf)
		}
	}()
	if req.GetBody != nil {
		rc, err := req.GetBody()
		if err != nil {
			return
		}
		_, err = buf.ReadFrom(rc)
		_ = rc.Close()
		rewind(req)
		if err != nil {
			return
		}
		read(buf.Bytes())
		return
	}
	data, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	SetBody(req, data)
	if err != nil {
		return
	}
	read(data)
}

// rewind asks GetBody once more, for the GetBody that hands back the body
// itself, rewound, instead of a copy: the Stainless clients (openai-go,
// anthropic-sdk-go) do so for a *bytes.Reader body, which reading the copy
// has drained before the transport sends it. A GetBody that makes copies
// makes one more, which is dropped.
func rewind(req *http.Request) {
	if rc, err := req.GetBody(); err == nil {
		_ = rc.Close()
	}
}

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
