package transport

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// gate is the client-wide rate-limit memory, shared by every goroutine using
// the client. It holds a request back for two reasons:
//
//   - The provider said "wait until T": a 429's hints, or Remaining 0 on any
//     answer. Everyone waits until T instead of each spending a request to
//     learn the same thing.
//   - The provider reports the quota of its current window (X-RateLimit-
//     Remaining with X-RateLimit-Reset), and the requests already in flight
//     would spend what is left. Without this, N workers learn that the
//     window is spent from N 429s; with it they stop at the quota and wait
//     for the reset.
//
// A provider that sends no quota headers is never held back by the second
// rule. Nobody is held beyond MaxWait: a wait that would be longer returns
// *errWaitBeyondBudget at once, without sending.
type gate struct {
	mu    sync.Mutex
	until time.Time
	hints Hints // the hints that closed the gate, for an error that sends nothing

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
	// changed is closed when an answer may have freed quota; nil while
	// nobody waits for one.
	changed chan struct{}
}

// learn records an answer: it ends one request in flight, follows the
// window's quota, and closes the gate until the time the hints name if they
// name one and the answer says the quota is spent. It only ever extends the
// closed period.
func (g *gate) learn(status int, hs Hints, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.answeredLocked()
	if hs.Remaining >= 0 && hs.Reset.After(now) {
		switch {
		case hs.Reset.Add(resetGrain).After(g.windowEnd): // the first answer of a new window
			g.windowEnd, g.remaining, g.quotaHints = hs.Reset.Add(resetGrain), hs.Remaining, hs
		case hs.Reset.Add(resetGrain).Equal(g.windowEnd) && hs.Remaining < g.remaining:
			g.remaining, g.quotaHints = hs.Remaining, hs
		}
	}
	wait, ok := hs.retryWait(now)
	if !ok || wait <= 0 || (status != http.StatusTooManyRequests && hs.Remaining != 0) {
		return
	}
	if until := now.Add(wait); until.After(g.until) {
		g.until, g.hints = until, hs
	}
}

// forget ends one request in flight that got no answer.
func (g *gate) forget() {
	g.mu.Lock()
	g.answeredLocked()
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
	until time.Time
	hints Hints
}

func (e *errWaitBeyondBudget) Error() string {
	return "rate limited until " + e.until.UTC().Format(time.RFC3339) + " (learned from an earlier answer; not sent)"
}

// acquire blocks until a request may be sent and counts it in flight; the
// caller then reports the outcome with learn or forget. It returns the
// context's error when the context ends first, and *errWaitBeyondBudget at
// once when the wait would go beyond maxWait. onWait, if not nil, hears the
// first wait.
func (g *gate) acquire(ctx context.Context, maxWait time.Duration, onWait func(time.Duration)) error {
	start := time.Now()
	for waited := false; ; waited = true {
		g.mu.Lock()
		now := time.Now()
		openAt, hs, reservedOnly := g.blockedLocked(now)
		if openAt.IsZero() {
			g.inflight++
			g.mu.Unlock()
			return nil
		}
		wakeAt := openAt
		if openAt.Sub(start) > maxWait {
			// The window outlasts the budget. When its quota is only
			// reserved by requests in flight, one of them may fail and free
			// it, so wait for answers, but not beyond the budget.
			if !reservedOnly || !now.Before(start.Add(maxWait)) {
				g.mu.Unlock()
				return &errWaitBeyondBudget{until: openAt, hints: hs}
			}
			wakeAt = start.Add(maxWait)
		}
		var changed chan struct{} // nil, never ready, when no answer can open the gate
		if !now.Before(g.until) {
			if g.changed == nil {
				g.changed = make(chan struct{})
			}
			changed = g.changed
		}
		g.mu.Unlock()

		if !waited && onWait != nil {
			onWait(openAt.Sub(now))
		}
		t := time.NewTimer(wakeAt.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
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
	if now.Before(g.windowEnd) && g.remaining-g.inflight <= 0 {
		return g.windowEnd, g.quotaHints, g.remaining > 0
	}
	return time.Time{}, Hints{}, false
}
