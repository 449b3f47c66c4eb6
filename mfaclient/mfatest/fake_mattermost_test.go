package mfatest_test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// mmErr is a Mattermost AppError as the fake sends it, without the request
// ID (random; checked against X-Request-Id separately).
type mmErr struct {
	ID            string `json:"id"`
	Message       string `json:"message"`
	DetailedError string `json:"detailed_error"`
	RequestID     string `json:"request_id"`
	StatusCode    int    `json:"status_code"`
}

func TestMattermostAnswers(t *testing.T) {
	const off, on = `{"activate":false}`, `{"activate":true}`
	for name, tc := range map[string]struct {
		as     string // "admin", "member", "" (no token)
		method string
		id     string // "" means the member's ID; "admin" the admin's
		body   string
		status int
		errID  string // "" for {"status":"OK"}
		msg    string
		reset  bool // the member's MFA went off
	}{
		"admin resets member":  {as: "admin", body: off, status: 200, reset: true},
		"member resets self":   {as: "member", body: off, status: 200, reset: true},
		"member via me":        {as: "member", id: "me", body: off, status: 200, reset: true},
		"no token":             {body: off, status: 401, errID: "api.context.session_expired.app_error", msg: "Invalid or expired session, please login again."},
		"member resets admin":  {as: "member", id: "admin", body: off, status: 403, errID: "api.context.permissions.app_error", msg: "You do not have the appropriate permissions."},
		"unknown user":         {as: "admin", id: "ybndrfg8ejkmcpqxot1uwisza3", body: off, status: 404, errID: "app.user.missing_account.const", msg: "Unable to find the user."},
		"member, unknown user": {as: "member", id: "ybndrfg8ejkmcpqxot1uwisza3", body: off, status: 403, errID: "api.context.permissions.app_error", msg: "You do not have the appropriate permissions."},
		"short id":             {as: "admin", id: "abc", body: off, status: 400, errID: "api.context.invalid_url_param.app_error", msg: "Invalid or missing user_id parameter in request URL."},
		"no body":              {as: "admin", body: "", status: 400, errID: "api.context.invalid_body_param.app_error", msg: "Invalid or missing activate in request body."},
		"activate as string":   {as: "admin", body: `{"activate":"false"}`, status: 400, errID: "api.context.invalid_body_param.app_error", msg: "Invalid or missing activate in request body."},
		"activate, no code":    {as: "admin", body: on, status: 400, errID: "api.context.invalid_body_param.app_error", msg: "Invalid or missing code in request body."},
		"activate, any code":   {as: "admin", body: `{"activate":true,"code":"123456"}`, status: 401, errID: "mfa.activate.bad_token.app_error", msg: "Invalid MFA token."},
	} {
		t.Run(name, func(t *testing.T) {
			mm := mfatest.NewMattermost(t)
			id := mm.Member.ID
			switch tc.id {
			case "":
			case "admin":
				id = mm.Admin.ID
			default:
				id = tc.id
			}
			var headers []string
			switch tc.as {
			case "admin":
				headers = bearer(mm.Admin)
			case "member":
				headers = bearer(mm.Member)
			}
			method := http.MethodPut
			if tc.method != "" {
				method = tc.method
			}
			got := send(t, method, mm.URL()+"/api/v4/users/"+id+"/mfa", tc.body, headers...)
			assert.Equal(t, tc.status, got.status)
			assert.Equal(t, "application/json", got.header.Get("Content-Type"))
			reqID := got.header.Get("X-Request-Id")
			assert.Len(t, reqID, 26)
			if tc.errID == "" {
				assert.Equal(t, `{"status":"OK"}`, got.body)
			} else {
				var e mmErr
				require.NoError(t, json.Unmarshal([]byte(got.body), &e))
				assert.Equal(t, mmErr{ID: tc.errID, Message: tc.msg, RequestID: reqID, StatusCode: tc.status}, e)
			}
			u, ok := mm.User(mm.Member.ID)
			require.True(t, ok)
			assert.Equal(t, !tc.reset, u.MFAEnabled)
		})
	}
}

// A path no route matches: the catch-all 404, with no request ID.
func TestMattermostNoRoute(t *testing.T) {
	mm := mfatest.NewMattermost(t)
	for _, tc := range []struct{ method, path string }{
		{http.MethodPut, "/api/v4/users/" + "770e8400-e29b-41d4-a716-446655440004" + "/mfa"},
		{http.MethodPost, "/api/v4/users/" + "ybndrfg8ejkmcpqxot1uwisza3" + "/mfa"},
		{http.MethodPut, "/api/v4/user/" + "ybndrfg8ejkmcpqxot1uwisza3" + "/mfa"},
	} {
		got := send(t, tc.method, mm.URL()+tc.path, `{"activate":false}`, bearer(mm.Admin)...)
		assert.Equal(t, 404, got.status, tc.path)
		assert.Equal(t, `{"id":"api.context.404.app_error","message":"Sorry, we could not find the page.","detailed_error":"","status_code":404}`, got.body)
		assert.Empty(t, got.header.Get("X-Request-Id"))
	}
	assert.Equal(t, 0, mm.Resets(mm.Member.ID))
}

// Mattermost's limiter at 5/s with burst 20, as the real server answered
// it: 21 requests pass, the 22nd is 429 text/plain with Retry-After 1 and
// X-Ratelimit-Reset 5, seconds from now. Time stands still here.
func TestMattermostLimiter(t *testing.T) {
	clk := newClock()
	mm := mfatest.NewMattermost(t, mfatest.WithClock(clk.Now))
	mm.SetMattermostLimiter(5, 20)
	url := mm.URL() + "/api/v4/users/" + mm.Member.ID + "/mfa"
	for i := 1; i <= 21; i++ {
		got := send(t, http.MethodPut, url, `{"activate":false}`, bearer(mm.Admin)...)
		require.Equal(t, 200, got.status, "request %d", i)
		assert.Equal(t, "21", got.header.Get("X-Ratelimit-Limit"))
		assert.Equal(t, strconv.Itoa(21-i), got.header.Get("X-Ratelimit-Remaining"), "request %d", i)
		assert.Equal(t, strconv.Itoa((i+4)/5), got.header.Get("X-Ratelimit-Reset"), "request %d: ceil(i × 0.2 s)", i)
		assert.Empty(t, got.header.Values("Retry-After"))
	}
	got := send(t, http.MethodPut, url, `{"activate":false}`, bearer(mm.Admin)...)
	assert.Equal(t, 429, got.status)
	assert.Equal(t, "limit exceeded\n", got.body)
	assert.Equal(t, "text/plain; charset=utf-8", got.header.Get("Content-Type"))
	assert.Equal(t, "21", got.header.Get("X-Ratelimit-Limit"))
	assert.Equal(t, "0", got.header.Get("X-Ratelimit-Remaining"))
	assert.Equal(t, "5", got.header.Get("X-Ratelimit-Reset"))
	assert.Equal(t, "1", got.header.Get("Retry-After"))
	assert.Equal(t, 1, mm.RateLimited())
	assert.Equal(t, 21, mm.Resets(mm.Member.ID))

	// 0.2 s later one request fits again.
	clk.Add(200 * time.Millisecond)
	assert.Equal(t, 200, send(t, http.MethodPut, url, `{"activate":false}`, bearer(mm.Admin)...).status)
}
