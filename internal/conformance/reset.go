package conformance

// Guarantee "A connection reset mid-body" (README, Security and
// reliability).

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testResetMidBody: a connection reset in the middle of the body is an
// answer lost on the way: ErrNetwork with the status that came and what
// came of the body, never the status's class or a success read from part
// of it; a reset before any answer is a network failure, retried only when
// the operation is safe to repeat.
func testResetMidBody(t *testing.T, p Provider) {
	for _, status := range []int{200, 404, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			eachOperation(t, p, func(t *testing.T, op operation) {
				partial := `{"success":true,"message":"MFA reset successf`
				srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) {
					resetConn(w, "HTTP/1.1 "+strconv.Itoa(status)+" "+http.StatusText(status)+
						"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"+partial)
				})
				ts := httptest.NewServer(srv)
				t.Cleanup(ts.Close)
				c, err := p.New(ts.URL, noRetry)
				require.NoError(t, err)
				apiErr := requireLostAnswer(t, op.Call(bg(), c), status)
				assert.Equal(t, partial, string(apiErr.Body))
			})
		})
	}
	t.Run("BeforeAnyAnswer", func(t *testing.T) {
		srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { resetConn(w, "") })
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		c, err := p.New(ts.URL, mfaclient.WithRetry(fastRetry))
		require.NoError(t, err)
		want := 1 // the request reached the server: the reset may have happened
		if p.ResetIdempotent {
			want = fastRetry.MaxRetries + 1
		}
		requireNetworkError(t, c.ResetMFA(bg(), p.UserID), want)
		assert.Len(t, srv.requests(), want)
	})
}
