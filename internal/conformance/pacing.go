package conformance

import (
	"net/http"
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

// onlyResetRequests skips a test that counts and times the requests a
// provider's limiter sees, when ResetMFA sends requests the suite's servers
// do not see: the provider's harness answers its PreludePaths (Kratos's
// identity read) below the SDK's transport, so they pass the client's gate,
// are paced and earn the retry budget back, but never meet the test's
// limiter or outage. A limiter that saw them would have to be the
// provider's own, which the harness replaces.
func onlyResetRequests(t *testing.T, p Provider) {
	t.Helper()
	if len(p.PreludePaths) > 0 {
		t.Skipf("ResetMFA sends %v first, answered below the transport, so the test's limiter sees only some of the client's requests", p.PreludePaths)
	}
}

// limited answers a bare 429 whenever l refuses, else the documented
// success, and counts the 429s.
func limited(p Provider, l benchmarks.Limiter, refused *atomic.Int64) func(int, http.ResponseWriter, *http.Request) {
	return func(_ int, w http.ResponseWriter, _ *http.Request) {
		if !l.Allow(time.Now()) {
			refused.Add(1)
			statusJSON(w, http.StatusTooManyRequests, `{"success":false,"error":"Too many requests"}`)
			return
		}
		p.Success(w)
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
// fails, and the run takes about the ideal time (calls over the provider's
// rate).
func testLearnsRate(t *testing.T, p Provider) {
	onlyResetRequests(t, p)
	const calls, workers, rate = 400, 8, 100
	ideal := time.Duration(calls/rate) * time.Second
	for name, newLimiter := range map[string]func() benchmarks.Limiter{
		"FixedWindow": func() benchmarks.Limiter { return &benchmarks.FixedWindow{Limit: rate, Window: time.Second} },
		"TokenBucket": func() benchmarks.Limiter { return &benchmarks.TokenBucket{Rate: rate, Burst: 10} },
	} {
		t.Run(name, func(t *testing.T) {
			var refused atomic.Int64
			inBubble(t, p, limited(p, newLimiter(), &refused), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
				start := time.Now()
				for i, err := range resetAll(newClient(), p, calls, workers) {
					assert.NoError(t, err, "call %d", i)
				}
				elapsed := time.Since(start)
				// The first 429 and those already in flight with it (at most
				// one per worker), the one that measured the limiter, and up to
				// two that correct a rate started above the measure.
				assert.LessOrEqual(t, refused.Load(), int64(workers+3))
				assert.Len(t, srv.requests(), calls+int(refused.Load()))
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
	inBubble(t, p, limited(p, l, &refused), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
		start := time.Now()
		for i, err := range resetAll(newClient(mfaclient.WithRateLimit(10, 2)), p, 40, 8) {
			assert.NoError(t, err, "call %d", i)
		}
		assert.Zero(t, refused.Load(), "no 429 at all")
		reqs := srv.requests()
		require.Len(t, reqs, 40)
		if perCall := 1 + len(p.PreludePaths); perCall > 1 {
			// The prelude requests (answered below the transport, unseen
			// here) take their places in the schedule too: the resets land
			// on its 100 ms grid, never two in one place, and the last one
			// is the last of all 40*perCall requests.
			for i, r := range reqs {
				assert.Zero(t, r.At.Sub(start)%(100*time.Millisecond), "request %d at %s", i, r.At.Sub(start))
				if i > 0 {
					assert.GreaterOrEqual(t, r.At.Sub(reqs[i-1].At), 100*time.Millisecond, "request %d", i)
				}
			}
			assert.Equal(t, time.Duration(40*perCall-2)*100*time.Millisecond, reqs[39].At.Sub(start), "every request paced, the prelude's included")
			return
		}
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
// each. Only idempotent operations retry a 5xx at all.
func testRetryBudget(t *testing.T, p Provider) {
	if !p.ResetIdempotent {
		t.Skip("ResetMFA is not retried after a 5xx")
	}
	onlyResetRequests(t, p)
	const budget = 50 // internal/transport's retryBudgetCap
	var down atomic.Bool
	down.Store(true)
	answer := func(_ int, w http.ResponseWriter, _ *http.Request) {
		if down.Load() {
			statusJSON(w, http.StatusServiceUnavailable, `<html>down</html>`)
			return
		}
		p.Success(w)
	}
	inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
		c := newClient()
		def := mfaclient.DefaultRetryPolicy()
		const calls = 30
		for range calls {
			assert.ErrorIs(t, c.ResetMFA(bg(), p.UserID), mfaclient.ErrServer)
		}
		assert.Len(t, srv.requests(), calls+budget, "the budget's retries, then one request per call")
		err := c.ResetMFA(bg(), p.UserID)
		requireAPIError(t, err, http.StatusServiceUnavailable, mfaclient.ErrServer, 1)

		down.Store(false)
		for range 5 {
			require.NoError(t, c.ResetMFA(bg(), p.UserID))
		}
		down.Store(true)
		before := len(srv.requests())
		requireAPIError(t, c.ResetMFA(bg(), p.UserID), http.StatusServiceUnavailable, mfaclient.ErrServer, def.MaxRetries+1)
		requireAPIError(t, c.ResetMFA(bg(), p.UserID), http.StatusServiceUnavailable, mfaclient.ErrServer, 5-def.MaxRetries+1)
		requireAPIError(t, c.ResetMFA(bg(), p.UserID), http.StatusServiceUnavailable, mfaclient.ErrServer, 1)
		assert.Len(t, srv.requests(), before+def.MaxRetries+1+5-def.MaxRetries+1+1, "5 successes earned 5 retries")
	})
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
