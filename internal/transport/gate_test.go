package transport

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/gcra"
)

// quota is an answer's hints: remaining requests of a window ending at reset.
func quota(remaining int, reset time.Time) Hints {
	return Hints{Limit: 10, Remaining: remaining, Reset: reset}
}

// acquireAsync runs acquire on its own goroutine; the channel yields its
// result and the (bubble) time it returned.
type acquired struct {
	err error
	at  time.Time
}

func acquireAsync(ctx context.Context, g *gate, maxWait time.Duration) <-chan acquired {
	done := make(chan acquired, 1)
	go func() {
		err := acquireErr(g, ctx, maxWait, nil)
		done <- acquired{err, time.Now()}
	}()
	return done
}

// A provider that sends no quota headers is never held back, however many
// requests are in flight.
func TestGateWithoutQuotaHeadersHoldsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := new(gate)
		start := time.Now()
		for range 100 {
			require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		}
		g.learn(ticket{}, http.StatusOK, Hints{Limit: -1, Remaining: -1}, time.Now())
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		assert.Equal(t, start, time.Now(), "nobody waited")
	})
}

// With Remaining 3 reported and nothing in flight, three requests go; the
// fourth waits for the window's reset.
func TestGateHoldsRequestsThatWouldOvershootTheQuota(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := new(gate)
		reset := time.Now().Add(time.Second)
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		g.learn(ticket{}, http.StatusOK, quota(3, reset), time.Now())
		for range 3 {
			require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		}
		fourth := acquireAsync(t.Context(), g, time.Minute)
		synctest.Wait()
		require.Empty(t, fourth, "the fourth request would be the window's 11th")
		got := <-fourth
		require.NoError(t, got.err)
		assert.Equal(t, reset.Add(resetGrain), got.at, "released when the window ends")
	})
}

// A request in flight that gets no answer frees its reservation at once.
func TestGateReleasesQuotaOfFailedRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := new(gate)
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		g.learn(ticket{}, http.StatusOK, quota(2, time.Now().Add(time.Second)), time.Now())
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		start := time.Now()
		third := acquireAsync(t.Context(), g, time.Minute)
		synctest.Wait()
		require.Empty(t, third)
		g.forget(ticket{}) // a connection reset: the provider may not have counted it
		got := <-third
		require.NoError(t, got.err)
		assert.Equal(t, start, got.at, "no wait for the reset")
	})
}

// Within a window the lowest Remaining counts; an answer from an earlier
// window changes nothing; the next window starts from its own first answer.
func TestGateFollowsTheWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := new(gate)
		now := time.Now()
		w1, w0, w2 := now.Add(time.Second), now.Add(-time.Second), now.Add(2*time.Second)
		g.learn(ticket{}, http.StatusOK, quota(5, w1), now)
		g.learn(ticket{}, http.StatusOK, quota(7, w1), now) // answered out of order
		assert.Equal(t, 5, g.remaining)
		g.learn(ticket{}, http.StatusOK, quota(1, w0), now)
		assert.Equal(t, 5, g.remaining)
		assert.Equal(t, w1.Add(resetGrain), g.windowEnd)
		g.learn(ticket{}, http.StatusOK, quota(9, w2), now)
		assert.Equal(t, 9, g.remaining)
		assert.Equal(t, w2.Add(resetGrain), g.windowEnd)
		assert.Zero(t, g.inflight, "answers never drive the count below zero")
	})
}

// A spent window that ends after MaxWait returns at once, without sending.
func TestGateNeverHoldsBeyondMaxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := new(gate)
		start := time.Now()
		reset := start.Add(30 * time.Second)
		require.NoError(t, acquireErr(g, t.Context(), time.Second, nil))
		g.learn(ticket{}, http.StatusOK, quota(0, reset), start)
		err := acquireErr(g, t.Context(), time.Second, nil)
		var beyond *errWaitBeyondBudget
		require.ErrorAs(t, err, &beyond)
		assert.Equal(t, 0, beyond.hints.Remaining)
		assert.Equal(t, start, time.Now(), "not held at all")

		// Quota left but reserved by a request in flight: wait for its
		// answer, at most MaxWait.
		g = new(gate)
		g.learn(ticket{}, http.StatusOK, quota(1, reset), start)
		require.NoError(t, acquireErr(g, t.Context(), time.Second, nil))
		got := <-acquireAsync(t.Context(), g, time.Second)
		require.ErrorAs(t, got.err, &beyond)
		assert.Equal(t, start.Add(time.Second), got.at, "held exactly MaxWait")
	})
}

// A 429 closes the gate for everyone until its hint; the caller's context
// still ends a wait.
func TestGateClosedByRateLimitAndContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := new(gate)
		start := time.Now()
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		g.learn(ticket{}, http.StatusTooManyRequests, Hints{Limit: -1, Remaining: -1, RetryAfter: 2 * time.Second, HasRetryAfter: true}, start)
		var heard time.Duration
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, func(d time.Duration) { heard = d }))
		assert.Equal(t, start.Add(2*time.Second), time.Now())
		assert.Equal(t, 2*time.Second, heard)

		g.learn(ticket{}, http.StatusTooManyRequests, Hints{Limit: -1, Remaining: -1, RetryAfter: 5 * time.Second, HasRetryAfter: true}, time.Now())
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		assert.ErrorIs(t, acquireErr(g, ctx, time.Minute, nil), context.DeadlineExceeded)
	})
}

// retryWait waits past a reset named to the millisecond; a reset already
// past asks for nothing, so the backoff (at least MinWait) decides rather
// than a retry per millisecond.
func TestRetryWaitPassesTheReset(t *testing.T) {
	now := time.Now()
	wait, ok := quota(0, now.Add(40*time.Millisecond)).retryWait(now)
	assert.True(t, ok)
	assert.Equal(t, 40*time.Millisecond+resetGrain, wait)
	wait, ok = quota(0, now.Add(-time.Millisecond)).retryWait(now)
	assert.True(t, ok)
	assert.Zero(t, wait)
	wait, _ = Hints{Limit: -1, Remaining: -1, RetryAfter: time.Second, HasRetryAfter: true}.retryWait(now)
	assert.Equal(t, time.Second, wait, "Retry-After alone is taken as given")
}

// acquireErr is acquire for a test that needs only its error.
func acquireErr(g *gate, ctx context.Context, maxWait time.Duration, onWait func(time.Duration)) error {
	_, err := g.acquire(ctx, maxWait, onWait)
	return err
}

// After MaxWait one request is let through as a probe, and only one: the
// others are still refused while it is in flight. A probe that gets no
// answer restarts the count, so the next probe waits another MaxWait.
func TestGateLetsOneProbeThroughAfterMaxWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := new(gate)
		far := time.Now().Add(300 * 24 * time.Hour)
		g.learn(ticket{}, http.StatusOK, quota(0, far), time.Now())
		var beyond *errWaitBeyondBudget
		_, err := g.acquire(t.Context(), time.Minute, nil)
		require.ErrorAs(t, err, &beyond)

		time.Sleep(time.Minute)
		probe, err := g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err)
		assert.True(t, probe.probe)
		_, err = g.acquire(t.Context(), time.Minute, nil)
		require.ErrorAs(t, err, &beyond, "one probe at a time")

		g.forget(probe)
		_, err = g.acquire(t.Context(), time.Minute, nil)
		require.ErrorAs(t, err, &beyond, "a probe without an answer decides nothing")
		time.Sleep(time.Minute)
		probe, err = g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err)
		assert.True(t, probe.probe)
		g.learn(probe, http.StatusOK, Hints{Limit: -1, Remaining: -1}, time.Now())
		tk, err := g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err, "the probe's answer opened the gate")
		assert.False(t, tk.probe)
	})
}

// gcraQuota is a GCRA limiter's answer (limit 21, as Mattermost's at burst
// 20): remaining requests, the bucket full again reset seconds from now.
func gcraQuota(remaining int, now time.Time, reset int) Hints {
	return Hints{Limit: 21, Remaining: remaining, Reset: now.Add(time.Duration(reset) * time.Second)}
}

// The answers of requests sent together arrive in any order: an older one
// (a higher Remaining, spent since) must not open the gate, though with a
// reset in seconds from its arrival it names a later reset than the newer.
func TestGateSteadyIgnoresOlderAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{refill: RefillSteady}
		older, err := g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err)
		newer, err := g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err)
		time.Sleep(10 * time.Millisecond)
		g.learn(newer, http.StatusOK, gcraQuota(2, time.Now(), 4), time.Now())
		time.Sleep(10 * time.Millisecond)
		g.learn(older, http.StatusOK, gcraQuota(4, time.Now(), 4), time.Now())
		// Two left by the newer answer, less the older request, which was
		// in flight when it came and may not be counted in it.
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		next := acquireAsync(t.Context(), g, time.Minute)
		synctest.Wait()
		require.Empty(t, next, "the older answer's Remaining 4 is spent")
		got := <-next
		require.NoError(t, got.err)
		assert.Equal(t, newer.sent.Add(4*time.Second/18), got.at, "released when one came back: a reset of 4 s with 2 of 21 left bounds the interval by 4/18 s")
	})
}

// A steadily refilling limiter's Remaining 0 holds the next request until
// one comes back, not until the bucket is full: with limit 21, Remaining 1
// and a reset of 4 s, one comes back at least every 4/19 s.
func TestGateSteadyRemainingZeroWaitsOneInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{refill: RefillSteady}
		first, err := g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err)
		g.learn(first, http.StatusOK, gcraQuota(1, time.Now(), 4), time.Now())
		spent, err := g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err)
		g.learn(spent, http.StatusOK, gcraQuota(0, time.Now(), 5), time.Now())
		got := <-acquireAsync(t.Context(), g, time.Minute)
		require.NoError(t, got.err)
		assert.Equal(t, spent.sent.Add(4*time.Second/19), got.at, "one interval after the spending request was sent")
	})
}

// A 429's Retry-After still closes the gate of a steadily refilling
// limiter: hints win.
func TestGateSteadyKeepsRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := &gate{refill: RefillSteady}
		start := time.Now()
		tk, err := g.acquire(t.Context(), time.Minute, nil)
		require.NoError(t, err)
		hs := gcraQuota(0, start, 5)
		hs.RetryAfter, hs.HasRetryAfter = time.Second, true
		g.learn(tk, http.StatusTooManyRequests, hs, start)
		require.NoError(t, acquireErr(g, t.Context(), time.Minute, nil))
		assert.Equal(t, start.Add(time.Second), time.Now())
	})
}

// 200 requests by 8 workers through one gate against Mattermost's limiter
// (GCRA, 5/s, burst 20; the reset in whole seconds from now), answers
// taking 1–40 ms so that they arrive out of order: at most 2 % are refused,
// and the run takes at most 1.10 × the ideal (the burst, then 5/s).
func TestGateSteadyPacesGCRA(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		lim := gcra.New(5, 20)
		g := &gate{refill: RefillSteady}
		const total, workers = 200, 8
		var mu sync.Mutex
		done, sent, refused := 0, 0, 0
		start := time.Now()
		var wg sync.WaitGroup
		for w := range workers {
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			wg.Go(func() {
				for {
					mu.Lock()
					if sent-refused >= total { // every item taken, or done
						mu.Unlock()
						return
					}
					sent++
					mu.Unlock()
					tk, err := g.acquire(t.Context(), time.Minute, nil)
					if !assert.NoError(t, err) {
						return
					}
					time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond) // to the limiter
					res := lim.Take(time.Now())
					time.Sleep(time.Duration(1+rng.IntN(40)) * time.Millisecond) // the handler, and back
					h := http.Header{}
					res.SetHeaders(h)
					status := http.StatusOK
					if res.Limited {
						status = http.StatusTooManyRequests
					}
					now := time.Now()
					g.learn(tk, status, ParseHintsUnit(h, now, ResetSecondsFromNow), now)
					mu.Lock()
					if res.Limited {
						refused++
					} else {
						done++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		elapsed := time.Since(start)
		ideal := time.Duration(total-21) * time.Second / 5
		t.Logf("%d requests, %d refused (%.1f %%), %s (%.2f × ideal %s)", sent, refused, 100*float64(refused)/float64(sent), elapsed, float64(elapsed)/float64(ideal), ideal)
		assert.Equal(t, total, done)
		assert.LessOrEqual(t, float64(refused), 0.02*float64(sent), "at most 2 %% refused")
		assert.LessOrEqual(t, elapsed, ideal*110/100, "within 1.10 × the ideal")
	})
}
