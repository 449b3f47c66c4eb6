package conformance

// Guarantee "Errors say whom" (README, Security and reliability).

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testErrorsSayWhom: every error of a call that names a user carries that
// user ID, as a field of its *OpError or *APIError and in its message, so
// that a bulk run's log line is self-contained; a call that names no user
// carries none. And an option says what it means: WithBaseURL("") is
// ErrInvalidInput, never "use the production host".
func testErrorsSayWhom(t *testing.T, p Provider) {
	t.Run("UserIDInEveryError", func(t *testing.T) { testUserIDInEveryError(t, p) })
	t.Run("EmptyBaseURL", func(t *testing.T) { testEmptyBaseURL(t, p) })
}

func testUserIDInEveryError(t *testing.T, p Provider) {
	srv := newServer(func(_ int, w http.ResponseWriter, r *http.Request) {
		switch code, _ := strconv.Atoi(r.Header.Get("X-Answer")); code {
		case 0:
			resetConn(w, "")
		case 1:
			resetConn(w, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{")
		default:
			statusJSON(w, code, `<html>no</html>`)
		}
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	eachOperation(t, p, func(t *testing.T, op operation) {
		check := func(what string, err error) {
			t.Helper()
			require.Error(t, err, what)
			var opErr *mfaclient.OpError
			var apiErr *mfaclient.APIError
			switch {
			case errors.As(err, &apiErr):
				assert.Equal(t, op.UserID, apiErr.UserID, "%s: APIError.UserID", what)
			case errors.As(err, &opErr):
				assert.Equal(t, op.UserID, opErr.UserID, "%s: OpError.UserID", what)
			default:
				t.Errorf("%s: %T is neither an *OpError nor an *APIError", what, err)
			}
			if op.UserID != "" {
				assert.Contains(t, err.Error(), `user "`+op.UserID+`"`, "%s: the message says whom", what)
			} else {
				assert.NotContains(t, err.Error(), `user "`, "%s: no user named", what)
			}
		}
		for _, answer := range []string{"404", "403", "400", "401", "500", "302", "0", "1"} {
			c, err := p.New(ts.URL, noRetry, mfaclient.WithHTTPClient(&http.Client{Transport: headerSetter{"X-Answer", answer}}))
			require.NoError(t, err)
			check("answer "+answer, op.Call(bg(), c))
		}
		c, err := p.New(closed.URL, noRetry)
		require.NoError(t, err)
		check("connection refused", op.Call(bg(), c))
		ctx, cancel := context.WithCancel(bg())
		cancel()
		check("context canceled", op.Call(ctx, c))

		// A rate limit beyond MaxWait, then the one learned without sending.
		rl := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			statusJSON(w, http.StatusTooManyRequests, `{}`, "Retry-After", "3600")
		}))
		t.Cleanup(rl.Close)
		c, err = p.New(rl.URL, mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Second}))
		require.NoError(t, err)
		check("rate limited", op.Call(bg(), c))
		check("rate limit learned", op.Call(bg(), c))

		// A 503 whose Retry-After is beyond MaxWait closes the gate too, and
		// the next call gets the outage learned without sending.
		down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			statusJSON(w, http.StatusServiceUnavailable, `{}`, "Retry-After", "3600")
		}))
		t.Cleanup(down.Close)
		c, err = p.New(down.URL, mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: time.Second}))
		require.NoError(t, err)
		check("server down", op.Call(bg(), c))
		check("server down learned", op.Call(bg(), c))
	})
	t.Run("InvalidUserID", func(t *testing.T) {
		c, err := p.New(ts.URL, noRetry)
		require.NoError(t, err)
		for _, id := range []string{"a\nb", "   "} {
			err := c.ResetMFA(bg(), id)
			require.ErrorIs(t, err, mfaclient.ErrInvalidInput)
			var opErr *mfaclient.OpError
			require.ErrorAs(t, err, &opErr)
			assert.Equal(t, id, opErr.UserID, "the rejected ID, as given")
			assert.NotContains(t, err.Error(), "\n", "but the message stays one line")
		}
	})
}

// testEmptyBaseURL: WithBaseURL("") — what WithBaseURL(os.Getenv("X"))
// gives when X is unset — is ErrInvalidInput from New, not the provider's
// production host.
func testEmptyBaseURL(t *testing.T, p Provider) {
	srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	_, err := p.New(ts.URL, mfaclient.WithBaseURL(""))
	require.ErrorIs(t, err, mfaclient.ErrInvalidInput)
	assert.True(t, isOnly(err, mfaclient.ErrInvalidInput), "%v", err)
	assert.Empty(t, srv.requests())
}
