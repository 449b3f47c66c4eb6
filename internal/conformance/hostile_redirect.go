package conformance

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
					err = c.ResetMFA(bg(), p.UserID)

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
	for _, r := range foreign.requests() {
		for _, h := range p.CredentialHeaders {
			assert.Empty(t, r.Header.Values(h), "credential header %s reached the foreign server", h)
		}
	}
	assert.Empty(t, len(foreign.requests()), "nothing reached the foreign server")
	assert.Zero(t, underOtherName.Load(), "nothing reached the origin under its other name")
}

// chain makes a transport that applies outer's header, then inner's.
func chain(inner http.RoundTripper, outer headerSetter) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set(outer.k, outer.v)
		return inner.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// port is the port a test server listens on.
func port(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(ts.Listener.Addr().String())
	require.NoError(t, err)
	return p
}
