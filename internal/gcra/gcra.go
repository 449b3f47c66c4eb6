// Package gcra is the rate limiter Mattermost runs in front of its API, for
// the tests and fakes that must answer as it does.
package gcra

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Limiter is the generic cell rate algorithm of github.com/throttled/throttled
// (GCRARateLimiter.RateLimit, quantity 1), which Mattermost's rate limiter
// uses (server/app/ratelimit.go): a request is allowed while the
// theoretical arrival time stays within tolerance of now; one request comes
// back every interval, and the answers say how many are left and when the
// bucket is full again.
type Limiter struct {
	interval  time.Duration // 1/PerSec
	tolerance time.Duration // interval × (MaxBurst+1)
	limit     int           // MaxBurst+1

	mu  sync.Mutex
	tat time.Time // theoretical arrival time; zero before the first request
}

// New is Mattermost's limiter with RateLimitSettings PerSec and
// MaxBurst.
func New(perSec, maxBurst int) *Limiter {
	interval := time.Second / time.Duration(perSec)
	return &Limiter{interval: interval, tolerance: interval * time.Duration(maxBurst+1), limit: maxBurst + 1}
}

// Result is one request's outcome, as throttled's RateLimitResult.
type Result struct {
	Limited    bool
	Limit      int
	Remaining  int
	ResetAfter time.Duration // until the bucket is full again
	RetryAfter time.Duration // until the refused request would be allowed
}

// Take counts one request at now.
func (l *Limiter) Take(now time.Time) Result {
	l.mu.Lock()
	defer l.mu.Unlock()
	tat := l.tat
	if tat.IsZero() || now.After(tat) {
		tat = now
	}
	newTat := tat.Add(l.interval)
	res := Result{Limit: l.limit}
	var ttl time.Duration
	if diff := now.Sub(newTat.Add(-l.tolerance)); diff < 0 {
		res.Limited, res.RetryAfter = true, -diff
		ttl = tat.Sub(now)
	} else {
		l.tat = newTat
		ttl = newTat.Sub(now)
	}
	if next := l.tolerance - ttl; next > -l.interval {
		res.Remaining = int(next / l.interval)
	}
	res.ResetAfter = ttl
	return res
}

// Allow counts one request at now and reports whether it may proceed.
func (l *Limiter) Allow(now time.Time) bool { return !l.Take(now).Limited }

// SetHeaders writes the result as Mattermost's setRateLimitHeaders
// (server/app/ratelimit.go) does: X-Ratelimit-Limit, -Remaining, -Reset in
// whole seconds from now rounded up, and Retry-After on a refusal.
func (r Result) SetHeaders(h http.Header) {
	h.Add("X-Ratelimit-Limit", strconv.Itoa(r.Limit))
	h.Add("X-Ratelimit-Remaining", strconv.Itoa(r.Remaining))
	h.Add("X-Ratelimit-Reset", strconv.Itoa(ceilSeconds(r.ResetAfter)))
	if r.Limited {
		h.Add("Retry-After", strconv.Itoa(ceilSeconds(r.RetryAfter)))
	}
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }
