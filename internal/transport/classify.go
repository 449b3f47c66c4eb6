package transport

import (
	"fmt"
	"net/http"

	"github.com/mfakit/mfakit/mfaclient"
)

// Answer is one HTTP answer as the classifier sees it: the body is already
// read through the bound and redacted.
type Answer struct {
	Operation  string
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Verdict is a provider's reading of an Answer.
type Verdict struct {
	// Class is the mfaclient sentinel; nil means the documented success.
	Class error
	// Code and Message are the provider's machine code and human message.
	Code, Message string
	// Required is the role or permission a forbidden answer names.
	Required string
	// Cause is the provider's decoded body, reachable with errors.As; nil
	// when the body did not decode.
	Cause error
}

// A Classifier reads a provider's answers. It is the only provider-specific
// part of error handling: transport builds the typed error from its Verdict.
type Classifier func(a *Answer) Verdict

// ClassForStatus is the class an answer has when its body names nothing more
// specific. Providers start from it and refine by their own codes.
func ClassForStatus(status int) error {
	switch {
	case status >= 200 && status < 300:
		return mfaclient.ErrUnexpectedResponse // a 2xx the provider did not recognise as success
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return mfaclient.ErrInvalidInput
	case status == http.StatusUnauthorized:
		return mfaclient.ErrUnauthorized
	case status == http.StatusForbidden:
		return mfaclient.ErrForbidden
	case status == http.StatusNotFound:
		return mfaclient.ErrNotFound
	case status == http.StatusTooManyRequests:
		return mfaclient.ErrRateLimited
	case status >= 500:
		return mfaclient.ErrServer
	}
	return mfaclient.ErrUnexpectedResponse // 1xx, 3xx not followed, and other 4xx
}

// verdict reads an answer: the provider's classifier, except for what no
// provider's documented answer can be. A body longer than the 64 KiB kept
// is not one (no documented answer comes near it, and what was not kept
// cannot be checked): it is the plain class of a status without the
// provider's shape.
func (c *Client) verdict(a *Answer, more bool) Verdict {
	if more {
		return Verdict{Class: shapelessClass(a.StatusCode),
			Message: fmt.Sprintf("the body is longer than the %d KiB kept, so it is not %s's documented answer", MaxBodyKept>>10, c.provider)}
	}
	return c.classify(a)
}

// shapelessClass is the class of an answer whose body does not have the
// provider's shape: a 5xx is still ErrServer (proxies and load balancers
// answer 502, 503 and 504 in their own shapes), anything else is
// ErrUnexpectedResponse.
func shapelessClass(status int) error {
	if status >= 500 && status <= 599 {
		return mfaclient.ErrServer
	}
	return mfaclient.ErrUnexpectedResponse
}
