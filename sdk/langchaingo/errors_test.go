package rastirlangchaingo

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tmc/langchaingo/llms"
	"go.opentelemetry.io/otel/codes"

	"github.com/otelcol-rastir/otelcol-rastir/pkg/vocabulary"
	"github.com/otelcol-rastir/otelcol-rastir/sdk/internal/adaptertest"
)

func TestAPIStatus(t *testing.T) {
	var nilErr *llms.Error
	for _, tc := range []struct {
		err  error
		want int
	}{
		{errors.New("API returned unexpected status code: 429: Rate limit reached"), 429},
		{fmt.Errorf("anthropic: failed to create message: %w", errors.New("API returned unexpected status code: 529: Overloaded")), 529},
		{errors.New("API returned unexpected status code: 503"), 503},
		{errors.New("API returned unexpected status code: 5030"), 0},
		{errors.New("API returned unexpected status code: 42"), 0},
		{errors.New("API returned unexpected status code: 099"), 0},
		{errors.New("API returned unexpected status code: abc"), 0},
		{errors.New("status 429"), 0},
		// The Mistral client's.
		{errors.New(`(HTTP Error 429) {"object": "error", "message": "Requests rate limit exceeded"}`), 429},
		{errors.New("failed to create embeddings: (HTTP Error 503) upstream connect error"), 503},
		{errors.New("(HTTP Error 4290) x"), 0},
		{errors.New("(HTTP Error x) x"), 0},
		{nilErr, 0},
		{nil, 0},
	} {
		assert.Equal(t, tc.want, apiStatus(tc.err), "%v", tc.err)
	}
}

// TestFinishOddErrors: an error callback without an error, or with a nil
// *llms.Error, still fails its span, without panicking.
func TestFinishOddErrors(t *testing.T) {
	rec := adaptertest.Record(t)
	h := New(WithModel("gpt-4o"))
	ctx := context.Background()
	var nilErr *llms.Error
	for _, err := range []error{nil, nilErr} {
		h.HandleLLMGenerateContentStart(ctx, nil)
		assert.NotPanics(t, func() { h.HandleLLMError(ctx, err) })
	}
	h.HandleToolStart(ctx, "")
	h.HandleToolError(ctx, fmt.Errorf("fetch: %w", errors.New("API returned unexpected status code: 503: busy")))
	ended := rec.Ended()
	require.Len(t, ended, 3)
	for _, s := range ended {
		assert.Equal(t, codes.Error, s.Status().Code)
	}
	assert.Equal(t, errNilError.Error(), ended[0].Status().Description)
	a := adaptertest.Attrs(ended[2].Attributes())
	assert.Equal(t, vocabulary.ErrorProvider, a[vocabulary.RastirErrorCategoryKey], "the status's category")
	assert.NotContains(t, a, vocabulary.HTTPResponseStatusCode, "a tool span is no API call")
}
