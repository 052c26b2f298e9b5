package httptap

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
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
