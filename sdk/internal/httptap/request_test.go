package httptap

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"
)

func TestPeekRequest(t *testing.T) {
	const body = `{"model":"gpt-4o"}`
	for name, req := range map[string]*http.Request{
		"with GetBody":    mustRequest(t, body, true),
		"without GetBody": mustRequest(t, body, false),
		// The Stainless clients (openai-go, anthropic-sdk-go) give a
		// *bytes.Reader body a GetBody that rewinds that same reader and
		// hands it back instead of a copy.
		"GetBody rewinds the body": sharedBodyRequest(t, body),
	} {
		t.Run(name, func(t *testing.T) {
			var seen string
			PeekRequest(req, func(b []byte) { seen = string(b) })
			if seen != body {
				t.Fatalf("peeked %q", seen)
			}
			// The transport reads the whole body, and the client can
			// again for a retry.
			if b, _ := io.ReadAll(req.Body); string(b) != body {
				t.Fatalf("body left %q", b)
			}
			for range 2 {
				rc, err := req.GetBody()
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(rc)
				if string(b) != body {
					t.Fatalf("GetBody gives %q", b)
				}
			}
		})
	}
	called := false
	PeekRequest(&http.Request{Body: http.NoBody}, func([]byte) { called = true })
	if called {
		t.Fatal("called for an empty body")
	}
}

// TestPeekRequestAsksGetBodyOnce: a GetBody that copies (the Stainless
// clients' for their JSON bodies, net/http's for a bytes or strings reader)
// allocates its reader at each call, which is the peek's cost on the
// caller's path; one call gives both the copy to read and the body to send.
func TestPeekRequestAsksGetBodyOnce(t *testing.T) {
	const body = `{"model":"gpt-4o"}`
	req := mustRequest(t, body, true)
	getBody, calls := req.GetBody, 0
	req.GetBody = func() (io.ReadCloser, error) {
		calls++
		return getBody()
	}
	PeekRequest(req, func([]byte) {})
	if calls != 1 {
		t.Fatalf("GetBody called %d times", calls)
	}
	if b, _ := io.ReadAll(req.Body); string(b) != body {
		t.Fatalf("body left %q", b)
	}
}

// TestPeekRequestGetBodyFails: the body read for the peek is still sent
// when GetBody cannot give it again.
func TestPeekRequestGetBodyFails(t *testing.T) {
	const body = `{"model":"gpt-4o"}`
	req := mustRequest(t, body, true)
	req.GetBody = func() (io.ReadCloser, error) { return nil, io.ErrUnexpectedEOF }
	var seen string
	PeekRequest(req, func(b []byte) { seen = string(b) })
	if seen != body {
		t.Fatalf("peeked %q", seen)
	}
	if b, _ := io.ReadAll(req.Body); string(b) != body {
		t.Fatalf("body left %q", b)
	}
}

// TestPeekRequestBodyAndGetBodyFail: a body that fails to read and cannot
// be asked again fails the transport's read with the read's error, never
// going out cut.
func TestPeekRequestBodyAndGetBodyFail(t *testing.T) {
	req := mustRequest(t, "", true)
	req.Body = io.NopCloser(io.MultiReader(strings.NewReader(`{"model":`), iotest.ErrReader(io.ErrClosedPipe)))
	req.GetBody = func() (io.ReadCloser, error) { return nil, io.ErrUnexpectedEOF }
	called := false
	PeekRequest(req, func([]byte) { called = true })
	if called {
		t.Fatal("read called with a cut body")
	}
	b, err := io.ReadAll(req.Body)
	if string(b) != `{"model":` || !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("body gives %q, %v", b, err)
	}
}

func mustRequest(t *testing.T, body string, getBody bool) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "https://api.openai.com/v1/chat/completions", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if !getBody {
		req.GetBody = nil
	}
	return req
}

func sharedBodyRequest(t *testing.T, body string) *http.Request {
	t.Helper()
	req := mustRequest(t, body, false)
	r := strings.NewReader(body)
	req.Body = io.NopCloser(r)
	req.GetBody = func() (io.ReadCloser, error) {
		_, err := r.Seek(0, io.SeekStart)
		return io.NopCloser(r), err
	}
	return req
}

func TestPortAndEventStream(t *testing.T) {
	for raw, want := range map[string]int{
		"https://api.openai.com/v1": 443, "http://localhost/v1": 80, "http://localhost:11434/v1": 11434, "ftp://x/": 0,
	} {
		u, _ := url.Parse(raw)
		if got := Port(&http.Request{URL: u}); got != want {
			t.Errorf("Port(%s) = %d, want %d", raw, got, want)
		}
	}
	if !IsEventStream(" Text/Event-Stream; charset=utf-8") || IsEventStream("application/json") {
		t.Error("IsEventStream")
	}
}
