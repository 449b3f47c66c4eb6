package benchmarks

import (
	"sync"
	"time"
)

// A Limiter is a provider's rate limiter that answers a bare 429 (no
// Retry-After, no X-RateLimit-*), as EntryGuard documents and Flashback
// does: the client learns nothing from the answer but the refusal.
type Limiter interface {
	// Allow counts one request at now and reports whether it may proceed.
	Allow(now time.Time) bool
}

// FixedWindow lets Limit requests through per Window, the window starting
// at the first request after the previous one ended (Rocket.Chat's Meteor
// limiter counts this way).
type FixedWindow struct {
	Limit  int
	Window time.Duration

	mu    sync.Mutex
	start time.Time
	count int
}

// Allow implements Limiter.
func (l *FixedWindow) Allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.start.IsZero() || !now.Before(l.start.Add(l.Window)) {
		l.start, l.count = now, 0
	}
	l.count++
	return l.count <= l.Limit
}

// TokenBucket refills Rate tokens per second up to Burst; each request takes
// one, and is refused when there is none.
type TokenBucket struct {
	Rate  float64
	Burst int

	mu     sync.Mutex
	last   time.Time
	tokens float64
}

// Allow implements Limiter.
func (l *TokenBucket) Allow(now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last.IsZero() {
		l.tokens = float64(l.Burst)
	} else {
		l.tokens = min(l.tokens+now.Sub(l.last).Seconds()*l.Rate, float64(l.Burst))
	}
	l.last = now
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}
