package mfatest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// Distinctive values, so that a grep finds any trace of them.
const (
	secretToken     = "tok-SECRET-7f3a9c"
	secretAuthToken = "auth-SECRET-b81d44"
	secretUserID    = "uid-SECRET-e2c905"
	secretPassword  = "pw SECRET \"quoted\" &/+"
	secretEmail     = "alice.SECRET@example.com"
)

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// echoServer answers every request with everything it received: header
// values in its own headers and all of them, in several encodings, in a
// JSON body.
func echoServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var all []string
		for _, name := range []string{"Authorization", "X-Auth-Token", "X-User-Id", "X-2fa-Code"} {
			v := r.Header.Get(name)
			all = append(all, v, url.QueryEscape(v))
		}
		w.Header().Set("X-Request-Id", r.Header.Get("X-Auth-Token"))
		w.Header().Set("X-RateLimit-Remaining", r.Header.Get("X-User-Id"))
		w.Header().Set("Set-Cookie", "session="+r.Header.Get("X-Auth-Token"))
		w.Header().Set("X-Echo-Authorization", r.Header.Get("Authorization"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]any{
			"success":  false,
			"error":    "you sent " + strings.Join(all, " ") + " for " + secretEmail,
			"request":  string(body),
			"password": secretPassword,
			"hash":     strings.ToUpper(sha256Hex(secretPassword)),
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestRecorder_noSecretSurvives(t *testing.T) {
	srv := echoServer(t)
	dir := t.TempDir()
	rec := &Recorder{Dir: dir, Provider: "rocketchat",
		Secrets: Placeholders{"password": secretPassword, "email": secretEmail}}
	client := &http.Client{Transport: rec}

	send := func(ctx context.Context, header map[string]string, body string) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/api/v1/users.resetTOTP?u="+url.QueryEscape(secretUserID), strings.NewReader(body))
		require.NoError(t, err)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		require.NoError(t, err)
		got, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Contains(t, string(got), secretEmail, "the caller still gets the real, unscrubbed response")
	}

	ctx := RecordAs(context.Background(), "twofactor-password",
		Call{Operation: "ResetMFA", UserID: "GonjPyg3gB3Z9ur9s", TwoFactorPassword: secretPassword})
	send(ctx, map[string]string{
		"X-User-Id": secretUserID, "X-Auth-Token": secretAuthToken, "Content-Type": "application/json",
		"x-2fa-code": sha256Hex(secretPassword), "x-2fa-method": "password",
	}, `{"userId":"GonjPyg3gB3Z9ur9s","note":"`+secretEmail+`"}`)
	require.NoError(t, rec.Outcome(ctx, &mfaclient.APIError{
		StatusCode: 400, Class: mfaclient.ErrUnauthorized,
		Message: "echo " + secretAuthToken, RequestID: secretAuthToken,
	}))
	send(context.Background(), map[string]string{"Authorization": "Bearer " + secretToken}, "")

	written := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		require.NoError(t, err)
		if d.IsDir() {
			return nil
		}
		written++
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		for _, secret := range []string{
			secretToken, secretAuthToken, secretUserID, secretPassword, secretEmail,
			sha256Hex(secretPassword), strings.ToUpper(sha256Hex(secretPassword)),
			url.QueryEscape(secretUserID), url.QueryEscape(secretPassword), `pw SECRET \"quoted\"`,
		} {
			assert.NotContains(t, string(data), secret, "%s", filepath.Base(p))
		}
		assert.NotContains(t, string(data), "SECRET-", "%s: some form of a secret survived", filepath.Base(p))
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 2, written)

	f, err := Load(filepath.Join(dir, "twofactor-password.json"))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{
		"X-User-Id": "{{userId}}", "X-Auth-Token": "{{authToken}}", "Content-Type": "application/json",
		"x-2fa-code": "{{2faCode}}", "x-2fa-method": "password",
	}, f.Request.Headers)
	assert.Equal(t, "{{password}}", f.Call.TwoFactorPassword)
	assert.Equal(t, "/api/v1/users.resetTOTP?u={{userId}}", f.Request.Path)
	assert.Equal(t, "{{authToken}}", f.Response.Headers["X-Request-Id"])
	assert.NotContains(t, f.Response.Headers, "Set-Cookie")
	assert.NotContains(t, f.Response.Headers, "X-Echo-Authorization")
	assert.Equal(t, "echo {{authToken}}", f.Expect.Message)
}

// The recorder scrubs the forms of a secret it can compute (raw, JSON- and
// URL-escaped, its SHA-256), not every transformation a server might apply.
func TestRecorder_upperCasedEchoIsNotAKnownForm(t *testing.T) {
	rec := &Recorder{Secrets: Placeholders{"authToken": "abc-def"}}
	assert.Equal(t, "{{authToken}} ABC-DEF", rec.scrub("abc-def ABC-DEF"))
}

func TestRecorder_recordingReplays(t *testing.T) {
	now := time.Now()
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-RateLimit-Limit", "10")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(42*time.Second).UnixMilli(), 10))
		w.Header().Set("Date", "Mon, 02 Jan 2006 15:04:05 GMT")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"success":false,"error":"Error, too many requests. <slow> [error-too-many-requests]"}`)
	}))
	t.Cleanup(upstream.Close)
	dir := t.TempDir()
	rec := &Recorder{Dir: dir, Provider: "rocketchat"}

	request := func(base string) *http.Request {
		req, err := http.NewRequest(http.MethodPost, base+"/api/v1/users.resetTOTP", strings.NewReader(`{"userId":"GonjPyg3gB3Z9ur9s"}`))
		require.NoError(t, err)
		req.Header.Set("X-User-Id", "caller")
		req.Header.Set("X-Auth-Token", "secret-auth")
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json")
		return req
	}
	ctx := RecordAs(context.Background(), "rate-limited-429", Call{Operation: "ResetMFA", UserID: "GonjPyg3gB3Z9ur9s"})
	resp, err := (&http.Client{Transport: rec}).Do(request(upstream.URL).WithContext(ctx))
	require.NoError(t, err)
	resp.Body.Close()
	require.NoError(t, rec.Outcome(ctx, &mfaclient.RateLimitError{
		APIError:   &mfaclient.APIError{StatusCode: 429, Code: "error-too-many-requests", Class: mfaclient.ErrRateLimited},
		RetryAfter: 42 * time.Second, Limit: 10, Remaining: 0,
	}))

	f, err := Load(filepath.Join(dir, "rate-limited-429.json"))
	require.NoError(t, err)
	assert.Equal(t, "{{now+42s:epochms}}", f.Response.Headers["X-RateLimit-Reset"])
	assert.NotContains(t, f.Response.Headers, "Date")
	assert.Equal(t, []string{"x-2fa-code", "x-2fa-method"}, f.Request.AbsentHeaders)
	var body bytes.Buffer
	require.NoError(t, json.Compact(&body, f.Response.Body))
	assert.Equal(t, `{"success":false,"error":"Error, too many requests. <slow> [error-too-many-requests]"}`,
		body.String(), "the body is kept as sent, HTML characters unescaped")
	assert.Equal(t, "ErrRateLimited", f.Expect.Error)
	assert.Equal(t, "RateLimitError", f.Expect.Type)
	assert.Equal(t, "42s", f.Expect.RetryAfter)

	// The recording replays against the same request.
	tb := newFakeTB(t)
	s := NewReplayServer(tb, f)
	s.SetPlaceholders(Placeholders{PlaceholderUserID: "caller", PlaceholderAuthToken: "secret-auth"})
	status, header, _ := do(t, request(s.URL))
	tb.finish()
	assert.Empty(t, tb.errors())
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "10", header.Get("X-RateLimit-Limit"))
}

func TestRecorder_callThatSendsNothing(t *testing.T) {
	dir := t.TempDir()
	rec := &Recorder{Dir: dir, Provider: "entryguard"}
	ctx := RecordAs(context.Background(), "primary-unsupported", Call{Operation: "SetPrimaryMFA", Method: "totp"})

	require.NoError(t, rec.Outcome(ctx, &mfaclient.OpError{Provider: "entryguard", Operation: "SetPrimaryMFA", Err: mfaclient.ErrUnsupported}))

	f, err := Load(filepath.Join(dir, "primary-unsupported.json"))
	require.NoError(t, err)
	assert.Equal(t, Outcome{Error: "ErrUnsupported", Type: "OpError", Sent: new(bool)}, f.Expect)
	assert.Empty(t, f.Request.Method)
}

func TestRecorder_secondRequestUnderOneName(t *testing.T) {
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	t.Cleanup(upstream.Close)
	dir := t.TempDir()
	client := &http.Client{Transport: &Recorder{Dir: dir, Provider: "flashback"}}
	ctx := RecordAs(context.Background(), "reset", Call{Operation: "ResetOwnMFA"})

	for range 2 {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, upstream.URL+"/mfa/reset", nil)
		require.NoError(t, err)
		resp, err := client.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"reset-2.json", "reset.json"}, names)
}

func TestOutcomeOf(t *testing.T) {
	api := &mfaclient.APIError{StatusCode: 403, Code: "error-not-allowed", Message: "Not allowed", RequestID: "r1", Class: mfaclient.ErrForbidden}
	tests := []struct {
		err  error
		want Outcome
	}{
		{nil, Outcome{Success: true}},
		{fmt.Errorf("wrapped: %w", &mfaclient.ForbiddenError{APIError: api, Required: "ORG_ADMIN"}),
			Outcome{Error: "ErrForbidden", Type: "ForbiddenError", StatusCode: 403, Code: "error-not-allowed", Message: "Not allowed", RequestID: "r1", Required: "ORG_ADMIN"}},
		{&mfaclient.APIError{StatusCode: 502, Class: mfaclient.ErrServer},
			Outcome{Error: "ErrServer", Type: "APIError", StatusCode: 502}},
		{&mfaclient.OpError{Err: mfaclient.ErrInvalidInput},
			Outcome{Error: "ErrInvalidInput", Type: "OpError", Sent: new(bool)}},
		{&mfaclient.OpError{Attempts: 1, Err: fmt.Errorf("%w: connection reset", mfaclient.ErrNetwork)},
			Outcome{Error: "ErrNetwork", Type: "OpError"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, OutcomeOf(tt.err), "%v", tt.err)
	}
}

func TestTwoFactorFromBody(t *testing.T) {
	for _, f := range []string{"totp-required-email-codeexpires-array", "totp-required-email-codeexpires-date", "totp-required-password"} {
		fix, err := Load("../../testdata/rocketchat/" + f + ".json")
		require.NoError(t, err)
		assert.Equal(t, fix.Expect.TwoFactor, twoFactorFromBody(fix.Response.Body), f)
	}
}

// With MultiRequest, the requests of one named call are one fixture: the
// earlier ones under "before", the last as "request", and the file replays.
func TestRecorderMultiRequest(t *testing.T) {
	n := 0
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n++
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"id":"u1"}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	rec := &Recorder{Dir: dir, Provider: "kratos", MultiRequest: true}
	hc := &http.Client{Transport: rec}
	ctx := RecordAs(context.Background(), "reset-204", Call{Operation: "ResetMFA", UserID: "u1"})
	for _, m := range []string{http.MethodGet, http.MethodDelete, http.MethodDelete} {
		req, err := http.NewRequestWithContext(ctx, m, ts.URL+"/admin/identities/u1", nil)
		require.NoError(t, err)
		resp, err := hc.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
	}
	require.NoError(t, rec.Outcome(ctx, nil))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "one call, one file")
	f, err := Load(filepath.Join(dir, "reset-204.json"))
	require.NoError(t, err)
	require.Len(t, f.Before, 2)
	assert.Equal(t, http.MethodGet, f.Before[0].Request.Method)
	assert.Equal(t, http.MethodDelete, f.Before[1].Request.Method)
	assert.Equal(t, http.StatusNoContent, f.Response.Status)
	assert.True(t, f.Expect.Success)
	assert.Len(t, f.Steps(), 3)
}
