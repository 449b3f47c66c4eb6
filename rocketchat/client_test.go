package rocketchat_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/rocketchat"
)

// received records what the server got.
type received struct {
	mu   sync.Mutex
	reqs []*http.Request
	body []string
}

func (r *received) handler(answer string) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Clone(context.Background()))
		r.body = append(r.body, string(b))
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, answer)
	}
}

func newServer(t *testing.T, answer string) (*received, *httptest.Server) {
	rec := &received{}
	ts := httptest.NewServer(rec.handler(answer))
	t.Cleanup(ts.Close)
	return rec, ts
}

func TestTwoFactorHeaders(t *testing.T) {
	rec, ts := newServer(t, `{"success":true}`)
	c, err := rocketchat.New(ts.URL, testCreds)
	require.NoError(t, err)

	require.NoError(t, c.WithTwoFactorCode("148750", rocketchat.TwoFactorTOTP).ResetMFA(context.Background(), "u1"))
	const password = "correct horse battery staple"
	withPw := c.WithTwoFactorPassword(password)
	require.NoError(t, withPw.ResetMFA(context.Background(), "u1"))
	require.NoError(t, c.ResetMFA(context.Background(), "u1"), "the original client is unchanged")

	require.Len(t, rec.reqs, 3)
	assert.Equal(t, "148750", rec.reqs[0].Header.Get("x-2fa-code"))
	assert.Equal(t, "totp", rec.reqs[0].Header.Get("x-2fa-method"))
	sum := sha256.Sum256([]byte(password))
	assert.Equal(t, hex.EncodeToString(sum[:]), rec.reqs[1].Header.Get("x-2fa-code"), "the lowercase hex SHA-256 of the password")
	assert.Equal(t, "password", rec.reqs[1].Header.Get("x-2fa-method"))
	assert.Empty(t, rec.reqs[2].Header.Values("x-2fa-code"))
	assert.Empty(t, rec.reqs[2].Header.Values("x-2fa-method"))
	assert.NotContains(t, fmt.Sprintf("%#v", *withPw), password, "the plain-text password is not stored")
}

func TestTwoFactorBadInputSendsNothing(t *testing.T) {
	rec, ts := newServer(t, `{"success":true}`)
	c, err := rocketchat.New(ts.URL, testCreds)
	require.NoError(t, err)
	for name, cc := range map[string]*rocketchat.Client{
		"unknown method": c.WithTwoFactorCode("123456", "sms"),
		"empty code":     c.WithTwoFactorCode("", rocketchat.TwoFactorTOTP),
		"newline code":   c.WithTwoFactorCode("12\n34", rocketchat.TwoFactorEmail),
		"empty password": c.WithTwoFactorPassword(""),
	} {
		assert.ErrorIs(t, cc.ResetMFA(context.Background(), "u1"), mfaclient.ErrInvalidInput, name)
		assert.ErrorIs(t, cc.ResetOwnMFA(context.Background()), mfaclient.ErrInvalidInput, name)
	}
	assert.Empty(t, rec.reqs)
	// A later good WithTwoFactorCode on a bad copy clears the error.
	require.NoError(t, c.WithTwoFactorCode("", "totp").WithTwoFactorCode("123456", "totp").ResetMFA(context.Background(), "u1"))
}

func TestResetTOTPRequest(t *testing.T) {
	rec, ts := newServer(t, `{"success":true}`)
	c, err := rocketchat.New(ts.URL+"/chat/", testCreds)
	require.NoError(t, err)
	ctx := context.Background()

	require.NoError(t, c.ResetTOTP(ctx, rocketchat.ResetTOTPRequest{Username: "alice"}))
	require.NoError(t, c.ResetTOTP(ctx, rocketchat.ResetTOTPRequest{UserID: "GonjPyg3gB3Z9ur9s"}))
	require.NoError(t, c.ResetOwnMFA(ctx))
	assert.ErrorIs(t, c.ResetTOTP(ctx, rocketchat.ResetTOTPRequest{}), mfaclient.ErrInvalidInput, "neither")
	assert.ErrorIs(t, c.ResetTOTP(ctx, rocketchat.ResetTOTPRequest{UserID: "a", Username: "b"}), mfaclient.ErrInvalidInput, "both")

	require.Len(t, rec.reqs, 3)
	for _, r := range rec.reqs {
		assert.Equal(t, "/chat/api/v1/users.resetTOTP", r.URL.Path, "the server URL's path prefix is kept")
	}
	assert.JSONEq(t, `{"username":"alice"}`, rec.body[0])
	assert.JSONEq(t, `{"userId":"GonjPyg3gB3Z9ur9s"}`, rec.body[1])
	assert.JSONEq(t, `{}`, rec.body[2], "a self-reset names no user")
}

func TestNewServerURL(t *testing.T) {
	_, err := rocketchat.New("", testCreds)
	assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "no default host")
	_, err = rocketchat.New("https://a.example", testCreds, mfaclient.WithBaseURL("https://b.example"))
	assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "two different URLs")
	_, err = rocketchat.New("https://a.example", testCreds, mfaclient.WithBaseURL("https://a.example"))
	assert.NoError(t, err)
}

func TestChallenge(t *testing.T) {
	_, ok := rocketchat.Challenge(nil)
	assert.False(t, ok)
	_, ok = rocketchat.Challenge(mfaclient.ErrNotFound)
	assert.False(t, ok)
	_, ok = rocketchat.Challenge(mfaclient.ErrSecondFactorRequired)
	assert.False(t, ok, "a bare sentinel is no Rocket.Chat challenge")
	err := &mfaclient.APIError{Class: mfaclient.ErrSecondFactorRequired, Cause: &rocketchat.ErrorResponse{ErrorType: "totp-required"}}
	ch, ok := rocketchat.Challenge(err)
	require.True(t, ok, "a challenge without details still says so")
	assert.Empty(t, ch.Method)
}
