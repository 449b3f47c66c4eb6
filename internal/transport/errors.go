package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
)

// Stage 8 of a call: build the typed error. Everything here was already
// redacted (the answer in Do, network errors here), and every error of a
// call carries the user it names.

// sendError types a failure that produced no answer to classify.
func (c *Client) sendError(ctx context.Context, req *Request, st *call, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &mfaclient.OpError{Provider: c.provider, Operation: req.Operation, UserID: req.UserID, Attempts: st.attempts, Err: ctxErr}
	}
	var beyond *errWaitBeyondBudget
	if errors.As(err, &beyond) {
		return c.learnedRateLimit(req, st, beyond)
	}
	msg := st.redact.String(errorText(err)) + lostAnswerNote(req, err)
	return &mfaclient.OpError{Provider: c.provider, Operation: req.Operation, UserID: req.UserID, Attempts: st.attempts,
		Err: fmt.Errorf("%w: %s", mfaclient.ErrNetwork, msg)}
}

// errorText is the innermost useful text of a transport error, without
// go-retryablehttp's "giving up" prefix and net/http's repetition of the URL.
func errorText(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Op + " " + uerr.URL + ": " + uerr.Err.Error()
	}
	return err.Error()
}

// learnedRateLimit is the *RateLimitError returned without sending, when an
// earlier answer closed the gate for longer than MaxWait.
func (c *Client) learnedRateLimit(req *Request, st *call, e *errWaitBeyondBudget) error {
	if e.status != http.StatusTooManyRequests && e.status != 0 {
		return learnedServerError(c.provider, req, st, e)
	}
	return &mfaclient.RateLimitError{
		APIError: &mfaclient.APIError{
			Provider: c.provider, Operation: req.Operation, UserID: req.UserID,
			StatusCode: http.StatusTooManyRequests,
			Message:    e.Error(),
			Attempts:   st.attempts,
			Class:      mfaclient.ErrRateLimited,
		},
		RetryAfter: max(time.Until(e.until), 0),
		Limit:      e.hints.Limit,
		Remaining:  e.hints.Remaining,
		Reset:      e.hints.Reset,
	}
}

// lostAnswer is an answer whose body was cut on the way (a connection
// reset, a Content-Length not reached, a chunked body without its final
// chunk, the attempt timeout): its status came, but the answer as a whole
// was lost, so it is ErrNetwork, never a class or a success read from a
// part of it.
func (c *Client) lostAnswer(req *Request, a *Answer, readErr error, attempts int, r redactor) error {
	return &mfaclient.APIError{
		Provider:   c.provider,
		Operation:  a.Operation,
		UserID:     req.UserID,
		StatusCode: a.StatusCode,
		Detail:     r.String(fmt.Sprintf("the answer was cut after %d bytes of its body: %v", len(a.Body), readErr)),
		RequestID:  requestID(a.Header),
		Header:     a.Header,
		Body:       a.Body,
		Attempts:   attempts,
		Class:      mfaclient.ErrNetwork,
	}
}

// apiError builds the typed error for a classified answer.
func (c *Client) apiError(req *Request, a *Answer, v Verdict, attempts int) error {
	e := &mfaclient.APIError{
		Provider:   c.provider,
		Operation:  a.Operation,
		UserID:     req.UserID,
		StatusCode: a.StatusCode,
		Code:       v.Code,
		Message:    v.Message,
		Detail:     v.Detail,
		RequestID:  requestID(a.Header),
		Header:     a.Header,
		Body:       a.Body,
		Attempts:   attempts,
		Class:      v.Class,
		Cause:      v.Cause,
	}
	switch v.Class {
	case mfaclient.ErrRateLimited:
		now := time.Now()
		hs := c.rt.hints(a.Header, now)
		wait, _ := hs.Wait(now)
		return &mfaclient.RateLimitError{APIError: e, RetryAfter: wait, Limit: hs.Limit, Remaining: hs.Remaining, Reset: hs.Reset}
	case mfaclient.ErrForbidden:
		return &mfaclient.ForbiddenError{APIError: e, Required: v.Required}
	}
	return e
}

// requestIDHeaders are the request-ID headers providers and their proxies send.
var requestIDHeaders = []string{"X-Request-Id", "X-Correlation-Id", "Request-Id", "X-Amzn-Requestid"}

func requestID(h http.Header) string {
	for _, k := range requestIDHeaders {
		if v := h.Get(k); v != "" {
			return v
		}
	}
	return ""
}
