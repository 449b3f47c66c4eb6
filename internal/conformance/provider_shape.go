package conformance

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
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
// body (Kratos), a 200 is not that success, with or without a body; nor is
// a 204 that carries a body (no HTTP server sends one, so it comes through
// the caller's RoundTripper here).
func testNotThe204(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) {
		for i, body := range []string{"", "{}", `{"success":true}`} {
			c := answering(t, p, func(w http.ResponseWriter) { writeJSON(w, http.StatusOK, []byte(body)) })
			err := op.Call(bg(), c)
			require.Error(t, err, "200 #%d %q is not the documented 204", i, body)
			requireAPIError(t, err, http.StatusOK, mfaclient.ErrUnexpectedResponse, 1)
		}
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { p.Success(w) }))
		t.Cleanup(ts.Close)
		for _, body := range []string{"{}", `{"success":true}`, " "} {
			hc := &http.Client{Transport: bodyOn204{body: []byte(body)}}
			c, err := p.New(ts.URL, noRetry, mfaclient.WithHTTPClient(hc))
			require.NoError(t, err)
			apiErr := requireAPIError(t, op.Call(bg(), c), http.StatusNoContent, mfaclient.ErrUnexpectedResponse, 1)
			assert.Equal(t, body, string(apiErr.Body), "the body is kept as sent")
		}
	})
}

// bodyOn204 sends requests on and gives every 204 answer body.
type bodyOn204 struct{ body []byte }

func (b bodyOn204) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusNoContent {
		return resp, err
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b.body))
	resp.ContentLength = int64(len(b.body))
	return resp, nil
}
