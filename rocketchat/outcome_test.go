package rocketchat_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/rocketchat"
)

// lostAnswerServer is a Rocket.Chat that carries out each reset and then
// loses its answer: it drops the connection, or a gateway answers 502.
// Afterwards it answers as the real server does to a repeat: 401 once the
// caller's own reset wiped its token, totp-invalid once the single-use code
// was spent, success for another user's reset.
type lostAnswerServer struct {
	gateway bool // answer 502 instead of dropping the connection

	mu        sync.Mutex
	requests  int
	resets    int
	tokenDead bool
	spent     map[string]bool
}

func (s *lostAnswerServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests++
	first := s.requests == 1
	code, method := r.Header.Get("x-2fa-code"), r.Header.Get("x-2fa-method")
	switch {
	case s.tokenDead:
		s.mu.Unlock()
		writeJSON(w, http.StatusUnauthorized, `{"success":false,"error":"You must be logged in to do this."}`)
		return
	case code != "" && method != rocketchat.TwoFactorPassword && s.spent[code]:
		s.mu.Unlock()
		writeJSON(w, http.StatusBadRequest, `{"success":false,"error":"TOTP Invalid [totp-invalid]","errorType":"totp-invalid",`+
			`"details":{"method":"`+method+`","codeGenerated":false,"availableMethods":["totp","email"]}}`)
		return
	}
	if code != "" && method != rocketchat.TwoFactorPassword {
		if s.spent == nil {
			s.spent = map[string]bool{}
		}
		s.spent[code] = true
	}
	s.resets++
	if string(body) == `{}` {
		s.tokenDead = true // Users.unsetLoginTokens on the caller
	}
	s.mu.Unlock()
	if !first {
		writeJSON(w, http.StatusOK, `{"success":true}`)
		return
	}
	if s.gateway {
		writeJSON(w, http.StatusBadGateway, `<html><body>502 Bad Gateway</body></html>`)
		return
	}
	panic(http.ErrAbortHandler) // the reset happened; the connection drops before the answer
}

func (s *lostAnswerServer) counts() (requests, resets int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.resets
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

var quickRetry = mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})

// onlyClass reports whether err matches want and no other class a retry's
// answer would have given.
func onlyClass(err, want error) bool {
	for _, s := range []error{
		mfaclient.ErrInvalidInput, mfaclient.ErrUnsupported, mfaclient.ErrUnauthorized, mfaclient.ErrForbidden,
		mfaclient.ErrNotFound, mfaclient.ErrMFANotEnabled, mfaclient.ErrSecondFactorRequired, mfaclient.ErrRateLimited,
		mfaclient.ErrServer, mfaclient.ErrUnexpectedResponse, mfaclient.ErrNetwork, mfaclient.ErrClientDefect,
	} {
		if errors.Is(err, s) != (s == want) {
			return false
		}
	}
	return true
}

// TestLostAnswer: a call whose repeat would be answered by the first
// attempt's own success is not repeated; the caller gets the lost
// attempt's error, never the 401 or totp-invalid of a repeat.
func TestLostAnswer(t *testing.T) {
	type call func(c *rocketchat.Client) error
	self := func(c *rocketchat.Client) error { return c.ResetOwnMFA(context.Background()) }
	other := func(c *rocketchat.Client) error { return c.ResetMFA(context.Background(), "GonjPyg3gB3Z9ur9s") }
	withCode := func(code, method string, next call) call {
		return func(c *rocketchat.Client) error { return next(c.WithTwoFactorCode(code, method)) }
	}
	for name, tc := range map[string]struct {
		call     call
		repeated bool // the call is repeated and succeeds
	}{
		"self-reset":                    {call: self},
		"self-reset with password":      {call: func(c *rocketchat.Client) error { return self(c.WithTwoFactorPassword("pw-test-value")) }},
		"email code":                    {call: withCode("481-516", rocketchat.TwoFactorEmail, other)},
		"backup code":                   {call: withCode("a1b2c3d4", rocketchat.TwoFactorTOTP, other)},
		"totp code":                     {call: withCode("148750", rocketchat.TwoFactorTOTP, other)},
		"another user, no code":         {call: other, repeated: true},
		"another user, password digest": {call: func(c *rocketchat.Client) error { return other(c.WithTwoFactorPassword("pw-test-value")) }, repeated: true},
	} {
		for _, gateway := range []bool{false, true} {
			srv := &lostAnswerServer{gateway: gateway}
			ts := httptest.NewServer(srv)
			c, err := rocketchat.New(ts.URL, testCreds, quickRetry)
			require.NoError(t, err)
			err = tc.call(c)
			requests, resets := srv.counts()
			ts.Close()
			if tc.repeated {
				assert.NoError(t, err, "%s (gateway %v)", name, gateway)
				assert.Equal(t, 2, requests, "%s (gateway %v)", name, gateway)
				assert.Equal(t, 2, resets, "%s (gateway %v): a second reset is harmless", name, gateway)
				continue
			}
			assert.Equal(t, 1, resets, "%s (gateway %v): the server carried out the reset", name, gateway)
			assert.Equal(t, 1, requests, "%s (gateway %v): not repeated", name, gateway)
			if gateway {
				var apiErr *mfaclient.APIError
				require.ErrorAs(t, err, &apiErr, name)
				assert.True(t, onlyClass(err, mfaclient.ErrServer), "%s: %v", name, err)
				assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode, name)
				assert.Equal(t, 1, apiErr.Attempts, name)
				continue
			}
			var op *mfaclient.OpError
			require.ErrorAs(t, err, &op, name)
			assert.True(t, onlyClass(err, mfaclient.ErrNetwork), "%s: %v", name, err)
			assert.Equal(t, 1, op.Attempts, name)
			assert.Contains(t, err.Error(), "outcome unknown", name)
		}
	}
}

// TestLostAnswerNeverSentIsRetried: the rule only holds back repeats of an
// attempt that may have reached the server; one that could not connect is
// repeated even for a self-reset.
func TestLostAnswerNeverSentIsRetried(t *testing.T) {
	ts := httptest.NewServer(http.NotFoundHandler())
	url := ts.URL
	ts.Close() // nothing listens: every attempt fails to dial
	c, err := rocketchat.New(url, testCreds, quickRetry)
	require.NoError(t, err)
	err = c.ResetOwnMFA(context.Background())
	var op *mfaclient.OpError
	require.ErrorAs(t, err, &op)
	assert.True(t, onlyClass(err, mfaclient.ErrNetwork), "%v", err)
	assert.Equal(t, 4, op.Attempts, "a request that never left is repeated")
	assert.NotContains(t, err.Error(), "outcome unknown", "nothing reached the server")
}

// TestLostAnswerAttemptTimeout: a self-reset whose answer does not come
// within the per-attempt timeout after the server acted is not repeated.
func TestLostAnswerAttemptTimeout(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		n := requests
		mu.Unlock()
		if n > 1 {
			writeJSON(w, http.StatusUnauthorized, `{"success":false,"error":"You must be logged in to do this."}`)
			return
		}
		_, _ = io.ReadAll(r.Body) // so that the server notices the client hanging up
		<-r.Context().Done()      // the reset happened; the answer never comes
	}))
	t.Cleanup(ts.Close)
	c, err := rocketchat.New(ts.URL, testCreds, quickRetry, mfaclient.WithAttemptTimeout(50*time.Millisecond))
	require.NoError(t, err)
	err = c.ResetOwnMFA(context.Background())
	var op *mfaclient.OpError
	require.ErrorAs(t, err, &op)
	assert.True(t, onlyClass(err, mfaclient.ErrNetwork), "%v", err)
	assert.Equal(t, 1, op.Attempts)
	assert.Contains(t, err.Error(), "outcome unknown")
	mu.Lock()
	assert.Equal(t, 1, requests)
	mu.Unlock()
}
