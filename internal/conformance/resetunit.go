package conformance

import (
	"strconv"
	"time"

	"github.com/mfakit/mfakit/internal/transport"
)

// resetValue is an X-RateLimit-Reset naming the time at, written in the
// provider's unit: seconds from now (rounded up, never negative, as
// Mattermost's ceil(ResetAfter)), epoch seconds, or epoch milliseconds.
// provNow is the provider's clock.
func resetValue(p Provider, at, provNow time.Time) string {
	switch p.ResetUnit {
	case transport.ResetSecondsFromNow:
		d := max(at.Sub(provNow), 0)
		return strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10)
	case transport.ResetEpochSeconds:
		return strconv.FormatInt(at.Unix(), 10)
	}
	return strconv.FormatInt(at.UnixMilli(), 10)
}

// resetOr is resetValue for a provider that names its unit, and inferred(at)
// for one whose client infers it, so that the suite tries each unit the
// inference must tell apart.
func resetOr(p Provider, at, provNow time.Time, inferred func(time.Time) string) string {
	if p.ResetUnit == transport.ResetInferred {
		return inferred(at)
	}
	return resetValue(p, at, provNow)
}

func epochSeconds(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
func epochMillis(t time.Time) string  { return strconv.FormatInt(t.UnixMilli(), 10) }
