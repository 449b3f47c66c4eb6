package mattermost_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mattermost"
	"github.com/mfakit/mfakit/mfaclient"
)

// sent is one request the test server received.
type sent struct {
	method, path, body string
	header             http.Header
}

// serve answers every request with status, headers and body, and records
// what it received.
func serve(t *testing.T, status int, body string, kv ...string) (*httptest.Server, func() []sent) {
	t.Helper()
	var mu sync.Mutex
	var got []sent
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, sent{r.Method, r.URL.EscapedPath(), string(b), r.Header.Clone()})
		mu.Unlock()
		for i := 0; i+1 < len(kv); i += 2 {
			w.Header().Set(kv[i], kv[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts, func() []sent {
		mu.Lock()
		defer mu.Unlock()
		return append([]sent(nil), got...)
	}
}

const okBody = `{"status":"OK"}`

func TestResetMFARequest(t *testing.T) {
	ts, got := serve(t, 200, okBody, "Content-Type", "application/json")
	c, err := mattermost.New(ts.URL, testToken)
	require.NoError(t, err)
	require.NoError(t, c.ResetMFA(context.Background(), testUserID))
	require.NoError(t, c.ResetOwnMFA(context.Background()))

	reqs := got()
	require.Len(t, reqs, 2)
	for i, wantPath := range []string{"/api/v4/users/" + testUserID + "/mfa", "/api/v4/users/me/mfa"} {
		r := reqs[i]
		assert.Equal(t, http.MethodPut, r.method)
		assert.Equal(t, wantPath, r.path)
		assert.JSONEq(t, `{"activate":false}`, r.body)
		assert.Equal(t, "Bearer "+testToken, r.header.Get("Authorization"))
		assert.Equal(t, "application/json", r.header.Get("Content-Type"))
	}
}

// The server's "me" means the caller, so an ID that is not Mattermost's
// 26 letters or digits never leaves: a lost ID cannot become a self-reset.
func TestResetMFAUserIDs(t *testing.T) {
	ts, got := serve(t, 200, okBody)
	c, err := mattermost.New(ts.URL, testToken)
	require.NoError(t, err)
	ctx := context.Background()

	upper := strings.ToUpper(testUserID)
	require.NoError(t, c.ResetMFA(ctx, upper), "upper case is valid syntax (the server answers 404 for it)")
	for _, bad := range []string{
		"me", "ME",
		"770e8400-e29b-41d4-a716-446655440004", // a UUID
		testUserID[:25],                        // too short
		testUserID + "a",                       // too long
		"4xp9fdt2x3bwpdb6ik3jqz3c-a",           // a dash
		"4xp9fdt2x3bwpdb6ik3jqz3c/a",           // a slash
		"4xp9fdt2x3bwpdb6ik3jqz3c%2",           // an escape
		"4xp9fdt2x3bwpdb6ik3jqz3cwä",           // a letter outside ASCII
		"4xp9fdt2x3bwpdb6ik3jqz3cw ",           // a space
		"../../../../api/v4/users/me",
	} {
		err := c.ResetMFA(ctx, bad)
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "%q", bad)
		assert.True(t, isOnly(err, mfaclient.ErrInvalidInput), "%q: %v", bad, err)
	}
	reqs := got()
	require.Len(t, reqs, 1, "only the valid ID was sent")
	assert.Equal(t, "/api/v4/users/"+upper+"/mfa", reqs[0].path)
}

func TestNewNeedsServerURL(t *testing.T) {
	for name, build := range map[string]func() (*mattermost.Client, error){
		"no URL":   func() (*mattermost.Client, error) { return mattermost.New("", testToken) },
		"no token": func() (*mattermost.Client, error) { return mattermost.New("https://chat.example.com", "") },
		"disagreeing": func() (*mattermost.Client, error) {
			return mattermost.New("https://a.example.com", testToken, mfaclient.WithBaseURL("https://b.example.com"))
		},
		"plain remote": func() (*mattermost.Client, error) { return mattermost.New("http://chat.example.com", testToken) },
	} {
		_, err := build()
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, name)
	}
	_, err := mattermost.New("https://chat.example.com/sub", testToken, mfaclient.WithBaseURL("https://chat.example.com/sub"))
	assert.NoError(t, err, "the same URL twice is fine")
}

func TestSetPrimaryMFAUnsupported(t *testing.T) {
	ts, got := serve(t, 200, okBody)
	c, err := mattermost.New(ts.URL, testToken)
	require.NoError(t, err)
	for _, m := range mfaclient.Methods() {
		err := c.SetPrimaryMFA(context.Background(), m)
		assert.True(t, isOnly(err, mfaclient.ErrUnsupported), "%s: %v", m, err)
	}
	assert.ErrorIs(t, c.SetPrimaryMFA(context.Background(), "carrier-pigeon"), mfaclient.ErrInvalidInput)
	assert.Empty(t, got())
}

// appError is a Mattermost error body.
func appError(id, message string, status int) string {
	return `{"id":"` + id + `","message":"` + message + `","detailed_error":"","request_id":"rq1oqa8ygbd7bmt9xdy3ftj5ba","status_code":` + itoa(status) + `}`
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// Each answer the real server gives (and look-alikes from something else)
// and the error the caller gets.
func TestClassify(t *testing.T) {
	const html = "<html><body>Not Found</body></html>"
	for name, tc := range map[string]struct {
		status   int
		body     string
		ctype    string
		class    error // nil: success
		code     string
		message  string
		required string
	}{
		"200 OK":                  {status: 200, body: okBody},
		"200 other status":        {status: 200, body: `{"status":"FAIL"}`, class: mfaclient.ErrUnexpectedResponse},
		"200 HTML":                {status: 200, body: html, ctype: "text/html", class: mfaclient.ErrUnexpectedResponse},
		"200 empty":               {status: 200, body: "", class: mfaclient.ErrUnexpectedResponse},
		"400 invalid url param":   {status: 400, body: appError("api.context.invalid_url_param.app_error", "Invalid or missing user_id parameter in request URL.", 400), class: mfaclient.ErrInvalidInput, code: "api.context.invalid_url_param.app_error", message: "Invalid or missing user_id parameter in request URL."},
		"400 invalid body param":  {status: 400, body: appError("api.context.invalid_body_param.app_error", "Invalid or missing activate in request body.", 400), class: mfaclient.ErrInvalidInput, code: "api.context.invalid_body_param.app_error", message: "Invalid or missing activate in request body."},
		"401 session expired":     {status: 401, body: appError("api.context.session_expired.app_error", "Invalid or expired session, please login again.", 401), class: mfaclient.ErrUnauthorized, code: "api.context.session_expired.app_error", message: "Invalid or expired session, please login again."},
		"403 permissions":         {status: 403, body: appError("api.context.permissions.app_error", "You do not have the appropriate permissions.", 403), class: mfaclient.ErrForbidden, code: "api.context.permissions.app_error", message: "You do not have the appropriate permissions.", required: "edit_other_users"},
		"403 other":               {status: 403, body: appError("api.context.mfa_required.app_error", "MFA required.", 403), class: mfaclient.ErrForbidden, code: "api.context.mfa_required.app_error", message: "MFA required."},
		"404 missing account":     {status: 404, body: appError("app.user.missing_account.const", "Unable to find the user.", 404), class: mfaclient.ErrNotFound, code: "app.user.missing_account.const", message: "Unable to find the user."},
		"404 no such route":       {status: 404, body: `{"id":"api.context.404.app_error","message":"Sorry, we could not find the page.","detailed_error":"","status_code":404}`, class: mfaclient.ErrUnexpectedResponse, code: "api.context.404.app_error", message: "Sorry, we could not find the page."},
		"404 HTML":                {status: 404, body: html, ctype: "text/html", class: mfaclient.ErrUnexpectedResponse},
		"404 other JSON":          {status: 404, body: `{"error":"not found"}`, class: mfaclient.ErrUnexpectedResponse},
		"404 status_code differs": {status: 404, body: appError("app.user.missing_account.const", "Unable to find the user.", 400), class: mfaclient.ErrUnexpectedResponse},
		"401 no id":               {status: 401, body: `{"id":"","message":"x","status_code":401}`, class: mfaclient.ErrUnexpectedResponse},
		"403 HTML":                {status: 403, body: html, ctype: "text/html", class: mfaclient.ErrUnexpectedResponse},
		"429 limiter":             {status: 429, body: "limit exceeded\n", ctype: "text/plain; charset=utf-8", class: mfaclient.ErrRateLimited, message: "limit exceeded"},
		"429 other, no hints":     {status: 429, body: html, ctype: "text/html", class: mfaclient.ErrRateLimited}, // gateways answer 429 in their own shapes
		"500 app error":           {status: 500, body: appError("mfa.deactivate.app_error", "Unable to update MFA active status for the user.", 500), class: mfaclient.ErrServer, code: "mfa.deactivate.app_error", message: "Unable to update MFA active status for the user."},
		"500 hardened":            {status: 500, body: `{"id":"","message":"Internal Server Error","detailed_error":"","status_code":500}`, class: mfaclient.ErrServer},
		"502 HTML":                {status: 502, body: html, ctype: "text/html", class: mfaclient.ErrServer},
		"405":                     {status: 405, body: "", class: mfaclient.ErrUnexpectedResponse},
	} {
		t.Run(name, func(t *testing.T) {
			ts, _ := serve(t, tc.status, tc.body, "Content-Type", cmpOr(tc.ctype, "application/json"), "X-Request-Id", "rq1oqa8ygbd7bmt9xdy3ftj5ba")
			c, err := mattermost.New(ts.URL, testToken, mfaclient.WithRetry(mfaclient.RetryPolicy{}))
			require.NoError(t, err)
			err = c.ResetMFA(context.Background(), testUserID)
			if tc.class == nil {
				require.NoError(t, err)
				return
			}
			assert.True(t, isOnly(err, tc.class), "want only %v, got %v", tc.class, err)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, "rq1oqa8ygbd7bmt9xdy3ftj5ba", apiErr.RequestID, "X-Request-Id is reported")
			var body *mattermost.ErrorResponse
			assert.Equal(t, tc.code != "", errors.As(err, &body), "the decoded AppError is reachable exactly when the body is one")
			if tc.class == mfaclient.ErrForbidden {
				var fe *mfaclient.ForbiddenError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tc.required, fe.Required)
			}
		})
	}
}

// Mattermost's X-Ratelimit-Reset is seconds from now (app/ratelimit.go:
// ceil(ResetAfter)), not an epoch; Retry-After is whole seconds too.
func TestRateLimitHintsAreSecondsFromNow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc := answering(http.StatusTooManyRequests, "limit exceeded\n", "Content-Type", "text/plain; charset=utf-8",
			"X-Ratelimit-Limit", "21", "X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", "5", "Retry-After", "1")
		c, err := mattermost.New("https://chat.example.com", testToken, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
		require.NoError(t, err)
		start := time.Now()
		err = c.ResetMFA(context.Background(), testUserID)
		var rl *mfaclient.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Equal(t, start.Add(5*time.Second), rl.Reset, "5 seconds from now, not 5 seconds after 1970")
		assert.Equal(t, time.Second, rl.RetryAfter, "the sooner of Retry-After and the reset")
		assert.Equal(t, 21, rl.Limit)
		assert.Equal(t, 0, rl.Remaining)
		assert.Equal(t, "limit exceeded", rl.Message)
		assert.Equal(t, start.Add(time.Second), c.RateLimitedUntil().Truncate(time.Second), "the client holds back until Retry-After")
	})
}

// An allowed answer that spends the burst (Remaining 0) holds the client's
// other calls until one request comes back, not until the bucket is full:
// Mattermost's limiter is GCRA, and a reset of 5 s with 21 spent bounds the
// interval by 5 s/20.
func TestRemainingZeroWaitsForOneRequestBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hc := answering(http.StatusOK, okBody, "Content-Type", "application/json",
			"X-Ratelimit-Limit", "21", "X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", "5")
		c, err := mattermost.New("https://chat.example.com", testToken, mfaclient.WithHTTPClient(hc))
		require.NoError(t, err)
		start := time.Now()
		require.NoError(t, c.ResetMFA(context.Background(), testUserID))
		assert.True(t, c.RateLimitedUntil().IsZero(), "no 429, no Retry-After: the gate is not closed")
		require.NoError(t, c.ResetMFA(context.Background(), testUserID))
		assert.Equal(t, start.Add(250*time.Millisecond), time.Now(), "the second call waited one interval")
	})
}

// answering is an *http.Client whose every answer is status, body and
// headers, made in process (no network), so that it runs in a synctest
// bubble.
func answering(status int, body string, kv ...string) *http.Client {
	return &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if r.Body != nil {
			_, _ = io.Copy(io.Discard, r.Body)
			_ = r.Body.Close()
		}
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return &http.Response{StatusCode: status, Header: h, Body: io.NopCloser(strings.NewReader(body)),
			ContentLength: int64(len(body)), Request: r}, nil
	})}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// isOnly reports whether err matches class and no other sentinel.
func isOnly(err, class error) bool {
	for _, s := range []error{
		mfaclient.ErrInvalidInput, mfaclient.ErrUnsupported, mfaclient.ErrUnauthorized, mfaclient.ErrForbidden,
		mfaclient.ErrNotFound, mfaclient.ErrMFANotEnabled, mfaclient.ErrSecondFactorRequired,
		mfaclient.ErrRateLimited, mfaclient.ErrServer, mfaclient.ErrUnexpectedResponse, mfaclient.ErrNetwork,
	} {
		if errors.Is(err, s) != (s == class) {
			return false
		}
	}
	return true
}
