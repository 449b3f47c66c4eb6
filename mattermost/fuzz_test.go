package mattermost

import (
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

// fuzzToken is the credential the fuzzed answers may echo.
const fuzzToken = "mm-fuzz-token-W7k2Qs"

// FuzzClassify serves any status, rate-limit headers, request ID and body
// to ResetMFA and ResetOwnMFA through the whole client (classify and the
// typed errors built from its verdict) and checks conformance.CheckAnswer's
// invariants: no panic, success only from a documented-looking 2xx, exactly
// one class matching the status (a 4xx not in Mattermost's error shape is
// ErrUnexpectedResponse), the typed error with the status, sane rate-limit
// fields, and no credential in any text of the error.
func FuzzClassify(f *testing.F) {
	rules := conformance.AnswerRules{Secrets: []string{fuzzToken}}
	conformance.FuzzAnswers(f, provider, rules.Secrets, func(uint8) conformance.AnswerRules { return rules },
		func(t *testing.T, hc *http.Client, op uint8) error {
			c, err := New("https://chat.test", fuzzToken, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			if op%2 == 1 {
				return c.ResetOwnMFA(t.Context())
			}
			return c.ResetMFA(t.Context(), "4xp9fdt2x3bwpdb6ik3jqz3cwa")
		})
}
