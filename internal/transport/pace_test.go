package transport

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// WithRateLimit's burst goes at once, then one request per interval.
func TestPacerConfiguredBurstThenSpacing(t *testing.T) {
	var p pacer
	p.configure(10, 3)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var got []time.Duration
	for range 6 {
		at, _ := p.reserve(now)
		got = append(got, at.Sub(now))
	}
	ms := time.Millisecond
	assert.Equal(t, []time.Duration{0, 0, 0, 100 * ms, 200 * ms, 300 * ms}, got)
}

// A learned schedule stays anchored when requests go up to catchUp
// intervals late, so late timers do not slow the rate; later than that,
// it restarts from now instead of sending a burst.
func TestPacerScheduleCatchesUp(t *testing.T) {
	p := pacer{mode: paced, rate: 100 / (1 - paceMargin)} // exactly 10ms apart
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	at, _ := p.reserve(start)
	assert.Equal(t, start, at)
	// The second request goes 15ms late: the third is due on the original
	// schedule, 20ms after the first, not 10ms after the late one.
	at, _ = p.reserve(start.Add(25 * ms))
	assert.Equal(t, start.Add(25*ms), at)
	at, _ = p.reserve(start.Add(25 * ms))
	assert.Equal(t, start.Add(25*ms), at, "due at 20ms: goes at once")
	at, _ = p.reserve(start.Add(25 * ms))
	assert.Equal(t, start.Add(30*ms), at)

	// Idle for a second: no saved-up burst.
	idle := start.Add(time.Second)
	at, _ = p.reserve(idle)
	assert.Equal(t, idle, at)
	at, _ = p.reserve(idle)
	assert.Equal(t, idle.Add(10*ms), at)
}

// A 429 moves the schedule: older reservations are void (a new
// generation), and the saved-up burst is spent.
func TestPacerRefusalVoidsReservations(t *testing.T) {
	var p pacer
	p.configure(10, 5)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p.accept(now, now)
	_, gen := p.reserve(now)
	assert.True(t, p.refuse(now, now.Add(time.Millisecond)))
	at, gen2 := p.reserve(now.Add(time.Millisecond))
	assert.NotEqual(t, gen, gen2)
	assert.True(t, at.After(now.Add(time.Millisecond)), "no burst right after a 429: %s", at.Sub(now))
}

// The retry budget: 50 retries to start with, then one per success.
func TestRetryBudget(t *testing.T) {
	var b retryBudget
	for i := range retryBudgetCap {
		assert.True(t, b.withdraw(), "retry %d", i)
	}
	assert.False(t, b.withdraw())
	b.deposit()
	assert.True(t, b.withdraw())
	assert.False(t, b.withdraw())
	for range 2 * retryBudgetCap {
		b.deposit()
	}
	assert.Equal(t, float64(retryBudgetCap), b.level(), "capped")
}
