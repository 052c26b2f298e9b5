package vocabulary

import "testing"

func TestOutputTypeOfMIME(t *testing.T) {
	for mime, want := range map[string]string{
		"application/json":                OutputTypeJSON,
		"Application/JSON; charset=utf-8": OutputTypeJSON,
		" application/json ":              OutputTypeJSON,
		"text/plain":                      OutputTypeText,
		"text/x.enum":                     OutputTypeText,
		"text/html":                       "",
		"":                                "",
		"application/jsonl":               "",
	} {
		if got := OutputTypeOfMIME(mime); got != want {
			t.Errorf("OutputTypeOfMIME(%q) = %q, want %q", mime, got, want)
		}
	}
}
