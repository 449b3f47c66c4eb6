package conformance

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testNoFalseBodylessSuccess is testNoFalseSuccess for a provider whose
// documented success has no body (Kratos's 204): there is no JSON to
// duplicate, fold or trail, so those cases do not apply. What does:
//
//   - the documented success, as p.Success writes it, is a success;
//   - the success status with a body is ErrUnexpectedResponse (no HTTP
//     server sends one with a 204, so it comes through the caller's
//     RoundTripper here);
//   - any other 2xx, empty or with a JSON body (another provider's
//     success), is ErrUnexpectedResponse;
//   - a 2xx whose body is cut before its Content-Length, or sent without
//     its final chunk, is ErrNetwork, the answer lost, never a class;
//   - the success answer cut in its headers is ErrNetwork with no answer.
func testNoFalseBodylessSuccess(t *testing.T, p Provider, status int) {
	t.Run("DocumentedSuccess", func(t *testing.T) {
		eachOperation(t, p, func(t *testing.T, op operation) {
			c := answering(t, p, p.Success)
			require.NoError(t, op.Call(bg(), c), "the documented success, as the suite serves it, is a success")
		})
	})
	t.Run("SuccessStatusWithBody", func(t *testing.T) {
		for name, body := range map[string]string{"JSON": `{"success":true}`, "EmptyObject": `{}`, "Space": ` `} {
			t.Run(name, func(t *testing.T) {
				eachOperation(t, p, func(t *testing.T, op operation) {
					ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { p.Success(w) }))
					t.Cleanup(ts.Close)
					hc := &http.Client{Transport: bodyOnStatus{status: status, body: []byte(body)}}
					c, err := p.New(ts.URL, noRetry, mfaclient.WithHTTPClient(hc))
					require.NoError(t, err)
					apiErr := requireAPIError(t, op.Call(bg(), c), status, mfaclient.ErrUnexpectedResponse, 1)
					assert.Equal(t, body, string(apiErr.Body), "the body is kept as sent")
				})
			})
		}
	})
	others := map[string]struct {
		status int
		body   string
	}{
		"200Empty":        {http.StatusOK, ""},
		"200EmptyObject":  {http.StatusOK, `{}`},
		"200OtherSuccess": {http.StatusOK, `{"success":true}`},
		"201Empty":        {http.StatusCreated, ""},
		"202Empty":        {http.StatusAccepted, ""},
		"204Empty":        {http.StatusNoContent, ""},
	}
	for name, a := range others {
		if a.status == status && a.body == "" {
			continue // the documented success itself
		}
		t.Run("Other"+name, func(t *testing.T) {
			eachOperation(t, p, func(t *testing.T, op operation) {
				c := answering(t, p, func(w http.ResponseWriter) { writeJSON(w, a.status, []byte(a.body)) })
				requireAPIError(t, op.Call(bg(), c), a.status, mfaclient.ErrUnexpectedResponse, 1)
			})
		})
	}
	const part = `{"success":true`
	t.Run("CutBeforeContentLength", func(t *testing.T) {
		eachOperation(t, p, func(t *testing.T, op operation) {
			c := answering(t, p, func(w http.ResponseWriter) {
				closeAfter(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "+
					strconv.Itoa(len(part)+20)+"\r\n\r\n"+part)
			})
			apiErr := requireLostAnswer(t, op.Call(bg(), c), 200)
			assert.Equal(t, part, string(apiErr.Body), "what came is kept")
		})
	})
	t.Run("ChunkedWithoutFinalChunk", func(t *testing.T) {
		eachOperation(t, p, func(t *testing.T, op operation) {
			c := answering(t, p, func(w http.ResponseWriter) {
				closeAfter(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"+
					strconv.FormatInt(int64(len(part)), 16)+"\r\n"+part+"\r\n")
			})
			requireLostAnswer(t, op.Call(bg(), c), 200)
		})
	})
	t.Run("SuccessCutInItsHeaders", func(t *testing.T) {
		eachOperation(t, p, func(t *testing.T, op operation) {
			c := answering(t, p, func(w http.ResponseWriter) {
				closeAfter(w, "HTTP/1.1 "+strconv.Itoa(status)+" "+http.StatusText(status)+"\r\nContent-Ty")
			})
			requireNetworkError(t, op.Call(bg(), c), 1)
		})
	})
}

// bodyOnStatus sends requests on, and gives every answer with status the
// body instead of its own.
type bodyOnStatus struct {
	status int
	body   []byte
}

func (b bodyOnStatus) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || resp.StatusCode != b.status {
		return resp, err
	}
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b.body))
	resp.ContentLength = int64(len(b.body))
	return resp, nil
}
