package flashback

import (
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

// fuzzToken is the credential the fuzzed answers may echo.
const fuzzToken = "fb-fuzz-token-Q7w2Zk"

// FuzzClassify serves any status, rate-limit headers, request ID and body
// to each Flashback operation through the whole client (classify and the
// typed errors built from its verdict) and checks conformance.CheckAnswer's
// invariants: no panic, success only from a documented-looking 2xx, exactly
// one class matching the status, the typed error with the status, sane
// rate-limit fields, and no credential in any text of the error.
func FuzzClassify(f *testing.F) {
	rules := conformance.AnswerRules{Secrets: []string{fuzzToken}}
	conformance.FuzzAnswers(f, provider, rules.Secrets, func(uint8) conformance.AnswerRules { return rules },
		func(t *testing.T, hc *http.Client, op uint8) error {
			c, err := New(fuzzToken, mfaclient.WithBaseURL("https://flashback.test"), mfaclient.WithHTTPClient(hc),
				mfaclient.WithRetry(mfaclient.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			switch op % 3 {
			case 0:
				return c.ResetMFA(t.Context(), "user-42")
			case 1:
				return c.ResetOwnMFA(t.Context())
			default:
				return c.SetPrimaryMFA(t.Context(), mfaclient.MethodPasskey)
			}
		})
}
