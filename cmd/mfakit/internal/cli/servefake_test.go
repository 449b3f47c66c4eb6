package cli

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// startServeFake runs serve-fake until the test ends and returns its
// exports once it printed the ready line.
func startServeFake(t *testing.T, args ...string) (env map[string]string, stdout string, stop func() outcome) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	out := new(syncBuffer)
	done := make(chan outcome, 1)
	go func() { done <- invocation{stdout: out}.run(ctx, append([]string{"serve-fake"}, args...)...) }()
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "\n"+readyLine+"\n") },
		5*time.Second, 5*time.Millisecond)
	env = map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export ([A-Z_]+)='([^']*)'$`).FindAllStringSubmatch(out.String(), -1) {
		env[m[1]] = m[2]
	}
	var once bool
	var res outcome
	stop = func() outcome {
		if !once {
			once = true
			cancel()
			res = <-done
		}
		return res
	}
	t.Cleanup(func() { stop() })
	return env, out.String(), stop
}

func TestServeFakePrintsExportsThatTheOtherCommandsUse(t *testing.T) {
	env, stdout, stop := startServeFake(t)
	n := 0
	for _, p := range registry.All() {
		for _, s := range p.Settings {
			if s.Required {
				assert.Contains(t, env, s.Env)
				n++
			}
		}
	}
	code := regexp.MustCompile(`--2fa-code (\d+)`).FindStringSubmatch(stdout)
	require.NotNil(t, code)

	fb := invocation{env: env}.run(t.Context(), "reset", "--provider", "flashback", "usr-member-3")
	assert.Equal(t, exitOK, fb.code, fb.stdout+fb.stderr)
	eg := invocation{env: env}.run(t.Context(), "reset", "--provider", "entryguard", "770e8400-e29b-41d4-a716-446655440004")
	assert.Equal(t, exitOK, eg.code, eg.stdout+eg.stderr)
	rc := invocation{env: env}.run(t.Context(), "reset", "--provider", "rocketchat", "--2fa-code", code[1], "GonjPyg3gB3Z9ur9s")
	assert.Equal(t, exitOK, rc.code, rc.stdout+rc.stderr)
	primary := invocation{env: env}.run(t.Context(), "set-primary", "--provider", "flashback", "magic_link")
	assert.Equal(t, exitOK, primary.code, primary.stdout+primary.stderr)

	out := stop()
	assert.Equal(t, exitOK, out.code)
	assert.Equal(t, "mfakit: serve-fake: running until interrupted\nmfakit: serve-fake: stopped\n", out.stderr)
	assert.True(t, strings.HasPrefix(out.stdout, "# mfakit fake providers"))
	assert.True(t, strings.HasSuffix(out.stdout, "\n"+readyLine+"\n"), "the ready line comes last")
}

// A rehearsal: serve-fake seeds N users per provider and writes them as a
// --people file; reset --people resets them all on every provider, the
// fakes rate-limited and slow.
func TestServeFakeSeedsUsersForAPeopleRehearsal(t *testing.T) {
	t.Parallel()
	people := filepath.Join(t.TempDir(), "people.csv")
	env, stdout, _ := startServeFake(t, "--users", "40", "--people", people, "--rate-limit", "50/1s", "--latency", "5ms",
		"--addr", "127.0.0.1:0")
	// Every fake that can seed users (all but a row whose fake lacks
	// mfatest.Seeder) gets 40, and its column in the file: the IDs
	// mfatest.SeedID(1) to SeedID(40), or the fake's own form of them
	// where the provider's IDs cannot be UUIDs (Mattermost, Casdoor).
	var seeded []string
	wantRow := "seed-1"
	ownForm := map[string][2]string{
		"mattermost": {"seed0000000000000000000001", "seed0000000000000000000040"},
		"casdoor":    {"mfakit/seed-000001", "mfakit/seed-000040"},
	}
	for _, p := range registry.All() {
		first, last := mfatest.SeedID(1), mfatest.SeedID(40)
		if f, ok := ownForm[p.Name]; ok {
			first, last = f[0], f[1]
		}
		if strings.Contains(stdout, "# "+p.Title+" at ") && regexp.MustCompile(`(?m)^# `+regexp.QuoteMeta(p.Title)+` at .*, and 40 seeded users `+first+` \.\.\. `+last+`$`).MatchString(stdout) {
			seeded = append(seeded, p.Name)
			wantRow += "," + first
		} else {
			wantRow += ","
		}
	}
	assert.Subset(t, seeded, []string{"flashback", "entryguard", "rocketchat", "mattermost", "casdoor", "kratos"})
	data, err := os.ReadFile(people)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, 41)
	assert.Equal(t, "person,"+strings.Join(registry.Names(), ","), lines[0])
	assert.Equal(t, wantRow, lines[1])

	code := regexp.MustCompile(`--2fa-code (\d+)`).FindStringSubmatch(stdout)
	require.NotNil(t, code)
	out := invocation{env: env}.run(t.Context(), "reset", "--people", people, "--output", "json", "--2fa-code", code[1], "--max", "300")
	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	assert.Len(t, rs, 40*len(seeded))
	for _, name := range seeded {
		assertCounts(t, out.stderr, name, counts{users: 40, succeeded: 40})
	}
}

func TestServeFakeFlagErrors(t *testing.T) {
	for _, tc := range []struct{ args []string }{
		{[]string{"--rate-limit", "lots"}},
		{[]string{"--rate-limit", "10/never"}},
		{[]string{"--people", "x.csv"}},
		{[]string{"--users", "-1"}},
		{[]string{"--addr", "nonsense"}},
	} {
		out := invocation{}.run(t.Context(), append([]string{"serve-fake"}, tc.args...)...)
		assert.Equal(t, exitUsage, out.code, tc.args)
		assert.Empty(t, out.stdout)
	}
}

func TestFakeAddrsAndRate(t *testing.T) {
	got, err := fakeAddrs("127.0.0.1:8080", 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8082"}, got)
	got, err = fakeAddrs("127.0.0.1:0", 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"127.0.0.1:0", "127.0.0.1:0"}, got)
	_, err = fakeAddrs("127.0.0.1:65535", 3)
	assert.Error(t, err)
	n, d, err := parseRate("100/1s")
	require.NoError(t, err)
	assert.Equal(t, 100, n)
	assert.Equal(t, time.Second, d)
	n, d, err = parseRate("60/m")
	require.NoError(t, err)
	assert.Equal(t, 60, n)
	assert.Equal(t, time.Minute, d)
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
}
