package transport

import (
	"time"
)

// pacer spaces a client's requests at a rate: the one the caller gave
// (WithRateLimit) or one learned from 429s that carry no hint. Providers such
// as EntryGuard answer a 429 with no header at all; without a rate every
// worker would spend a 429 per window to rediscover the limit. It is part of
// the gate and runs under the gate's lock.
//
// Learning, from a provider that only ever says "429":
//
//  1. Until the first bare 429 nothing is paced. The successes of the last
//     second before it are the provider's burst.
//  2. Everyone then waits drainDelay, and requests go one at a time until the
//     next 429 (the drain). A limiter that refills continuously (a token
//     bucket) has refilled for that long: the successes of the drain over the
//     time since the first 429 are its rate (raised by drainOptimism when
//     they are about the whole burst: the bucket may have been full). A
//     limiter that did not let even the first of them through counts in
//     windows: its rate is the burst per second, and nothing is sent until
//     the burst's second is over.
//  3. From then on requests are spaced at the rate less paceMargin. A 429
//     while paced means the rate was too high: it becomes the rate the
//     provider accepted since the previous 429 (exact when the client was
//     sending faster than the provider's rate), at most 15 % lower at once,
//     or 5 % lower when too few answers came since to measure anything;
//     a 429 with no success since the previous one says the limiter is
//     closed: the next request waits twice as long as the two were apart.
//  4. After creepAfter without a 429 the rate grows by creepPerSecond, so a
//     limit that was underestimated or raised is found again.
//
// 429s answering requests sent before the 429 that was learned from (the
// other workers' requests already in flight) teach nothing: they are the
// same event.
type pacer struct {
	mode paceMode
	// rate is the provider's rate in requests per second as learned (less
	// paceMargin when spacing) or as configured (spaced exactly). Zero when
	// nothing is paced.
	rate       float64
	learns     bool          // a rate is learned from bare 429s (the policy retries)
	configured bool          // WithRateLimit: rate is the caller's, never raised past it
	maxRate    float64       // the caller's rate, the ceiling when configured
	tolerance  time.Duration // how far ahead of the schedule a request may go (burst-1 intervals)
	tat        time.Time     // when the next request is due (GCRA's theoretical arrival time)
	gen        uint64        // counts the 429s that moved the schedule

	lastEvent  time.Time // the last 429 learned from
	sinceEvent int       // answers accepted since lastEvent
	since      time.Time // lastEvent, or the first answer accepted before any
	burst      int       // accepted in the second before the first 429
	burstFirst time.Time // the first of those
	drainAt    time.Time // when the drain starts
	drained    int       // accepted during the drain

	// accepted holds the times of the last len(accepted) accepted answers
	// (since epoch, on the monotonic clock), a ring; n counts all of them.
	// It bounds the burst that can be measured: a window larger than that
	// is taken for one of len(accepted).
	accepted [1024]time.Duration
	epoch    time.Time
	n        int
}

type paceMode uint8

const (
	paceFree  paceMode = iota // no rate: nothing is held
	paceWait                  // after the first bare 429: everyone waits for the drain
	paceDrain                 // one request at a time until a 429 tells the rate
	paced                     // requests spaced at the rate
)

const (
	// drainDelay is how long a limiter refills before the drain measures it.
	drainDelay = 100 * time.Millisecond
	// paceMargin keeps a learned rate just under the provider's: a request
	// sent exactly on a fixed window's boundary may land inside it.
	paceMargin = 0.02
	// drainOptimism raises a drain's rate that may have been capped by the
	// limiter's burst.
	drainOptimism = 1.05
	// catchUp is how many intervals late a request may go and the schedule
	// still stay anchored, so timers firing late do not slow the rate down.
	catchUp = 2
	// minMeasure is the fewest answers a rate is measured from while paced.
	minMeasure = 10
	// minLearn is the fewest successes a rate is learned from; fewer (a
	// provider refusing everything) leaves the retry policy's backoff in
	// charge.
	minLearn = 2
	// creepAfter and creepPerSecond: how a learned rate probes upward.
	creepAfter     = 10 * time.Second
	creepPerSecond = 0.01
	maxCreep       = 1.5
)

// configure paces from the first request at rate per second with the given
// burst (WithRateLimit).
func (p *pacer) configure(rate float64, burst int) {
	if rate <= 0 {
		return
	}
	p.mode, p.rate, p.configured, p.maxRate = paced, rate, true, rate
	p.tolerance = time.Duration(float64(max(burst, 1)-1) / rate * float64(time.Second))
}

// interval is the spacing between two requests at now.
func (p *pacer) interval(now time.Time) time.Duration {
	r := p.rate
	if !p.configured {
		r *= 1 - paceMargin
		if !p.lastEvent.IsZero() {
			if quiet := now.Sub(p.lastEvent) - creepAfter; quiet > 0 {
				r *= min(1+creepPerSecond*quiet.Seconds(), maxCreep)
			}
		}
	}
	return time.Duration(float64(time.Second) / r)
}

// next says whether a request may be sent now without a slot of the
// schedule: wait is when to look again when it must wait for the drain, one
// that only one request may be in flight (the drain), slotted that it must
// reserve a slot (paced).
func (p *pacer) next(now time.Time) (wait time.Time, one, slotted bool) {
	switch p.mode {
	case paceWait:
		if now.Before(p.drainAt) {
			return p.drainAt, false, false
		}
		p.mode = paceDrain
		return time.Time{}, true, false
	case paceDrain:
		return time.Time{}, true, false
	case paced:
		return time.Time{}, false, true
	}
	return time.Time{}, false, false
}

// reserve books the next slot of the schedule for a request and returns
// when it may go (now or later) and the schedule's generation: a 429 that
// moves the schedule makes older reservations void. Each waiter sleeps until
// its own slot, instead of every waiter waking at every slot.
//
// The schedule stays anchored when a request goes a little late (a timer
// fired late, a worker was busy), up to catchUp intervals, so lateness does
// not add up into a slower rate; beyond that it restarts from now.
func (p *pacer) reserve(now time.Time) (time.Time, uint64) {
	iv := p.interval(now)
	base := p.tat
	if late := time.Duration(catchUp) * iv; p.configured || base.Before(now.Add(-late)) {
		base = later(base, now)
	}
	p.tat = base.Add(iv)
	return later(base.Add(-p.tolerance), now), p.gen
}

// accept records an answer the limiter let through (anything but a 429) to
// a request sent at sent.
func (p *pacer) accept(sent, now time.Time) {
	if p.epoch.IsZero() {
		p.epoch = now
	}
	p.accepted[p.n%len(p.accepted)] = now.Sub(p.epoch)
	p.n++
	p.sinceEvent++
	if p.since.IsZero() {
		p.since = now
	}
	if p.mode == paceDrain && !sent.Before(p.drainAt) {
		p.drained++
		if p.drained > max(4*p.burst, 64) {
			*p = pacer{learns: p.learns} // no 429 in sight: whatever limited us is gone
		}
	}
}

// refuse learns from a 429 that carried no usable hint, to a request sent at
// sent, and reports whether pacing answers it (the request is retried when
// the pacer lets it, not counted against the call's retries).
func (p *pacer) refuse(sent, now time.Time) bool {
	if p.mode != paceFree && !p.lastEvent.IsZero() && sent.Before(p.lastEvent) {
		return true // in flight when the last 429 was learned from
	}
	switch p.mode {
	case paceFree:
		n, first := p.recent(now, time.Second)
		if n < minLearn || !p.learns {
			return false
		}
		p.burst, p.burstFirst = n, first
		p.mode, p.drainAt, p.drained = paceWait, now.Add(drainDelay), 0
	case paceWait:
		return true // cannot happen: nothing is sent before the drain
	case paceDrain:
		// The burst again, now that the answers in flight at the first 429
		// have come back (the drain waited for them): nothing else but the
		// drain was sent since.
		all, _ := p.recent(now, now.Sub(p.burstFirst))
		p.burst = all - p.drained
		if p.drained == 0 {
			// Nothing came back in drainDelay: a window that lets the burst
			// through once per second. Wait out the burst's second.
			p.setRate(float64(p.burst))
			p.holdUntil(later(p.burstFirst.Add(time.Duration(p.burst)*p.interval(now)), now.Add(p.interval(now))))
		} else {
			// The limiter refilled drained requests since the first 429. When
			// that is about its whole burst it may have been full for a while,
			// so the rate may be higher: start above it and let the next 429
			// measure it exactly.
			r := float64(p.drained) / now.Sub(p.lastEvent).Seconds()
			if p.drained*5 >= p.burst*4 {
				r *= drainOptimism
			}
			p.setRate(r)
			p.holdUntil(now.Add(p.interval(now)))
		}
		p.mode = paced
	case paced:
		if p.sinceEvent == 0 && !p.lastEvent.IsZero() {
			// Still refused: the limiter is closed (a window that is spent).
			// Wait twice as long as since the previous 429, so an hour-long
			// window costs a few requests, not one per interval.
			p.holdUntil(later(now.Add(2*now.Sub(p.lastEvent)), now.Add(p.interval(now))))
			break
		}
		// Too fast: the rate the provider accepted since the last 429 (or
		// since the first answer), at most 15 % lower at once. Fewer than
		// minMeasure answers measure nothing (two in 29 ms could be 69/s or
		// 100/s): a little lower, and the next 429 measures.
		r := p.rate * 0.95
		if p.sinceEvent >= minMeasure {
			accepted := float64(p.sinceEvent) / max(now.Sub(p.since).Seconds(), 1e-3)
			r = min(p.rate*0.97, max(accepted, p.rate*0.85))
		}
		p.setRate(r)
		p.holdUntil(now.Add(p.interval(now)))
	}
	p.lastEvent, p.since, p.sinceEvent = now, now, 0
	return true
}

// holdUntil lets the next request go at t and no sooner, whatever burst
// the schedule had saved up: a 429 says it is spent.
func (p *pacer) holdUntil(t time.Time) {
	p.tat = t.Add(p.tolerance)
	p.gen++
}

// setRate sets the rate, within the caller's ceiling and above one request
// per hour (a rate of zero would never send again).
func (p *pacer) setRate(r float64) {
	if p.configured {
		r = min(r, p.maxRate)
	}
	p.rate = max(r, 1.0/3600)
}

// recent counts the accepted answers within d up to now, and the first.
func (p *pacer) recent(now time.Time, d time.Duration) (int, time.Time) {
	var first time.Time
	count := 0
	for i := 1; i <= min(p.n, len(p.accepted)); i++ {
		t := p.epoch.Add(p.accepted[(p.n-i)%len(p.accepted)])
		if t.After(now) {
			continue
		}
		if now.Sub(t) > d {
			break
		}
		count, first = count+1, t
	}
	return count, first
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
