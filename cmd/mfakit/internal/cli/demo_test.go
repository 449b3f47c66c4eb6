package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/registry"
)

// The demo shows every provider of the registry through the same
// interfaces: a reset, a second one, an unknown user, set-primary and a
// rate limit waited out.
func TestDemoWalksThroughEveryProvider(t *testing.T) {
	t.Parallel()
	out := invocation{}.run(t.Context(), "demo")

	require.Equal(t, exitOK, out.code, out.stdout+out.stderr)
	assert.Empty(t, out.stderr)
	assert.NotContains(t, out.stdout, "UNEXPECTED")
	for _, p := range registry.All() {
		assert.Contains(t, out.stdout, "\n"+p.Title+" (fake at http://127.0.0.1:")
	}
	for _, want := range []string{
		"  ResetMFA(ctx, \"usr-member-3\")\n    -> ok; the fake now has MFA off for usr-member-3\n",
		"  ResetMFA(ctx, \"770e8400-e29b-41d4-a716-446655440004\") again\n    -> errors.Is ErrMFANotEnabled: nothing left to reset (mfakit reset says already-off)\n",
		"  SetPrimaryMFA(ctx, mfaclient.MethodPasskey)\n    -> ok; the primary method is now PASSKEY\n",
		"    -> errors.Is ErrUnsupported: EntryGuard has no such endpoint; nothing was sent\n",
		"(no such user)\n    -> errors.Is ErrNotFound\n",
	} {
		assert.Contains(t, out.stdout, want)
	}
	honoured := strings.Count(out.stdout, "requests: HTTP 429 (Retry-After: 1), then HTTP ")
	learned := strings.Count(out.stdout, "waited for the window, spending no request on a 429")
	exempt := strings.Count(out.stdout, "no 429; the provider does not rate-limit this caller")
	assert.Equal(t, len(registry.All()), honoured+learned+exempt, "the rate-limit step on every provider")
	assert.GreaterOrEqual(t, honoured, 2, "Flashback's and EntryGuard's 429s honoured")
}
