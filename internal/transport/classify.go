package transport

import (
	"fmt"
	"net/http"
	"time"

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
	// Detail is mfakit's own reason for the class when the answer does not
	// give it ("the answer does not look like flashback's API"); set by
	// transport, not by classifiers.
	Detail string
	// Cause is the provider's decoded body, reachable with errors.As; nil
	// when the body did not decode. It is also the classifier's word that
	// the body has the provider's error shape: the transport keeps a
	// status's Class only with a Cause that names a Code or a Message (see
	// verdict), so a classifier sets Cause only for its own error body.
	Cause error
}

// A Classifier reads a provider's answers. It is the only provider-specific
// part of error handling: transport builds the typed error from its Verdict.
// It decodes bodies with DecodeObject, the one strict decoder.
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
	case status >= 500 && status <= 599:
		return mfaclient.ErrServer
	}
	return mfaclient.ErrUnexpectedResponse // 1xx, 3xx not followed, and other 4xx
}

// verdict reads an answer: the provider's classifier, except for what no
// provider's documented answer can be, and with a class only where the
// answer has the provider's shape for it.
//
//   - A status outside 100–599 is no HTTP status any provider documents.
//   - A body longer than the 64 KiB kept is not one either (no documented
//     answer comes near it, and what was not kept cannot be checked).
//   - A status's class (ErrNotFound, ErrForbidden, ...) means the provider
//     said it, so it is given only when the classifier decoded the
//     provider's error body (Cause) and found its code or message in it, or
//     when the answer has HTTP's own shape for the status (see httpShape).
//     A 404 HTML page from a proxy or from a wrong base URL is
//     ErrUnexpectedResponse, so that a bulk run against a wrong URL does not
//     report every user "not found". A 5xx stays ErrServer and a 429 stays
//     ErrRateLimited: proxies, gateways and load balancers answer 429, 502,
//     503 and 504 in their own shapes (a bare 429 is even documented, by
//     EntryGuard), and what the caller should do — wait, then try again —
//     does not depend on who said it.
//
// classify is the request's own classifier (Request.Classify), nil for the
// client's.
func (c *Client) verdict(a *Answer, more bool, classify Classifier) Verdict {
	switch {
	case a.StatusCode < 100 || a.StatusCode > 599:
		return Verdict{Class: mfaclient.ErrUnexpectedResponse,
			Detail: fmt.Sprintf("status %d is outside 100-599: the answer does not look like %s's API", a.StatusCode, c.provider)}
	case more:
		return Verdict{Class: shapelessClass(a.StatusCode),
			Detail: fmt.Sprintf("the body is longer than the %d KiB kept: the answer does not look like %s's API", MaxBodyKept>>10, c.provider)}
	}
	if classify == nil {
		classify = c.classify
	}
	v := classify(a)
	if v.Class == nil || shaped(a, v) {
		return v
	}
	v.Class = shapelessClass(a.StatusCode)
	switch {
	case a.StatusCode == http.StatusSwitchingProtocols:
		v.Detail = "a protocol switch nobody asked for; the answer does not look like " + c.provider + "'s API"
	case a.StatusCode >= 300 && a.StatusCode <= 399:
		v.Detail = "a redirect not followed (only a 307/308 to the same host is); the answer does not look like " + c.provider + "'s API"
	default:
		v.Detail = fmt.Sprintf("the answer does not look like %s's API (is the base URL right?)", c.provider)
	}
	return v
}

// shaped reports whether the answer has the provider's shape for the class
// its classifier gave: the classifier decoded the provider's error body and
// found a code or a message in it, or HTTP's own shape for the status.
func shaped(a *Answer, v Verdict) bool {
	return v.Cause != nil && (v.Code != "" || v.Message != "") || httpShape(a)
}

// httpShape reports the two answers whose meaning HTTP itself gives, with
// any body: a 401 with WWW-Authenticate (RFC 9110 §15.5.2: the credentials
// were refused, and the header says how to authenticate), and a 429 with a
// rate-limit hint (Retry-After, or the X-RateLimit headers), which the
// client's gate and retries already obey.
func httpShape(a *Answer) bool {
	switch a.StatusCode {
	case http.StatusUnauthorized:
		return a.Header.Get("Www-Authenticate") != ""
	case http.StatusTooManyRequests:
		hs := ParseHints(a.Header, time.Now())
		return hs.HasRetryAfter || !hs.Reset.IsZero() || hs.Limit >= 0 || hs.Remaining >= 0
	}
	return false
}

// shapelessClass is the class of an answer whose body does not have the
// provider's shape: a 5xx is still ErrServer, a 429 still ErrRateLimited,
// anything else is ErrUnexpectedResponse.
func shapelessClass(status int) error {
	switch {
	case status >= 500 && status <= 599:
		return mfaclient.ErrServer
	case status == http.StatusTooManyRequests:
		return mfaclient.ErrRateLimited
	}
	return mfaclient.ErrUnexpectedResponse
}
