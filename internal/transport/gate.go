package transport

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// gate is the client-wide rate-limit memory, shared by every goroutine using
// the client. It holds a request back for three reasons:
//
//   - The provider said "wait until T": a 429's hints, Remaining 0 on any
//     answer, or Retry-After on any error status (a 503 in maintenance).
//     Everyone waits until T instead of each spending a request to learn the
//     same thing.
//   - The provider reports the quota of its current window (X-RateLimit-
//     Remaining with X-RateLimit-Reset), and the requests already in flight
//     would spend what is left. Without this, N workers learn that the
//     window is spent from N 429s; with it they stop at the quota and wait
//     for the reset. A provider whose limiter refills steadily
//     (RefillSteady, refill.go) gives back one request per interval instead,
//     and its Remaining 0 waits for the next one, not for the reset.
//   - The pacer (pace.go) spaces requests at a rate learned from 429s that
//     carry no hint, or given with WithRateLimit.
//
// A provider that sends no quota headers is never held back by the second
// rule. Nobody is held beyond MaxWait: a wait that would be longer returns
// *errWaitBeyondBudget at once, without sending; but once MaxWait has passed
// since the gate closed, one request goes through as a probe. The gate also
// keeps the client's retry budget (budget.go).
type gate struct {
	mu    sync.Mutex
	until time.Time
	hints Hints // the hints that closed the gate, for an error that sends nothing
	// status is what closed the gate: 429 for a rate limit, or the 5xx
	// whose Retry-After said when the provider will be back.
	status int
	// closedAt is when the gate was last closed or the quota window last
	// learned: after MaxWait from then one probe may go through (probing
	// while it is in flight), however long the provider asked for.
	closedAt time.Time
	probing  bool

	// The provider's current window: its end (zero when no quota is
	// known), the lowest Remaining reported for it, and the hints that
	// reported it.
	windowEnd  time.Time
	remaining  int
	quotaHints Hints
	// inflight counts requests sent and not yet answered. Some may already
	// be counted in remaining; counting them again errs on the side of
	// holding one back, never of a 429.
	inflight int
	// seq numbers the tickets, in the order they were let through.
	seq uint64
	// refill is how the provider gives quota back; with RefillSteady the
	// quota is followed in steady (refill.go) instead of windowEnd,
	// remaining and quotaHints.
	refill QuotaRefill
	steady steadyQuota
	// changed is closed when an answer may have freed quota; nil while
	// nobody waits for one.
	changed chan struct{}

	pace   pacer
	budget retryBudget
}

// ticket is one request let through the gate.
type ticket struct {
	sent  time.Time
	seq   uint64 // its place in the order requests were let through
	probe bool   // sent past MaxWait to ask whether a long wait is over
}

// issueLocked lets one request through at now.
func (g *gate) issueLocked(now time.Time, probe bool) ticket {
	g.inflight++
	g.seq++
	if g.steady.known {
		g.steady.after++
	}
	return ticket{sent: now, seq: g.seq, probe: probe}
}

// learn records an answer to the request of ticket tk: it ends one request
// in flight, follows the window's quota, and closes the gate until the time
// the hints name if they name one and the answer says the quota is spent or
// asks to retry after (a 429, or any error status with Retry-After: a 503
// says when the provider expects to be back). It only ever extends the
// closed period, except for a probe's answer, which decides alone. A 429
// with no hint at all (no Retry-After, no reset that parses) goes to the
// pacer; paced reports whether the pacer answers it.
func (g *gate) learn(tk ticket, status int, hs Hints, now time.Time) (paced bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answeredLocked()
	if tk.probe {
		g.probing = false
		g.until, g.windowEnd = time.Time{}, time.Time{}
	}
	if g.refill == RefillSteady {
		g.learnSteadyLocked(tk, status, hs, now)
	} else if hs.Remaining >= 0 && hs.Reset.After(now) {
		switch {
		case hs.Reset.Add(resetGrain).After(g.windowEnd): // the first answer of a new window
			g.windowEnd, g.remaining, g.quotaHints, g.closedAt = hs.Reset.Add(resetGrain), hs.Remaining, hs, now
		case hs.Reset.Add(resetGrain).Equal(g.windowEnd) && hs.Remaining < g.remaining:
			g.remaining, g.quotaHints = hs.Remaining, hs
		}
	}
	wait, ok := hs.retryWait(now)
	switch {
	case status == http.StatusTooManyRequests && !hs.HasRetryAfter && hs.Reset.IsZero():
		return g.pace.refuse(tk.sent, now) // a bare 429: no hint to obey
	case status != http.StatusTooManyRequests:
		g.pace.accept(tk.sent, now)
		if status < 500 {
			g.budget.deposit()
		}
	}
	// Remaining 0 from a steadily refilling limiter says nothing of when
	// the next request may go: the quota (refill.go) holds it.
	spent := hs.Remaining == 0 && g.refill != RefillSteady
	closes := status == http.StatusTooManyRequests || spent || (status >= 400 && hs.HasRetryAfter)
	if !ok || wait <= 0 || !closes {
		return false
	}
	if until := now.Add(wait); until.After(g.until) {
		g.until, g.hints, g.status, g.closedAt = until, hs, http.StatusTooManyRequests, now
		if status >= 500 {
			g.status = status // the provider is down until then, not limiting
		}
	}
	return false
}

// retry spends the client's retry budget for one retry of a failure, and
// reports whether there was any left.
func (g *gate) retry() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.budget.withdraw()
}

// forget ends one request in flight that got no answer.
func (g *gate) forget(tk ticket) {
	g.mu.Lock()
	g.answeredLocked()
	if g.refill == RefillSteady {
		g.unspentLocked(tk)
	}
	if tk.probe {
		g.probing, g.closedAt = false, time.Now() // the next probe after another MaxWait
	}
	g.mu.Unlock()
}

func (g *gate) answeredLocked() {
	if g.inflight > 0 {
		g.inflight--
	}
	if g.changed != nil {
		close(g.changed)
		g.changed = nil
	}
}

// closedUntil returns when the gate opens, and the hints that closed it.
func (g *gate) closedUntil() (time.Time, Hints) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.until, g.hints
}

// errWaitBeyondBudget is returned, without sending, when the gate is closed
// for longer than the caller's MaxWait.
type errWaitBeyondBudget struct {
	until  time.Time
	hints  Hints
	status int // the status of the answer that closed the gate
}

func (e *errWaitBeyondBudget) Error() string {
	return "rate limited until " + e.until.UTC().Format(time.RFC3339) + " (learned from an earlier answer; not sent)"
}

// acquire blocks until a request may be sent and counts it in flight; the
// caller then reports the outcome with learn or forget. It returns the
// context's error when the context ends first, and *errWaitBeyondBudget at
// once when the wait would go beyond maxWait, unless maxWait has passed since
// the gate closed and no probe is in flight: then this request is the probe.
// onWait, if not nil, hears the first wait.
func (g *gate) acquire(ctx context.Context, maxWait time.Duration, onWait func(time.Duration)) (ticket, error) {
	start := time.Now()
	var slot time.Time // a reserved slot of the pacer's schedule, and its generation
	var gen uint64
	for waited := false; ; waited = true {
		g.mu.Lock()
		now := time.Now()
		openAt, hs, reservedOnly := g.blockedLocked(now)
		var paced, one, slotted bool
		if openAt.IsZero() {
			openAt, one, slotted = g.pace.next(now)
			switch {
			case one && g.inflight > 0:
				openAt = now.Add(maxHint) // the drain: wait for the answer in flight
			case slotted:
				if slot.IsZero() || gen != g.pace.gen {
					slot, gen = g.pace.reserve(now)
				}
				if now.Before(slot) {
					openAt = slot
				}
			}
			paced = !openAt.IsZero()
		}
		if openAt.IsZero() {
			tk := g.issueLocked(now, false)
			g.mu.Unlock()
			return tk, nil
		}
		wakeAt := openAt
		switch {
		case one:
		case paced && openAt.Sub(now) > maxWait:
			g.mu.Unlock()
			return ticket{}, &errWaitBeyondBudget{until: openAt, hints: Hints{Limit: -1, Remaining: -1}, status: http.StatusTooManyRequests}
		case paced:
		case openAt.Sub(start) > maxWait:
			// The window outlasts the budget. When its quota is only
			// reserved by requests in flight, one of them may fail and free
			// it, so wait for answers, but not beyond the budget.
			switch {
			case !reservedOnly && !g.probing && !g.closedAt.IsZero() && !now.Before(g.closedAt.Add(maxWait)):
				// Closed for MaxWait already: ask the provider again.
				g.probing = true
				tk := g.issueLocked(now, true)
				g.mu.Unlock()
				return tk, nil
			case !reservedOnly || !now.Before(start.Add(maxWait)):
				status := g.status
				if !now.Before(g.until) {
					status = http.StatusTooManyRequests // the quota window holds it
				}
				g.mu.Unlock()
				return ticket{}, &errWaitBeyondBudget{until: openAt, hints: hs, status: status}
			}
			wakeAt = start.Add(maxWait)
		}
		// changed is nil, never ready, when no answer can open the gate, and
		// for a wait for a slot of the pacer's schedule: answers do not move
		// a slot sooner, and waking every waiter at every answer would cost
		// more than the wait.
		var changed chan struct{}
		if !now.Before(g.until) && (!paced || one) {
			if g.changed == nil {
				g.changed = make(chan struct{})
			}
			changed = g.changed
		}
		g.mu.Unlock()

		if !waited && onWait != nil && !paced && !one {
			onWait(openAt.Sub(now))
		}
		t := time.NewTimer(wakeAt.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ticket{}, ctx.Err()
		case <-changed:
			t.Stop()
		case <-t.C:
		}
	}
}

// blockedLocked returns when a request may next be sent (zero when it may be
// sent now), the hints behind the wait, and whether only the requests in
// flight hold it back (the window still has quota left).
func (g *gate) blockedLocked(now time.Time) (time.Time, Hints, bool) {
	if now.Before(g.until) {
		return g.until, g.hints, false
	}
	if g.refill == RefillSteady {
		return g.steadyBlockedLocked(now)
	}
	if now.Before(g.windowEnd) && g.remaining-g.inflight <= 0 {
		return g.windowEnd, g.quotaHints, g.remaining > 0
	}
	return time.Time{}, Hints{}, false
}
