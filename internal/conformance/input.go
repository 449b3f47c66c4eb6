package conformance

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testInput: bad input is ErrInvalidInput and sends nothing.
func testInput(t *testing.T, p Provider) {
	srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL)
	require.NoError(t, err)

	ids := map[string]string{
		"empty":        "",
		"blank":        "   ",
		"newline":      "abc\ndef",
		"NUL":          "abc\x00def",
		"10KB":         strings.Repeat("a", 10<<10),
		"CR header":    "x\r\nX-Injected: 1",
		"tab and bell": "a\tb\a",
	}
	for name, id := range ids {
		err := c.ResetMFA(bg(), id)
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "ResetMFA(%s)", name)
		var op *mfaclient.OpError
		assert.ErrorAs(t, err, &op, "ResetMFA(%s)", name)
	}
	err = c.SetPrimaryMFA(bg(), mfaclient.Method("carrier_pigeon"))
	assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "unknown method")
	assert.Empty(t, srv.requests(), "bad input must send nothing")

	for _, raw := range []string{
		"http://example.com",          // plain http off loopback
		"http://10.0.0.1:8080",        // private, still not loopback
		"https://user:pass@host.test", // userinfo
		"https://host.test/?a=1",      // query
		"https://host.test/?",         // empty query
		"https://host.test/#frag",     // fragment
		"ftp://host.test",             // scheme
		"https://",                    // no host
		"::not a url",
		" https://host.test",
	} {
		_, err := p.New(raw)
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "base URL %q", raw)
	}
	for _, ok := range []string{"https://host.test", "https://host.test/prefix/", "http://localhost:1", "http://[::1]:2"} {
		_, err := p.New(ok)
		assert.NoError(t, err, "base URL %q", ok)
	}
	for i, err := range p.NewWithCredentials(ts.URL, "") {
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "empty credential #%d", i)
	}
	for i, err := range p.NewWithCredentials(ts.URL, "tok\nX-Evil: 1") {
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "credential with newline #%d", i)
		if err != nil {
			assert.NotContains(t, err.Error(), "X-Evil", "the credential must not be echoed")
		}
	}
	for _, bad := range []mfaclient.RetryPolicy{{MaxRetries: -1}, {MaxRetries: 1, MinWait: 2, MaxWait: 1}} {
		_, err := p.New(ts.URL, mfaclient.WithRetry(bad))
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "retry policy %+v", bad)
	}
}

// testHeaders: the request carries the credentials, Accept and User-Agent.
func testHeaders(t *testing.T, p Provider) {
	srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	c, err := p.New(ts.URL)
	require.NoError(t, err)
	require.NoError(t, c.ResetMFA(bg(), p.UserID))
	c2, err := p.New(ts.URL, mfaclient.WithUserAgent("helpdesk-bot/2.1"))
	require.NoError(t, err)
	require.NoError(t, c2.ResetMFA(bg(), p.UserID))

	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, p.resetMethod(), reqs[0].Method)
	assert.Equal(t, p.ResetPath, reqs[0].Path)
	assert.Equal(t, "application/json", reqs[0].Header.Get("Accept"))
	assert.Equal(t, "mfakit/"+mfaclient.Version, reqs[0].Header.Get("User-Agent"))
	assert.Equal(t, "helpdesk-bot/2.1 mfakit/"+mfaclient.Version, reqs[1].Header.Get("User-Agent"))
	for _, h := range p.CredentialHeaders {
		assert.NotEmpty(t, reqs[0].Header.Get(h), "credential header %s", h)
	}
	if len(reqs[0].Body) > 0 {
		assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
	} else {
		assert.Empty(t, reqs[0].Header.Values("Content-Type"), "no body, no Content-Type")
	}
}

// isOnly reports whether err matches target and no other sentinel.
func isOnly(err, target error) bool {
	for _, s := range mfaclient.Classes() {
		if errors.Is(err, s) != (s == target) {
			return false
		}
	}
	return true
}
