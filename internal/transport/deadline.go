package transport

// The per-attempt timeout, with one timer per client instead of one per
// attempt.
//
// context.WithTimeout per attempt arms a runtime timer on every request
// (a timer due sooner than the one the network poller sleeps for also
// wakes the poller), for a timer that almost never fires, and one more
// context layer. One timer per client arms about once per timeout
// instead (BENCHMARKS.md section 6 has what each change measured).
//
// Every attempt of a client has the same timeout, so attempts reach their
// deadlines in the order they started: a FIFO of the attempts in flight and
// one timer, due at the oldest one's deadline, bound them all. An attempt
// that ends is unlinked; the timer, when it fires, cancels those past their
// deadline and is armed again for the oldest one left, so a client sending
// without pause arms it about once per timeout, not once per request.
//
// Rejected: a timer per attempt (the cost above); a ticker (wakes an idle
// process for nothing, and bounds an attempt only to the tick); deadlines
// on the connection (a caller's RoundTripper has none we can reach, and
// net.Conn deadlines arm the same runtime timers).

import (
	"context"
	"sync"
	"time"
)

// attemptClock is one attempt's place in its client's queue of deadlines.
type attemptClock struct {
	deadline   time.Time
	cancel     context.CancelCauseFunc
	q          *attemptQueue
	prev, next *attemptClock
}

// deadlines bounds a client's attempts by its timeout. Its queue belongs
// to the clock its timer was armed on: a synctest bubble has a clock of its
// own, and a timer armed in one never fires in the other (nor after the
// bubble ends), so a client used across a bubble's edge starts a new queue
// there rather than wait for a timer that will not come.
type deadlines struct {
	timeout time.Duration
	mu      sync.Mutex // guards every queue of the client
	q       *attemptQueue
	arms    int // timers armed so far (a test reads it)
}

// attemptQueue is the attempts in flight on one clock, oldest first, and
// its timer: armed at armedAt, due at due (at or before head's deadline).
type attemptQueue struct {
	head, tail   *attemptClock
	armed        bool
	armedAt, due time.Time
}

// start begins an attempt bounded by the timeout: ctx ends with cause
// errAttemptTimeout when the attempt outlives it, or with parent. The
// attempt must be ended with stop.
func (d *deadlines) start(parent context.Context, a *attemptClock) context.Context {
	ctx, cancel := context.WithCancelCause(parent)
	a.cancel = cancel
	d.mu.Lock()
	now := time.Now()
	if d.q == nil || d.q.otherClock(now, d.timeout) {
		d.q = new(attemptQueue)
	}
	q := d.q
	a.deadline, a.q, a.prev, a.next = now.Add(d.timeout), q, q.tail, nil
	if q.tail != nil {
		q.tail.next = a
	} else {
		q.head = a
	}
	q.tail = a
	arm := !q.armed
	if arm {
		q.armed, q.armedAt, q.due = true, now, a.deadline
		d.arms++
	}
	d.mu.Unlock()
	if arm {
		time.AfterFunc(d.timeout, func() { d.fire(q) })
	}
	return ctx
}

// otherClock reports whether q's timer was armed on another clock than
// the one that reads now: now is before it was armed (a bubble's clock
// starts in 2000), or a whole timeout past when it was due (its bubble is
// gone, and its timer with it). Either way, q keeps its own attempts and
// its timer, and a new queue takes the new ones.
func (q *attemptQueue) otherClock(now time.Time, timeout time.Duration) bool {
	return q.armed && (now.Before(q.armedAt) || now.After(q.due.Add(timeout)))
}

// stop ends an attempt: it leaves its queue and its context is released.
func (d *deadlines) stop(a *attemptClock) {
	d.mu.Lock()
	a.unlinkLocked()
	d.mu.Unlock()
	a.cancel(context.Canceled)
}

func (a *attemptClock) unlinkLocked() {
	q := a.q
	if q == nil {
		return
	}
	if a.prev != nil {
		a.prev.next = a.next
	} else {
		q.head = a.next
	}
	if a.next != nil {
		a.next.prev = a.prev
	} else {
		q.tail = a.prev
	}
	a.q, a.prev, a.next = nil, nil, nil
}

// fire ends q's attempts past their deadline and arms q's timer for the
// oldest one left, if any.
func (d *deadlines) fire(q *attemptQueue) {
	var expired []context.CancelCauseFunc
	d.mu.Lock()
	now := time.Now()
	for a := q.head; a != nil && !a.deadline.After(now); a = q.head {
		a.unlinkLocked()
		expired = append(expired, a.cancel)
	}
	if q.head != nil {
		q.armedAt, q.due = now, q.head.deadline
		d.arms++
		time.AfterFunc(q.head.deadline.Sub(now), func() { d.fire(q) })
	} else {
		q.armed = false
	}
	d.mu.Unlock()
	for _, cancel := range expired {
		cancel(errAttemptTimeout)
	}
}

// timedOut reports whether ctx, an attempt's context, ended by the
// attempt timeout while the caller's context is alive.
func timedOut(ctx, parent context.Context) bool {
	return parent.Err() == nil && context.Cause(ctx) == errAttemptTimeout
}
