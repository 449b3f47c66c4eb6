package transport_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/stretchr/testify/assert"

	"github.com/mfakit/mfakit/internal/transport"
)

// hintCap is the longest wait a hint may name after parsing: about a year,
// so that a hostile "Retry-After: 999999999999" neither overflows
// time.Duration nor parks anyone for a century.
const hintCap = 366 * 24 * time.Hour

// hintNow is a fixed instant, so the table's dates are exact.
var hintNow = time.Date(2026, 2, 18, 10, 30, 0, 0, time.UTC)

// Hostile rate-limit headers are never negative, never beyond the cap, and
// garbage is ignored as if absent.
func TestParseHintsHostileValues(t *testing.T) {
	for _, tc := range []struct {
		retryAfter string
		has        bool
		want       time.Duration // exact, or with atLeast a lower bound
		atLeast    bool
	}{
		{"30", true, 30 * time.Second, false},
		{" 7 ", true, 7 * time.Second, false},
		{"0", true, 0, false},
		{"999999999999", true, 24 * time.Hour, true},
		{"99999999999999999999999", true, 24 * time.Hour, true},
		{"-5", false, 0, false},
		{"soon", false, 0, false},
		{"1.5", false, 0, false},
		{"0x10", false, 0, false},
		{"1e3", false, 0, false},
		{"+5", false, 0, false},
		{"", false, 0, false},
		{hintNow.Add(-time.Hour).Format(http.TimeFormat), true, 0, false},
		{"Wed, 21 Oct 2015 07:28:00 GMT", true, 0, false},
		{hintNow.Add(90 * time.Second).Format(http.TimeFormat), true, 90 * time.Second, false},
		{"Fri, 31 Dec 9999 23:59:59 GMT", true, 24 * time.Hour, true},
	} {
		h := http.Header{}
		if tc.retryAfter != "" {
			h.Set("Retry-After", tc.retryAfter)
		}
		hs := transport.ParseHints(h, hintNow)
		assert.Equal(t, tc.has, hs.HasRetryAfter, "Retry-After %q", tc.retryAfter)
		if tc.atLeast {
			assert.GreaterOrEqual(t, hs.RetryAfter, tc.want, "Retry-After %q", tc.retryAfter)
			assert.LessOrEqual(t, hs.RetryAfter, hintCap, "Retry-After %q", tc.retryAfter)
		} else {
			assert.Equal(t, tc.want, hs.RetryAfter, "Retry-After %q", tc.retryAfter)
		}
	}

	for reset, want := range map[string]time.Time{
		"soon":                 {},
		"-1":                   {},
		"1.5":                  {},
		"0x7fffffff":           {},
		"18446744073709551616": {},
		"999999999999999999":   {},
		"1e12":                 {},
		strconv.FormatInt(hintNow.Add(5*time.Second).UnixMilli(), 10): hintNow.Add(5 * time.Second),
		strconv.FormatInt(hintNow.Add(5*time.Second).Unix(), 10):      hintNow.Add(5 * time.Second),
		"42": hintNow.Add(42 * time.Second),
	} {
		h := http.Header{"X-Ratelimit-Reset": {reset}}
		hs := transport.ParseHints(h, hintNow)
		assert.True(t, want.Equal(hs.Reset), "X-RateLimit-Reset %q: got %s, want %s", reset, hs.Reset, want)
		wait, ok := hs.Wait(hintNow)
		assert.Equal(t, !want.IsZero(), ok, "X-RateLimit-Reset %q names a wait", reset)
		assert.GreaterOrEqual(t, wait, time.Duration(0))
	}

	for v, want := range map[string]int{"200": 200, "0": 0, "lots": -1, "-3": -1, "1.5": -1, "99999999999999999999": -1, "": -1} {
		h := http.Header{"X-Ratelimit-Limit": {v}, "X-Ratelimit-Remaining": {v}}
		hs := transport.ParseHints(h, hintNow)
		assert.Equal(t, want, hs.Limit, "X-RateLimit-Limit %q", v)
		assert.Equal(t, want, hs.Remaining, "X-RateLimit-Remaining %q", v)
	}

	// A reset already past is a wait of zero, not a negative one.
	past := transport.ParseHints(http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(hintNow.Add(-time.Hour).UnixMilli(), 10)}}, hintNow)
	wait, ok := past.Wait(hintNow)
	assert.True(t, ok)
	assert.Zero(t, wait)
}

// FuzzParseHints: whatever the headers and the clock, ParseHints never
// panics, never gives a negative wait or one beyond the cap, and keeps
// unknown counts at -1.
func FuzzParseHints(f *testing.F) {
	now := hintNow.UnixMilli()
	for _, v := range []string{"", "0", "30", "999999999999", "99999999999999999999999", "-5", "soon", "1.5",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", hintNow.Add(time.Minute).Format(http.TimeFormat),
		strconv.FormatInt(now+5000, 10), strconv.FormatInt(now/1000+5, 10), "18446744073709551616"} {
		f.Add(v, "10", "0", v, now)
		f.Add("1", v, v, strconv.FormatInt(now+1, 10), int64(0))
	}
	f.Fuzz(func(t *testing.T, retryAfter, limit, remaining, reset string, nowMilli int64) {
		// Any instant between 1970 and the year 3000.
		clock := time.UnixMilli(int64(uint64(nowMilli) % uint64(32503680000000)))
		h := http.Header{}
		for k, v := range map[string]string{"Retry-After": retryAfter, "X-Ratelimit-Limit": limit, "X-Ratelimit-Remaining": remaining, "X-Ratelimit-Reset": reset} {
			h[k] = []string{v}
		}
		hs := transport.ParseHints(h, clock)
		if hs.RetryAfter < 0 || hs.RetryAfter > hintCap || (!hs.HasRetryAfter && hs.RetryAfter != 0) {
			t.Fatalf("Retry-After %q: %s (has %v)", retryAfter, hs.RetryAfter, hs.HasRetryAfter)
		}
		if hs.Limit < -1 || hs.Remaining < -1 {
			t.Fatalf("limit %q remaining %q: %d, %d", limit, remaining, hs.Limit, hs.Remaining)
		}
		if !hs.Reset.IsZero() && (hs.Reset.Before(clock.Add(-25*time.Hour)) || hs.Reset.After(clock.Add(hintCap))) {
			t.Fatalf("X-RateLimit-Reset %q at %s: %s is not near", reset, clock, hs.Reset)
		}
		wait, ok := hs.Wait(clock)
		if wait < 0 || wait > hintCap || (!ok && wait != 0) {
			t.Fatalf("Wait %s %v for %+v", wait, ok, hs)
		}
	})
}

// FuzzPathSegment: an escaped user ID is exactly one path segment that
// unescapes to the ID: no slash, query, fragment or control character, and
// never a dot segment that a server would resolve to the parent path.
func FuzzPathSegment(f *testing.F) {
	for _, s := range []string{"770e8400-e29b-41d4-a716-446655440004", "../admin", "..", ".", "%2e%2e", "a/b?c#d", "a b", "ü", "a\x00b", "a\nb", ";", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seg := transport.PathSegment(s)
		if strings.ContainsAny(seg, "/?#") || strings.IndexFunc(seg, unicode.IsControl) >= 0 || strings.ContainsFunc(seg, func(r rune) bool { return r > unicode.MaxASCII }) {
			t.Fatalf("PathSegment(%q) = %q", s, seg)
		}
		if seg == "." || seg == ".." {
			t.Fatalf("PathSegment(%q) = %q, a dot segment", s, seg)
		}
		if back, err := url.PathUnescape(seg); err != nil || back != s {
			t.Fatalf("PathSegment(%q) = %q unescapes to %q, %v", s, seg, back, err)
		}
	})
}

// FuzzParseBaseURL: a base URL is accepted only when it can carry a token
// safely: https, or http to a loopback host; a host; no userinfo, query or
// fragment.
func FuzzParseBaseURL(f *testing.F) {
	for _, s := range []string{"https://api.entryguard.io", "https://host.test/chat/", "http://localhost:8080", "http://[::1]:2",
		"http://example.com", "https://user:pass@host.test", "https://host.test/?a=1", "https://host.test/#x", "https://host.test?",
		"http://127.0.0.1.nip.io", "https://host.test%2F@evil.test", "javascript:alert(1)", "//host.test", " https://x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		u, err := transport.ParseBaseURL(raw)
		if err != nil {
			return
		}
		switch {
		case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "", strings.Contains(raw, "#"):
			t.Fatalf("%q accepted with userinfo, query or fragment: %#v", raw, u)
		case u.Hostname() == "":
			t.Fatalf("%q accepted without a host", raw)
		case u.Scheme != "https" && !(u.Scheme == "http" && transport.IsLoopback(u.Hostname())):
			t.Fatalf("%q accepted: scheme %q to host %q", raw, u.Scheme, u.Hostname())
		case strings.HasSuffix(u.Path, "/"):
			t.Fatalf("%q kept a trailing slash: %q", raw, u.Path)
		}
	})
}
