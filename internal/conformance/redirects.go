package conformance

// Guarantee "Redirects never carry credentials elsewhere" (README, Security
// and reliability).

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// redirectCodes are every status net/http follows.
var redirectCodes = []int{
	http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
	http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
}

// testCrossHostRedirects: whatever the redirect code, a redirect away from
// the base URL's scheme, host and port is not followed, so no credential
// reaches the other host: the caller gets the 3xx as ErrUnexpectedResponse.
// The origin listens as 127.0.0.1 and the foreign server as localhost, two
// names for one machine that net/http treats as different hosts (it keeps
// X-Auth-Token and X-User-Id even then). A redirect to the origin itself
// under the other name counts as foreign too. Only a 307/308 to the same
// host is followed; 301/302/303 would turn the POST into a GET.
func testCrossHostRedirects(t *testing.T, p Provider) {
	foreign := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
	fts := httptest.NewServer(foreign)
	t.Cleanup(fts.Close)
	foreignURL := "http://localhost:" + port(t, fts)

	var originURL, originAsLocalhost string
	var underOtherName atomic.Int32
	origin := newServer(func(_ int, w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Host, "localhost:") {
			underOtherName.Add(1)
		}
		if strings.HasPrefix(r.Host, "localhost:") || r.URL.Path == "/landed" {
			p.Success(w)
			return
		}
		code, _ := strconv.Atoi(r.Header.Get("X-Redirect-Code"))
		target := map[string]string{
			"foreign":        foreignURL,
			"self-localhost": originAsLocalhost,
			"same":           originURL,
			"relative":       "",
		}[r.Header.Get("X-Redirect-To")]
		w.Header().Set("Location", target+"/landed")
		w.WriteHeader(code)
	})
	ots := httptest.NewServer(origin)
	t.Cleanup(ots.Close)
	originURL = ots.URL
	originAsLocalhost = "http://localhost:" + port(t, ots)
	require.True(t, strings.HasPrefix(originURL, "http://127.0.0.1:"), "the origin is %s", originURL)

	permissive := func(*http.Request, []*http.Request) error { return nil }
	eachOperation(t, p, func(t *testing.T, op operation) {
		for _, code := range redirectCodes {
			for _, to := range []string{"foreign", "self-localhost", "same", "relative"} {
				for _, userRedirect := range []bool{false, true} {
					name := strconv.Itoa(code) + "/" + to
					if userRedirect {
						name += "/CallerFollowsAll"
					}
					t.Run(name, func(t *testing.T) {
						hc := &http.Client{Transport: headerSetter{"X-Redirect-Code", strconv.Itoa(code)}}
						hc.Transport = chain(hc.Transport, headerSetter{"X-Redirect-To", to})
						if userRedirect {
							hc.CheckRedirect = permissive // the caller's own policy cannot widen ours
						}
						c, err := p.New(originURL, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(fastRetry))
						require.NoError(t, err)
						before := len(origin.requests())
						err = op.Call(bg(), c)

						sameHost := to == "same" || to == "relative"
						if sameHost && (code == http.StatusTemporaryRedirect || code == http.StatusPermanentRedirect) {
							require.NoError(t, err, "a 307/308 to the same host is followed")
							reqs := origin.requests()[before:]
							require.Len(t, reqs, 2)
							assert.Equal(t, p.resetMethod(), reqs[1].Method)
							assert.Equal(t, reqs[0].Body, reqs[1].Body)
							for _, h := range p.CredentialHeaders {
								assert.Equal(t, reqs[0].Header.Values(h), reqs[1].Header.Values(h), "same host keeps %s", h)
							}
							return
						}
						requireAPIError(t, err, code, mfaclient.ErrUnexpectedResponse, 1)
						assert.Len(t, origin.requests()[before:], 1, "not followed, not retried")
					})
				}
			}
		}
	})
	for _, r := range foreign.requests() {
		for _, h := range p.CredentialHeaders {
			assert.Empty(t, r.Header.Values(h), "credential header %s reached the foreign server", h)
		}
	}
	assert.Empty(t, len(foreign.requests()), "nothing reached the foreign server")
	assert.Zero(t, underOtherName.Load(), "nothing reached the origin under its other name")
}

// testRedirects: a redirect to another host is never followed, so no
// credential reaches it; 301/302/303 (which would turn the POST into a GET)
// are not followed either; a 307 to the same host is.
func testRedirects(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testRedirectsOf(t, p, op) })
}

func testRedirectsOf(t *testing.T, p Provider, op operation) {
	other := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
	ots := httptest.NewServer(other)
	t.Cleanup(ots.Close)
	_, otherPort, err := net.SplitHostPort(ots.Listener.Addr().String())
	require.NoError(t, err)

	var originURL string
	origin := newServer(func(_ int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("to") {
		case "":
			switch {
			case strings.HasSuffix(r.URL.Path, "/followed"):
				p.Success(w)
			case r.Header.Get("X-Case") == "other-host":
				w.Header().Set("Location", "http://localhost:"+otherPort+r.URL.Path)
				w.WriteHeader(http.StatusTemporaryRedirect)
			case r.Header.Get("X-Case") == "302":
				w.Header().Set("Location", originURL+"/followed")
				w.WriteHeader(http.StatusFound)
			default:
				w.Header().Set("Location", originURL+"/followed")
				w.WriteHeader(http.StatusTemporaryRedirect)
			}
		}
	})
	ts := httptest.NewServer(origin)
	t.Cleanup(ts.Close)
	originURL = ts.URL

	for _, tc := range []struct {
		name, header string
		status       int
	}{
		{"OtherHost", "other-host", http.StatusTemporaryRedirect},
		{"Found", "302", http.StatusFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := &http.Client{Transport: headerSetter{"X-Case", tc.header}}
			c, err := p.New(ts.URL, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(fastRetry))
			require.NoError(t, err)
			err = op.Call(bg(), c)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "%v", err)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, 1, apiErr.Attempts, "a redirect is an answer, not retried")
		})
	}
	assert.Empty(t, other.requests(), "nothing, and so no credential, reached the other host")

	t.Run("SameHost307", func(t *testing.T) {
		c, err := p.New(ts.URL)
		require.NoError(t, err)
		require.NoError(t, op.Call(bg(), c))
		reqs := origin.requests()
		last := reqs[len(reqs)-1]
		assert.True(t, strings.HasSuffix(last.Path, "/followed"))
		assert.Equal(t, p.resetMethod(), last.Method, "307 keeps the method")
		assert.Equal(t, reqs[len(reqs)-2].Body, last.Body, "and the body")
	})
}

// testRedirectLoop: a provider that redirects to itself forever (a
// misconfigured proxy) gets ten requests, as net/http's own limit allows,
// then the last 307 as ErrUnexpectedResponse; the same whether the first
// attempt skips http.Client or a caller's redirect policy sends it through.
func testRedirectLoop(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) {
		for name, hc := range map[string]*http.Client{
			"OwnPolicy":        {},
			"CallerFollowsAll": {CheckRedirect: func(*http.Request, []*http.Request) error { return nil }},
		} {
			t.Run(name, func(t *testing.T) {
				var loop *server
				loop = newServer(func(_ int, w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Location", r.URL.Path+"?hop="+strconv.Itoa(len(loop.requests())))
					w.WriteHeader(http.StatusTemporaryRedirect)
				})
				ts := httptest.NewServer(loop)
				t.Cleanup(ts.Close)
				c, err := p.New(ts.URL, mfaclient.WithHTTPClient(hc), noRetry)
				require.NoError(t, err)
				err = op.Call(bg(), c)
				var apiErr *mfaclient.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "%v", err)
				assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
				assert.Len(t, loop.requests(), 10, "the request and nine redirects")
			})
		}
	})
}
