package cli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// withRequestIDs puts a proxy in front of target that adds the request ID
// a provider's gateway sends.
func withRequestIDs(t *testing.T, target string) string {
	u, err := url.Parse(target)
	require.NoError(t, err)
	p := httputil.NewSingleHostReverseProxy(u)
	n := 0
	p.ModifyResponse = func(r *http.Response) error {
		n++
		r.Header.Set("X-Request-Id", "req-"+itoa(n))
		return nil
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Each JSON line is an audit record: when, the provider's request ID, the
// attempts and who called.
func TestResultsAreAnAuditTrail(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	env := map[string]string{"FLASHBACK_TOKEN": fb.Admin.Token, "FLASHBACK_URL": withRequestIDs(t, fb.URL())}
	out := invocation{env: env}.run(t.Context(), "reset", "--provider", "flashback", "--output", "json", "--concurrency", "1", fb.Member.ID, "nobody")

	require.Equal(t, exitFailed, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 2)
	assert.Equal(t, result{User: fb.Member.ID, Provider: "flashback", Operation: "reset", Outcome: "succeeded",
		RequestID: "req-1", Attempts: 1, DurationMS: rs[0].DurationMS}, audited(t, rs[0]))
	assert.Equal(t, "req-2", rs[1].RequestID)
	assert.Equal(t, "ErrNotFound", rs[1].ErrorClass)
	assert.NotContains(t, out.stdout+out.stderr, "mfakit: mfakit", "no doubled prefixes")
	assert.False(t, strings.HasPrefix(rs[1].Message, "mfakit:"), rs[1].Message)

	// The caller, where it can be known: a JWT's sub.
	jwt := jwtWithSub("usr-admin-2")
	fb.AddUser(mfatest.FakeUser{ID: "usr-admin-2", Token: jwt, Role: "ADMINISTRATOR", MFAEnabled: true})
	out = invocation{env: flashbackEnv(fb, jwt)}.run(t.Context(), "reset", "--provider", "flashback", "--output", "json", fb.Owner.ID)
	require.Equal(t, exitOK, out.code, out.stderr)
	rs = results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "usr-admin-2", rs[0].Caller)
	assert.NotContains(t, out.stdout+out.stderr, jwt)
}

// A run of one user does not talk about later users.
func TestSingleUserRunDoesNotTalkAboutLaterUsers(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Member.Token)}.run(t.Context(), "reset", "--provider", "flashback", fb.Owner.ID)
	require.Equal(t, exitAuth, out.code)
	assert.NotContains(t, out.stderr, "later user")
	assert.NotContains(t, out.stderr, "stopped early")
}

// A bad credential value names its variable, once, without the SDK's own
// prefix; a 401 names the variables to check.
func TestErrorsNameTheFix(t *testing.T) {
	out := invocation{env: map[string]string{"FLASHBACK_TOKEN": " spaced-secret "}}.run(t.Context(), "reset", "--provider", "flashback", "u1")
	assert.Equal(t, exitUsage, out.code)
	assert.Equal(t, 1, strings.Count(out.stderr, "mfakit:"), out.stderr)
	assert.NotContains(t, out.stderr, "spaced-secret")

	eg := mfatest.NewEntryGuard(t)
	out = invocation{env: map[string]string{"ENTRYGUARD_TOKEN": "wrong-token", "ENTRYGUARD_URL": eg.URL()}}.run(t.Context(), "reset", "--provider", "entryguard", eg.Member.ID)
	assert.Equal(t, exitAuth, out.code)
	assert.Contains(t, out.stderr, "mfakit: EntryGuard refused the credentials: check ENTRYGUARD_TOKEN\n")
}

// --verbose routes the SDK's records to stderr at debug level, with no
// credential in them.
func TestVerboseLogsToStderrRedacted(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), "reset", "--provider", "flashback", "--verbose", fb.Member.ID)
	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Contains(t, out.stderr, "level=DEBUG")
	assert.Contains(t, out.stderr, "/mfa/reset")
	assert.NotContains(t, out.stderr+out.stdout, fb.Admin.Token)

	quiet := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), "reset", "--provider", "flashback", fb.Owner.ID)
	assert.NotContains(t, quiet.stderr, "level=")
}

// --max-wait caps the wait for a rate limit: a longer Retry-After fails at
// once with exit 5; --timeout bounds each attempt.
func TestMaxWaitAndTimeout(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	fb.FailNext(1, mfatest.Failure{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"5"}}})
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), "reset", "--provider", "flashback", "--output", "json", "--max-wait", "1s", fb.Member.ID)
	require.Equal(t, exitRateLimited, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrRateLimited", rs[0].ErrorClass)
	assert.Equal(t, 1, fb.Requests(), "a 5s hint beyond --max-wait 1s is not waited out")

	slow := mfatest.NewFlashback(t, mfatest.WithLatency(time.Minute))
	out = invocation{env: flashbackEnv(slow, slow.Admin.Token)}.run(t.Context(), "reset", "--provider", "flashback", "--output", "json", "--timeout", "50ms", "--max-wait", "10ms", slow.Member.ID)
	require.Equal(t, exitFailed, out.code, out.stderr)
	rs = results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrNetwork", rs[0].ErrorClass)
}

// On a terminal the bar never shares a line with a result: it is cleared
// before each result is written.
func TestProgressBarNeverMixesWithResults(t *testing.T) {
	fb := mfatest.NewFlashback(t, mfatest.WithLatency(5*time.Millisecond))
	users := seedUsers(fb, 12)
	screen := new(syncBuffer)
	in := invocation{env: flashbackEnv(fb, fb.Admin.Token), tty: terminal{stdout: true, stderr: true}, stdout: screen, stderr: screen}
	out := in.run(t.Context(), append([]string{"reset", "--provider", "flashback", "--yes", "--concurrency", "3"}, users...)...)
	require.Equal(t, exitOK, out.code, out.stderr)

	n := 0
	for _, line := range strings.Split(screen.String(), "\n") {
		i := strings.Index(line, "succeeded   flashback")
		if i < 0 {
			continue
		}
		n++
		assert.True(t, i == 0 || strings.HasSuffix(line[:i], "\r\x1b[K"), "a result after an uncleared bar: %q", line)
	}
	assert.Equal(t, 12, n)
}

// The ETA counts waits: the rate is users done over the time since the
// start, and nothing is shown before there is a second of it.
func TestProgressRateAndETA(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var w bytes.Buffer
		p := newProgress(&w, true, true, time.Hour, 10, func() bool { return false })
		p.add()
		assert.Equal(t, "1/10 users", p.status(), "no rate from a first answer")
		time.Sleep(4 * time.Second) // a rate-limit wait
		p.add()
		assert.Equal(t, "2/10 users, 0.5 users/s, ETA 16s", p.status())
		p.close()
	})
}

// Off a terminal, a progress line every 10 seconds; with --progress=false,
// none.
func TestProgressLinesOffATerminal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var w syncBuffer
		p := newProgress(&w, false, true, 10*time.Second, 4, nil)
		time.Sleep(5 * time.Second)
		p.add()
		time.Sleep(20 * time.Second)
		p.add()
		p.close()
		assert.Equal(t, "mfakit: progress: 1/4 users, 0.1 users/s, ETA 30s\nmfakit: progress: 1/4 users, 0.1 users/s, ETA 1m0s\n", w.String())
		assert.Nil(t, newProgress(&w, false, false, 10*time.Second, 4, nil))
	})
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token), progressEvery: time.Millisecond}.run(t.Context(), "reset", "--provider", "flashback", "--progress=false", fb.Member.ID, fb.Owner.ID)
	require.Equal(t, exitOK, out.code)
	assert.NotContains(t, out.stderr, "progress")
}
