package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func TestProgressBarOnTerminalShowsCountAndRateLimitWait(t *testing.T) {
	t.Parallel()
	// Two requests per 1s window: after every second answer the client's gate
	// stays closed for most of a second, five times the bar's 200ms check,
	// so the wait is seen even on a loaded machine.
	fb := mfatest.NewFlashback(t, mfatest.WithRateLimit(2, time.Second, mfatest.HintRateLimitHeaders))
	users := []string{fb.Member.ID, fb.Owner.ID, fb.Admin.ID}
	in := invocation{env: flashbackEnv(fb, fb.Admin.Token), tty: terminal{stderr: true}}
	out := in.run(t.Context(), append([]string{"reset", "--provider", "flashback", "--concurrency", "2"}, users...)...)

	require.Equal(t, exitOK, out.code, out.stderr)
	assert.Contains(t, out.stderr, waitingForRateLimit)
	assert.Contains(t, out.stderr, "\r\x1b[Kresetting 3/3 users, ")
	assert.Contains(t, out.stderr, "users/s")
	assertSummary(t, out.stderr, "flashback", 3, 3, 0, 0, 0)
	assert.Equal(t, 3, strings.Count(out.stdout, "\n"), "stdout has the results only")
	assert.NotContains(t, out.stdout, "\r")
}

func TestNoProgressBarWhenStderrIsNotATerminal(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(t.Context(), "reset", "--provider", "flashback", fb.Member.ID, fb.Owner.ID)

	require.Equal(t, exitOK, out.code)
	assert.Equal(t, 1, strings.Count(out.stderr, "\n"), "only the summary: %q", out.stderr)
	assert.NotContains(t, out.stderr, "\r")
	assertSummary(t, out.stderr, "flashback", 2, 2, 0, 0, 0)
}
