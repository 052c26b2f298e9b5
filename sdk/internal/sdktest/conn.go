package sdktest

import (
	"io"
	"net/http"
	"net/http/httptrace"
	"testing"
)

// GetReused makes a GET to url with client, reads the body to its end (so
// that the connection goes back to the pool) and reports whether the
// request reused an idle connection.
func GetReused(t testing.TB, client *http.Client, url string) (reused bool) {
	t.Helper()
	ctx := httptrace.WithClientTrace(t.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) { reused = info.Reused },
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return reused
}
