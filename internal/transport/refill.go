package transport

import (
	"net/http"
	"time"
)

// QuotaRefill is how a provider's limiter gives back the quota that
// X-RateLimit-Remaining reports. A provider that documents it sets
// Config.QuotaRefill; the zero value is a fixed window.
type QuotaRefill int

const (
	// RefillAtReset is a fixed window: the whole quota comes back at
	// X-RateLimit-Reset, none before (Rocket.Chat, GitHub). Remaining 0
	// closes the gate until the reset.
	RefillAtReset QuotaRefill = iota
	// RefillSteady is a continuously refilling limiter (GCRA, a token
	// bucket): one request comes back every interval, and X-RateLimit-Reset
	// is when the bucket is full again, not when the next request may go.
	// Mattermost's limiter is throttled's GCRA (server/app/ratelimit.go):
	// X-Ratelimit-Reset is ceil(ResetAfter), the time until the bucket is
	// full, and a request frees one every 1/PerSec.
	RefillSteady
)

// steadyQuota is the gate's picture of a RefillSteady limiter, taken from
// the newest answer: the newest by the order its request was let through,
// not by when the answer arrived. Answers arrive out of order; an older one
// reports a Remaining the provider has since spent, and with a reset
// counted in seconds from the answer it cannot be told from a newer window
// by its reset.
type steadyQuota struct {
	known bool
	// The anchor: the request whose answer is the newest, its send time,
	// the Remaining it reported, and the last ticket let through when its
	// answer came: any later one reached the provider after it.
	seq       uint64
	at        time.Time
	remaining int
	answered  uint64
	// after counts the requests that may spend the quota without being
	// counted in remaining: those in flight when the anchor's answer came,
	// and those sent since.
	after int
	// end is when the bucket is full again (the anchor's reset), and hints
	// the anchor's hints.
	end   time.Time
	hints Hints
	// limit is X-RateLimit-Limit, and interval the longest the provider
	// can take to give back one request, learned from every answer with
	// that limit (zero: none yet; then nothing comes back before end).
	limit    int
	interval time.Duration
}

// learnSteadyLocked follows a RefillSteady limiter through the answer to
// tk, after answeredLocked. Only an answer to a request sent after the
// anchor's moves it; any answer with a limit and a reset narrows the
// interval.
//
// The interval: a GCRA limiter of limit L, interval T, reports Remaining R
// when the time until its bucket is full, ttl, is in ((L-R-1)·T, (L-R)·T];
// its reset is ttl rounded up (to the second, seconds from now) or later, so
// T < reset/(L-R-1). The smallest such bound over the answers is the
// interval used: never shorter than the provider's, and within about 5 %
// of it after one burst (Mattermost at 5/s, burst 20: R=1 with a reset of
// 4 s gives 4/19 s for 1/5 s).
func (g *gate) learnSteadyLocked(tk ticket, status int, hs Hints, now time.Time) {
	q := &g.steady
	valid := hs.Remaining >= 0 && hs.Reset.After(now)
	if valid && hs.Limit != q.limit {
		q.limit, q.interval = hs.Limit, 0
	}
	if n := hs.Limit - hs.Remaining - 1; valid && n > 0 {
		if b := hs.Reset.Sub(now) / time.Duration(n); q.interval == 0 || b < q.interval {
			q.interval = b
		}
	}
	// Every request still in flight may reach the provider after this one,
	// or may have and be counted already: counting it errs on the side of
	// holding one back until the next answer, never of a 429.
	cand := steadyQuota{
		known: true, seq: tk.seq, at: tk.sent, remaining: hs.Remaining, after: g.inflight,
		end: hs.Reset.Add(resetGrain), hints: hs, answered: g.seq,
		limit: q.limit, interval: q.interval,
	}
	// The provider saw this request after the anchor's for sure only when
	// it was let through after the anchor's answer came (the order of
	// tickets, not of clock readings, which may be equal). Otherwise the
	// two were in flight together and either may be the newer: this one is
	// taken only when it says less is left, so an older answer (a higher
	// Remaining, spent since) never opens the gate.
	if !valid || (q.known && !tk.probe && tk.seq <= q.answered && !cand.spentBeyond(q)) {
		if status == http.StatusTooManyRequests {
			g.unspentLocked(tk) // a refused request spent nothing
		}
		return
	}
	*q = cand
	g.closedAt = now
}

// spentBeyond reports whether q leaves less of the quota than p: its next
// request may go later.
func (q *steadyQuota) spentBeyond(p *steadyQuota) bool {
	if q.interval <= 0 {
		return q.after-q.remaining > p.after-p.remaining
	}
	return q.nextAt().After(p.nextAt())
}

// nextAt is when q lets the next request go, by the refill alone (before
// now when some is left).
func (q *steadyQuota) nextAt() time.Time {
	return q.at.Add(time.Duration(q.after-q.remaining+1) * q.interval)
}

// unspentLocked is a request other than the anchor, counted in after, that
// the provider did not count: refused (429), or lost with no answer
// (forget; it may have been counted, but holding its share back for the
// whole window would cost more than the rare 429).
func (g *gate) unspentLocked(tk ticket) {
	q := &g.steady
	if q.known && tk.seq != q.seq && q.after > 0 {
		q.after--
	}
}

// steadyBlockedLocked is blockedLocked for a RefillSteady limiter: the
// anchor's Remaining, plus one request back per interval since the
// anchor's request was sent, less the requests sent since. Before an
// interval is known, nothing comes back before the bucket is full.
func (g *gate) steadyBlockedLocked(now time.Time) (time.Time, Hints, bool) {
	q := &g.steady
	need := q.after - q.remaining + 1 // requests that must come back before one more goes
	if !q.known || need <= 0 || !now.Before(q.end) {
		return time.Time{}, Hints{}, false
	}
	open := q.end
	if q.interval > 0 && q.remaining+need <= q.limit {
		if at := q.nextAt(); at.Before(open) {
			open = at
		}
	}
	if !now.Before(open) {
		return time.Time{}, Hints{}, false
	}
	return open, q.hints, q.remaining > 0
}
