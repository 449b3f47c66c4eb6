package conformance

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testBrokenRoundTripper: a caller's RoundTripper that breaks the
// http.RoundTripper contract (a mock in someone's tests, a proxy library
// with a bug) gets a typed error, never a panic, and its answers are read
// as http.Client reads them: no response and no error is a failure of the
// transport, a body that is nil stands for an empty one unless the
// response says it has content, and a response that comes with an error
// is dropped (and closed).
func testBrokenRoundTripper(t *testing.T, p Provider) {
	cases := []struct {
		name   string
		answer func(r *http.Request) (*http.Response, error)
		check  func(t *testing.T, err error)
	}{
		{"NoResponseNoError", func(*http.Request) (*http.Response, error) { return nil, nil }, func(t *testing.T, err error) {
			requireNetworkError(t, err, 1)
			assert.Contains(t, err.Error(), "returned no response and no error")
		}},
		{"NilBodyWithContentLength", func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, ContentLength: 52, Request: r}, nil
		}, func(t *testing.T, err error) {
			requireNetworkError(t, err, 1)
			assert.Contains(t, err.Error(), "Content-Length 52 and no body")
		}},
		{"NilBodyIsEmpty", func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusInternalServerError, Request: r}, nil // no header map either
		}, func(t *testing.T, err error) {
			apiErr := requireAPIError(t, err, http.StatusInternalServerError, mfaclient.ErrServer, 1)
			assert.Empty(t, apiErr.Body)
		}},
		{"ResponseAndError", func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(`{}`)), Request: r},
				errors.New("proxy: upstream went away")
		}, func(t *testing.T, err error) {
			requireNetworkError(t, err, 1)
			assert.Contains(t, err.Error(), "proxy: upstream went away")
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachOperation(t, p, func(t *testing.T, op operation) {
				var calls atomic.Int32
				rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
					calls.Add(1)
					if r.Body != nil {
						_ = r.Body.Close()
					}
					return tc.answer(r)
				})
				c, err := p.New("http://127.0.0.1", noRetry, mfaclient.WithHTTPClient(&http.Client{Transport: rt}))
				require.NoError(t, err)
				require.NotPanics(t, func() { err = op.Call(bg(), c) })
				tc.check(t, err)
				assert.EqualValues(t, 1, calls.Load(), "one request")
			})
		})
	}
}
