package rastirbedrock

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type failingBody struct{ io.Reader }

func (failingBody) Close() error { return nil }

// TestCaptureLimits: a Converse body too large to capture, or whose read
// fails, reaches the SDK whole.
func TestCaptureLimits(t *testing.T) {
	large := `{"trace":{"guardrail":{}},"x":"` + strings.Repeat("a", maxCapture) + `"}`
	for _, tc := range []struct {
		name string
		body io.ReadCloser
		want string
	}{
		{"large", io.NopCloser(strings.NewReader(large)), large},
		{"error", failingBody{io.MultiReader(strings.NewReader("{\"tra"), iotestErrReader{})}, "{\"tra"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &call{op: opConverse, trace: true}
			ctx := context.WithValue(context.Background(), callKey{}, c)
			next := middleware.DeserializeHandlerFunc(func(context.Context, middleware.DeserializeInput) (middleware.DeserializeOutput, middleware.Metadata, error) {
				return middleware.DeserializeOutput{RawResponse: &smithyhttp.Response{Response: &http.Response{StatusCode: http.StatusOK, ContentLength: -1, Body: tc.body}}}, middleware.Metadata{}, nil
			})
			out, _, err := handleDeserialize(ctx, middleware.DeserializeInput{}, next)
			require.NoError(t, err)
			got, rerr := io.ReadAll(out.RawResponse.(*smithyhttp.Response).Body)
			assert.Equal(t, tc.want, string(got[:len(tc.want)]))
			if tc.name == "error" {
				assert.Error(t, rerr)
			} else {
				assert.NoError(t, rerr)
				assert.True(t, bytes.Equal([]byte(tc.want), got))
			}
			assert.Nil(t, c.guardrailTrace)
		})
	}
}

type iotestErrReader struct{}

func (iotestErrReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }
