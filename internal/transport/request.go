package transport

import (
	"bytes"
	"io"
	"net/http"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
)

// Stage 2 of a call: build the request. The client's headers (its
// credentials), the call's own (a 2FA code), Accept, User-Agent, and a
// Content-Type only when there is a body. A header value that can never be
// sent is ErrInvalidInput, with nothing sent.
//
// The request is built by net/http with its body as a bytes.Reader, so it
// has a GetBody; the attempt transport rewinds the body from it for every
// attempt after the first (roundtrip.go), as http.Client does for a 307.
// go-retryablehttp's own rewinding (its NewRequest) would cost a closure
// and two allocations on every attempt, the first included; its Request is
// built around the http.Request with no body function of its own, inside
// the call's context (one allocation for both).
func (c *Client) newRequest(cc *callContext, req *Request) (*retryablehttp.Request, error) {
	if err := checkHeaderValues(req.Header); err != nil {
		return nil, InvalidInputFor(c.provider, req.Operation, req.UserID, "%v", err)
	}
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hreq, err := http.NewRequestWithContext(cc, req.Method, c.base+req.Path, body)
	if err != nil {
		return nil, InvalidInputFor(c.provider, req.Operation, req.UserID, "cannot build the request: %v", err)
	}
	h := hreq.Header
	for k, vs := range c.header {
		h[k] = vs
	}
	for k, vs := range req.Header {
		h[k] = vs
	}
	h["Accept"] = acceptJSON
	h["User-Agent"] = c.userAgent
	if req.Body != nil {
		h["Content-Type"] = acceptJSON
	}
	cc.retryable.Request = hreq
	return &cc.retryable, nil
}

var acceptJSON = []string{"application/json"}
