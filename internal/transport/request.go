package transport

import (
	"context"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
)

// Stage 2 of a call: build the request. The client's headers (its
// credentials), the call's own (a 2FA code), Accept, User-Agent, and a
// Content-Type only when there is a body. A header value that can never be
// sent is ErrInvalidInput, with nothing sent.
func (c *Client) newRequest(ctx context.Context, req *Request) (*retryablehttp.Request, error) {
	if err := checkHeaderValues(req.Header); err != nil {
		return nil, InvalidInputFor(c.provider, req.Operation, req.UserID, "%v", err)
	}
	hreq, err := retryablehttp.NewRequestWithContext(ctx, req.Method, c.base+req.Path, bodyOrNil(req.Body))
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
	return hreq, nil
}

var acceptJSON = []string{"application/json"}

// bodyOrNil keeps a nil []byte from becoming a non-nil empty body interface.
func bodyOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}
