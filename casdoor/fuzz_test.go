package casdoor

import (
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

// The credentials the fuzzed answers may echo.
const (
	fuzzClientSecret = "cd-fuzz-secret-R4t8Wq"
	fuzzAccessKey    = "cd-fuzz-key-P2m6Xs"
	fuzzAccessSecret = "cd-fuzz-asecret-L9v3Hj"
)

// FuzzClassify serves any status, rate-limit headers, request ID and body
// to each Casdoor operation through the whole client, with either kind of
// credentials (op&4), and checks conformance.CheckAnswer's invariants: the
// secrets are those of the client in use. A 2xx may be any class Casdoor's
// messages map to, since Casdoor answers every error with 200.
func FuzzClassify(f *testing.F) {
	refined := []error{mfaclient.ErrForbidden, mfaclient.ErrNotFound, mfaclient.ErrUnauthorized}
	rules := func(op uint8) conformance.AnswerRules {
		if op&4 != 0 {
			return conformance.AnswerRules{Secrets: []string{fuzzAccessKey, fuzzAccessSecret}, Refined2xx: refined}
		}
		return conformance.AnswerRules{Secrets: []string{fuzzClientSecret}, Refined2xx: refined}
	}
	conformance.FuzzAnswers(f, provider, []string{fuzzClientSecret, fuzzAccessKey, fuzzAccessSecret}, rules,
		func(t *testing.T, hc *http.Client, op uint8) error {
			creds := Credentials{ClientID: "cd-fuzz-client", ClientSecret: fuzzClientSecret}
			if op&4 != 0 {
				creds = Credentials{AccessKey: fuzzAccessKey, AccessSecret: fuzzAccessSecret}
			}
			c, err := New("https://casdoor.test", creds, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			switch op % 3 {
			case 0:
				return c.ResetMFA(t.Context(), "acme/bob")
			case 1:
				return c.SetUserPrimaryMFA(t.Context(), "acme/bob", mfaclient.MethodEmail)
			default:
				return c.SetUserPrimaryMFA(t.Context(), "acme/bob", mfaclient.MethodTOTP)
			}
		})
}
