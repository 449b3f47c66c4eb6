package cli

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

func TestCommandHelpGoesToStdoutAndExitsZero(t *testing.T) {
	out := invocation{}.run(t.Context(), "reset", "--help")
	require.Equal(t, exitOK, out.code)
	assert.Empty(t, out.stderr)
	assert.Contains(t, out.stdout, "Usage: mfakit reset --provider")
	assert.Contains(t, out.stdout, "-concurrency int")
	assert.Contains(t, out.stdout, "-resume string")
	assert.Contains(t, out.stdout, "-2fa-code string")
}

func TestUsageErrorsExitTwoAndSendNothing(t *testing.T) {
	env := map[string]string{"FLASHBACK_TOKEN": "secret-token-value"}
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"no command", env, nil, "Usage:"},
		{"unknown command", env, []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", env, []string{"reset", "--bogus"}, "flag provided but not defined: -bogus"},
		{"no provider", env, []string{"reset", "u1"}, "--provider is required"},
		{"bad provider", env, []string{"reset", "--provider", "okta", "u1"}, `--provider must be one of flashback, entryguard, rocketchat, not "okta"`},
		{"bad output", env, []string{"reset", "--provider", "flashback", "--output", "xml", "u1"}, "--output must be one of text, json"},
		{"no users", env, []string{"reset", "--provider", "flashback"}, "no users given"},
		{"only comments", env, []string{"reset", "--provider", "flashback", "-"}, "no users given"},
		{"zero concurrency", env, []string{"reset", "--provider", "flashback", "--concurrency", "0", "u1"}, "--concurrency must be at least 1"},
		{"missing token", nil, []string{"reset", "--provider", "flashback", "u1"}, "FLASHBACK_TOKEN is not set"},
		{"missing rocket.chat URL", nil, []string{"reset", "--provider", "rocketchat", "u1"}, "ROCKETCHAT_URL is not set"},
		{"missing from file", env, []string{"reset", "--provider", "flashback", "--from", "/nonexistent/users.txt"}, "no such file"},
		{"bad 2fa method", env, []string{"reset", "--provider", "rocketchat", "--2fa-method", "sms", "u1"}, "--2fa-method must be one of totp, email, password"},
		{"reset-own on entryguard", env, []string{"reset-own", "--provider", "entryguard"}, `--provider must be one of flashback, rocketchat, not "entryguard"`},
		{"reset-own with a user", env, []string{"reset-own", "--provider", "flashback", "u1"}, "takes no arguments"},
		{"set-primary on rocketchat", env, []string{"set-primary", "--provider", "rocketchat", "totp"}, `--provider must be one of flashback, not "rocketchat"`},
		{"set-primary email", env, []string{"set-primary", "--provider", "flashback", "email"}, `--method must be one of totp, magic_link, passkey, not "email"`},
		{"set-primary no method", env, []string{"set-primary", "--provider", "flashback"}, "give exactly one method"},
		{"rocket.chat caller in a bulk run", map[string]string{"ROCKETCHAT_USER_ID": "me"}, []string{"reset", "--provider", "rocketchat", "u1", "me"}, "me is the caller (ROCKETCHAT_USER_ID); resetting it would end this run's session: use reset-own"},
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
