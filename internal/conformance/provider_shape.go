package conformance

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// Knobs for providers whose answers differ in shape from the suite's first
// three: an error body of another shape (Kratos's {"error":{…}}), and a
// documented success with no body (Kratos's 204).

// errorAnswer answers status with the headers kv and the provider's error
// body for it (Provider.ErrorBody) when it has one, so that the answer
// keeps its status's class also when its hints are unusable.
func (p Provider) errorAnswer(w http.ResponseWriter, status int, body string, kv ...string) {
	if p.ErrorBody == nil {
		statusJSON(w, status, body, kv...)
		return
	}
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	p.ErrorBody(w, status)
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
