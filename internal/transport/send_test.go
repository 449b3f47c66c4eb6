package transport

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// A call's first attempt skips http.Client (send.go) unless the caller's
// client has a redirect policy or a cookie jar of its own. What the caller
// sees must not depend on which: the same error, word for word, for a
// refused connection and for an https URL that reaches a plain-HTTP
// server (http.Client's ErrSchemeMismatch).
func TestFirstAttemptFailsAsThroughHTTPClient(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(plain.Close)
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + closed.Addr().String()
	require.NoError(t, closed.Close())

	for name, tc := range map[string]struct {
		baseURL string
		says    string
	}{
		"Refused":        {refused, "connection refused"},
		"SchemeMismatch": {"https://" + strings.TrimPrefix(plain.URL, "http://"), http.ErrSchemeMismatch.Error()},
	} {
		t.Run(name, func(t *testing.T) {
			errs := map[bool]string{}
			for _, hc := range []*http.Client{nil, {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }}} {
				opts := []mfaclient.Option{mfaclient.WithBaseURL(tc.baseURL), mfaclient.WithRetry(mfaclient.RetryPolicy{})}
				if hc != nil {
					opts = append(opts, mfaclient.WithHTTPClient(hc))
				}
				c, err := New(Config{Provider: "test", Settings: mfaclient.ApplyOptions(opts...), Classify: func(*Answer) Verdict { return Verdict{} }})
				require.NoError(t, err)
				err = c.Do(t.Context(), &Request{Operation: "ResetMFA", Method: http.MethodPost, Path: "/mfa/reset", Body: []byte(`{}`)})
				require.ErrorIs(t, err, mfaclient.ErrNetwork)
				assert.Contains(t, err.Error(), tc.says)
				assert.Contains(t, err.Error(), "Post "+tc.baseURL+"/mfa/reset: ")
				errs[c.rt.direct] = err.Error()
			}
			require.Len(t, errs, 2, "one client of each kind")
			assert.Equal(t, errs[false], errs[true])
		})
	}
}
