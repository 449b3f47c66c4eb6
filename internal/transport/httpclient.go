package transport

// How a client's *http.Client is built: the shared connection pool, the
// attempt transport in front of it (roundtrip.go), and the redirect policy
// that keeps credentials on their host.

import (
	"net/http"
	"sync"
	"time"
)

var (
	defaultTransportOnce sync.Once
	defaultTransport     *http.Transport
)

// sharedTransport is the pool every mfakit client uses unless the caller
// brings an *http.Client. It keeps enough idle connections per host for a
// bulk run's workers, so concurrency N opens N connections, not more.
func sharedTransport() *http.Transport {
	defaultTransportOnce.Do(func() {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConns = 256
		t.MaxIdleConnsPerHost = 64
		t.IdleConnTimeout = 90 * time.Second
		defaultTransport = t
	})
	return defaultTransport
}

// httpClient copies the caller's client (or starts from the shared pool),
// puts the attempt transport in front of its RoundTripper, and refuses
// redirects that would carry credentials elsewhere.
func httpClient(user *http.Client, rt *attemptTransport) *http.Client {
	rt.direct = user == nil || (user.Jar == nil && user.CheckRedirect == nil)
	var hc http.Client
	var userRedirect func(*http.Request, []*http.Request) error
	if user != nil {
		hc = *user
		userRedirect = user.CheckRedirect
		rt.inner = user.Transport
		if rt.inner == nil {
			rt.inner = http.DefaultTransport
		}
	} else {
		rt.inner = sharedTransport()
	}
	hc.Transport = rt
	hc.Timeout = 0 // per attempt, in attemptTransport, so a rate-limit wait is not counted
	hc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if !safeRedirect(req, via) {
			return http.ErrUseLastResponse
		}
		if userRedirect != nil {
			return userRedirect(req, via)
		}
		return nil
	}
	return &hc
}

// safeRedirect follows only a 307/308 (which keep the method and body) to the
// same scheme, host and port, at most 10 times. Anything else comes back to
// the caller as the 3xx itself: net/http forwards every header it does not
// know to be sensitive (a provider's own credential headers) to any host,
// and turns a POST into a GET on 301/302/303.
//
// The 10 counts every request of the call's chain: when a call's first
// attempt skipped http.Client and its 307 was followed by send.go, the
// chain http.Client sees starts at that redirect (its Response is set), one
// request later.
func safeRedirect(req *http.Request, via []*http.Request) bool {
	hops := len(via)
	if hops > 0 && via[0].Response != nil {
		hops++
	}
	if hops >= 10 || req.Response == nil {
		return false
	}
	if c := req.Response.StatusCode; c != http.StatusTemporaryRedirect && c != http.StatusPermanentRedirect {
		return false
	}
	first := via[0].URL
	return req.URL.Scheme == first.Scheme && req.URL.Host == first.Host
}
