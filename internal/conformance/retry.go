package conformance

// Guarantee "Retries recover from bursts" (README, Security and
// reliability), and the rate-limit gate.

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/gcra"
	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// rateLimitedOnce answers the first request 429 with the given headers,
// then the documented success.
func rateLimitedOnce(p Provider, kv ...string) func(int, http.ResponseWriter, *http.Request) {
	return func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			statusJSON(w, http.StatusTooManyRequests, `{"success":false,"error":"slow down"}`, kv...)
			return
		}
		p.Success(w)
	}
}

func testRetry(t *testing.T, p Provider) {
	t.Run("RetryAfterSeconds", func(t *testing.T) {
		inBubble(t, p, rateLimitedOnce(p, "Retry-After", "30"), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			start := time.Now()
			require.NoError(t, newClient().ResetMFA(bg(), p.UserID))
			reqs := srv.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, 30*time.Second, reqs[1].At.Sub(start), "the retry waits exactly Retry-After")
		})
	})
	t.Run("RetryAfterHTTPDate", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			date := start.Add(20 * time.Second).UTC().Format(http.TimeFormat)
			srv := newServer(rateLimitedOnce(p, "Retry-After", date))
			ps := newPipeServer(srv)
			defer ps.Close()
			c, err := p.New(ps.URL, mfaclient.WithHTTPClient(ps.Client))
			require.NoError(t, err)
			require.NoError(t, c.ResetMFA(bg(), p.UserID))
			reqs := srv.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, 20*time.Second, reqs[1].At.Sub(start))
		})
	})
	t.Run("HintBeyondMaxWaitReturnsAtOnce", func(t *testing.T) {
		inBubble(t, p, rateLimitedOnce(p, "Retry-After", "3600"), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			start := time.Now()
			err := newClient().ResetMFA(bg(), p.UserID)
			var rl *mfaclient.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.True(t, isOnly(err, mfaclient.ErrRateLimited), "%v", err)
			assert.Equal(t, time.Hour, rl.RetryAfter)
			assert.Equal(t, 1, rl.Attempts)
			assert.Len(t, srv.requests(), 1)
			assert.Zero(t, time.Since(start), "no sleep when the hint exceeds MaxWait")
		})
	})
	t.Run("FinalResponseReachesMapper", func(t *testing.T) {
		always429 := func(n int, w http.ResponseWriter, _ *http.Request) {
			statusJSON(w, http.StatusTooManyRequests, `{"success":false,"error":"slow down"}`, "Retry-After", "1", "X-Request-Id", "req-"+strconv.Itoa(n))
		}
		inBubble(t, p, always429, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			err := newClient(mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 2, MinWait: time.Second, MaxWait: time.Minute})).ResetMFA(bg(), p.UserID)
			var rl *mfaclient.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, http.StatusTooManyRequests, rl.StatusCode)
			assert.Equal(t, 3, rl.Attempts)
			assert.Equal(t, "req-2", rl.RequestID, "the error describes the last answer")
			assert.Equal(t, time.Second, rl.RetryAfter)
			assert.Len(t, srv.requests(), 3)
		})
	})
	t.Run("ServerErrorsThenSuccess", func(t *testing.T) {
		answer := func(n int, w http.ResponseWriter, _ *http.Request) {
			if n < 2 {
				statusJSON(w, http.StatusServiceUnavailable, `{}`)
				return
			}
			p.Success(w)
		}
		inBubble(t, p, answer, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			err := newClient().ResetMFA(bg(), p.UserID)
			reqs := srv.requests()
			if !p.ResetIdempotent {
				var apiErr *mfaclient.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.True(t, isOnly(err, mfaclient.ErrServer), "%v", err)
				assert.Equal(t, 1, apiErr.Attempts, "a reset that may have happened is not repeated")
				assert.Len(t, reqs, 1)
				return
			}
			require.NoError(t, err)
			require.Len(t, reqs, 3)
			assert.Equal(t, reqs[0].Body, reqs[2].Body, "the body is sent whole on every attempt")
			// Exponential backoff from MinWait 500ms with jitter in [d/2, d].
			first, second := reqs[1].At.Sub(reqs[0].At), reqs[2].At.Sub(reqs[1].At)
			assert.True(t, first >= 250*time.Millisecond && first <= 500*time.Millisecond, "first wait %s", first)
			assert.True(t, second >= 500*time.Millisecond && second <= time.Second, "second wait %s", second)
		})
	})
	t.Run("ServerErrorExhausted", func(t *testing.T) {
		srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) {
			statusJSON(w, http.StatusBadGateway, `<html>bad gateway</html>`)
		})
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		c, err := p.New(ts.URL, mfaclient.WithRetry(fastRetry))
		require.NoError(t, err)
		err = c.ResetMFA(bg(), p.UserID)
		var apiErr *mfaclient.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.True(t, isOnly(err, mfaclient.ErrServer), "%v", err)
		assert.Equal(t, http.StatusBadGateway, apiErr.StatusCode)
		want := 1
		if p.ResetIdempotent {
			want = fastRetry.MaxRetries + 1
		}
		assert.Equal(t, want, apiErr.Attempts)
		assert.Len(t, srv.requests(), want)
	})
	t.Run("NotImplementedIsFinal", func(t *testing.T) {
		srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { statusJSON(w, http.StatusNotImplemented, `{}`) })
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		c, err := p.New(ts.URL, mfaclient.WithRetry(fastRetry))
		require.NoError(t, err)
		assert.ErrorIs(t, c.ResetMFA(bg(), p.UserID), mfaclient.ErrServer)
		assert.Len(t, srv.requests(), 1)
	})
	t.Run("ConnectionRefusedIsRetried", func(t *testing.T) {
		ts := httptest.NewServer(http.NotFoundHandler())
		url := ts.URL
		ts.Close() // nothing listens: the request never leaves, so retrying is safe for every provider
		c, err := p.New(url, mfaclient.WithRetry(fastRetry))
		require.NoError(t, err)
		err = c.ResetMFA(bg(), p.UserID)
		var op *mfaclient.OpError
		require.ErrorAs(t, err, &op)
		assert.True(t, isOnly(err, mfaclient.ErrNetwork), "%v", err)
		assert.Equal(t, fastRetry.MaxRetries+1, op.Attempts)
	})
}

func testRateLimit(t *testing.T, p Provider) {
	t.Run("GateHoldsEveryGoroutine", func(t *testing.T) {
		inBubble(t, p, rateLimitedOnce(p, "Retry-After", "10"), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			c := newClient()
			start := time.Now()
			errs := make(chan error, 9) // 9 calls: the first is answered 429 and retried, so 10 requests
			go func() { errs <- c.ResetMFA(bg(), p.UserID) }()
			synctest.Wait() // the first call got its 429 and sleeps
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() { errs <- c.ResetMFA(bg(), p.UserID) })
			}
			synctest.Wait()
			assert.Len(t, srv.requests(), 1, "the others wait at the gate instead of spending a request")
			assert.Equal(t, start.Add(10*time.Second), c.RateLimitedUntil())
			wg.Wait()
			for range 9 {
				assert.NoError(t, <-errs)
			}
			reqs := srv.requests()
			assert.Len(t, reqs, 10)
			for _, r := range reqs[1:] {
				assert.GreaterOrEqual(t, r.At.Sub(start), 10*time.Second)
			}
		})
	})
	t.Run("RemainingZeroClosesGate", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-RateLimit-Limit", "10")
				w.Header().Set("X-RateLimit-Remaining", "0") // every answer spends the quota
				w.Header().Set("X-RateLimit-Reset", resetValue(p, start.Add(5*time.Second), time.Now()))
				p.Success(w)
			})
			ps := newPipeServer(srv)
			defer ps.Close()
			c, err := p.New(ps.URL, mfaclient.WithHTTPClient(ps.Client))
			require.NoError(t, err)
			require.NoError(t, c.ResetMFA(bg(), p.UserID))
			require.NoError(t, c.ResetMFA(bg(), p.UserID))
			reqs := srv.requests()
			require.Len(t, reqs, 2)
			if p.QuotaRefill == transport.RefillSteady {
				// A steadily refilling limiter gives one request back per
				// interval: at most 5 s/9 when 10 of 10 are spent until
				// the bucket is full in 5 s.
				assert.Equal(t, 5*time.Second/9, reqs[1].At.Sub(start))
				return
			}
			// The quota was spent: wait for the reset instead of spending a 429.
			// The wait ends 1ms after the named reset, because providers truncate
			// it to the millisecond and their window may still be open then.
			assert.Equal(t, 5*time.Second+time.Millisecond, reqs[1].At.Sub(start))
		})
	})
	t.Run("SteadyRefillPacesGCRA", func(t *testing.T) {
		if p.QuotaRefill != transport.RefillSteady || p.ResetUnit != transport.ResetSecondsFromNow {
			t.Skip("the provider's limiter is not a GCRA with resets in seconds from now")
		}
		// Mattermost's limiter (5/s, burst 20), its headers on every answer:
		// 100 resets by 8 workers, at most 2 % answered 429, within 1.10 ×
		// the ideal (the burst, then 5/s).
		lim := gcra.New(5, 20)
		var refused atomic.Int64
		inServedBubble(t, p, func(_ int, w http.ResponseWriter, r *http.Request) {
			res := lim.Take(time.Now())
			res.SetHeaders(w.Header())
			if res.Limited {
				refused.Add(1)
				p.errorAnswer(w, http.StatusTooManyRequests)
				return
			}
			p.answer(w, r)
		}, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			const n = 100
			start := time.Now()
			for _, err := range resetAll(newClient(), p, n, 8) {
				require.NoError(t, err)
			}
			elapsed, ideal := time.Since(start), time.Duration(n*p.perCall()-21)*time.Second/5
			sent := len(srv.requests())
			assert.LessOrEqual(t, float64(refused.Load()), 0.02*float64(sent), "%d of %d answered 429", refused.Load(), sent)
			assert.LessOrEqual(t, elapsed, ideal*110/100, "%s for an ideal of %s", elapsed, ideal)
		})
	})
	t.Run("LearnedLimitBeyondBudgetSendsNothing", func(t *testing.T) {
		inBubble(t, p, rateLimitedOnce(p, "Retry-After", "3600", "X-RateLimit-Limit", "10", "X-RateLimit-Remaining", "0"), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			c := newClient()
			require.ErrorIs(t, c.ResetMFA(bg(), p.UserID), mfaclient.ErrRateLimited)
			err := c.ResetMFA(bg(), p.UserID)
			var rl *mfaclient.RateLimitError
			require.ErrorAs(t, err, &rl)
			assert.Equal(t, 0, rl.Attempts, "nothing sent")
			assert.Equal(t, time.Hour, rl.RetryAfter)
			assert.Equal(t, 10, rl.Limit)
			assert.Len(t, srv.requests(), 1)
		})
	})
}
