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
		`{"user":"usr-x","provider":"flashback","operation":"reset","outcome":"already-off","error_class":"ErrMFANotEnabled","provider_code":"","message":"x","attempts":1,"duration_ms":3}`,
		`{"user":"cut short by a cra`, // no newline: the process died mid-line
	}, "\n")
	require.NoError(t, os.WriteFile(state, []byte(earlier), 0o600))

	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--output", "json", "--resume", state, fb.Member.ID, fb.Owner.ID, fb.Admin.ID, "usr-x")

	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	assert.ElementsMatch(t, []string{fb.Owner.ID, fb.Admin.ID}, []string{rs[0].User, rs[1].User})
	assert.Zero(t, fb.Resets(fb.Member.ID), "the user that succeeded before is not sent again")
	assert.Equal(t, 2, fb.Requests())
	assert.Contains(t, out.stderr, "mfakit: "+state+":5: skipping the last line, cut short (not JSON); its user runs again\n")
	assertSummary(t, out.stderr, "flashback", 4, 2, 0, 2, 0)

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

// --resume takes only a results file of this tool: the --from file, garbage
// or another tool's JSON lines are refused before anything is sent, and the
// file is left as it was.
func TestResumeRefusesAFileThatIsNotThisToolsResults(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	dir := t.TempDir()
	list := filepath.Join(dir, "users.txt")
	require.NoError(t, os.WriteFile(list, []byte(fb.Member.ID+"\n"), 0o600))
	cases := map[string]struct{ content, want string }{
		"the --from file": {fb.Member.ID + "\n" + fb.Owner.ID + "\n", ":1 is not a line of mfakit's results (not JSON): is this the --from file?"},
		"garbage":         {"\x00\x01\x02garbage\nmore\n", ":1 is not a line of mfakit's results (not JSON)"},
		"another tool":    {`{"level":"info","msg":"started"}` + "\n", `:1 is not a line of mfakit's results (no provider or user)`},
		"bad outcome":     {`{"user":"u","provider":"flashback","operation":"reset","outcome":"maybe"}` + "\n", `:1 is not a line of mfakit's results (outcome "maybe")`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			state := filepath.Join(dir, strings.ReplaceAll(name, " ", "-")+".jsonl")
			require.NoError(t, os.WriteFile(state, []byte(tc.content), 0o600))
			out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
				"reset", "--provider", "flashback", "--from", list, "--resume", state)
			assert.Equal(t, exitUsage, out.code)
			assert.Empty(t, out.stdout)
			assert.Contains(t, out.stderr, "mfakit: reset: --resume "+state+tc.want)
			data, err := os.ReadFile(state)
			require.NoError(t, err)
			assert.Equal(t, tc.content, string(data), "the file is not touched")
		})
	}
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(),
		"reset", "--provider", "flashback", "--from", list, "--resume", list)
	assert.Equal(t, exitUsage, out.code)
	assert.Contains(t, out.stderr, "mfakit: reset: --resume "+list+" is the --from file; --resume takes the results file an earlier run wrote\n")
	assert.Zero(t, fb.Requests())
}
