package transport

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A provider that documents its X-RateLimit-Reset unit (Config.ResetUnit)
// is read in that unit only; a value that does not fit it is ignored.
func TestParseHintsUnit(t *testing.T) {
	now := time.Date(2026, 2, 18, 10, 30, 0, 0, time.UTC)
	in := now.Add(30 * time.Second)
	for _, tc := range []struct {
		unit  ResetUnit
		value string
		want  time.Time
	}{
		{ResetSecondsFromNow, "30", in},                                      // Mattermost
		{ResetSecondsFromNow, strconv.FormatInt(in.Unix(), 10), time.Time{}}, // 56 years from now
		{ResetEpochSeconds, strconv.FormatInt(in.Unix(), 10), in},
		{ResetEpochSeconds, strconv.FormatInt(in.UnixMilli(), 10), time.Time{}},
		{ResetEpochSeconds, "30", time.Time{}}, // 1970
		{ResetEpochMillis, strconv.FormatInt(in.UnixMilli(), 10), in},
		{ResetEpochMillis, strconv.FormatInt(in.Unix(), 10), time.Time{}},
		{ResetInferred, "30", in},
		{ResetInferred, strconv.FormatInt(in.Unix(), 10), in},
		{ResetInferred, strconv.FormatInt(in.UnixMilli(), 10), in},
	} {
		hs := ParseHintsUnit(http.Header{"X-Ratelimit-Reset": {tc.value}}, now, tc.unit)
		assert.True(t, tc.want.Equal(hs.Reset), "unit %d, %q: got %s, want %s", tc.unit, tc.value, hs.Reset, tc.want)
	}
}

// Absolute times are read on the provider's clock when its Date header is
// more than skewTolerance away; within it (Date has whole seconds) they are
// read on the client's, exactly.
func TestParseHintsProviderClock(t *testing.T) {
	now := time.Date(2026, 2, 18, 10, 30, 0, 400e6, time.UTC)
	for _, tc := range []struct {
		name      string
		skew      time.Duration // the provider's clock minus the client's
		corrected bool
	}{
		{"FiveMinutesSlow", -5 * time.Minute, true},
		{"FiveMinutesFast", 5 * time.Minute, true},
		{"InSync", 0, false},
		{"OneSecondBehind", -time.Second, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			provNow := now.Add(tc.skew)
			h := http.Header{
				"Date":              {provNow.UTC().Format(http.TimeFormat)},
				"Retry-After":       {provNow.Add(20 * time.Second).UTC().Format(http.TimeFormat)},
				"X-Ratelimit-Reset": {strconv.FormatInt(provNow.Add(10*time.Second).UnixMilli(), 10)},
			}
			hs := ParseHintsUnit(h, now, ResetInferred)
			if tc.corrected {
				// Date has whole seconds: the provider's now is read up to a
				// second early, so its times come up to a second late.
				dateNow := provNow.Truncate(time.Second)
				assert.Equal(t, provNow.Add(20*time.Second).Truncate(time.Second).Sub(dateNow), hs.RetryAfter)
				assert.True(t, now.Add(10*time.Second).Add(provNow.Sub(dateNow)).Equal(hs.Reset), "reset %s", hs.Reset)
				return
			}
			assert.Equal(t, provNow.Add(20*time.Second).Truncate(time.Second).Sub(now), hs.RetryAfter)
			assert.True(t, provNow.Add(10*time.Second).Equal(hs.Reset), "reset %s", hs.Reset)
		})
	}
}

// Reading the Date header costs no allocation either.
func TestParseHintsWithDateDoesNotAllocate(t *testing.T) {
	now := time.Now()
	h := http.Header{}
	h.Set("Date", now.Add(-time.Hour).UTC().Format(http.TimeFormat))
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Second).UnixMilli(), 10))
	allocs := testing.AllocsPerRun(100, func() { _ = ParseHintsUnit(h, now, ResetInferred) })
	assert.Zero(t, allocs)
}
