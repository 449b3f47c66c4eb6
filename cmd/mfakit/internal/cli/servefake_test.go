package cli

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestServeFakePrintsExportsThatTheOtherCommandsUse(t *testing.T) {
	ctx, stop := context.WithCancel(t.Context())
	defer stop()
	stdout := new(syncBuffer)
	done := make(chan outcome, 1)
	go func() { done <- invocation{stdout: stdout}.run(ctx, "serve-fake") }()
	require.Eventually(t, func() bool { return strings.Contains(stdout.String(), "--2fa-method totp\n") },
		5*time.Second, 10*time.Millisecond)

	env := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export ([A-Z_]+)='([^']*)'$`).FindAllStringSubmatch(stdout.String(), -1) {
		env[m[1]] = m[2]
	}
	assert.Len(t, env, 7)
	code := regexp.MustCompile(`--2fa-code (\d+)`).FindStringSubmatch(stdout.String())
	require.NotNil(t, code)

	fb := invocation{env: env}.run(t.Context(), "reset", "--provider", "flashback", "usr-member-3")
	assert.Equal(t, exitOK, fb.code, fb.stdout+fb.stderr)
	eg := invocation{env: env}.run(t.Context(), "reset", "--provider", "entryguard", "770e8400-e29b-41d4-a716-446655440004")
	assert.Equal(t, exitOK, eg.code, eg.stdout+eg.stderr)
	rc := invocation{env: env}.run(t.Context(), "reset", "--provider", "rocketchat", "--2fa-code", code[1], "GonjPyg3gB3Z9ur9s")
	assert.Equal(t, exitOK, rc.code, rc.stdout+rc.stderr)
	primary := invocation{env: env}.run(t.Context(), "set-primary", "--provider", "flashback", "magic_link")
	assert.Equal(t, exitOK, primary.code, primary.stdout+primary.stderr)

	stop()
	out := <-done
	assert.Equal(t, exitOK, out.code)
	assert.Equal(t, "mfakit: serve-fake: running until interrupted\nmfakit: serve-fake: stopped\n", out.stderr)
	assert.True(t, strings.HasPrefix(out.stdout, "# mfakit fake providers"))
}

func TestFakeAddrs(t *testing.T) {
	got, err := fakeAddrs("127.0.0.1:8080")
	require.NoError(t, err)
	assert.Equal(t, [3]string{"127.0.0.1:8080", "127.0.0.1:8081", "127.0.0.1:8082"}, got)
	got, err = fakeAddrs("127.0.0.1:0")
	require.NoError(t, err)
	assert.Equal(t, [3]string{"127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"}, got)
	_, err = fakeAddrs("127.0.0.1:65535")
	assert.Error(t, err)
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
}
