package conformance

// Guarantee "Hostile rate-limit hints are bounded" (README, Security and
// reliability).

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// maxSaneHint is the longest RetryAfter a *RateLimitError may report: a
// hostile hint is cut to about a year, never overflowing into a negative
// or a century.
const maxSaneHint = 366 * 24 * time.Hour

// testHostileHints: rate-limit hints that are absurd, negative, malformed or
// in the past give the typed error, a bounded wait (never beyond MaxWait per
// retry), and no panic. The default retry policy is used, inside a bubble,
// so its real waits (500ms doubling, 60s cap) cost nothing.
func testHostileHints(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testHostileHintsOf(t, p, op) })
}

func testHostileHintsOf(t *testing.T, p Provider, op operation) {
	def := mfaclient.DefaultRetryPolicy()
	// Exponential backoff with jitter: at most MinWait·(1+2+4) over 3 retries.
	maxBackoff := def.MinWait * 7

	always := func(status int, kv ...string) func(int, http.ResponseWriter, *http.Request) {
		return func(_ int, w http.ResponseWriter, _ *http.Request) {
			p.errorAnswer(w, status, kv...)
		}
	}

	for name, retryAfter := range map[string]string{
		"Huge":        "999999999999",
		"Overflowing": "99999999999999999999999",
		"OneYear":     "31536000",
		"FarDate":     "Fri, 31 Dec 9999 23:59:59 GMT",
	} {
		t.Run("RetryAfter"+name+"ReturnsAtOnce", func(t *testing.T) {
			inBubble(t, p, always(http.StatusTooManyRequests, "Retry-After", retryAfter), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
				c := newClient()
				start := time.Now()
				rl := requireRateLimit(t, op.Call(bg(), c), 1)
				assert.Greater(t, rl.RetryAfter, def.MaxWait, "the hint is reported, beyond the cap")
				assert.LessOrEqual(t, rl.RetryAfter, maxSaneHint, "and bounded, not overflowed")
				assert.Zero(t, time.Since(start), "no sleep for a hint beyond MaxWait")

				err := op.Call(bg(), c)
				assert.ErrorIs(t, err, mfaclient.ErrRateLimited, "the next call too")
				assert.Zero(t, time.Since(start), "and it does not sleep either")
				assert.LessOrEqual(t, len(srv.requests()), 2)
			})
		})
	}

	for name, retryAfter := range map[string]func() string{
		"Negative": constant("-5"),
		"Word":     constant("soon"),
		"Fraction": constant("1.5"),
		"Hex":      constant("0x10"),
		"Exponent": constant("1e3"),
		"Spaces":   constant("   "),
		// An hour before the answer, on the bubble's clock.
		"PastDate": func() string { return time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat) },
	} {
		t.Run("RetryAfter"+name+"BacksOff", func(t *testing.T) {
			answer := func(_ int, w http.ResponseWriter, _ *http.Request) {
				p.errorAnswer(w, http.StatusTooManyRequests, "Retry-After", retryAfter())
			}
			inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
				start := time.Now()
				rl := requireRateLimit(t, op.Call(bg(), newClient()), def.MaxRetries+1)
				assert.Zero(t, rl.RetryAfter, "no usable hint")
				elapsed := time.Since(start)
				assert.LessOrEqual(t, elapsed, maxBackoff, "the policy's own backoff, not the hint")
				assert.GreaterOrEqual(t, elapsed, maxBackoff/2, "it did back off")
				assert.Len(t, srv.requests(), def.MaxRetries+1)
			})
		})
	}

	for name, reset := range map[string]string{
		"Word":           "soon",
		"Negative":       "-1",
		"Fraction":       "1.5",
		"Uint64Overflow": "18446744073709551616",
		"FarFuture":      "999999999999999999",
		"Hex":            "0x7fffffff",
	} {
		t.Run("Reset"+name+"Ignored", func(t *testing.T) {
			answer := always(http.StatusTooManyRequests, "X-RateLimit-Reset", reset, "X-RateLimit-Limit", "lots", "X-RateLimit-Remaining", "-3")
			inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
				c := newClient()
				start := time.Now()
				rl := requireRateLimit(t, op.Call(bg(), c), def.MaxRetries+1)
				assert.Zero(t, rl.RetryAfter)
				assert.True(t, rl.Reset.IsZero(), "reset %s", rl.Reset)
				assert.Equal(t, -1, rl.Limit)
				assert.Equal(t, -1, rl.Remaining)
				assert.LessOrEqual(t, time.Since(start), maxBackoff)
				assert.LessOrEqual(t, c.RateLimitedUntil(), time.Now(), "nothing learned from garbage")
			})
		})
	}

	t.Run("GarbageResetDoesNotHideRetryAfter", func(t *testing.T) {
		inBubble(t, p, rateLimitedOnce(p, "Retry-After", "2", "X-RateLimit-Reset", "soon"), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			start := time.Now()
			require.NoError(t, op.Call(bg(), newClient()))
			reqs := srv.requests()
			require.Len(t, reqs, 2)
			wait := reqs[1].At.Sub(start)
			assert.True(t, wait >= 2*time.Second && wait <= 2*time.Second+10*time.Millisecond, "waited %s for Retry-After: 2", wait)
		})
	})

	t.Run("GarbageResetOnSuccessLearnsNothing", func(t *testing.T) {
		answer := func(_ int, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", "99999999999999999")
			p.Success(w)
		}
		inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			c := newClient()
			start := time.Now()
			require.NoError(t, op.Call(bg(), c))
			require.NoError(t, op.Call(bg(), c))
			assert.Zero(t, time.Since(start), "an unreadable reset holds nothing back")
			assert.Len(t, srv.requests(), 2)
		})
	})

	t.Run("ServerErrorHugeRetryAfterCappedAtMaxWait", func(t *testing.T) {
		inBubble(t, p, always(http.StatusServiceUnavailable, "Retry-After", "999999999999"), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			start := time.Now()
			err := op.Call(bg(), newClient())
			attempts := 1
			if op.Repeated {
				attempts = def.MaxRetries + 1
			}
			requireAPIError(t, err, http.StatusServiceUnavailable, mfaclient.ErrServer, attempts)
			assert.LessOrEqual(t, time.Since(start), time.Duration(attempts-1)*(def.MaxWait+10*time.Millisecond),
				"each wait is capped at MaxWait")
			assert.Len(t, srv.requests(), attempts)
		})
	})
}

func constant(s string) func() string { return func() string { return s } }

// requireRateLimit asserts err is a *RateLimitError after attempts requests
// and returns it.
func requireRateLimit(t *testing.T, err error, attempts int) *mfaclient.RateLimitError {
	t.Helper()
	requireAPIError(t, err, http.StatusTooManyRequests, mfaclient.ErrRateLimited, attempts)
	var rl *mfaclient.RateLimitError
	require.ErrorAs(t, err, &rl)
	assert.GreaterOrEqual(t, rl.RetryAfter, time.Duration(0), "never negative")
	return rl
}
