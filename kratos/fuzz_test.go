package kratos

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// fuzzToken is the credential the fuzzed answers may echo.
const fuzzToken = "ory-fuzz-pat-Q7v2Kd"

const fuzzID = "6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f"

// FuzzClassify serves any status, rate-limit headers, request ID and body
// to every request of a call through the whole client, and checks
// conformance.CheckAnswer's invariants, except that a DELETE's success is
// Kratos's 204 with no body. op 0 is DeleteCredential, whose
// 404 may also be ErrMFANotEnabled (Kratos's "no such credential"); op 1 is
// ResetMFA, whose read may also end in ErrMFANotEnabled when a 200 is an
// identity with no second factor (its DELETEs get the same answer, so a
// read that lists one fails on a DELETE answered with that 200).
func FuzzClassify(f *testing.F) {
	// DeleteCredential's type is the caller's, so its 400 is the caller's
	// bad input; ResetMFA chose its requests, so its 400 is a client defect.
	deleteRules := conformance.AnswerRules{Secrets: []string{fuzzToken}}
	resetRules := conformance.AnswerRules{Secrets: []string{fuzzToken}, Refined400: []error{mfaclient.ErrClientDefect}}
	conformance.SeedAnswers(f, provider, fuzzToken)
	f.Fuzz(func(t *testing.T, op uint8, status int, retryAfter, reset, requestID string, body []byte) {
		a := conformance.NewAnswer(status, retryAfter, reset, requestID, body)
		call := func(hc *http.Client) error {
			c, err := New("https://kratos.test", Credentials{Token: fuzzToken}, mfaclient.WithHTTPClient(hc),
				mfaclient.WithRetry(mfaclient.RetryPolicy{}))
			if err != nil {
				t.Fatal(err)
			}
			if op%2 == 0 {
				return c.DeleteCredential(t.Context(), fuzzID, "totp")
			}
			return c.ResetMFA(t.Context(), fuzzID)
		}
		err := call(&http.Client{Transport: a})
		if err == nil && op%2 == 0 && a.Status == http.StatusNoContent {
			return // Kratos's documented success of a DELETE: 204, no body
		}
		if errors.Is(err, mfaclient.ErrMFANotEnabled) {
			checkNotEnabled(t, op, a, err)
			return
		}
		rules := deleteRules
		if op%2 == 1 {
			rules = resetRules
		}
		conformance.CheckAnswer(t, a, rules, call)
	})
}

// checkNotEnabled: ErrMFANotEnabled comes only from Kratos's 404 with a
// "no such credential" reason (DeleteCredential) or from a 200 that is this
// identity (ResetMFA's read), and names no other class.
func checkNotEnabled(t *testing.T, op uint8, a conformance.Answer, err error) {
	for _, c := range []error{mfaclient.ErrNotFound, mfaclient.ErrUnexpectedResponse, mfaclient.ErrInvalidInput, mfaclient.ErrServer} {
		if errors.Is(err, c) {
			t.Fatalf("ErrMFANotEnabled and %v: %v", c, err)
		}
	}
	if op%2 == 0 {
		var e *ErrorResponse
		if a.Status != http.StatusNotFound || !errors.As(err, &e) || !strings.HasPrefix(strings.ToLower(e.Detail.Reason), noSuchCredential) {
			t.Fatalf("DeleteCredential: ErrMFANotEnabled from status %d: %v", a.Status, err)
		}
		return
	}
	var id Identity
	if a.Status != http.StatusOK || !transport.DecodeObject(a.Body, &id) || !strings.EqualFold(id.ID, fuzzID) {
		t.Fatalf("ResetMFA: ErrMFANotEnabled from status %d, body %q", a.Status, a.Body)
	}
	if strings.Contains(err.Error(), fuzzToken) {
		t.Fatalf("secret in %v", err)
	}
}
