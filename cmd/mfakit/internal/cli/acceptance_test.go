package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// The acceptance run: 1,000 users against a rate-limited fake, interrupted
// midway, then resumed. Across the two runs' result lines every user appears
// exactly once, as succeeded, and the fake carried out exactly one reset per
// user. The limit is 500 requests per second (it was 100: ten seconds of
// waiting that proved nothing more), so the run meets several windows and
// their 429s in about two seconds.
func TestInterruptedBulkRunResumesWithoutRepeatingAReset(t *testing.T) {
	t.Parallel()
	const total, interruptAfter = 1000, 500
	fb := mfatest.NewFlashback(t, mfatest.WithRateLimit(500, time.Second, mfatest.HintRateLimitHeaders))
	users := make([]string, total)
	for i := range users {
		users[i] = fmt.Sprintf("user-%04d", i)
		fb.AddUser(mfatest.FakeUser{ID: users[i], Role: "MEMBER", MFAEnabled: true})
	}
	dir := t.TempDir()
	list := filepath.Join(dir, "users.txt")
	require.NoError(t, os.WriteFile(list, []byte("# the whole org\n"+strings.Join(users, "\n")+"\n"), 0o600))
	state := filepath.Join(dir, "state.jsonl")
	env := flashbackEnv(fb, fb.Admin.Token)
	args := []string{"reset", "--provider", "flashback", "--output", "json", "--concurrency", "8", "--from", list, "--resume", state, "--max", "1000"}

	// Run 1 is interrupted (as by SIGINT) once 500 users are printed.
	ctx, interrupt := context.WithCancel(t.Context())
	defer interrupt()
	stdout1 := &syncBuffer{onWrite: func(s string) {
		if strings.Count(s, "\n") >= interruptAfter {
			interrupt()
		}
	}}
	out1 := invocation{env: env, stdout: stdout1}.run(ctx, args...)
	require.Equal(t, exitInterrupted, out1.code, out1.stderr)
	run1 := results(t, out1.stdout)
	require.GreaterOrEqual(t, len(run1), interruptAfter)
	require.Less(t, len(run1), total, "the interrupt stopped the run midway")
	assertSummary(t, out1.stderr, "flashback", total, len(run1), 0, 0, total-len(run1))
	assert.Contains(t, out1.stderr, "mfakit: interrupted; run the same command again to finish (--resume "+state+" skips the users that are done)")

	// Run 2 resumes from the state file.
	out2 := invocation{env: env}.run(t.Context(), args...)
	require.Equal(t, exitOK, out2.code, out2.stderr)
	run2 := results(t, out2.stdout)
	assertSummary(t, out2.stderr, "flashback", total, len(run2), 0, len(run1), 0)

	onceEach := func(name string, rs []result) {
		t.Helper()
		seen := make(map[string]int, total)
		for _, r := range rs {
			require.Equal(t, outcomeSucceeded, r.Outcome, "%s: %+v", name, r)
			seen[r.User]++
		}
		require.Len(t, seen, total, name)
		for _, u := range users {
			require.Equal(t, 1, seen[u], "%s: user %s", name, u)
		}
	}
	onceEach("stdout of both runs", append(run1, run2...))
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	onceEach("resume file", results(t, string(data)))

	counts := fb.ResetCounts()
	for _, u := range users {
		require.Equal(t, 1, counts[u], "resets the fake carried out for %s", u)
	}
	assert.Len(t, counts, total)
}
