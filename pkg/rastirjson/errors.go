package rastirjson

import "fmt"

// The answers Rastir gives for malformed batches; clients and tests match
// them, so they are kept verbatim.
const (
	DetailInvalidJSON = "Invalid JSON"
	DetailNotObject   = "Payload must be a JSON object"
	DetailSpans       = "'spans' must be a non-empty array"
)

// Error is a batch the decoder refuses. The receiver answers it with HTTP 400
// and the body {"detail": Detail, "reason": Reason}.
type Error struct {
	// Detail is the message of the "detail" field: Rastir's text where
	// Rastir has one, otherwise a sentence that names the offending field.
	Detail string
	// Reason optionally explains Detail (for example where the JSON is
	// malformed).
	Reason string
}

func (e *Error) Error() string {
	if e.Reason == "" {
		return e.Detail
	}
	return e.Detail + ": " + e.Reason
}

func invalidJSON(reason string) *Error {
	return &Error{Detail: DetailInvalidJSON, Reason: reason}
}

// fieldError names a field by its path in the batch, e.g.
// 'spans[3].attributes.tokens_input'.
func fieldError(format string, args ...any) *Error {
	return &Error{Detail: fmt.Sprintf(format, args...)}
}
