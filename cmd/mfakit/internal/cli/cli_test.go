package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/registry"
)

func TestHelpListsCommandsExitCodesAndVariables(t *testing.T) {
	out := invocation{}.run(t.Context(), "--help")
	require.Equal(t, exitOK, out.code)
	assert.Empty(t, out.stderr)
	for _, want := range []string{
		"mfakit demo", "mfakit reset --provider flashback|entryguard|rocketchat", "mfakit reset-own",
		"mfakit set-primary", "mfakit serve-fake",
		"FLASHBACK_TOKEN", "ENTRYGUARD_TOKEN", "ROCKETCHAT_URL", "ROCKETCHAT_USER_ID", "ROCKETCHAT_AUTH_TOKEN",
		"FLASHBACK_URL", "ENTRYGUARD_URL",
		"0    all succeeded", "2    usage", "3    some users failed", "4    authentication or permission",
		"5    rate-limited beyond the wait budget", "130  interrupted",
	} {
		assert.Contains(t, out.stdout, want)
	}
}

// Help lists what the registry lists: every provider and every variable,
// with nothing written by hand.
func TestHelpReadsTheRegistry(t *testing.T) {
	out := invocation{}.run(t.Context(), "--help")
	for _, p := range registry.All() {
		assert.Contains(t, out.stdout, p.Title)
		assert.Contains(t, out.stdout, p.Name)
		for _, s := range p.Settings {
			assert.Regexp(t, `(?m)^  `+s.Env+` +`+regexp.QuoteMeta(p.Title+" "+s.Help), out.stdout)
		}
	}
}

func TestCommandHelpGoesToStdoutAndExitsZero(t *testing.T) {
	out := invocation{}.run(t.Context(), "reset", "--help")
	require.Equal(t, exitOK, out.code)
	assert.Empty(t, out.stderr)
	assert.Contains(t, out.stdout, "Usage: mfakit reset --provider")
	for _, want := range []string{"\n  --concurrency N\n", "\n  --resume FILE\n", "\n  --2fa-code CODE\n", "\n  --dry-run\n",
		"\n  --max N\n", "\n  --yes\n", "\n  --people FILE\n", "\n  --verbose\n", "\n  --max-wait DURATION\n", "\n  --timeout DURATION\n",
		"\n  --progress\n", "\n  --brake N\n"} {
		assert.Contains(t, out.stdout, want)
	}
	assert.NotRegexp(t, `(?m)^  -[a-z]`, out.stdout, "flags are shown as they are typed: --flag")

	// Each command lists only its own flags.
	own := invocation{}.run(t.Context(), "reset-own", "--help")
	require.Equal(t, exitOK, own.code)
	assert.Contains(t, own.stdout, "Usage: mfakit reset-own --provider flashback|rocketchat")
	for _, not := range []string{"--from", "--concurrency", "--resume", "--max N", "--yes", "--people"} {
		assert.NotContains(t, own.stdout, not)
	}
	sf := invocation{}.run(t.Context(), "serve-fake", "--help")
	require.Equal(t, exitOK, sf.code)
	for _, want := range []string{"--users N", "--people FILE", "--rate-limit N/PERIOD", "--latency DURATION", "--addr HOST:PORT"} {
		assert.Contains(t, sf.stdout, want)
	}
	assert.NotContains(t, sf.stdout, "--provider")
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		out := invocation{}.run(t.Context(), args...)
		require.Equal(t, exitOK, out.code)
		assert.Regexp(t, `^mfakit 0\.\d+\.\d+ \(go1\.\d+`, out.stdout)
		assert.Empty(t, out.stderr)
	}
}

func TestUsageErrorsExitTwoAndSendNothing(t *testing.T) {
	env := map[string]string{"FLASHBACK_TOKEN": "secret-token-value", "FLASHBACK_URL": "http://127.0.0.1:1"}
	rcEnv := map[string]string{"ROCKETCHAT_URL": "http://127.0.0.1:1", "ROCKETCHAT_USER_ID": "me", "ROCKETCHAT_AUTH_TOKEN": "secret-token-value"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no command", env, nil, "Usage:"},
		{"unknown command", env, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", env, []string{"reset", "--bogus"}, "mfakit: reset: unknown flag --bogus\n"},
		{"no provider", env, []string{"reset", "u1"}, "--provider is required"},
		{"bad provider", env, []string{"reset", "--provider", "okta", "u1"}, "--provider must be one of " + strings.Join(registry.Names(), ", ") + `, not "okta"`},
		{"bad output", env, []string{"reset", "--provider", "flashback", "--output", "xml", "u1"}, "--output must be one of text, json"},
		{"no users", env, []string{"reset", "--provider", "flashback"}, "no users given"},
		{"only comments", env, []string{"reset", "--provider", "flashback", "-"}, "no users given"},
		{"zero concurrency", env, []string{"reset", "--provider", "flashback", "--concurrency", "0", "u1"}, "--concurrency must be at least 1"},
		{"missing token", nil, []string{"reset", "--provider", "flashback", "u1"}, "FLASHBACK_TOKEN is not set"},
		{"missing rocket.chat settings, all at once", nil, []string{"reset", "--provider", "rocketchat", "u1"}, "mfakit: reset: ROCKETCHAT_URL, ROCKETCHAT_USER_ID, ROCKETCHAT_AUTH_TOKEN are not set (credentials come from the environment only)\n"},
		{"bad URL names its variable", map[string]string{"FLASHBACK_TOKEN": "secret-token-value", "FLASHBACK_URL": "http://example.com"}, []string{"reset", "--provider", "flashback", "u1"}, `mfakit: reset: FLASHBACK_URL: plain http is allowed only to a loopback host, not "example.com"`},
		{"missing from file", env, []string{"reset", "--provider", "flashback", "--from", "/nonexistent/users.txt"}, "no such file"},
		{"bad 2fa method", env, []string{"reset", "--provider", "rocketchat", "--2fa-method", "sms", "u1"}, "--2fa-method must be one of totp, email, password"},
		{"reset-own on entryguard", env, []string{"reset-own", "--provider", "entryguard"}, `--provider must be one of flashback, rocketchat, mattermost, not "entryguard"`},
		{"reset-own with a user", env, []string{"reset-own", "--provider", "flashback", "u1"}, "takes no arguments"},
		{"set-primary on rocketchat", rcEnv, []string{"set-primary", "--provider", "rocketchat", "totp"}, "mfakit: set-primary: rocketchat SetPrimaryMFA: not supported by this provider"},
		{"set-primary email on flashback", env, []string{"set-primary", "--provider", "flashback", "email"}, "mfakit: set-primary: flashback SetPrimaryMFA: not supported by this provider"},
		{"set-primary sms", env, []string{"set-primary", "--provider", "flashback", "sms"}, `mfakit: set-primary: METHOD must be one of totp, magic_link, passkey, email, not "sms"`},
		{"set-primary no method", env, []string{"set-primary", "--provider", "flashback"}, "mfakit: set-primary: give exactly one METHOD argument: totp, magic_link, passkey, email\n"},
		{"rocket.chat caller in a bulk run", rcEnv, []string{"reset", "--provider", "rocketchat", "u1", "me"}, "mfakit: reset: me is the caller (ROCKETCHAT_USER_ID); resetting it would end this run's session: to reset your own MFA deliberately, use reset-own --provider rocketchat\n"},
		{"serve-fake bad addr", env, []string{"serve-fake", "--addr", "nonsense"}, "--addr"},
		{"demo with arguments", env, []string{"demo", "extra"}, "takes no arguments"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := invocation{env: tc.env, stdin: "# only a comment\n\n"}.run(t.Context(), tc.args...)
			assert.Equal(t, exitUsage, out.code)
			assert.Empty(t, out.stdout)
			assert.Contains(t, out.stderr, tc.want)
			assert.NotContains(t, out.stderr, "secret-token-value")
		})
	}
}

func TestFlagsAndUsersMayComeInAnyOrder(t *testing.T) {
	c := newCommand("reset", "reset")
	provider := c.fs.String("provider", "", "")
	var a app
	a.stderr, a.stdout = new(syncBuffer), new(syncBuffer)
	args, err := c.parse(&a, []string{"alice", "--provider", "flashback", "bob", "--", "--carol", "-"})
	require.NoError(t, err)
	assert.Equal(t, "flashback", *provider)
	assert.Equal(t, []string{"alice", "bob", "--carol", "-"}, args)
}

func TestInterruptedSingleOperationExits130(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	env := map[string]string{"FLASHBACK_TOKEN": "t", "FLASHBACK_URL": "http://127.0.0.1:1"}
	out := invocation{env: env}.run(ctx, "reset-own", "--provider", "flashback", "--output", "json")
	require.Equal(t, exitInterrupted, out.code)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, outcomeInterrupted, rs[0].Outcome)
	assert.Equal(t, "context.Canceled", rs[0].ErrorClass)
	assert.Empty(t, out.stderr)
}
