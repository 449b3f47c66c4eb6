package cli

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func entryGuardEnv(eg *mfatest.EntryGuardFake) map[string]string {
	return map[string]string{"ENTRYGUARD_TOKEN": eg.Admin.Token, "ENTRYGUARD_URL": eg.URL()}
}

// Every ID is checked before anything is sent: each bad line is reported
// with its line number, the run exits 2 and the valid users are not reset.
func TestBadIDsAreAllReportedWithLineNumbersAndNothingIsSent(t *testing.T) {
	eg := mfatest.NewEntryGuard(t)
	file := filepath.Join(t.TempDir(), "users.txt")
	content := strings.Join([]string{
		"# the batch",
		eg.Member.ID,
		"not-a-uuid",
		"",
		"770e8400-e29b-41d4-a716-44665544\x07004",
		strings.Repeat("a", 600),
		eg.Admin.ID,
	}, "\n")
	require.NoError(t, os.WriteFile(file, []byte(content), 0o600))
	out := invocation{env: entryGuardEnv(eg)}.run(t.Context(), "reset", "--provider", "entryguard", "--from", file, "also bad")

	assert.Equal(t, exitUsage, out.code)
	assert.Empty(t, out.stdout)
	for _, want := range []string{
		"mfakit: argument 1: \"also bad\": user ID is not a UUID\n",
		"mfakit: " + file + ":3: \"not-a-uuid\": user ID is not a UUID\n",
		"mfakit: " + file + ":5: \"770e8400-e29b-41d4-a716-44665544?004\": user ID contains a control character\n",
		"mfakit: " + file + ":6: \"" + strings.Repeat("a", 64) + "…\": user ID is 600 bytes, longer than 512\n",
		"mfakit: reset: 4 user IDs refused; nothing was sent\n",
	} {
		assert.Contains(t, out.stderr, want)
	}
	assert.Zero(t, eg.Requests())
}

// A 10 MB garbage file does not become 136,000 requests: --max refuses it,
// and names the fix.
func TestMaxRefusesABigRunUnlessRaised(t *testing.T) {
	t.Parallel()
	fb := mfatest.NewFlashback(t)
	file := filepath.Join(t.TempDir(), "garbage.txt")
	var b strings.Builder
	for i := 0; b.Len() < 10<<20; i++ {
		fmt.Fprintf(&b, "garbage-line-%07d-%s\n", i, strings.Repeat("x", 50))
	}
	require.NoError(t, os.WriteFile(file, []byte(b.String()), 0o600))
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), "reset", "--provider", "flashback", "--from", file)
	assert.Equal(t, exitUsage, out.code)
	assert.Empty(t, out.stdout)
	assert.Regexp(t, `mfakit: reset: 1\d\d,?\d\d\d users to reset is more than --max 100; check the input, and raise --max to run them all \(nothing was sent\)`, out.stderr)
	assert.Zero(t, fb.Requests())

	users := seedUsers(fb, 101)
	out = invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), append([]string{"reset", "--provider", "flashback"}, users...)...)
	assert.Equal(t, exitUsage, out.code)
	assert.Contains(t, out.stderr, "101 users to reset is more than --max 100")
	assert.Zero(t, fb.Requests())

	out = invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), append([]string{"reset", "--provider", "flashback", "--max", "101"}, users...)...)
	assert.Equal(t, exitOK, out.code, out.stderr)
	assert.Equal(t, 101, fb.Requests())
}

// --dry-run parses, validates, de-duplicates, applies --resume and prints
// the plan; it sends nothing and leaves the resume file alone.
func TestDryRunPrintsThePlanAndSendsNothing(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	users := seedUsers(fb, 8)
	state := filepath.Join(t.TempDir(), "state.jsonl")
	earlier := `{"user":"` + users[0] + `","provider":"flashback","operation":"reset","outcome":"succeeded"}` + "\n"
	require.NoError(t, os.WriteFile(state, []byte(earlier), 0o600))
	args := append([]string{"reset", "--provider", "flashback", "--dry-run", "--resume", state}, users...)
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), append(args, users[1])...)

	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Equal(t, "plan: reset on flashback: 7 users (1 skipped, done before): "+strings.Join(users[1:6], ", ")+", ... (2 more)\n"+
		"plan: --dry-run: nothing was sent\n", out.stdout)
	assert.Empty(t, out.stderr)
	assert.Zero(t, fb.Requests())
	data, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Equal(t, earlier, string(data))
}

// On a terminal a run of more than one user asks first; anything but "yes"
// sends nothing; --yes and a single user do not ask.
func TestConfirmationOnATerminal(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	users := seedUsers(fb, 3)
	tty := terminal{stdin: true, stderr: true}
	args := append([]string{"reset", "--provider", "flashback", "--progress=false"}, users...)
	const question = "mfakit: about to reset on flashback: 3 users: 00000000-0000-4000-8000-000000000001, 00000000-0000-4000-8000-000000000002, 00000000-0000-4000-8000-000000000003\nType yes to reset their MFA: "

	no := invocation{env: flashbackEnv(fb, fb.Admin.Token), tty: tty, stdin: "y\n"}.run(t.Context(), args...)
	assert.Equal(t, exitUsage, no.code)
	assert.Equal(t, question+"mfakit: not confirmed; nothing was sent\n", no.stderr)
	assert.Empty(t, no.stdout)
	assert.Zero(t, fb.Requests())

	yes := invocation{env: flashbackEnv(fb, fb.Admin.Token), tty: tty, stdin: "yes\n"}.run(t.Context(), args...)
	assert.Equal(t, exitOK, yes.code, yes.stderr)
	assert.True(t, strings.HasPrefix(yes.stderr, question))
	assert.Equal(t, 3, fb.Requests())

	flag := invocation{env: flashbackEnv(fb, fb.Admin.Token), tty: tty}.run(t.Context(), append(args, "--yes")...)
	assert.Equal(t, exitOK, flag.code, flag.stderr)
	assert.NotContains(t, flag.stderr, "Type yes")
	one := invocation{env: flashbackEnv(fb, fb.Admin.Token), tty: tty}.run(t.Context(), "reset", "--provider", "flashback", users[0])
	assert.Equal(t, exitOK, one.code, one.stderr)
	assert.NotContains(t, one.stderr, "Type yes")
	assert.Equal(t, 7, fb.Requests())
}

func jwtWithSub(sub string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(`{"sub":"`+sub+`","iat":1}`)) + ".c2ln"
}

// The caller's own account is refused in reset, for a Bearer JWT's sub
// (read without verifying it), pointing to reset-own; results carry the
// caller.
func TestResetRefusesTheCallersOwnAccount(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	env := flashbackEnv(fb, jwtWithSub(fb.Admin.ID))
	out := invocation{env: env}.run(t.Context(), "reset", "--provider", "flashback", fb.Member.ID, fb.Admin.ID)
	assert.Equal(t, exitUsage, out.code)
	assert.Empty(t, out.stdout)
	assert.Contains(t, out.stderr, "mfakit: reset: usr-admin-2 is the caller (the sub claim of FLASHBACK_TOKEN): to reset your own MFA deliberately, use reset-own --provider flashback\n")
	assert.Zero(t, fb.Requests())
}
