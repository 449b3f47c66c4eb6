package transport

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
)

// The retry policy: each rule is a small function that says why it retries
// or not. An operation is idempotent when repeating it cannot change its
// documented outcome; EntryGuard's reset is not (a second reset answers 400
// "MFA is not enabled"), so after an attempt that may have reached the
// server, it is not repeated.

// checkRetry is go-retryablehttp's CheckRetry.
func (t *attemptTransport) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err() // the caller gave up; never outlive its context
	}
	st := callFrom(ctx)
	idempotent := st != nil && st.idempotent
	if err != nil {
		return retryNetworkError(ctx, idempotent, err)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return t.retryRateLimited(resp), nil
	case resp.StatusCode >= 500 && resp.StatusCode <= 599 && resp.StatusCode != http.StatusNotImplemented:
		return retryServerError(idempotent), nil
	}
	return false, nil // success, 3xx not followed, 4xx: the answer is final
}

// retryRateLimited: a 429 was refused before the provider acted, so it is
// always safe to repeat; but a hint beyond MaxWait returns the
// *RateLimitError at once instead of sleeping.
func (t *attemptTransport) retryRateLimited(resp *http.Response) bool {
	wait, ok := ParseHints(resp.Header, time.Now()).Wait(time.Now())
	return !ok || wait <= t.maxWait
}

// retryServerError: a 5xx may come after the provider acted, so only an
// idempotent operation is repeated.
func retryServerError(idempotent bool) bool { return idempotent }

// retryNetworkError: a request that provably never left (no connection) is
// always safe to repeat; one that may have reached the server (reset, EOF,
// timeout) only when idempotent. A rate-limit wait beyond the budget, a bad
// certificate or scheme, and the caller's context are final.
func retryNetworkError(ctx context.Context, idempotent bool, err error) (bool, error) {
	var beyond *errWaitBeyondBudget
	if errors.As(err, &beyond) {
		return false, err
	}
	if !idempotent && !neverSent(err) {
		return false, err
	}
	return retryablehttp.DefaultRetryPolicy(ctx, nil, err)
}

// neverSent reports whether err happened before any byte of the request
// could reach the server: dialing or resolving failed.
func neverSent(err error) bool {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return true
	}
	var opErr *net.OpError
	return errors.As(err, &opErr) && opErr.Op == "dial"
}

// backoff is go-retryablehttp's Backoff: the provider's hint on 429/503 when
// it gave one (checkRetry already refused hints beyond MaxWait), else
// exponential from MinWait with full jitter, capped at MaxWait. Jitter keeps
// many workers that failed together from retrying together.
func (t *attemptTransport) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	wait := t.backoffFor(minWait, maxWait, attempt, resp)
	if resp != nil && resp.Request != nil {
		ctx := resp.Request.Context()
		t.logRetryWait(ctx, callFrom(ctx), resp.StatusCode, wait)
	}
	return wait
}

func (t *attemptTransport) backoffFor(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		now := time.Now()
		if wait, ok := ParseHints(resp.Header, now).retryWait(now); ok && wait > 0 {
			return min(wait, maxWait)
		}
	}
	return exponentialJitter(minWait, maxWait, attempt)
}

// exponentialJitter returns a random wait in [d/2, d] where d is
// minWait·2^attempt capped at maxWait.
func exponentialJitter(minWait, maxWait time.Duration, attempt int) time.Duration {
	d := minWait
	for i := 0; i < attempt && d < maxWait; i++ {
		d *= 2
	}
	d = min(d, maxWait)
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// keepLastResponse is go-retryablehttp's ErrorHandler. The default one drains
// and drops the final 429/5xx; this one returns it so the classifier can read
// it. When the caller's context ended, the context error wins.
func keepLastResponse(resp *http.Response, err error, _ int) (*http.Response, error) {
	if err == nil && resp != nil {
		return resp, nil
	}
	if resp != nil {
		drainAndClose(resp.Body)
	}
	return nil, err
}
