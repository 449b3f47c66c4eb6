package cli

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func rocketChatEnv(rc *mfatest.RocketChatFake) map[string]string {
	return map[string]string{"ROCKETCHAT_URL": rc.URL(), "ROCKETCHAT_USER_ID": rc.Admin.ID, "ROCKETCHAT_AUTH_TOKEN": rc.Admin.Token}
}

func TestResetRocketChatWithCodeFlag(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	out := invocation{env: rocketChatEnv(rc)}.run(t.Context(),
		"reset", "--provider", "rocketchat", "--output", "json", "--2fa-code", rc.Admin.TOTPCode, "--2fa-method", "totp", rc.Member.ID)

	require.Equal(t, exitOK, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, result{User: rc.Member.ID, Provider: "rocketchat", Operation: "reset", Outcome: "succeeded", Attempts: 1,
		DurationMS: rs[0].DurationMS, Caller: rc.Admin.ID}, audited(t, rs[0]))
	assert.Equal(t, 1, rc.Resets(rc.Member.ID))
	assertSummary(t, out.stderr, "rocketchat", 1, 1, 0, 0, 0)
	assert.NotContains(t, out.stdout+out.stderr, rc.Admin.Token)
}

func TestResetRocketChatChallengeWithoutTerminalExit4(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	out := invocation{env: rocketChatEnv(rc)}.run(t.Context(), "reset", "--provider", "rocketchat", "--output", "json", rc.Member.ID)

	require.Equal(t, exitAuth, out.code)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrSecondFactorRequired", rs[0].ErrorClass)
	assert.Equal(t, "totp-required", rs[0].ProviderCode)
	assert.NotContains(t, out.stderr, "Rocket.Chat asks", "no prompt without a terminal")
	assert.Contains(t, out.stderr, "mfakit: Rocket.Chat wants a second factor: pass --2fa-code CODE (with --2fa-method totp, email or password), or run on a terminal to be asked\n")
	assert.Zero(t, rc.Resets(rc.Member.ID))
}

func TestResetRocketChatPromptsOnTerminal(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	// Several workers meet the challenge; the user is asked once.
	// (Not the admin itself: resetting the caller's TOTP ends its logins.)
	bob := rc.AddUser(mfatest.FakeUser{ID: "bobBobBobBobBob12", Username: "bob", Role: "user", MFAEnabled: true})
	in := invocation{env: rocketChatEnv(rc), stdin: rc.Admin.TOTPCode + "\n", tty: terminal{stdin: true}}
	out := in.run(t.Context(), "reset", "--provider", "rocketchat", "--output", "json", rc.Member.ID, bob.ID)

	require.Equal(t, exitOK, out.code, out.stderr)
	const prompt = "Rocket.Chat asks for a 2FA code (totp): "
	assert.Equal(t, 1, strings.Count(out.stderr, prompt))
	rs := byUser(results(t, out.stdout))
	assert.Equal(t, "succeeded", rs[rc.Member.ID].Outcome)
	assert.Equal(t, "succeeded", rs[bob.ID].Outcome)
	assert.Equal(t, 1, rc.Resets(rc.Member.ID))
	assert.Equal(t, 1, rc.Resets(bob.ID))
	// On a terminal the typed answer ends the prompt's line.
	assertSummary(t, strings.Replace(out.stderr, prompt, prompt+"\n", 1), "rocketchat", 2, 2, 0, 0, 0)
	assert.NotContains(t, out.stdout, rc.Admin.TOTPCode)
}

func TestResetOwnRocketChatPasswordPromptReadsWithoutEcho(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	// A user without TOTP is challenged for the password.
	require.NoError(t, rc.SetMFA(rc.Admin.ID, false))
	var asked int
	in := invocation{env: rocketChatEnv(rc), tty: terminal{stdin: true, readSecret: func() (string, error) {
		asked++
		return rc.Admin.Password, nil
	}}}
	out := in.run(t.Context(), "reset-own", "--provider", "rocketchat")

	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Equal(t, 1, asked)
	assert.Equal(t, "mfakit: warning: reset-own makes Rocket.Chat log this account out everywhere: the session in ROCKETCHAT_USER_ID and ROCKETCHAT_AUTH_TOKEN stops working; log in again afterwards\n"+
		"Rocket.Chat asks for your password as the second factor: \n", out.stderr)
	assert.Regexp(t, `^succeeded   rocketchat reset-own \(2 requests, \d+ms\)\n$`, out.stdout)
	assert.Equal(t, 1, rc.Resets(rc.Admin.ID))
}

func TestPromptGivesUpWhenTheTerminalFails(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	in := invocation{env: rocketChatEnv(rc), tty: terminal{stdin: true, readSecret: func() (string, error) {
		return "", errors.New("terminal closed")
	}}}
	require.NoError(t, rc.SetMFA(rc.Admin.ID, false))
	out := in.run(t.Context(), "reset-own", "--provider", "rocketchat", "--output", "json")

	require.Equal(t, exitAuth, out.code)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, "ErrSecondFactorRequired", rs[0].ErrorClass)
	assert.Contains(t, rs[0].Message, "reading the 2FA code: terminal closed")
	assert.Zero(t, rc.Resets(rc.Admin.ID))
}

// An interrupt ends the wait at a 2FA prompt: the run does not hang until
// someone types, and nothing more is sent.
func TestInterruptEndsTheWaitAtAPrompt(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	bob := rc.AddUser(mfatest.FakeUser{ID: "bobBobBobBobBob12", Username: "bob", Role: "user", MFAEnabled: true})
	never, w := io.Pipe() // a terminal nobody types at
	t.Cleanup(func() { w.Close() })
	stderr := new(syncBuffer)
	ctx := interruptWhen(t, func() bool { return strings.Contains(stderr.String(), "Rocket.Chat asks for a 2FA code") })
	in := invocation{env: rocketChatEnv(rc), stdinReader: never, stderr: stderr, tty: terminal{stdin: true}}
	out := in.run(ctx, "reset", "--provider", "rocketchat", "--output", "json", "--concurrency", "1", rc.Member.ID, bob.ID)

	require.Equal(t, exitInterrupted, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, outcomeInterrupted, rs[0].Outcome)
	assert.Equal(t, 1, rc.Requests(), "the challenged request only")
	assert.Zero(t, rc.Resets(rc.Member.ID))
}
