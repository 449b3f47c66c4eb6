package mfatest

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWindowLimiterFixedWindow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := newWindowLimiter(3, 10*time.Second, HintRateLimitHeaders)
		start := time.Now()
		var remaining []int
		for range 3 {
			res := l.take(time.Now())
			require.True(t, res.allowed)
			assert.Equal(t, start.Add(10*time.Second), res.reset)
			remaining = append(remaining, res.remaining)
			time.Sleep(time.Second)
		}
		assert.Equal(t, []int{2, 1, 0}, remaining)

		res := l.take(time.Now())
		assert.False(t, res.allowed)
		assert.Equal(t, 0, res.remaining)
		assert.Equal(t, 7*time.Second, res.wait(time.Now()))
		assert.Equal(t, int64(7), res.waitSeconds(time.Now()))

		time.Sleep(6500 * time.Millisecond)
		res = l.take(time.Now())
		assert.False(t, res.allowed, "still inside the window")
		assert.Equal(t, int64(1), res.waitSeconds(time.Now()), "rounded up")

		time.Sleep(500 * time.Millisecond)
		res = l.take(time.Now())
		assert.True(t, res.allowed, "a new window starts at the first request after the old one")
		assert.Equal(t, time.Now().Add(10*time.Second), res.reset)
		assert.Equal(t, 2, res.remaining)
	})
}

func TestWindowLimiterDefaultsAndOff(t *testing.T) {
	assert.Nil(t, newWindowLimiter(0, time.Second, HintBoth))
	assert.Equal(t, time.Second, newWindowLimiter(1, 0, HintBoth).window)
}

func TestWindowLimiterHeaders(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		now := time.Now()
		reset := now.Add(1500 * time.Millisecond)
		allowed := limitResult{allowed: true, limit: 5, remaining: 4, reset: reset}
		rejected := limitResult{limit: 5, remaining: 0, reset: reset}
		ms := strconv.FormatInt(reset.UnixMilli(), 10)
		date := reset.Add(time.Second - 1).UTC().Format(http.TimeFormat)
		for _, tc := range []struct {
			hints RateLimitHints
			res   limitResult
			want  http.Header
		}{
			{HintRetryAfterSeconds, allowed, http.Header{}},
			{HintRetryAfterSeconds, rejected, http.Header{"Retry-After": {"2"}}},
			{HintRetryAfterDate, allowed, http.Header{}},
			{HintRetryAfterDate, rejected, http.Header{"Retry-After": {date}}},
			{HintRateLimitHeaders, allowed, http.Header{"X-Ratelimit-Limit": {"5"}, "X-Ratelimit-Remaining": {"4"}, "X-Ratelimit-Reset": {ms}}},
			{HintRateLimitHeaders, rejected, http.Header{"X-Ratelimit-Limit": {"5"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {ms}}},
			{HintBoth, rejected, http.Header{"Retry-After": {"2"}, "X-Ratelimit-Limit": {"5"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {ms}}},
			{HintBothDate, allowed, http.Header{"X-Ratelimit-Limit": {"5"}, "X-Ratelimit-Remaining": {"4"}, "X-Ratelimit-Reset": {ms}}},
			{HintBothDate, rejected, http.Header{"Retry-After": {date}, "X-Ratelimit-Limit": {"5"}, "X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {ms}}},
		} {
			h := http.Header{}
			tc.res.setHeaders(h, tc.hints, now)
			assert.Equal(t, tc.want, h, "hints %d allowed %v", tc.hints, tc.res.allowed)
		}
		// The date form is never earlier than the reset.
		got, err := http.ParseTime(date)
		require.NoError(t, err)
		assert.False(t, got.Before(reset))
	})
}

func TestWindowLimiterConcurrent(t *testing.T) {
	l := newWindowLimiter(1000, time.Hour, HintBoth)
	now := time.Now()
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			n := 0
			for range 125 {
				if l.take(now).allowed {
					n++
				}
			}
			mu.Lock()
			allowed += n
			mu.Unlock()
		})
	}
	wg.Wait()
	assert.Equal(t, 1000, allowed)
}

func BenchmarkWindowLimiter(b *testing.B) {
	l := newWindowLimiter(1<<30, time.Hour, HintBoth)
	b.RunParallel(func(pb *testing.PB) {
		h := http.Header{}
		for pb.Next() {
			now := time.Now()
			l.take(now).setHeaders(h, l.hints, now)
		}
	})
}
