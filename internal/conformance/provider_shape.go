package conformance

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// Knobs for providers whose requests and answers differ from the suite's
// first three: a reset that is not a POST (Kratos's DELETE), and a
// documented success with no body (Kratos's 204).

// resetMethod is the HTTP method of the reset request.
func (p Provider) resetMethod() string {
	if p.ResetMethod == "" {
		return http.MethodPost
	}
	return p.ResetMethod
}

// successStatus is the status of p's documented success.
func successStatus(p Provider) int {
	rec := httptest.NewRecorder()
	p.Success(rec)
	return rec.Code
}

// testNoFalseSuccessNoBody is testNoFalseSuccess for a provider whose
// documented success is a 204 with no body: there is no body to cut, fold
// or extend, so the 204 is a success and a 200, with or without a body, is
// not. (Kratos's ResetMFA also reads the identity first; the strictness of
// that read — trailing data, duplicate and folded keys — is tested in the
// kratos package, whose harness answers the read.)
func testNoFalseSuccessNoBody(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) {
		c := answering(t, p, func(w http.ResponseWriter) { w.WriteHeader(http.StatusNoContent) })
		require.NoError(t, op.Call(bg(), c), "the documented success")
		for i, body := range []string{"", "{}", `{"success":true}`} {
			c := answering(t, p, func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, []byte(body)) })
			err := op.Call(bg(), c)
			require.Error(t, err, "200 #%d %q is not the documented 204", i, body)
			requireAPIError(t, err, http.StatusOK, mfaclient.ErrUnexpectedResponse, 1)
		}
	})
}
