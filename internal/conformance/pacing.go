package conformance

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/benchmarks"
	"github.com/mfakit/mfakit/mfaclient"
)

// testPacing: the client-wide rules for providers that say little (a bare
// 429), fail for a while (an outage), or keep a clock of their own. All in
// bubbles with the default policy, so the waits are the real ones.
func testPacing(t *testing.T, p Provider) {
	t.Run("LearnsRateFromBare429s", func(t *testing.T) { testLearnsRate(t, p) })
	t.Run("WithRateLimitPacesFromTheStart", func(t *testing.T) { testConfiguredRate(t, p) })
	t.Run("PacedRateLimitKeepsTheCallsRetries", func(t *testing.T) { testPacedKeepsRetries(t, p) })
	t.Run("RetryBudgetDrainsAndRefills", func(t *testing.T) { testRetryBudget(t, p) })
	t.Run("ServerErrorRetryAfterClosesTheGate", func(t *testing.T) { testServerErrorClosesGate(t, p) })
	t.Run("ProviderClock", func(t *testing.T) { testProviderClock(t, p) })
	t.Run("GateProbesAfterMaxWait", func(t *testing.T) { testGateProbe(t, p) })
}

// limited answers a bare 429 whenever l refuses, else p's answer (a
// prelude's or the documented success), and counts the 429s.
func limited(p Provider, l benchmarks.Limiter, refused *atomic.Int64) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, r *http.Request) {
		if !l.Allow(time.Now()) {
			refused.Add(1)
			statusJSON(w, http.StatusTooManyRequests, `{"success":false,"error":"Too many requests"}`)
			return
		}
		p.answer(w, r)
	}
}

// resetAll resets n users with c goroutines sharing one client and returns
// the errors.
func resetAll(c Client, p Provider, n, workers int) []error {
	errs := make([]error, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				errs[i] = c.ResetMFA(bg(), p.UserID)
			}
		})
	}
	wg.Wait()
	return errs
}

// A provider that limits with no hint at all: the client learns the rate
// from the first 429s and paces every goroutine to it. What it pays: the
// requests already in flight when the first 429 came, one request that
// measures the limiter and at most two that correct the measure; no call
// fails, and the run takes about the ideal time (the requests over the
// provider's rate). The limiter sees every request, a prelude's included,
// as the provider's own would.
func testLearnsRate(t *testing.T, p Provider) {
	const calls, workers, rate = 400, 8, 100
	perCall := p.perCall()
	ideal := time.Duration(calls*perCall) * time.Second / rate
	for name, newLimiter := range map[string]func() benchmarks.Limiter{
		"FixedWindow": func() benchmarks.Limiter { return &benchmarks.FixedWindow{Limit: rate, Window: time.Second} },
		"TokenBucket": func() benchmarks.Limiter { return &benchmarks.TokenBucket{Rate: rate, Burst: 10} },
	} {
		t.Run(name, func(t *testing.T) {
			var refused atomic.Int64
			inServedBubble(t, p, limited(p, newLimiter(), &refused), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
				start := time.Now()
				for i, err := range resetAll(newClient(), p, calls, workers) {
					assert.NoError(t, err, "call %d", i)
				}
				elapsed := time.Since(start)
				// The first 429 and those already in flight with it (at most
				// one per worker), the one that measured the limiter, and up to
				// two that correct a rate started above the measure.
				assert.LessOrEqual(t, refused.Load(), int64(workers+3))
				assert.Len(t, srv.requests(), calls*perCall+int(refused.Load()))
				assert.LessOrEqual(t, elapsed, ideal*110/100, "paced at about the provider's rate")
				assert.GreaterOrEqual(t, elapsed, ideal*95/100, "not faster than it allows")
			})
		})
	}
}

// WithRateLimit spaces the requests from the first one: no 429 to learn
// from, and no two requests closer than the rate allows beyond the burst,
// counting every request the client sends (a prelude's too).
func testConfiguredRate(t *testing.T, p Provider) {
	var refused atomic.Int64
	l := &benchmarks.TokenBucket{Rate: 10, Burst: 2}
	const calls = 40
	inServedBubble(t, p, limited(p, l, &refused), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
		start := time.Now()
		for i, err := range resetAll(newClient(mfaclient.WithRateLimit(10, 2)), p, calls, 8) {
			assert.NoError(t, err, "call %d", i)
		}
		assert.Zero(t, refused.Load(), "no 429 at all")
		reqs := srv.requests()
		require.Len(t, reqs, calls*p.perCall())
		assert.Equal(t, start, reqs[1].At, "a burst of 2")
		for i := 2; i < len(reqs); i++ {
			assert.Equal(t, 100*time.Millisecond, reqs[i].At.Sub(reqs[i-1].At), "request %d", i)
		}
	})
}

// A 429 the pacer answers does not spend the call's retries: with one
// retry allowed, a call that meets the limiter's 429 and the one that
// measures it still succeeds when the window opens.
func testPacedKeepsRetries(t *testing.T, p Provider) {
	var refused atomic.Int64
	l := &benchmarks.FixedWindow{Limit: 5, Window: time.Second}
	inBubble(t, p, limited(p, l, &refused), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
		c := newClient(mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1, MinWait: 500 * time.Millisecond, MaxWait: time.Minute}))
		start := time.Now()
		for range 5 {
			require.NoError(t, c.ResetMFA(bg(), p.UserID))
		}
		require.NoError(t, c.ResetMFA(bg(), p.UserID), "two 429s, one retry allowed")
		reqs := srv.requests()
		require.Len(t, reqs, 8)
		assert.EqualValues(t, 2, refused.Load())
		assert.Equal(t, drainDelay(), reqs[6].At.Sub(start), "the measuring request")
		assert.GreaterOrEqual(t, reqs[7].At.Sub(start), time.Second, "sent when the window is over")
		assert.LessOrEqual(t, reqs[7].At.Sub(start), 1100*time.Millisecond)
	})
}

// drainDelay is how long the client lets a limiter refill before it
// measures it (internal/transport's drainDelay).
func drainDelay() time.Duration { return 100 * time.Millisecond }

// The client-wide retry budget: an outage spends it and then every call
// makes one request; answers that are not failures earn it back, one retry
// each, a prelude's as much as a reset's. Only idempotent operations retry
// a 5xx at all. The outage answers every request, a prelude's included, so
// a call whose prelude fails sends nothing more.
func testRetryBudget(t *testing.T, p Provider) {
	if !p.ResetIdempotent {
		t.Skip("ResetMFA is not retried after a 5xx")
	}
	const budget = 50 // internal/transport's retryBudgetCap
	var down atomic.Bool
	down.Store(true)
	answer := func(_ int, w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			statusJSON(w, http.StatusServiceUnavailable, `<html>down</html>`)
			return
		}
		p.answer(w, r)
	}
	inServedBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
		c := newClient()
		maxRetries := mfaclient.DefaultRetryPolicy().MaxRetries
		const calls = 30
		for range calls {
			assert.ErrorIs(t, c.ResetMFA(bg(), p.UserID), mfaclient.ErrServer)
		}
		assert.Len(t, srv.requests(), calls+budget, "the budget's retries, then one request per call")
		err := c.ResetMFA(bg(), p.UserID)
		requireAPIError(t, err, http.StatusServiceUnavailable, mfaclient.ErrServer, 1)

		down.Store(false)
		const successes = 5
		for range successes {
			require.NoError(t, c.ResetMFA(bg(), p.UserID))
		}
		down.Store(true)
		// Every answer of the successes earned a retry: with the default
		// policy (3 retries a call), 5 one-request calls give calls of 4, 3
		// and 1 attempts; 5 two-request calls (a prelude and the reset) give
		// 10 retries, calls of 4, 4, 4, 2 and 1 attempts.
		want := retriesFrom(successes*p.perCall(), maxRetries)
		before := len(srv.requests())
		sent := 0
		for i, attempts := range want {
			apiErr := requireAPIError(t, c.ResetMFA(bg(), p.UserID), http.StatusServiceUnavailable, mfaclient.ErrServer, attempts)
			sent += attempts
			require.Len(t, srv.requests(), before+sent, "call %d: %v", i, apiErr)
		}
		for i, r := range srv.requests()[before:] {
			assert.Equal(t, firstPath(p), r.Path, "request %d: a failed first request ends the call", i)
		}
	})
}

// retriesFrom is the attempts of each call failing in an outage that starts
// with tokens in the retry budget, until a call has no retry left: a call
// retries up to maxRetries times, each retry spending a token.
func retriesFrom(tokens, maxRetries int) []int {
	var attempts []int
	for {
		n := min(tokens, maxRetries)
		attempts = append(attempts, n+1)
		tokens -= n
		if n == 0 {
			return attempts
		}
	}
}

// firstPath is the path (without query) of the first request ResetMFA
// sends.
func firstPath(p Provider) string {
	if len(p.PreludePaths) > 0 {
		path, _, _ := strings.Cut(p.PreludePaths[0], "?")
		return path
	}
	return p.ResetPath
}

// A 503 with Retry-After closes the client-wide gate as a 429 does: the
// other goroutines wait instead of each spending a request on a provider
// that said when it will be back.
func testServerErrorClosesGate(t *testing.T, p Provider) {
	answer := func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			statusJSON(w, http.StatusServiceUnavailable, `<html>maintenance</html>`, "Retry-After", "10")
			return
		}
		p.Success(w)
	}
	inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
		c := newClient()
		start := time.Now()
		first := make(chan error, 1)
		go func() { first <- c.ResetMFA(bg(), p.UserID) }()
		synctest.Wait()
		errs := make(chan error, 8)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() { errs <- c.ResetMFA(bg(), p.UserID) })
		}
		synctest.Wait()
		assert.Len(t, srv.requests(), 1, "the others wait at the gate")
		assert.Equal(t, start.Add(10*time.Second), c.RateLimitedUntil())
		wg.Wait()
		for range 8 {
			assert.NoError(t, <-errs)
		}
		if p.ResetIdempotent {
			assert.NoError(t, <-first, "retried after Retry-After")
		} else {
			requireAPIError(t, <-first, http.StatusServiceUnavailable, mfaclient.ErrServer, 1)
		}
		reqs := srv.requests()
		for _, r := range reqs[1:] {
			assert.Equal(t, 10*time.Second, r.At.Sub(start))
		}
	})
}

// Times a provider names are read on its clock (its Date header), and a
// time already past never makes the retry come sooner than MinWait.
func testProviderClock(t *testing.T, p Provider) {
	const skew = 5 * time.Minute
	for name, tc := range map[string]struct {
		date    time.Duration // the provider's clock, from the client's; none when zero
		headers func(provNow time.Time) []string
		want    time.Duration // when the retry is sent
	}{
		"SlowClockEpochReset": {-skew, func(pn time.Time) []string {
			return []string{"X-RateLimit-Reset", resetOr(p, pn.Add(10*time.Second), pn, epochSeconds)}
		}, 10*time.Second + time.Millisecond},
		"FastClockEpochMillisReset": {skew, func(pn time.Time) []string {
			return []string{"X-RateLimit-Reset", resetOr(p, pn.Add(10*time.Second), pn, epochMillis)}
		}, 10*time.Second + time.Millisecond},
		"SlowClockRetryAfterDate": {-skew, func(pn time.Time) []string {
			return []string{"Retry-After", pn.Add(20 * time.Second).UTC().Format(http.TimeFormat)}
		}, 20 * time.Second},
		"PastResetWithoutDate": {0, func(pn time.Time) []string {
			return []string{"X-RateLimit-Reset", resetOr(p, pn.Add(-skew), pn, epochSeconds)}
		}, mfaclient.DefaultRetryPolicy().MinWait},
	} {
		t.Run(name, func(t *testing.T) {
			answer := func(n int, w http.ResponseWriter, _ *http.Request) {
				provNow := time.Now().Add(tc.date)
				if tc.date == 0 {
					w.Header()["Date"] = nil // net/http then sends none
				} else {
					w.Header().Set("Date", provNow.UTC().Format(http.TimeFormat))
				}
				if n == 0 {
					statusJSON(w, http.StatusTooManyRequests, `{"success":false,"error":"slow down"}`, tc.headers(provNow)...)
					return
				}
				p.Success(w)
			}
			inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
				start := time.Now()
				require.NoError(t, newClient().ResetMFA(bg(), p.UserID))
				reqs := srv.requests()
				require.Len(t, reqs, 2)
				assert.Equal(t, tc.want, reqs[1].At.Sub(start))
			})
		})
	}
}

// One answer never closes the gate for longer than MaxWait without the
// client asking again: after MaxWait one request goes through, and its
// answer decides.
func testGateProbe(t *testing.T, p Provider) {
	far := func() string { return resetValue(p, time.Now().Add(300*24*time.Hour), time.Now()) }
	answer := func(n int, w http.ResponseWriter, _ *http.Request) {
		if n < 2 { // the first answer, and the first probe's
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", far())
		}
		p.Success(w)
	}
	inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
		c := newClient()
		maxWait := mfaclient.DefaultRetryPolicy().MaxWait
		require.NoError(t, c.ResetMFA(bg(), p.UserID))
		requireAPIError(t, c.ResetMFA(bg(), p.UserID), http.StatusTooManyRequests, mfaclient.ErrRateLimited, 0)
		time.Sleep(maxWait - time.Millisecond)
		requireAPIError(t, c.ResetMFA(bg(), p.UserID), http.StatusTooManyRequests, mfaclient.ErrRateLimited, 0)
		assert.Len(t, srv.requests(), 1, "refused without sending before MaxWait")

		time.Sleep(time.Millisecond)
		require.NoError(t, c.ResetMFA(bg(), p.UserID), "the probe")
		requireAPIError(t, c.ResetMFA(bg(), p.UserID), http.StatusTooManyRequests, mfaclient.ErrRateLimited, 0)
		assert.Len(t, srv.requests(), 2, "the probe's answer closed the gate again")

		time.Sleep(maxWait)
		require.NoError(t, c.ResetMFA(bg(), p.UserID), "the next probe")
		require.NoError(t, c.ResetMFA(bg(), p.UserID), "its answer opened the gate")
		assert.Len(t, srv.requests(), 4)
	})
}
