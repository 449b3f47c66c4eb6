package conformance

import (
	"testing"
)

// Run runs the whole suite against p.
func Run(t *testing.T, p Provider) {
	t.Run("Input", func(t *testing.T) { testInput(t, p) })
	t.Run("Headers", func(t *testing.T) { testHeaders(t, p) })
	t.Run("Retry", func(t *testing.T) { testRetry(t, p) })
	t.Run("RateLimit", func(t *testing.T) { testRateLimit(t, p) })
	t.Run("Context", func(t *testing.T) { testContext(t, p) })
	t.Run("Redirects", func(t *testing.T) { testRedirects(t, p) })
	t.Run("RedirectLoop", func(t *testing.T) { testRedirectLoop(t, p) })
	t.Run("Bounds", func(t *testing.T) { testBounds(t, p) })
	t.Run("Secrets", func(t *testing.T) { testSecrets(t, p) })
	t.Run("Logging", func(t *testing.T) { testLogging(t, p) })
	t.Run("Connections", func(t *testing.T) { testConnections(t, p) })
	t.Run("Hostile", func(t *testing.T) { testHostile(t, p) })
	t.Run("HostileHints", func(t *testing.T) { testHostileHints(t, p) })
	t.Run("BrokenRoundTripper", func(t *testing.T) { testBrokenRoundTripper(t, p) })
	t.Run("HostileInput", func(t *testing.T) { testHostileInput(t, p) })
	t.Run("SecretsEveryPath", func(t *testing.T) { testSecretsEveryPath(t, p) })
	t.Run("CredentialHeadersNotKept", func(t *testing.T) { testCredentialHeadersNotKept(t, p) })
	t.Run("Faults", func(t *testing.T) { testFaults(t, p) })
	t.Run("EveryCallEnds", func(t *testing.T) { testEveryCallEnds(t, p) })
	t.Run("NoFalseSuccess", func(t *testing.T) { testNoFalseSuccess(t, p) })
	t.Run("NoFalseClass", func(t *testing.T) { testNoFalseClass(t, p) })
	t.Run("HeaderBomb", func(t *testing.T) { testHeaderBomb(t, p) })
	t.Run("ErrorsSayWhom", func(t *testing.T) { testErrorsSayWhom(t, p) })
	t.Run("Pacing", func(t *testing.T) { testPacing(t, p) })
}

// testHostile: a server that misbehaves (a huge body, a body that is not the
// provider's, headers or a body that never come, a reset connection) gives a
// typed error with the status it sent, in bounded time and memory.
func testHostile(t *testing.T, p Provider) {
	t.Run("GiBBodyStreamed", func(t *testing.T) { testGiBBody(t, p) })
	t.Run("MalformedBodies", func(t *testing.T) { testMalformedBodies(t, p) })
	t.Run("WrongTypes", func(t *testing.T) { testWrongTypes(t, p) })
	t.Run("StalledAnswers", func(t *testing.T) { testStalledAnswers(t, p) })
	t.Run("ResetMidBody", func(t *testing.T) { testResetMidBody(t, p) })
	t.Run("CrossHostRedirects", func(t *testing.T) { testCrossHostRedirects(t, p) })
}
