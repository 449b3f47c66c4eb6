package mfatest

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// RateLimitHints chooses how a fake tells a client when it may try again.
// Providers disagree, and a client must handle each form.
type RateLimitHints int

const (
	// HintRetryAfterSeconds sends "Retry-After: <seconds>" on a 429.
	HintRetryAfterSeconds RateLimitHints = iota
	// HintRetryAfterDate sends "Retry-After: <HTTP-date>" on a 429.
	HintRetryAfterDate
	// HintRateLimitHeaders sends X-RateLimit-Limit, X-RateLimit-Remaining and
	// X-RateLimit-Reset (absolute Unix epoch milliseconds) on every response
	// and no Retry-After, as Rocket.Chat does.
	HintRateLimitHeaders
	// HintBoth sends the X-RateLimit-* headers on every response and
	// Retry-After in seconds on a 429.
	HintBoth
	// HintBothDate is HintBoth with Retry-After as an HTTP date.
	HintBothDate
)

// windowLimiter is a fixed-window counter: at most limit requests per window,
// the window starting at the first request after the previous one ended. It
// is what Rocket.Chat's Meteor rate limiter does, and simple enough that a
// test can predict every header it sends.
type windowLimiter struct {
	limit  int
	window time.Duration
	hints  RateLimitHints

	mu    sync.Mutex
	start time.Time
	count int
}

// limitResult is one request's verdict and the state behind its headers.
type limitResult struct {
	allowed   bool
	limit     int
	remaining int
	reset     time.Time // end of the current window
}

// newWindowLimiter returns nil, no limit, when limit <= 0.
func newWindowLimiter(limit int, window time.Duration, hints RateLimitHints) *windowLimiter {
	if limit <= 0 {
		return nil
	}
	if window <= 0 {
		window = time.Second
	}
	return &windowLimiter{limit: limit, window: window, hints: hints}
}

// take counts one request at now and reports whether it may proceed.
func (l *windowLimiter) take(now time.Time) limitResult {
	l.mu.Lock()
	if l.start.IsZero() || !now.Before(l.start.Add(l.window)) {
		l.start, l.count = now, 0
	}
	l.count++
	res := limitResult{
		allowed:   l.count <= l.limit,
		limit:     l.limit,
		remaining: max(l.limit-l.count, 0),
		reset:     l.start.Add(l.window),
	}
	l.mu.Unlock()
	return res
}

// wait is how long a rejected client must wait, never negative.
func (r limitResult) wait(now time.Time) time.Duration {
	return max(r.reset.Sub(now), 0)
}

// waitSeconds rounds up, as Rocket.Chat's Math.ceil does, so a client that
// waits the advertised seconds lands in the next window.
func (r limitResult) waitSeconds(now time.Time) int64 {
	return int64((r.wait(now) + time.Second - 1) / time.Second)
}

// setHeaders writes the hints of style h for a response that was allowed or
// rejected.
func (r limitResult) setHeaders(h http.Header, hints RateLimitHints, now time.Time) {
	if hints == HintRateLimitHeaders || hints == HintBoth || hints == HintBothDate {
		h.Set("X-RateLimit-Limit", strconv.Itoa(r.limit))
		h.Set("X-RateLimit-Remaining", strconv.Itoa(r.remaining))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(r.reset.UnixMilli(), 10))
	}
	if r.allowed {
		return
	}
	switch hints {
	case HintRetryAfterSeconds, HintBoth:
		h.Set("Retry-After", strconv.FormatInt(r.waitSeconds(now), 10))
	case HintRetryAfterDate, HintBothDate:
		// An HTTP date has whole seconds; round up so it is never early.
		h.Set("Retry-After", r.reset.Add(time.Second-1).UTC().Format(http.TimeFormat))
	}
}
