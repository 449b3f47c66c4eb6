package transport

import (
	"context"
	"fmt"
	"net/http"
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
	// QuotaRefill is how the provider's limiter gives back the quota
	// X-RateLimit-Remaining reports, when its docs or source say so
	// (refill.go). Default: a fixed window, all of it at the reset.
	QuotaRefill QuotaRefill
	// SuccessBodies are the provider's documented success bodies, byte for
	// byte as its server sends them: a 200 with one of them is a success
	// without decoding (success.go). Each must be a body Classify reads as
	// success on a 200 for every operation; one it does not is dropped.
	// Default: none, every answer is decoded.
	SuccessBodies []string
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
	// successBodies: success.go.
	successBodies []string
}

// New validates the settings and builds a client. Its errors are
// mfaclient.ErrInvalidInput.
func New(cfg Config) (*Client, error) {
	s := cfg.Settings
	raw := s.BaseURL
	switch {
	case s.BaseURLSet && raw == "":
		return nil, InvalidInput(cfg.Provider, "New", "WithBaseURL was given an empty base URL (an unset variable?); omit the option for the default")
	case raw == "":
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
	if hasControl(s.UserAgent) {
		return nil, InvalidInput(cfg.Provider, "New", "user agent contains control characters, so it can never be sent as a header")
	}
	if err := checkHeaderValues(cfg.Header); err != nil {
		return nil, InvalidInput(cfg.Provider, "New", "%v", err)
	}
	rt := &attemptTransport{
		gate:      newGate(s, cfg.QuotaRefill),
		deadlines: deadlines{timeout: s.AttemptTimeout},
		maxWait:   s.Retry.MaxWait,
		logger:    s.Logger,
		provider:  cfg.Provider,
		policy:    policy{retry: s.Retry, resetUnit: cfg.ResetUnit},
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

		successBodies: successBodies(cfg.Classify, cfg.SuccessBodies),
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
	// outcome, so a 5xx or a lost answer may be retried (outcome.go).
	Idempotent bool
	// Secrets are per-call values to redact (a 2FA code), besides the
	// client's.
	Secrets []string
	// UserID is the user the call names, "" when it names none
	// (ResetOwnMFA, SetPrimaryMFA): every error of the call carries it.
	UserID string
	// Classify, when set, reads this request's answers instead of the
	// client's Classifier: a call made of several requests (Kratos reads an
	// identity, then deletes its credentials) decodes each success into its
	// own variables.
	Classify Classifier
}

// Do sends req, retrying as the policy allows, and returns nil on the
// provider's documented success or the typed error for anything else. The
// stages of a call, in order (doc.go traces one call through them):
// request.go builds the request; roundtrip.go, retry.go and gate.go send it;
// body.go reads and bounds the answer; redact.go redacts it; the provider's
// classifier decodes it (decode.go) and classifies it (classify.go);
// errors.go builds the typed error.
func (c *Client) Do(ctx context.Context, req *Request) error {
	r := c.redactorFor(req)
	cc := newCallContext(ctx, req, r)
	st := &cc.call
	hreq, err := c.newRequest(cc, req)
	if err != nil {
		return err
	}
	resp, err := c.send(cc, hreq)
	if err != nil {
		return c.sendError(ctx, req, st, err)
	}
	if st.location != nil {
		resp.Header["Location"] = st.location
	}
	body, more, readErr := readBounded(resp.Body, resp.ContentLength)
	if ctx.Err() != nil {
		// The caller's context ended while the body was read, so the body may
		// be cut short: the outcome is the caller's context error, not a class
		// guessed from half an answer.
		return c.sendError(ctx, req, st, ctx.Err())
	}
	if readErr == nil && !more && c.isDocumentedSuccess(req, resp.StatusCode, body) {
		return nil
	}
	a := &Answer{
		Operation:  req.Operation,
		StatusCode: resp.StatusCode,
		Header:     r.Header(boundHeader(resp.Header), c.header, req.Header),
		Body:       r.Body(body),
	}
	if readErr != nil {
		return c.lostAnswer(req, a, readErr, st.attempts, r)
	}
	v := c.verdict(a, more, req.Classify)
	if v.Class == nil {
		return nil
	}
	return c.apiError(req, a, v, st.attempts)
}

func (c *Client) redactorFor(req *Request) redactor {
	if len(req.Secrets) == 0 {
		return c.redact
	}
	return append(newRedactor(req.Secrets), c.redact...)
}
