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
	prev, next *attemptClock
	queued     bool
}

// deadlines is a client's queue of attempts in flight, oldest first.
type deadlines struct {
	timeout    time.Duration
	mu         sync.Mutex
	head, tail *attemptClock
	armed      bool // a timer is due at or before head's deadline
	arms       int  // timers armed so far (a test reads it)
}

// start begins an attempt bounded by the timeout: ctx ends with cause
// errAttemptTimeout when the attempt outlives it, or with parent. The
// attempt must be ended with stop.
func (d *deadlines) start(parent context.Context, a *attemptClock) context.Context {
	ctx, cancel := context.WithCancelCause(parent)
	a.cancel = cancel
	d.mu.Lock()
	a.deadline = time.Now().Add(d.timeout)
	a.prev, a.next, a.queued = d.tail, nil, true
	if d.tail != nil {
		d.tail.next = a
	} else {
		d.head = a
	}
	d.tail = a
	arm := !d.armed
	if arm {
		d.armed = true
		d.arms++
	}
	d.mu.Unlock()
	if arm {
		time.AfterFunc(d.timeout, d.fire)
	}
	return ctx
}

// stop ends an attempt: it leaves the queue and its context is released.
func (d *deadlines) stop(a *attemptClock) {
	d.mu.Lock()
	d.unlinkLocked(a)
	d.mu.Unlock()
	a.cancel(context.Canceled)
}

func (d *deadlines) unlinkLocked(a *attemptClock) {
	if !a.queued {
		return
	}
	if a.prev != nil {
		a.prev.next = a.next
	} else {
		d.head = a.next
	}
	if a.next != nil {
		a.next.prev = a.prev
	} else {
		d.tail = a.prev
	}
	a.prev, a.next, a.queued = nil, nil, false
}

// fire ends the attempts past their deadline and arms the timer for the
// oldest one left, if any.
func (d *deadlines) fire() {
	var expired []context.CancelCauseFunc
	d.mu.Lock()
	now := time.Now()
	for a := d.head; a != nil && !a.deadline.After(now); a = d.head {
		d.unlinkLocked(a)
		expired = append(expired, a.cancel)
	}
	if d.head != nil {
		d.arms++
		time.AfterFunc(d.head.deadline.Sub(now), d.fire)
	} else {
		d.armed = false
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
