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

// testNotThe204: for a provider whose documented success is a 204 with no
// body (Kratos), a 200 is not that success, with or without a body.
func testNotThe204(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) {
		for i, body := range []string{"", "{}", `{"success":true}`} {
			c := answering(t, p, func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, []byte(body)) })
			err := op.Call(bg(), c)
			require.Error(t, err, "200 #%d %q is not the documented 204", i, body)
			requireAPIError(t, err, http.StatusOK, mfaclient.ErrUnexpectedResponse, 1)
		}
	})
}
