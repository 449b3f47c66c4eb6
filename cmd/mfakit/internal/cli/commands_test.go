package cli

import (
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// summary matches the stderr summary of a reset run.
var summary = regexp.MustCompile(`(?m)^mfakit: reset on (\w+): (\d+) users?: (\d+) succeeded, (\d+) already off, (\d+) failed, (\d+) interrupted, (\d+) skipped \(done before\), (\d+) not started \(\S+\)$`)

// assertSummary checks the counts of the provider's summary line, for a run
// with nothing already off and nothing interrupted.
func assertSummary(t *testing.T, stderr, provider string, users, succeeded, failed, skipped, notStarted int) {
	t.Helper()
	assertCounts(t, stderr, provider, counts{users: users, succeeded: succeeded, failed: failed, skipped: skipped, notStarted: notStarted})
}

// counts are a summary line's numbers.
type counts struct {
	users, succeeded, alreadyOff, failed, interrupted, skipped, notStarted int
}

func assertCounts(t *testing.T, stderr, provider string, c counts) {
	t.Helper()
	for _, m := range summary.FindAllStringSubmatch(stderr, -1) {
		if m[1] != provider {
			continue
		}
		assert.Equal(t, []string{itoa(c.users), itoa(c.succeeded), itoa(c.alreadyOff), itoa(c.failed), itoa(c.interrupted), itoa(c.skipped), itoa(c.notStarted)}, m[2:9], "summary of %s", provider)
		return
	}
	t.Fatalf("no summary line for %s in stderr:\n%s", provider, stderr)
}

func itoa(n int) string { return strconv.Itoa(n) }

func flashbackEnv(fb *mfatest.FlashbackFake, token string) map[string]string {
	return map[string]string{"FLASHBACK_TOKEN": token, "FLASHBACK_URL": fb.URL()}
}

func TestResetFlashbackJSONLinesPerUser(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--output", "json", fb.Member.ID, "nobody", fb.Owner.ID)

	require.Equal(t, exitFailed, out.code, out.stderr)
	rs := byUser(results(t, out.stdout))
	require.Len(t, rs, 3)
	for _, id := range []string{fb.Member.ID, fb.Owner.ID} {
		r := rs[id]
		assert.Equal(t, result{User: id, Provider: "flashback", Operation: "reset", Outcome: "succeeded", Attempts: 1, DurationMS: r.DurationMS}, audited(t, r))
		assert.Equal(t, 1, fb.Resets(id))
	}
	nobody := rs["nobody"]
	assert.Equal(t, "failed", nobody.Outcome)
	assert.Equal(t, "ErrNotFound", nobody.ErrorClass)
	assert.Equal(t, 1, nobody.Attempts)
	assert.Contains(t, nobody.Message, "HTTP 404: User not found")
	assertSummary(t, out.stderr, "flashback", 3, 2, 1, 0, 0)
	assert.NotContains(t, out.stdout+out.stderr, fb.Admin.Token)
}

func TestResetEntryGuardTextOutput(t *testing.T) {
	eg := mfatest.NewEntryGuard(t)
	env := map[string]string{"ENTRYGUARD_TOKEN": eg.Admin.Token, "ENTRYGUARD_URL": eg.URL()}
	out := invocation{env: env}.run(t.Context(), "reset", "--provider", "entryguard", eg.Member.ID)

	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Regexp(t, `^succeeded   entryguard 770e8400-e29b-41d4-a716-446655440004 \(1 request, \d+ms\)\n$`, out.stdout)
	assertSummary(t, out.stderr, "entryguard", 1, 1, 0, 0, 0)
	assert.Equal(t, 1, eg.Resets(eg.Member.ID))

	// A second run: EntryGuard answers that MFA is already off, which is
	// done: re-running a finished batch exits 0.
	out = invocation{env: env}.run(t.Context(), "reset", "--provider", "entryguard", eg.Member.ID)
	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Regexp(t, `^already-off entryguard 770e8400-e29b-41d4-a716-446655440004 \(1 request, \d+ms\)\n$`, out.stdout)
	assertCounts(t, out.stderr, "entryguard", counts{users: 1, alreadyOff: 1})
	assert.Equal(t, 1, eg.Resets(eg.Member.ID))
}

func TestResetUsersFromFileAndStdinSkipCommentsAndDuplicates(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	file := filepath.Join(t.TempDir(), "users.txt")
	require.NoError(t, os.WriteFile(file, []byte("# helpdesk batch\n\n"+fb.Member.ID+"\n  "+fb.Owner.ID+"  \n"+fb.Member.ID+"\n"), 0o600))
	stdin := "# from a pipe\n" + fb.Owner.ID + "\n" + fb.Admin.ID + "\n"

	out := invocation{env: flashbackEnv(fb, fb.Admin.Token), stdin: stdin}.run(t.Context(),
		"reset", "--provider", "flashback", "--output", "json", "--from", file, "-", fb.Member.ID)

	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	users := make([]string, 0, len(rs))
	for _, r := range rs {
		users = append(users, r.User)
	}
	assert.ElementsMatch(t, []string{fb.Member.ID, fb.Owner.ID, fb.Admin.ID}, users)
	assert.Equal(t, 3, fb.Requests(), "each user is sent once")
	assertSummary(t, out.stderr, "flashback", 3, 3, 0, 0, 0)
}

func TestResetStopsOnPermissionErrorWithExit4(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	// A member may not reset others: no later user can succeed either.
	out := invocation{env: flashbackEnv(fb, fb.Member.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--concurrency", "1", "--output", "json", fb.Owner.ID, fb.Admin.ID, "u3", "u4")

	require.Equal(t, exitAuth, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrForbidden", rs[0].ErrorClass)
	assert.Equal(t, "OWNER or ADMINISTRATOR", rs[0].Required)
	assert.Equal(t, fb.Owner.ID, rs[0].User)
	assert.Equal(t, 1, fb.Requests())
	assertSummary(t, out.stderr, "flashback", 4, 0, 1, 0, 3)
	assert.Contains(t, out.stderr, "mfakit: stopped early: ErrForbidden from flashback: no later user can succeed")
}

func TestResetBadTokenExit4(t *testing.T) {
	eg := mfatest.NewEntryGuard(t)
	env := map[string]string{"ENTRYGUARD_TOKEN": "wrong-token-value", "ENTRYGUARD_URL": eg.URL()}
	out := invocation{env: env}.run(t.Context(), "reset", "--provider", "entryguard", "--output", "json", "--concurrency", "1", eg.Member.ID, eg.Admin.ID)

	require.Equal(t, exitAuth, out.code)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrUnauthorized", rs[0].ErrorClass)
	assert.Equal(t, 401, statusOf(rs[0].Message))
	assert.NotContains(t, out.stdout+out.stderr, "wrong-token-value")
	assertSummary(t, out.stderr, "entryguard", 2, 0, 1, 0, 1)
}

// statusOf reads "HTTP NNN" from an error message.
func statusOf(msg string) int {
	m := regexp.MustCompile(`HTTP (\d{3})`).FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n := 0
	for _, c := range m[1] {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestResetRateLimitedBeyondBudgetExit5(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	// An hour is beyond the default 60s budget: the error comes back at
	// once, and the run stops.
	fb.FailNext(1, mfatest.Failure{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"3600"}}})
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--concurrency", "1", "--output", "json", fb.Member.ID, fb.Owner.ID)

	require.Equal(t, exitRateLimited, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrRateLimited", rs[0].ErrorClass)
	assert.Equal(t, 1, rs[0].Attempts)
	assert.Equal(t, 1, fb.Requests())
	assert.Zero(t, fb.Resets(fb.Member.ID))
	assertSummary(t, out.stderr, "flashback", 2, 0, 1, 0, 1)
	assert.Contains(t, out.stderr, "stopped early: ErrRateLimited")
}

func TestResetOwnFlashback(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Member.Token)}.run(t.Context(), "reset-own", "--provider", "flashback", "--output", "json")

	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, result{Provider: "flashback", Operation: "reset-own", Outcome: "succeeded", Attempts: 1, DurationMS: rs[0].DurationMS}, audited(t, rs[0]))
	assert.Empty(t, out.stderr)
	assert.Equal(t, 1, fb.Resets(fb.Member.ID))
}

func TestSetPrimaryFlashback(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), "set-primary", "--provider", "flashback", "passkey")

	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Regexp(t, `^succeeded   flashback set-primary passkey \(1 request, \d+ms\)\n$`, out.stdout)
	assert.Empty(t, out.stderr)
	u, _ := fb.User(fb.Admin.ID)
	assert.Equal(t, "PASSKEY", u.PrimaryMethod)
}

func TestSetPrimaryFailureExit3(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	fb.FailNext(1, mfatest.Failure{Status: http.StatusNotFound})
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), "set-primary", "--provider", "flashback", "--output", "json", "totp")

	require.Equal(t, exitFailed, out.code)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrNotFound", rs[0].ErrorClass)
	assert.Equal(t, "totp", rs[0].Method)
	assert.Equal(t, 1, rs[0].Attempts)
	assert.Contains(t, rs[0].Message, "HTTP 404")
	assert.Empty(t, out.stderr)
}
