package transport

import (
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
)

// policy is what the attempt transport knows of the caller's retry policy
// and the provider's rate-limit headers.
type policy struct {
	retry     mfaclient.RetryPolicy
	resetUnit ResetUnit // the unit of X-RateLimit-Reset
}

// newGate builds a client's gate, pacing from the first request when the
// caller gave a rate, learning a rate from bare 429s when the policy
// retries, and following the provider's quota as it refills (refill).
func newGate(s mfaclient.Settings, refill QuotaRefill) *gate {
	g := &gate{refill: refill}
	g.pace.learns = s.Retry.MaxRetries > 0 && s.Retry.MaxWait >= minLearnWait
	g.pace.configure(s.RateLimit, s.RateBurst)
	return g
}

// minLearnWait is the shortest MaxWait with which a rate is learned from
// bare 429s: learning waits for the provider's limiter to refill (drainDelay,
// then a window of about a second). A policy that waits less (retries off,
// or a test's millisecond policy) has opted out of waiting that long; its
// bare 429s are retried by its backoff, each counted.
const minLearnWait = time.Second

// checkRateLimit refuses a rate that cannot pace anything.
func checkRateLimit(rate float64, burst int) error {
	switch {
	case math.IsNaN(rate) || math.IsInf(rate, 0) || rate < 0:
		return fmt.Errorf("rate limit %v is not a rate", rate)
	case burst < 0:
		return fmt.Errorf("rate limit burst %d is negative", burst)
	}
	return nil
}

// loopBound is go-retryablehttp's RetryMax: the policy's retries plus the
// 429s the pacer may answer, which checkRetry does not count as retries.
func loopBound(p mfaclient.RetryPolicy) int {
	if p.MaxRetries == 0 {
		return 0
	}
	return p.MaxRetries + maxPacedRetries
}

// learnedServerError is the error returned without sending while the gate
// is closed beyond MaxWait by a failure's Retry-After (a 503): the provider
// said it is down until then.
func learnedServerError(provider string, req *Request, st *call, e *errWaitBeyondBudget) error {
	return &mfaclient.APIError{
		Provider: provider, Operation: req.Operation, UserID: req.UserID,
		StatusCode: e.status,
		Message:    fmt.Sprintf("%d %s until %s (learned from an earlier answer; not sent)", e.status, http.StatusText(e.status), e.until.UTC().Format(time.RFC3339)),
		Attempts:   st.attempts,
		Class:      mfaclient.ErrServer,
	}
}
