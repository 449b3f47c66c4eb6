package conformance

// Guarantees "Input is checked before anything is sent" and "Base URLs and
// credentials that could misroute a token are refused" (README, Security and
// reliability), and the headers every request carries.

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
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
	eachOperation(t, p, func(t *testing.T, op operation) { testHeadersOf(t, p, op) })
}

func testHeadersOf(t *testing.T, p Provider, op operation) {
	srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)

	c, err := p.New(ts.URL)
	require.NoError(t, err)
	require.NoError(t, op.Call(bg(), c))
	c2, err := p.New(ts.URL, mfaclient.WithUserAgent("helpdesk-bot/2.1"))
	require.NoError(t, err)
	require.NoError(t, op.Call(bg(), c2))

	reqs := srv.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, p.resetMethod(), reqs[0].Method)
	if op.Name == "ResetMFA" {
		assert.Equal(t, p.ResetPath, reqs[0].Path)
	}
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

// hostileIDs are user IDs that try to leave their place in the request: a
// path segment, a JSON string.
var hostileIDs = map[string]string{
	"dot-dot-slash":     "../admin",
	"deep traversal":    "../../../../mfa/primary",
	"dot-dot":           "..",
	"dot":               ".",
	"encoded dot-dot":   "%2e%2e",
	"encoded traversal": "%2e%2e%2f%2e%2e%2fadmin",
	"slash":             "a/b",
	"backslash":         `a\..\b`,
	"query":             "a?admin=true",
	"fragment":          "a#frag",
	"semicolon":         "a;b=c",
	"quote":             `a","resetUserId":"victim`,
	"unicode":           "ü/../é",
	"newline":           "a\nb",
	"CRLF header":       "a\r\nX-Injected: 1",
	"NUL":               "a\x00b",
	"encoded NUL":       "a%00b",
	"10 KB":             strings.Repeat("a", 10<<10),
}

// testHostileInput: a hostile user ID is rejected before anything is sent,
// or it arrives only where the provider expects it: as exactly one escaped
// segment in place of the user ID in the path, or as a JSON string in the
// body with the path untouched. Control characters and 10 KB are always
// rejected. Base URLs and credentials that could leak or misroute a token
// are rejected by New.
func testHostileInput(t *testing.T, p Provider) {
	type received struct{ uri, path string }
	var mu sync.Mutex
	var got []received
	srv := newServer(func(_ int, w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, received{uri: r.RequestURI, path: r.URL.EscapedPath()})
		mu.Unlock()
		p.Success(w)
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, noRetry)
	require.NoError(t, err)

	ids := maps.Clone(hostileIDs)
	ids["valid, upper case"] = strings.ToUpper(p.UserID) // accepted by every provider
	for name, id := range ids {
		mu.Lock()
		got = nil
		mu.Unlock()
		before := len(srv.requests())
		err := c.ResetMFA(bg(), id)
		sent := srv.requests()[before:]
		mustReject := strings.ContainsAny(id, "\x00\r\n") || len(id) > 512
		require.False(t, err != nil && id == ids["valid, upper case"], "%s: %v", name, err)
		if err != nil || mustReject {
			assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "%s: rejected", name)
			assert.Empty(t, sent, "%s: a rejected ID sends nothing", name)
			if err != nil {
				assert.NotContains(t, err.Error(), "\n", "%s: the error does not repeat control characters", name)
			}
			continue
		}
		require.Len(t, sent, 1, name)
		mu.Lock()
		r := got[0]
		mu.Unlock()
		assert.NotContains(t, r.uri, "#", "%s: no fragment", name)
		if p.Carries != nil && r.path == p.ResetPath {
			assert.True(t, p.Carries(r.uri, sent[0].Body, id), "%s: the ID is where the provider reads it, as sent: %s %s", name, r.uri, sent[0].Body)
			continue
		}
		assert.NotContains(t, r.uri, "?", "%s: no query", name)
		if r.path == p.ResetPath {
			assert.True(t, bodyCarries(sent[0].Body, id), "%s: the ID is in the JSON body, as sent: %s", name, sent[0].Body)
			continue
		}
		// The ID is in the path: it replaces the user ID's one segment.
		want := strings.Split(p.ResetPath, "/")
		segs := strings.Split(r.path, "/")
		require.Len(t, segs, len(want), "%s: %s has the segments of %s", name, r.path, p.ResetPath)
		for i := range want {
			if want[i] == p.UserID {
				seg, err := url.PathUnescape(segs[i])
				require.NoError(t, err)
				assert.Equal(t, id, seg, "%s: the segment unescapes to the ID", name)
				assert.NotContains(t, []string{".", ".."}, segs[i], "%s: not a dot segment", name)
				continue
			}
			assert.Equal(t, want[i], segs[i], "%s: segment %d", name, i)
		}
	}

	t.Run("BaseURL", func(t *testing.T) {
		for _, raw := range []string{
			"https://@host.test",                // empty userinfo
			"https://user@host.test",            // user only
			"https://token:x-oauth@host.test/",  // user and password
			"https://host.test/?",               // empty query
			"https://host.test?a=1",             // query without a path
			"https://host.test/#",               // empty fragment
			"https://host.test/a#b?c",           // fragment
			"http://127.0.0.1.nip.io",           // looks like loopback, is not
			"http://localhost.evil.test",        // same
			"http://0.0.0.0:8080",               // every interface, not loopback
			"http://[::ffff:10.0.0.1]",          // mapped private address
			"http://169.254.169.254/latest",     // cloud metadata
			"https://host.test/\r\nX-Evil: 1",   // header injection
			"https://host\x00.test",             // NUL
			"javascript:alert(1)",               // not http
			"//host.test",                       // no scheme
			"host.test",                         // no scheme
			"https:///path",                     // no host
			"file:///etc/passwd",                // not http
			"https://host.test/\t",              // trailing control
			"HTTP://example.com",                // plain http in capitals
			"http://example.com:443",            // plain http on the TLS port
			"https://host.test%2F@evil.test",    // userinfo disguised as a host
			"https://evil.test\\@host.test/mfa", // backslash trick
		} {
			_, err := p.New(raw)
			assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "base URL %q", raw)
		}
	})

	t.Run("Credentials", func(t *testing.T) {
		const v = "Zq9-sekret"
		for _, bad := range []string{"", " ", "\t", v + " ", " " + v, v + "\x00", v + "\r\nX-Evil: 1", v + "\x7f"} {
			for i, err := range p.NewWithCredentials(ts.URL, bad) {
				assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "credential #%d %q", i, bad)
				if err != nil {
					assert.NotContains(t, err.Error(), v, "credential #%d is not echoed", i)
				}
			}
		}
	})
}

// bodyCarries reports whether the JSON body has a string field equal to id.
func bodyCarries(body []byte, id string) bool {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	for _, v := range m {
		if v == id {
			return true
		}
	}
	return false
}
