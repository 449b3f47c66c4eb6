package transport

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxHint bounds any parsed wait, so a hostile "Retry-After: 999999999999"
// cannot overflow time.Duration; anything this long is beyond every MaxWait.
const maxHint = 365 * 24 * time.Hour

// Hints are a provider's rate-limit headers, parsed. Unknown values are -1
// (Limit, Remaining) or zero (Reset, RetryAfter with HasRetryAfter false).
// Times are on the client's clock: see ParseHintsUnit for the provider's.
type Hints struct {
	RetryAfter    time.Duration // from Retry-After, seconds or HTTP date; never negative
	HasRetryAfter bool
	Limit         int
	Remaining     int
	Reset         time.Time // from X-RateLimit-Reset
}

// ResetUnit is the unit of a provider's X-RateLimit-Reset. A provider that
// documents it sets Config.ResetUnit; the zero value infers it.
type ResetUnit int

const (
	// ResetInferred picks the unit that puts the reset near now: epoch
	// milliseconds (Rocket.Chat), epoch seconds (GitHub, Okta, Auth0), or
	// seconds from now.
	ResetInferred ResetUnit = iota
	// ResetEpochSeconds is a Unix time in seconds.
	ResetEpochSeconds
	// ResetEpochMillis is a Unix time in milliseconds.
	ResetEpochMillis
	// ResetSecondsFromNow is a delay in seconds from the answer (Mattermost).
	ResetSecondsFromNow
)

// skewTolerance is how far the provider's Date header may be from the
// client's clock before times are read on the provider's clock. Date has
// whole seconds and is stamped before the answer travels, so a provider in
// sync reads up to about a second behind; correcting that would only make
// every wait up to a second longer.
const skewTolerance = 2 * time.Second

// ParseHints reads Retry-After and X-RateLimit-Limit/-Remaining/-Reset, the
// reset's unit inferred. Values that do not parse ("soon", "1.5", "-5",
// garbage) are ignored, as if absent; the caller then falls back to its own
// backoff.
func ParseHints(h http.Header, now time.Time) Hints { return ParseHintsUnit(h, now, ResetInferred) }

// ParseHintsUnit is ParseHints with the reset's unit given. When the answer
// carries a Date header more than skewTolerance away from now, the absolute
// times (an HTTP-date Retry-After, an epoch reset) are read on the
// provider's clock and moved onto the client's: a provider whose clock is
// five minutes slow still means "in ten seconds" when it names a reset ten
// seconds after its own Date.
//
// It runs on every answer, so it looks the keys up in their canonical form:
// http.Header.Get would canonicalize "X-RateLimit-Limit" into a new string
// on each call. net/http canonicalizes the keys it receives, so the lookup
// finds what Get would.
func ParseHintsUnit(h http.Header, now time.Time, unit ResetUnit) Hints {
	hs := Hints{Limit: -1, Remaining: -1}
	retryAfter, limit := headerValue(h, "Retry-After"), headerValue(h, "X-Ratelimit-Limit")
	remaining, reset := headerValue(h, "X-Ratelimit-Remaining"), headerValue(h, "X-Ratelimit-Reset")
	if retryAfter == "" && limit == "" && remaining == "" && reset == "" {
		return hs // most answers: no need to read Date
	}
	skew := providerSkew(headerValue(h, "Date"), now)
	provNow := now.Add(skew)
	if d, ok := parseRetryAfter(retryAfter, provNow); ok {
		hs.RetryAfter, hs.HasRetryAfter = d, true
	}
	hs.Limit = parseCount(limit)
	hs.Remaining = parseCount(remaining)
	if r := parseReset(reset, provNow, unit); !r.IsZero() {
		hs.Reset = r.Add(-skew)
	}
	return hs
}

// providerSkew is how far the provider's clock is ahead of the client's (by
// its Date header), or zero when within skewTolerance or unknown.
func providerSkew(date string, now time.Time) time.Duration {
	if date == "" {
		return 0
	}
	t, err := http.ParseTime(date)
	if err != nil {
		return 0
	}
	skew := t.Sub(now)
	if skew > -skewTolerance && skew < skewTolerance {
		return 0
	}
	return max(min(skew, maxHint), -maxHint)
}

// headerValue is h.Get for a key already in canonical form.
func headerValue(h http.Header, canonicalKey string) string {
	if vs := h[canonicalKey]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// Wait is how long the hints ask the caller to wait from now, and whether
// they ask anything. The epoch reset is preferred when it is sooner than
// Retry-After: Retry-After has whole seconds, so it overshoots a window that
// ends mid-second (Rocket.Chat sends only the millisecond reset).
func (hs Hints) Wait(now time.Time) (time.Duration, bool) {
	var resetWait time.Duration
	hasReset := !hs.Reset.IsZero()
	if hasReset {
		resetWait = max(hs.Reset.Sub(now), 0)
	}
	switch {
	case hasReset && hs.HasRetryAfter:
		return min(resetWait, hs.RetryAfter), true
	case hasReset:
		return resetWait, true
	case hs.HasRetryAfter:
		return hs.RetryAfter, true
	}
	return 0, false
}

// resetGrain is added to a wait that ends at X-RateLimit-Reset. Providers
// name the reset truncated to the millisecond (Rocket.Chat) or the second,
// so their window may still be open for up to that long after the instant
// named; a request sent exactly then can land in the old window and get a
// 429 for it.
const resetGrain = time.Millisecond

// retryWait is Wait for a client about to send again: when the wait ends at
// a reset still ahead, it ends resetGrain after it. A hint that asks for no
// wait at all (a reset or date already past, "Retry-After: 0") gives zero,
// and the caller's backoff of at least MinWait decides instead: a provider
// clock minutes slow must not turn into a retry per millisecond.
func (hs Hints) retryWait(now time.Time) (time.Duration, bool) {
	wait, ok := hs.Wait(now)
	if ok && wait > 0 && !hs.Reset.IsZero() && wait == hs.Reset.Sub(now) {
		wait += resetGrain
	}
	return wait, ok
}

func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if isDigits(v) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > int64(maxHint/time.Second) {
			return maxHint, true // a number too large to parse is still "very long"
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return clampWait(t.Sub(now)), true
}

// parseReset reads X-RateLimit-Reset in unit. Inferred, providers disagree
// on its unit (Rocket.Chat: epoch milliseconds; GitHub, Okta, Auth0: epoch
// seconds; Mattermost: seconds from now), so the unit is the one that puts
// the reset near now: within a day before and a year after. A value that
// fits none is ignored.
func parseReset(v string, now time.Time, unit ResetUnit) time.Time {
	v = strings.TrimSpace(v)
	if !isDigits(v) {
		return time.Time{}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}
	}
	near := func(t time.Time) bool { return t.After(now.Add(-24*time.Hour)) && t.Before(now.Add(maxHint)) }
	var t time.Time
	switch unit {
	case ResetEpochSeconds:
		t = time.Unix(min(n, 1<<40), 0)
	case ResetEpochMillis:
		t = time.UnixMilli(n)
	case ResetSecondsFromNow:
		if n < int64(maxHint/time.Second) {
			t = now.Add(time.Duration(n) * time.Second)
		}
	}
	switch {
	case unit != ResetInferred:
		if !t.IsZero() && near(t) {
			return t
		}
		return time.Time{}
	case near(time.UnixMilli(n)):
		return time.UnixMilli(n)
	case near(time.Unix(n, 0)):
		return time.Unix(n, 0)
	case n < int64(maxHint/time.Second):
		return now.Add(time.Duration(n) * time.Second)
	}
	return time.Time{}
}

func clampWait(d time.Duration) time.Duration { return min(max(d, 0), maxHint) }

func parseCount(v string) int {
	v = strings.TrimSpace(v)
	if !isDigits(v) {
		return -1
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
