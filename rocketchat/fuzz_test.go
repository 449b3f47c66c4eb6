package rocketchat

import (
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

// The credential and second-factor code the fuzzed answers may echo.
const (
	fuzzToken = "rc-fuzz-auth-H3v9Tq"
	fuzzCode  = "rc-fuzz-2fa-Y6n1Rb"
)

// FuzzClassify serves any status, rate-limit headers, request ID and body
// to each Rocket.Chat operation, with and without a second-factor code,
// through the whole client (classify and the typed errors built from its
// verdict) and checks conformance.CheckAnswer's invariants: no panic,
// success only from a documented-looking 2xx, exactly one class matching
// the status (a 400 may be any class an errorType names), the typed error
// with the status, sane rate-limit fields, and no credential or code in any
// text of the error.
func FuzzClassify(f *testing.F) {
	var refined []error
	for _, class := range codeClasses {
		refined = append(refined, class)
	}
	forbidden := []error{mfaclient.ErrForbidden} // 9.0's 401 for a missing permission
	plain := conformance.AnswerRules{Secrets: []string{fuzzToken}, Refined400: refined, Refined401: forbidden}
	withCode := conformance.AnswerRules{Secrets: []string{fuzzToken, fuzzCode}, Refined400: refined, Refined401: forbidden}
	rules := func(op uint8) conformance.AnswerRules {
		if op%4 == 3 {
			return withCode // the code is a secret once the client sends it
		}
		return plain
	}
	conformance.FuzzAnswers(f, provider, withCode.Secrets, rules, func(t *testing.T, hc *http.Client, op uint8) error {
		c, err := New("https://chat.test", Credentials{UserID: "rc-fuzz-caller", AuthToken: fuzzToken},
			mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
		if err != nil {
			t.Fatal(err)
		}
		switch op % 4 {
		case 0:
			return c.ResetMFA(t.Context(), "GonjPyg3gB3Z9ur9s")
		case 1:
			return c.ResetOwnMFA(t.Context())
		case 2:
			return c.ResetTOTP(t.Context(), ResetTOTPRequest{Username: "alice"})
		default:
			return c.WithTwoFactorCode(fuzzCode, TwoFactorTOTP).ResetMFA(t.Context(), "GonjPyg3gB3Z9ur9s")
		}
	})
}
