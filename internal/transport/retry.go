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

// checkRetry is go-retryablehttp's CheckRetry. go-retryablehttp's own count
// (RetryMax) only bounds the loop; the policy's MaxRetries is counted here,
// because a 429 the pacer answers is not one of them.
func (t *attemptTransport) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err() // the caller gave up; never outlive its context
	}
	st := callFrom(ctx)
	if st == nil {
		st = new(call) // not sent through Do: only the policy's own bound
	}
	if err != nil {
		retry, err := retryNetworkError(ctx, st.idempotent, err)
		return retry && t.retryFailure(st), err
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests && st.lastPaced:
		return t.retryPaced(st), nil
	case resp.StatusCode == http.StatusTooManyRequests:
		return t.retryRateLimited(resp) && t.countRetry(st), nil
	case resp.StatusCode >= 500 && resp.StatusCode <= 599 && resp.StatusCode != http.StatusNotImplemented:
		return retryServerError(st.idempotent) && t.retryServerHint(resp) && t.retryFailure(st), nil
	}
	return false, nil // success, 3xx not followed, 4xx: the answer is final
}

// retryCount is a call's count of retries. retries is what the policy's
// MaxRetries bounds; paced counts the 429s the pacer answered, which it does
// not; lastPaced says the last answer was one of those.
type retryCount struct {
	retries, paced int
	lastPaced      bool
}

// maxPacedRetries bounds the 429s one call may meet while the pacer answers
// them, so a provider that refuses everything still ends the call.
const maxPacedRetries = 5

// countRetry spends one of the call's MaxRetries.
func (t *attemptTransport) countRetry(st *call) bool {
	if st.retries >= t.retry.MaxRetries {
		return false
	}
	st.retries++
	return true
}

// retryFailure: a failure (5xx, lost answer) is retried when the call has a
// retry left and the client's retry budget has a token.
func (t *attemptTransport) retryFailure(st *call) bool {
	if st.retries >= t.retry.MaxRetries || !t.gate.retry() {
		return false
	}
	st.retries++
	return true
}

// retryPaced: a 429 the pacer answers is retried when the pacer lets it go,
// without spending the call's retries, up to maxPacedRetries; beyond that it
// counts like any other 429. Retries off means off.
func (t *attemptTransport) retryPaced(st *call) bool {
	if t.retry.MaxRetries == 0 {
		return false
	}
	if st.paced < maxPacedRetries {
		st.paced++
		return true
	}
	return t.countRetry(st)
}

// retryRateLimited: a 429 was refused before the provider acted, so it is
// always safe to repeat; but a hint beyond MaxWait returns the
// *RateLimitError at once instead of sleeping.
func (t *attemptTransport) retryRateLimited(resp *http.Response) bool {
	now := time.Now()
	wait, ok := t.hints(resp.Header, now).Wait(now)
	return !ok || wait <= t.maxWait
}

// retryServerHint: a failure whose Retry-After is beyond MaxWait is
// returned at once, as a 429's is; the gate keeps the others from sending
// until then.
func (t *attemptTransport) retryServerHint(resp *http.Response) bool {
	now := time.Now()
	hs := t.hints(resp.Header, now)
	return !hs.HasRetryAfter || hs.RetryAfter <= t.maxWait
}

// hints parses an answer's rate-limit headers in the provider's reset unit.
func (t *attemptTransport) hints(h http.Header, now time.Time) Hints {
	return ParseHintsUnit(h, now, t.resetUnit)
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

// backoff is go-retryablehttp's Backoff: nothing for a 429 the pacer
// answers (the gate holds the retry until its slot); the provider's hint on
// 429/503 when it gave one (checkRetry already refused hints beyond
// MaxWait); else exponential from MinWait with full jitter, capped at
// MaxWait. Jitter keeps many workers that failed together from retrying
// together. A hint that asks for no wait at all (a reset or date already
// past, "Retry-After: 0") waits at least MinWait.
func (t *attemptTransport) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	var st *call
	if resp != nil && resp.Request != nil {
		st = callFrom(resp.Request.Context())
	}
	if st != nil {
		if st.lastPaced {
			return 0
		}
		attempt = max(st.retries-1, 0) // paced 429s do not grow the backoff
	}
	wait := t.backoffFor(minWait, maxWait, attempt, resp)
	if st != nil {
		t.logRetryWait(resp.Request.Context(), st, resp.StatusCode, wait)
	}
	return wait
}

func (t *attemptTransport) backoffFor(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		now := time.Now()
		wait, ok := t.hints(resp.Header, now).retryWait(now)
		switch {
		case ok && wait > 0:
			return min(wait, maxWait)
		case ok:
			return max(exponentialJitter(minWait, maxWait, attempt), minWait)
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
