package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func TestResumeSkipsOnlyUsersThatSucceededWithThisProvider(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	state := filepath.Join(t.TempDir(), "state.jsonl")
	earlier := strings.Join([]string{
		`{"user":"` + fb.Member.ID + `","provider":"flashback","operation":"reset","outcome":"succeeded","error_class":"","provider_code":"","message":"","attempts":1,"duration_ms":3}`,
		`{"user":"` + fb.Owner.ID + `","provider":"flashback","operation":"reset","outcome":"failed","error_class":"ErrServer","provider_code":"","message":"x","attempts":4,"duration_ms":3}`,
		`{"user":"` + fb.Admin.ID + `","provider":"entryguard","operation":"reset","outcome":"succeeded","error_class":"","provider_code":"","message":"","attempts":1,"duration_ms":3}`,
		`not json`,
		`{"user":"cut short by a cra`, // no newline: the process died mid-line
	}, "\n")
	require.NoError(t, os.WriteFile(state, []byte(earlier), 0o600))

	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--output", "json", "--resume", state, fb.Member.ID, fb.Owner.ID, fb.Admin.ID)

	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	assert.ElementsMatch(t, []string{fb.Owner.ID, fb.Admin.ID}, []string{rs[0].User, rs[1].User})
	assert.Zero(t, fb.Resets(fb.Member.ID), "the user that succeeded before is not sent again")
	assert.Equal(t, 2, fb.Requests())
	assert.Contains(t, out.stderr, state+":4: skipping a line that is not a result")
	assert.Contains(t, out.stderr, state+":5: skipping a line that is not a result")
	assertSummary(t, out.stderr, "flashback", 3, 2, 0, 1, 0)

	data, err := os.ReadFile(state)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(string(data), earlier+"\n"), "earlier lines are kept, and the cut line ended")
	appended := results(t, strings.TrimPrefix(string(data), earlier+"\n"))
	assert.Equal(t, rs, appended, "the file gets the same lines as stdout, in the same order")
	info, err := os.Stat(state)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	assert.NotContains(t, string(data), fb.Admin.Token)
}

func TestResumeFileIsCreatedWhenMissing(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	state := filepath.Join(t.TempDir(), "new.jsonl")
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--resume", state, fb.Member.ID)

	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Regexp(t, `^succeeded   flashback usr-member-3 \(1 request, \d+ms\)\n$`, out.stdout, "stdout stays text; the file is JSON")
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	rs := results(t, string(data))
	require.Len(t, rs, 1)
	assert.Equal(t, fb.Member.ID, rs[0].User)
	assert.Equal(t, outcomeSucceeded, rs[0].Outcome)
}

func TestResumeFileThatCannotBeReadIsAUsageError(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--resume", t.TempDir(), fb.Member.ID)
	assert.Equal(t, exitUsage, out.code)
	assert.Empty(t, out.stdout)
	assert.Contains(t, out.stderr, "reading --resume file")
	assert.Zero(t, fb.Requests())
}
