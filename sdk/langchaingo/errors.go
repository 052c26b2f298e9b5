package rastirlangchaingo

import (
	"errors"
	"reflect"
	"strings"

	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/attribute"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"

	rastir "github.com/otelcol-rastir/otelcol-rastir/sdk"
)

// errNilError fails a span whose error callback carried no error.
var errNilError = errors.New("langchaingo: error callback without an error")

// statusPrefix starts the message of the error langchaingo's OpenAI,
// Anthropic and Ernie clients return when the API answers with a status
// other than 200 ("API returned unexpected status code: 429: ..."); the
// error carries the status in its message only.
const statusPrefix = "API returned unexpected status code: "

// mistralStatusPrefix starts the error the Mistral client of langchaingo's
// Mistral LLM returns for a status of 400 or more ("(HTTP Error 429)
// {...}"), its embeddings' after a prefix of their own.
const mistralStatusPrefix = "(HTTP Error "

// finish fails and ends s with err. An error of langchaingo's API clients
// (its OpenAI, Anthropic and Ernie clients, the Mistral client)
// gives an LLM span the HTTP status of the API's answer
// (http.response.status_code), which categorises the error (429
// rate_limit, 5xx provider_error, ...), and other spans that category; the
// category of a langchaingo *llms.Error comes from its code.
func finish(s *rastir.Span, err error) {
	if s == nil {
		return
	}
	if err == nil {
		err = errNilError
	}
	status := apiStatus(err)
	llm := s.Kind() == rastir.KindLLM
	if llm {
		s.SetHTTPStatus(status)
	}
	s.Fail(err)
	if c := codeCategory(err); c != "" {
		s.SetAttributes(attribute.String(vocabulary.RastirErrorCategoryKey, c))
	} else if c := vocabulary.CategorizeHTTPStatus(status); !llm && status > 0 && c != vocabulary.ErrorUnknown {
		s.SetAttributes(attribute.String(vocabulary.RastirErrorCategoryKey, c))
	}
	s.End()
}

// apiStatus returns the status in the message of an error of langchaingo's
// API clients (see statusPrefix and mistralStatusPrefix), or 0.
func apiStatus(err error) int {
	if err == nil || nilPointer(err) {
		return 0
	}
	msg := err.Error()
	if i := strings.Index(msg, statusPrefix); i >= 0 {
		msg = msg[i+len(statusPrefix):]
	} else if i := strings.Index(msg, mistralStatusPrefix); i >= 0 {
		msg = msg[i+len(mistralStatusPrefix):]
	} else {
		return 0
	}
	n := 0
	for j := range 4 {
		if j == len(msg) || msg[j] < '0' || msg[j] > '9' {
			if j == 3 && n >= 100 && n <= 599 {
				return n
			}
			return 0
		}
		n = n*10 + int(msg[j]-'0')
	}
	return 0 // four digits or more
}

// nilPointer reports whether err is a nil pointer in a non-nil error, whose
// methods may not expect a nil receiver.
func nilPointer(err error) bool {
	v := reflect.ValueOf(err)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// codeCategory maps the code of a langchaingo *llms.Error to an error
// category, or "".
func codeCategory(err error) string {
	if err == nil || nilPointer(err) {
		return ""
	}
	var e *llms.Error
	if !errors.As(err, &e) || e == nil {
		return ""
	}
	switch e.Code {
	case llms.ErrCodeRateLimit, llms.ErrCodeQuotaExceeded:
		return vocabulary.ErrorRateLimit
	case llms.ErrCodeTimeout:
		return vocabulary.ErrorTimeout
	case llms.ErrCodeInvalidRequest, llms.ErrCodeTokenLimit, llms.ErrCodeContentFilter:
		return vocabulary.ErrorValidation
	case llms.ErrCodeProviderUnavailable, llms.ErrCodeAuthentication, llms.ErrCodeResourceNotFound:
		return vocabulary.ErrorProvider
	}
	return ""
}
