package transport

// Stage 3 of a call, the sending. A call's first attempt goes straight to
// the attempt transport; http.Client and go-retryablehttp take over when its
// answer asks for more than that one request: a same-host 307/308 to follow
// (http.Client, from the Location on) or a retry (go-retryablehttp's loop
// through http.Client, from the call's own request, as before).
//
// Why: http.Client.Do costs 1.3 µs and 7 allocations more than a RoundTrip
// (cloning the headers for its redirect loop, its bookkeeping), and
// go-retryablehttp's Do a little more, on every call, for what only a
// redirect or a retry needs; without them a call measured 0.992 times a
// hand-written net/http POST instead of 1.027 (BENCHMARKS.md section 6).
// What http.Client does to a first attempt is done here the same way: its
// error is a *url.Error, a TLS record that reads "HTTP/" is
// http.ErrSchemeMismatch, a broken RoundTripper's answer is read as
// http.Client reads it (keptToContract, roundtrip.go), and a 3xx it would
// not follow is returned as it is. A caller's http.Client with a cookie jar
// or a redirect policy of its own sends every attempt itself.

import (
	"crypto/tls"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
)

func (c *Client) send(cc *callContext, hreq *retryablehttp.Request) (*http.Response, error) {
	if !c.rt.direct {
		return c.rc.Do(hreq)
	}
	first := hreq.Request
	resp, err := c.rt.RoundTrip(first)
	if err != nil {
		err = urlError(first, err)
	} else if next := redirected(first, resp); next != nil {
		resp, err = c.rc.HTTPClient.Do(next)
	}
	retry, checkErr := c.rt.checkRetry(cc, resp, err)
	retry = retry && c.rc.RetryMax > 0 // go-retryablehttp's own bound on the loop
	switch {
	case !retry && err == nil && checkErr == nil:
		return resp, nil
	case !retry:
		if checkErr != nil {
			err = checkErr
		}
		return keepLastResponse(resp, err, 1)
	}
	if resp != nil {
		drainAndClose(resp.Body)
	}
	timer := time.NewTimer(c.rt.backoff(c.rc.RetryWaitMin, c.rc.RetryWaitMax, 0, resp))
	defer timer.Stop()
	select {
	case <-cc.Done():
		return nil, cc.Err()
	case <-timer.C:
	}
	return c.rc.Do(hreq)
}

// redirected is the request http.Client would send next after resp, the
// answer to first: a 307/308 to the same scheme and host (safeRedirect)
// with a Location that parses, the same method, headers and body, and
// the Referer http.Client sets. Nil for any other answer, which is
// returned as it is. What it replaces is read, as http.Client reads it, so
// that the connection can be used again.
func redirected(first *http.Request, resp *http.Response) *http.Request {
	if resp.StatusCode != http.StatusTemporaryRedirect && resp.StatusCode != http.StatusPermanentRedirect {
		return nil
	}
	loc := resp.Header.Get("Location")
	if loc == "" || (first.GetBody == nil && first.ContentLength != 0) {
		return nil
	}
	u, err := first.URL.Parse(loc)
	if err != nil {
		return nil // hideUnparseableLocation took it out already
	}
	next, err := http.NewRequestWithContext(first.Context(), first.Method, u.String(), nil)
	if err != nil {
		return nil
	}
	next.Header = first.Header.Clone()
	next.Header["Referer"] = []string{first.URL.String()}
	next.Response = resp
	if !safeRedirect(next, []*http.Request{first}) {
		return nil
	}
	if first.GetBody != nil {
		body, err := first.GetBody()
		if err != nil {
			return nil
		}
		next.Body, next.GetBody, next.ContentLength = body, first.GetBody, first.ContentLength
	}
	const maxBodySlurp = 2 << 10 // http.Client's
	if resp.ContentLength == -1 || resp.ContentLength <= maxBodySlurp {
		_, _ = io.CopyN(io.Discard, resp.Body, maxBodySlurp)
	}
	_ = resp.Body.Close()
	return next
}

// urlError is the error http.Client would return for err, the failure of
// req's attempt.
func urlError(req *http.Request, err error) error {
	if tlsErr, ok := err.(tls.RecordHeaderError); ok && string(tlsErr.RecordHeader[:]) == "HTTP/" {
		err = http.ErrSchemeMismatch
	}
	op := req.Method
	if len(op) > 1 {
		op = op[:1] + strings.ToLower(op[1:])
	}
	return &url.Error{Op: op, URL: req.URL.String(), Err: err}
}
