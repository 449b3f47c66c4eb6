package conformance

// Guarantee "No false class" (README, Security and reliability).

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// testNoFalseClass: a class is given only when the answer says it. A
// status's sentinel comes only with the provider's shape for it
// (ErrNotFound means the provider said the user does not exist, not that a
// proxy or a wrong base URL answered 404); a redirect not followed, also
// one whose Location does not parse, is one request and
// ErrUnexpectedResponse; a status outside 100–599 is ErrUnexpectedResponse;
// a header value that can never be sent is ErrInvalidInput from New.
func testNoFalseClass(t *testing.T, p Provider) {
	t.Run("ShapelessAnswers", func(t *testing.T) { testShapelessAnswers(t, p) })
	t.Run("StrictErrorBodies", func(t *testing.T) { testStrictErrorBodies(t, p) })
	t.Run("UnparseableLocation", func(t *testing.T) { testUnparseableLocation(t, p) })
	t.Run("StatusOutOfRange", func(t *testing.T) { testStatusOutOfRange(t, p) })
	t.Run("HeaderValuesThatCannotBeSent", func(t *testing.T) { testUnsendableHeaders(t, p) })
}

// shapelessBodies are answers another server gives: a proxy's HTML page,
// another service's JSON, nothing at all.
var shapelessBodies = map[string]string{
	"HTML":          "<!DOCTYPE html><html><body><h1>404 Not Found</h1><p>nginx</p></body></html>",
	"empty":         "",
	"empty object":  "{}",
	"other service": `{"code":"NOT_FOUND","detail":"no route /api/v2/x","trace":"b6c1"}`,
	"plain text":    "404 page not found\n",
}

// testShapelessAnswers: for every operation, a 4xx whose body is not the
// provider's shape is ErrUnexpectedResponse with a message saying the
// answer does not look like the provider's API; a 5xx stays ErrServer and a
// 429 ErrRateLimited. The
// two shapes HTTP itself gives a status are kept: a 401 with
// WWW-Authenticate, a 429 with a rate-limit hint.
func testShapelessAnswers(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) {
		var status atomic.Int32
		var body atomic.Value
		var extra atomic.Value
		extra.Store([]string{})
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			kv := extra.Load().([]string)
			for i := 0; i+1 < len(kv); i += 2 {
				w.Header().Set(kv[i], kv[i+1])
			}
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(int(status.Load()))
			_, _ = w.Write([]byte(body.Load().(string)))
		}))
		t.Cleanup(ts.Close)
		c, err := p.New(ts.URL, noRetry)
		require.NoError(t, err)
		for _, code := range []int{400, 401, 403, 404, 405, 409, 410, 422, 429, 500, 502, 503, 504} {
			for name, b := range shapelessBodies {
				status.Store(int32(code))
				body.Store(b)
				err := op.Call(bg(), c)
				want := shapelessClass(code)
				apiErr := requireAPIError(t, err, code, want, 1)
				if want == mfaclient.ErrUnexpectedResponse {
					assert.Contains(t, err.Error(), "does not look like "+p.Name+"'s API", "%d %s", code, name)
				}
				assert.Equal(t, b, string(apiErr.Body), "%d %s: the body is kept as sent", code, name)
			}
		}
		// HTTP's own shapes. The 429 comes last: it closes the client's gate.
		status.Store(401)
		body.Store(shapelessBodies["HTML"])
		extra.Store([]string{"WWW-Authenticate", `Bearer realm="api"`})
		requireAPIError(t, op.Call(bg(), c), 401, mfaclient.ErrUnauthorized, 1)
		status.Store(429)
		extra.Store([]string{"Retry-After", "999999"})
		requireAPIError(t, op.Call(bg(), c), 429, mfaclient.ErrRateLimited, 1)
	})
}

// shapelessClass is the class of an answer without the provider's shape:
// ErrServer for a 5xx, ErrRateLimited for a 429 (a gateway's 429 means
// "wait" whoever sends it), ErrUnexpectedResponse for anything else.
// Written out here, not taken from transport, so that a change there is
// caught.
func shapelessClass(status int) error {
	switch {
	case status >= 500 && status <= 599:
		return mfaclient.ErrServer
	case status == http.StatusTooManyRequests:
		return mfaclient.ErrRateLimited
	}
	return mfaclient.ErrUnexpectedResponse
}

// testStrictErrorBodies: each recorded error answer of the provider, with
// a key duplicated or case-folded, no longer has the provider's shape: it
// is the shapeless class of its status, never the fixture's own class.
func testStrictErrorBodies(t *testing.T, p Provider) {
	fixtures, err := mfatest.LoadDir(fixtureDir(p.Name))
	require.NoError(t, err)
	var status atomic.Int32
	var body atomic.Value
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, int(status.Load()), body.Load().([]byte))
	}))
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, noRetry)
	require.NoError(t, err)
	ops := operations(t, p)
	n := 0
	for _, f := range fixtures {
		code := f.Response.Status
		if !f.Expect.WantsRequest() || f.Expect.Success || code >= 500 || code == 429 || code == 401 {
			continue // 5xx keep ErrServer; 401 and 429 may carry HTTP's own shape in headers
		}
		var doc map[string]json.RawMessage
		if json.Unmarshal(f.Response.Body, &doc) != nil || len(doc) == 0 {
			continue
		}
		for k, v := range doc {
			quoted, _ := json.Marshal(k)
			upper, _ := json.Marshal(strings.ToUpper(k))
			rest := strings.TrimPrefix(strings.TrimSpace(string(f.Response.Body)), "{")
			for what, b := range map[string]string{
				"duplicate " + k: "{" + string(quoted) + ":" + string(v) + "," + rest,
				"upper " + k:     "{" + string(upper) + ":" + string(v) + "," + rest,
			} {
				if strings.ToUpper(k) == k && strings.HasPrefix(what, "upper") {
					continue
				}
				status.Store(int32(code))
				body.Store([]byte(b))
				n++
				err := operationNamed(ops, f.Call.Operation).Call(bg(), c)
				where := filepath.Base(f.Path) + " with " + what
				require.Error(t, err, where)
				apiErr := requireAPIError(t, err, code, mfaclient.ErrUnexpectedResponse, 1)
				assert.Equal(t, b, string(apiErr.Body), where)
			}
		}
	}
	require.NotZero(t, n, "no recorded error answers under %s", fixtureDir(p.Name))
}

// testUnparseableLocation: a redirect whose Location does not parse is not
// followed and not retried: one request, ErrUnexpectedResponse, an
// *APIError with the status and the Location as sent.
func testUnparseableLocation(t *testing.T, p Provider) {
	for _, code := range redirectCodes {
		t.Run(strconv.Itoa(code), func(t *testing.T) {
			eachOperation(t, p, func(t *testing.T, op operation) {
				srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) {
					w.Header().Set("Location", "http://%zz/landed")
					w.WriteHeader(code)
				})
				ts := httptest.NewServer(srv)
				t.Cleanup(ts.Close)
				c, err := p.New(ts.URL, mfaclient.WithRetry(fastRetry))
				require.NoError(t, err)
				apiErr := requireAPIError(t, op.Call(bg(), c), code, mfaclient.ErrUnexpectedResponse, 1)
				assert.Equal(t, "http://%zz/landed", apiErr.Header.Get("Location"))
				assert.Contains(t, apiErr.Detail, "redirect not followed")
				assert.Len(t, srv.requests(), 1, "one request")
			})
		})
	}
}

// testStatusOutOfRange: a status outside 100–599 is ErrUnexpectedResponse,
// not ErrServer, and is not retried.
func testStatusOutOfRange(t *testing.T, p Provider) {
	for _, code := range []string{"999", "600", "099"} {
		t.Run(code, func(t *testing.T) {
			eachOperation(t, p, func(t *testing.T, op operation) {
				srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) {
					closeAfter(w, "HTTP/1.1 "+code+" Odd\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
				})
				ts := httptest.NewServer(srv)
				t.Cleanup(ts.Close)
				c, err := p.New(ts.URL, mfaclient.WithRetry(fastRetry))
				require.NoError(t, err)
				status, _ := strconv.Atoi(code)
				requireAPIError(t, op.Call(bg(), c), status, mfaclient.ErrUnexpectedResponse, 1)
				assert.Len(t, srv.requests(), 1, "not retried")
			})
		})
	}
}

// testUnsendableHeaders: a User-Agent that can never be sent (CR, LF, NUL,
// DEL or any other control character) is ErrInvalidInput from New.
func testUnsendableHeaders(t *testing.T, p Provider) {
	for name, ua := range map[string]string{
		"CRLF":   "bot/1\r\nX-Injected: 1",
		"LF":     "bot/1\nx",
		"CR":     "bot/1\rx",
		"NUL":    "bot\x00/1",
		"DEL":    "bot\x7f/1",
		"tab":    "bot\t/1",
		"escape": "bot\x1b[31m/1",
		"C1":     "bot\u0085/1",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := p.New("http://127.0.0.1:1", mfaclient.WithUserAgent(ua))
			require.ErrorIs(t, err, mfaclient.ErrInvalidInput)
			assert.True(t, isOnly(err, mfaclient.ErrInvalidInput), "%v", err)
			assert.NotContains(t, err.Error(), "X-Injected")
		})
	}
}
