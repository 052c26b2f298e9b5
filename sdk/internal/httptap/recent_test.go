package httptap

import (
	"slices"
	"testing"
	"unsafe"
)

func TestRecentKeepsOneCopy(t *testing.T) {
	var r Recent
	buf := []byte("gpt-4.1")
	first := r.String(string(buf))
	buf[0] = 'X' // the view's buffer is reused
	if first != "gpt-4.1" {
		t.Fatalf("copy changed with its source: %q", first)
	}
	second := r.String("gpt-4.1")
	if unsafe.StringData(first) != unsafe.StringData(second) {
		t.Error("the same model got a second copy")
	}
	if got := r.String("gpt-4o"); got != "gpt-4o" {
		t.Errorf("String(gpt-4o) = %q", got)
	}
	if got := r.String(""); got != "" {
		t.Errorf("String(\"\") = %q", got)
	}
}

func TestSpanNames(t *testing.T) {
	var n SpanNames
	for _, tc := range []struct{ op, model, want string }{
		{"chat", "gpt-4.1", "chat gpt-4.1"},
		{"chat", "gpt-4.1", "chat gpt-4.1"},
		{"embeddings", "gpt-4.1", "embeddings gpt-4.1"},
		{"chat", "", "chat"},
		{"chat", "o3", "chat o3"},
	} {
		if got := n.Name(tc.op, tc.model); got != tc.want {
			t.Errorf("Name(%q, %q) = %q, want %q", tc.op, tc.model, got, tc.want)
		}
	}
	a, b := n.Name("chat", "o3"), n.Name("chat", "o3")
	if unsafe.StringData(a) != unsafe.StringData(b) {
		t.Error("the same name was joined twice")
	}
}

func TestRecentStringsKeepsOneCopy(t *testing.T) {
	var r RecentStrings
	buf := []byte("ENDstop")
	views := []string{string(buf[:3]), "", unsafe.String(&buf[3], 4)}
	first := r.Strings(views)
	buf[0], buf[3] = 'X', 'X' // the views' buffer is reused
	if !slices.Equal(first, []string{"END", "", "stop"}) {
		t.Fatalf("copy changed with its source: %q", first)
	}
	second := r.Strings([]string{"END", "", "stop"})
	if &first[0] != &second[0] {
		t.Error("the same strings got a second copy")
	}
	if got := r.Strings([]string{"END"}); !slices.Equal(got, []string{"END"}) {
		t.Errorf("Strings([END]) = %q", got)
	}
	if got := r.Strings(nil); got != nil {
		t.Errorf("Strings(nil) = %q", got)
	}
}
