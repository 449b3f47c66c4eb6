package transport

import (
	"context"
	"net/http"
	"testing"
	"testing/synctest"
	"time"
)

// FuzzGateEveryWaitEnds plays a provider's answers, hints included, as a
// hostile or broken provider might send them (limits of 0 or 1<<40, a
// Remaining above the limit, resets in the past or 300 days out, a
// Retry-After of a year), to a client making one call at a time, for both
// ways a quota comes back. Whatever it learned, a wait at the gate ends by
// MaxWait (with an error when the provider's hint is longer), on the
// bubble's clock, and nothing panics.
func FuzzGateEveryWaitEnds(f *testing.F) {
	f.Add([]byte{1, 0, 0, 0, 0, 1, 5, 3, 1, 0})
	f.Add([]byte{2, 200, 0, 4, 2, 2, 200, 199, 4, 3, 0, 0, 0, 0, 0})
	f.Add([]byte{1, 255, 0, 6, 5, 1, 255, 0, 6, 5, 1, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, script []byte) {
		for _, refill := range []QuotaRefill{RefillAtReset, RefillSteady} {
			synctest.Test(t, func(t *testing.T) {
				const maxWait = 10 * time.Second
				g := &gate{refill: refill}
				for i := 0; i+5 <= len(script) && i < 5*64; i += 5 {
					op := script[i : i+5]
					start := time.Now()
					tk, err := g.acquire(context.Background(), maxWait, nil)
					if waited := time.Since(start); waited > maxWait+resetGrain {
						t.Fatalf("answer %d: the gate held a call %s (MaxWait %s)", i/5, waited, maxWait)
					}
					if err != nil {
						continue
					}
					if op[0]%7 == 6 {
						g.forget(tk) // the answer was lost
						continue
					}
					now := time.Now()
					g.learn(tk, fuzzStatus(op[0]), fuzzHints(op[1:], now), now)
				}
			})
		}
	})
}

func fuzzStatus(b byte) int {
	return []int{http.StatusOK, http.StatusTooManyRequests, http.StatusTooManyRequests,
		http.StatusServiceUnavailable, http.StatusNotFound, http.StatusOK}[int(b)%6]
}

func fuzzHints(b []byte, now time.Time) Hints {
	hs := Hints{Limit: -1, Remaining: -1}
	switch b[0] % 4 {
	case 1:
		hs.Limit = int(b[0])
	case 2:
		hs.Limit = 1 << 40
	case 3:
		hs.Limit = 0
	}
	if b[1] != 0 {
		hs.Remaining = int(b[1]) - 1
	}
	switch b[2] % 7 {
	case 1, 2:
		hs.Reset = now.Add(time.Duration(b[3]) * time.Second)
	case 3:
		hs.Reset = now.Add(-time.Duration(b[3]) * time.Second)
	case 4:
		hs.Reset = now.Add(300 * 24 * time.Hour)
	case 5:
		hs.Reset = now.Add(time.Duration(b[3]) * time.Millisecond)
	}
	switch b[3] % 5 {
	case 1:
		hs.RetryAfter, hs.HasRetryAfter = time.Duration(b[2])*time.Second, true
	case 2:
		hs.RetryAfter, hs.HasRetryAfter = 365*24*time.Hour, true
	case 3:
		hs.RetryAfter, hs.HasRetryAfter = 0, true
	}
	return hs
}
