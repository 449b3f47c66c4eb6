package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoWalksThroughTheSDK(t *testing.T) {
	t.Parallel()
	out := invocation{}.run(t.Context(), "demo")

	require.Equal(t, exitOK, out.code, out.stdout+out.stderr)
	assert.Empty(t, out.stderr)
	for _, want := range []string{
		// a reset on each provider
		"Flashback (fake at http://127.0.0.1:",
		"  ResetMFA(ctx, \"usr-member-3\")\n    -> ok; the fake now has MFA off for usr-member-3\n",
		"EntryGuard (fake at http://127.0.0.1:",
		"  ResetMFA(ctx, \"770e8400-e29b-41d4-a716-446655440004\")\n    -> ok\n",
		"Rocket.Chat (fake at http://127.0.0.1:",
		"    -> ok; challenge answered, TOTP reset\n",
		// set-primary on Flashback
		"  SetPrimaryMFA(ctx, mfaclient.MethodPasskey)\n    -> ok; Flashback's primary method is now PASSKEY\n",
		// a 403 as a typed error naming the role
		`*mfaclient.ForbiddenError (errors.Is ErrForbidden), Required: "OWNER or ADMINISTRATOR"`,
		// a 429 honoured and retried
		"requests: HTTP 429 (Retry-After: 1), then HTTP 200;",
		// the Rocket.Chat challenge
		`errors.Is ErrSecondFactorRequired; rocketchat.Challenge says method "totp"`,
	} {
		assert.Contains(t, out.stdout, want)
	}
	assert.NotContains(t, out.stdout, "UNEXPECTED")
}
