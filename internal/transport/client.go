package transport

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/mfakit/mfakit/mfaclient"
)

// Config is what a provider package hands to New.
type Config struct {
	Provider       string // "flashback", "entryguard", "rocketchat"
	DefaultBaseURL string
	Settings       mfaclient.Settings
	// Header is sent with every request: the provider's credentials.
	Header http.Header
	// Secrets are redacted from everything a server sends back.
	Secrets []string
	// Classify reads the provider's answers.
	Classify Classifier
	// ResetUnit is the unit of the provider's X-RateLimit-Reset, when its
	// docs name one. Default: inferred from the value.
	ResetUnit ResetUnit
}

// Client sends one provider's requests. It is safe for concurrent use, and
// its rate-limit gate is shared by every goroutine and every copy of the
// provider client made from it.
type Client struct {
	provider  string
	base      string   // scheme://host/prefix, no trailing slash
	userAgent []string // the header's value, shared by every request: net/http never modifies it
	header    http.Header
	classify  Classifier
	redact    redactor
	rc        *retryablehttp.Client
	rt        *attemptTransport
}

// New validates the settings and builds a client. Its errors are
// mfaclient.ErrInvalidInput.
func New(cfg Config) (*Client, error) {
	s := cfg.Settings
	raw := s.BaseURL
	if raw == "" {
		raw = cfg.DefaultBaseURL
	}
	u, err := ParseBaseURL(raw)
	if err != nil {
		return nil, InvalidInput(cfg.Provider, "New", "%v", err)
	}
	if err := checkRetryPolicy(s.Retry); err != nil {
		return nil, InvalidInput(cfg.Provider, "New", "%v", err)
	}
	if s.AttemptTimeout < 0 {
		return nil, InvalidInput(cfg.Provider, "New", "attempt timeout %s is negative", s.AttemptTimeout)
	}
	if err := checkRateLimit(s.RateLimit, s.RateBurst); err != nil {
		return nil, InvalidInput(cfg.Provider, "New", "%v", err)
	}
	rt := &attemptTransport{
		gate:     newGate(s),
		timeout:  s.AttemptTimeout,
		maxWait:  s.Retry.MaxWait,
		logger:   s.Logger,
		provider: cfg.Provider,
		policy:   policy{retry: s.Retry, resetUnit: cfg.ResetUnit},
	}
	rc := retryablehttp.NewClient()
	rc.Logger = nil // never the package's shared stderr logger
	rc.HTTPClient = httpClient(s.HTTPClient, rt)
	rc.RetryMax = loopBound(s.Retry)
	rc.RetryWaitMin = s.Retry.MinWait
	rc.RetryWaitMax = s.Retry.MaxWait
	rc.CheckRetry = rt.checkRetry
	rc.Backoff = rt.backoff
	rc.ErrorHandler = keepLastResponse

	ua := "mfakit/" + mfaclient.Version
	if s.UserAgent != "" {
		ua = s.UserAgent + " " + ua
	}
	return &Client{
		provider:  cfg.Provider,
		base:      u.String(),
		userAgent: []string{ua},
		header:    cfg.Header,
		classify:  cfg.Classify,
		redact:    newRedactor(cfg.Secrets),
		rc:        rc,
		rt:        rt,
	}, nil
}

// NewBearer builds a client for a provider that authenticates with a Bearer
// token: the token is checked, sent as "Authorization: Bearer <token>" with
// every request, and redacted from everything a server sends back.
func NewBearer(cfg Config, token string) (*Client, error) {
	if err := CheckCredential(cfg.Provider, "token", token); err != nil {
		return nil, err
	}
	cfg.Header = http.Header{"Authorization": {"Bearer " + token}}
	cfg.Secrets = append(cfg.Secrets, token)
	return New(cfg)
}

func checkRetryPolicy(p mfaclient.RetryPolicy) error {
	switch {
	case p.MaxRetries < 0 || p.MinWait < 0 || p.MaxWait < 0:
		return fmt.Errorf("retry policy %+v has a negative value", p)
	case p.MaxRetries > 0 && p.MinWait > p.MaxWait:
		return fmt.Errorf("retry policy MinWait %s exceeds MaxWait %s", p.MinWait, p.MaxWait)
	}
	return nil
}

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
// the caller as the 3xx itself: net/http forwards X-Auth-Token and X-User-Id
// to any host, and turns a POST into a GET on 301/302/303.
func safeRedirect(req *http.Request, via []*http.Request) bool {
	if len(via) >= 10 || req.Response == nil {
		return false
	}
	if c := req.Response.StatusCode; c != http.StatusTemporaryRedirect && c != http.StatusPermanentRedirect {
		return false
	}
	first := via[0].URL
	return req.URL.Scheme == first.Scheme && req.URL.Host == first.Host
}

// RateLimitedUntil reports until when the client's gate holds requests back
// (zero or in the past when it is open).
func (c *Client) RateLimitedUntil() time.Time {
	until, _ := c.rt.gate.closedUntil()
	return until
}

// Request is one call to send.
type Request struct {
	Operation string      // "ResetMFA", ...
	Method    string      // http.MethodPost, ...
	Path      string      // escaped, starting with "/", appended to the base URL's path
	Body      []byte      // JSON; nil sends no body and no Content-Type
	Header    http.Header // per-call headers (a 2FA code), besides the client's
	// Idempotent says repeating the call cannot change its documented
	// outcome, so a 5xx or a lost answer may be retried.
	Idempotent bool
	// Secrets are per-call values to redact (a 2FA code), besides the
	// client's.
	Secrets []string
}

// Do sends req, retrying as the policy allows, and returns nil on the
// provider's documented success or the typed error for anything else.
func (c *Client) Do(ctx context.Context, req *Request) error {
	cc := newCallContext(ctx, req)
	st := &cc.call
	rreq, err := retryablehttp.NewRequestWithContext(cc, req.Method, c.base+req.Path, bodyOrNil(req.Body))
	if err != nil {
		return InvalidInput(c.provider, req.Operation, "cannot build the request: %v", err)
	}
	h := rreq.Header
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

	resp, err := c.rc.Do(rreq)
	if err != nil {
		return c.sendError(ctx, req, st, err)
	}
	a := &Answer{Operation: req.Operation, StatusCode: resp.StatusCode, Header: resp.Header, Body: readBounded(resp.Body, resp.ContentLength)}
	if ctx.Err() != nil {
		// The caller's context ended while the body was read, so the body may
		// be cut short: the outcome is the caller's context error, not a class
		// guessed from half an answer.
		return c.sendError(ctx, req, st, ctx.Err())
	}
	r := c.redactorFor(req)
	a.Body = r.Bytes(a.Body)
	v := c.classify(a)
	if v.Class == nil {
		return nil
	}
	return c.apiError(a, v, st.attempts, r)
}

var acceptJSON = []string{"application/json"}

// bodyOrNil keeps a nil []byte from becoming a non-nil empty body interface.
func bodyOrNil(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func (c *Client) redactorFor(req *Request) redactor {
	if len(req.Secrets) == 0 {
		return c.redact
	}
	return append(newRedactor(req.Secrets), c.redact...)
}

// sendError types a failure that produced no answer to classify.
func (c *Client) sendError(ctx context.Context, req *Request, st *call, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &mfaclient.OpError{Provider: c.provider, Operation: req.Operation, Attempts: st.attempts, Err: ctxErr}
	}
	var beyond *errWaitBeyondBudget
	if errors.As(err, &beyond) {
		return c.learnedRateLimit(req, st, beyond)
	}
	msg := c.redactorFor(req).String(errorText(err))
	return &mfaclient.OpError{Provider: c.provider, Operation: req.Operation, Attempts: st.attempts,
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
			Provider: c.provider, Operation: req.Operation,
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

// apiError builds the typed error for a classified answer.
func (c *Client) apiError(a *Answer, v Verdict, attempts int, r redactor) error {
	r.Value(v.Cause)
	e := &mfaclient.APIError{
		Provider:   c.provider,
		Operation:  a.Operation,
		StatusCode: a.StatusCode,
		Code:       r.String(v.Code),
		Message:    r.String(v.Message),
		RequestID:  r.String(requestID(a.Header)),
		Header:     r.Header(a.Header),
		Body:       r.JSONBody(a.Body),
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
