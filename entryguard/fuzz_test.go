package entryguard

import (
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

// fuzzToken is the credential the fuzzed answers may echo.
const fuzzToken = "eg-fuzz-jwt-P4x8Lm"

// FuzzClassify serves any status, rate-limit headers, request ID and body
// to ResetMFA through the whole client (classify and the typed errors built
// from its verdict) and checks conformance.CheckAnswer's invariants: no
// panic, success only from a documented-looking 2xx, exactly one class
// matching the status (a 400 may be ErrMFANotEnabled), the typed error with
// the status, sane rate-limit fields, and no credential in any text of the
// error.
func FuzzClassify(f *testing.F) {
	rules := conformance.AnswerRules{Secrets: []string{fuzzToken}, Refined400: []error{mfaclient.ErrMFANotEnabled}}
	conformance.FuzzAnswers(f, provider, rules.Secrets, func(uint8) conformance.AnswerRules { return rules },
		func(t *testing.T, hc *http.Client, _ uint8) error {
			c, err := New(fuzzToken, mfaclient.WithBaseURL("https://entryguard.test"), mfaclient.WithHTTPClient(hc),
				mfaclient.WithRetry(mfaclient.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			return c.ResetMFA(t.Context(), "770e8400-e29b-41d4-a716-446655440004")
		})
}
