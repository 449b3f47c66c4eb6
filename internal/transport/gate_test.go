package transport

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
