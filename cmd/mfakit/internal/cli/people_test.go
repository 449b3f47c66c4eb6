package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// threeFakes starts a fake of each provider and returns their environment.
type threeFakes struct {
	fb  *mfatest.FlashbackFake
	eg  *mfatest.EntryGuardFake
	rc  *mfatest.RocketChatFake
	env map[string]string
}

func startThree(t *testing.T) threeFakes {
	f := threeFakes{fb: mfatest.NewFlashback(t), eg: mfatest.NewEntryGuard(t), rc: mfatest.NewRocketChat(t, mfatest.WithoutTwoFactorChallenge())}
	f.env = map[string]string{}
	for k, v := range flashbackEnv(f.fb, f.fb.Admin.Token) {
		f.env[k] = v
	}
	for k, v := range entryGuardEnv(f.eg) {
		f.env[k] = v
	}
	for k, v := range rocketChatEnv(f.rc) {
		f.env[k] = v
	}
	return f
}

func writeFile(t *testing.T, name, content string) string {
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

// "alice lost her phone — reset her everywhere": one command resets the
// named person on every provider where she has an ID, with a line per
// (person, provider) and a summary per provider.
func TestPeopleResetsAPersonEverywhere(t *testing.T) {
	f := startThree(t)
	csv := writeFile(t, "people.csv", "person,flashback,entryguard,rocketchat\n"+
		"# the on-call list\n"+
		"alice,"+f.fb.Member.ID+","+f.eg.Member.ID+","+f.rc.Member.ID+"\n"+
		"bob,"+f.fb.Owner.ID+",,\n")
	out := invocation{env: f.env}.run(t.Context(), "reset", "--people", csv, "--output", "json", "alice")

	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 3)
	got := map[string]string{}
	for _, r := range rs {
		assert.Equal(t, "alice", r.Person)
		assert.Equal(t, outcomeSucceeded, r.Outcome)
		got[r.Provider] = r.User
	}
	assert.Equal(t, map[string]string{"flashback": f.fb.Member.ID, "entryguard": f.eg.Member.ID, "rocketchat": f.rc.Member.ID}, got)
	assert.Equal(t, 1, f.fb.Resets(f.fb.Member.ID))
	assert.Equal(t, 1, f.eg.Resets(f.eg.Member.ID))
	assert.Equal(t, 1, f.rc.Resets(f.rc.Member.ID))
	assert.Zero(t, f.fb.Resets(f.fb.Owner.ID), "bob was not named")
	for _, p := range []string{"flashback", "entryguard", "rocketchat"} {
		assertCounts(t, out.stderr, p, counts{users: 1, succeeded: 1})
	}

	// All people, in text; bob has an account on Flashback only. A rerun
	// finds alice already off where the provider says so, and exits 0.
	out = invocation{env: f.env}.run(t.Context(), "reset", "--people", csv)
	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Contains(t, out.stdout, "succeeded   flashback bob (usr-owner-1)")
	assert.Contains(t, out.stdout, "already-off entryguard alice (770e8400-e29b-41d4-a716-446655440004)")
	assertCounts(t, out.stderr, "flashback", counts{users: 2, succeeded: 2})
	assertCounts(t, out.stderr, "entryguard", counts{users: 1, alreadyOff: 1})
}

// JSON lines work the same; the guards apply: an unknown person, a bad
// column, a bad ID on one provider, the caller's own account.
func TestPeopleJSONLinesAndGuards(t *testing.T) {
	f := startThree(t)
	jsonl := writeFile(t, "people.jsonl", `{"person":"alice","entryguard":"`+f.eg.Member.ID+`","rocketchat":""}`+"\n")
	out := invocation{env: f.env}.run(t.Context(), "reset", "--people", jsonl, "--output", "json")
	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "entryguard", rs[0].Provider)
	assert.NotContains(t, out.stderr, "reset on rocketchat", "an empty cell is no account")

	cases := map[string]struct {
		file, person, want string
	}{
		"unknown person": {"person,flashback\nalice,u1\n", "carol", `mfakit: reset: not in the --people file: "carol"`},
		"bad column":     {"person,okta\nalice,u1\n", "", `people.csv:1: column "okta" is not a provider (one of ` + strings.Join(registry.Names(), ", ") + ")"},
		"no header":      {"alice,u1\n", "", "people.csv:1: the header must be person,<provider>,..."},
		"bad id":         {"person,flashback,entryguard\nalice,u1,not-a-uuid\n", "", `people.csv:2: entryguard: "not-a-uuid": user ID is not a UUID`},
		"duplicate":      {"person,flashback\nalice,u1\nalice,u2\n", "", `people.csv:3: "alice" is already on`},
		"caller":         {"person,rocketchat\nme," + f.rc.Admin.ID + "\n", "", "is the caller (ROCKETCHAT_USER_ID)"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			path := writeFile(t, "people.csv", tc.file)
			args := []string{"reset", "--people", path}
			if tc.person != "" {
				args = append(args, tc.person)
			}
			out := invocation{env: f.env}.run(t.Context(), args...)
			assert.Equal(t, exitUsage, out.code)
			assert.Empty(t, out.stdout)
			assert.Contains(t, out.stderr, tc.want)
		})
	}
	assert.Zero(t, f.fb.Requests())
	assert.Zero(t, f.rc.Requests())
	assert.Equal(t, 1, f.eg.Requests())

	out = invocation{env: f.env}.run(t.Context(), "reset", "--people", jsonl, "--provider", "flashback")
	assert.Equal(t, exitUsage, out.code)
	assert.Contains(t, out.stderr, "--people takes no --provider or --from")
}

// A provider that refuses stops only its own users; the others go on.
func TestPeopleProvidersRunSideBySide(t *testing.T) {
	f := startThree(t)
	f.env["FLASHBACK_TOKEN"] = f.fb.Member.Token // may not reset others
	csv := writeFile(t, "people.csv", "person,flashback,entryguard\n"+
		"alice,"+f.fb.Owner.ID+","+f.eg.Member.ID+"\n"+
		"bob,"+f.fb.Admin.ID+","+f.eg.Admin.ID+"\n")
	out := invocation{env: f.env}.run(t.Context(), "reset", "--people", csv, "--concurrency", "1")
	require.Equal(t, exitAuth, out.code, out.stderr)
	assertCounts(t, out.stderr, "flashback", counts{users: 2, failed: 1, notStarted: 1})
	assertCounts(t, out.stderr, "entryguard", counts{users: 2, succeeded: 2})
	assert.Contains(t, out.stderr, "mfakit: stopped early: ErrForbidden from flashback: no later user can succeed\n")
}
