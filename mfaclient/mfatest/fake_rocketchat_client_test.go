package mfatest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// These tests hold the Rocket.Chat fake to the real server's behaviour, each
// seen through the public client, as a user's test would see it.

// headerLog records the response headers a client received.
type headerLog struct {
	mu      sync.Mutex
	headers []http.Header
	rewrite func(body []byte) []byte // changes the request body, when set
}

func (l *headerLog) RoundTrip(req *http.Request) (*http.Response, error) {
	if l.rewrite != nil && req.Body != nil {
		b, _ := io.ReadAll(req.Body)
		b = l.rewrite(b)
		req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err == nil {
		l.mu.Lock()
		l.headers = append(l.headers, resp.Header.Clone())
		l.mu.Unlock()
	}
	return resp, err
}

func (l *headerLog) all() []http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]http.Header(nil), l.headers...)
}

// rcClient is a client of the fake as u, with retries off.
func rcClient(t *testing.T, rc *mfatest.RocketChatFake, u mfatest.FakeUser, rt http.RoundTripper) *rocketchat.Client {
	t.Helper()
	opts := []mfaclient.Option{mfaclient.WithRetry(mfaclient.RetryPolicy{})}
	if rt != nil {
		opts = append(opts, mfaclient.WithHTTPClient(&http.Client{Transport: rt}))
	}
	c, err := rocketchat.New(rc.URL(), rocketchat.Credentials{UserID: u.ID, AuthToken: u.Token}, opts...)
	require.NoError(t, err)
	return c
}

var bg = context.Background()

func TestRocketChatClientAdminBypassesRateLimit(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	log := &headerLog{}
	admin := rcClient(t, rc, rc.Admin, log).WithTwoFactorCode(rc.Admin.TOTPCode, rocketchat.TwoFactorTOTP)
	for range 15 {
		require.NoError(t, admin.ResetMFA(bg, rc.Member.ID), "never a 429 for an admin")
	}
	for _, h := range log.all() {
		assert.Empty(t, h.Values("X-RateLimit-Limit"))
		assert.Empty(t, h.Values("X-RateLimit-Remaining"))
		assert.Empty(t, h.Values("X-RateLimit-Reset"))
	}
	assert.Zero(t, rc.RateLimited())
	assert.True(t, admin.RateLimitedUntil().IsZero())

	// Another role is limited: 10 calls, then a 429.
	m, _ := rc.User(rc.Member.ID) // the admin's resets logged the member out
	m.MFAEnabled = true
	rc.AddUser(m)
	member := rcClient(t, rc, m, log).WithTwoFactorCode(m.TOTPCode, rocketchat.TwoFactorTOTP)
	for range 10 {
		var fe *mfaclient.ForbiddenError
		require.ErrorAs(t, member.ResetMFA(bg, rc.Admin.ID), &fe, "the member lacks edit-other-user-totp")
	}
	last := log.all()[len(log.all())-1]
	assert.Equal(t, "0", last.Get("X-RateLimit-Remaining"), "the 10th call is allowed with Remaining 0")
	fresh := rcClient(t, rc, m, nil) // a client that has not learned the limit
	var rl *mfaclient.RateLimitError
	require.ErrorAs(t, fresh.ResetMFA(bg, rc.Admin.ID), &rl)
	assert.Equal(t, 10, rl.Limit)
	assert.Equal(t, 0, rl.Remaining)
	assert.Equal(t, 1, rc.RateLimited())

	// WithoutRateLimitBypass puts admins under the limit too.
	rc = mfatest.NewRocketChat(t, mfatest.WithoutRateLimitBypass(), mfatest.WithoutTwoFactorChallenge())
	admin = rcClient(t, rc, rc.Admin, nil)
	for range 10 {
		require.NoError(t, admin.ResetMFA(bg, rc.Member.ID))
	}
	require.ErrorAs(t, rcClient(t, rc, rc.Admin, nil).ResetMFA(bg, rc.Member.ID), &rl)

	// SetRateLimitBypass turns it back on at run time.
	rc.SetRateLimitBypass(true)
	require.NoError(t, rcClient(t, rc, rc.Admin, nil).ResetMFA(bg, rc.Member.ID))
}

// TestRocketChatClientBodySchema: a client whose body the route's schema
// refuses (an older or buggy client: a misspelt key, a number) gets
// invalid-params, and the caller's own TOTP is not reset.
func TestRocketChatClientBodySchema(t *testing.T) {
	for name, rewrite := range map[string]func([]byte) []byte{
		"misspelt key": func(b []byte) []byte { return bytes.Replace(b, []byte(`"userId"`), []byte(`"userid"`), 1) },
		"extra key":    func(b []byte) []byte { return bytes.Replace(b, []byte(`}`), []byte(`,"force":true}`), 1) },
		"number":       func([]byte) []byte { return []byte(`{"userId":12345}`) },
	} {
		rc := mfatest.NewRocketChat(t, mfatest.WithoutTwoFactorChallenge())
		err := rcClient(t, rc, rc.Admin, &headerLog{rewrite: rewrite}).ResetMFA(bg, rc.Member.ID)
		var apiErr *mfaclient.APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.ErrorIs(t, err, mfaclient.ErrClientDefect, name)
		assert.Equal(t, "invalid-params", apiErr.Code, name)
		assert.Contains(t, err.Error(), "client defect", name)
		assert.Empty(t, rc.ResetCounts(), "%s: nobody's TOTP was reset, the caller's least of all", name)
	}
}

func TestRocketChatClientIdentifiersNotTrimmed(t *testing.T) {
	rc := mfatest.NewRocketChat(t, mfatest.WithoutTwoFactorChallenge())
	c := rcClient(t, rc, rc.Admin, nil)
	err := c.ResetTOTP(bg, rocketchat.ResetTOTPRequest{Username: " alice "})
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.ErrorIs(t, err, mfaclient.ErrNotFound)
	assert.Equal(t, "error-invalid-user", apiErr.Code)
	require.NoError(t, c.ResetTOTP(bg, rocketchat.ResetTOTPRequest{Username: "ALICE"}), "case-insensitive, untrimmed")
	assert.Equal(t, map[string]int{rc.Member.ID: 1}, rc.ResetCounts())
}

func TestRocketChatClientSelfResetWipesToken(t *testing.T) {
	rc := mfatest.NewRocketChat(t, mfatest.WithoutTwoFactorChallenge())
	c := rcClient(t, rc, rc.Member, nil)
	require.NoError(t, c.ResetOwnMFA(bg))
	err := c.ResetOwnMFA(bg)
	assert.ErrorIs(t, err, mfaclient.ErrUnauthorized, "the caller's token was wiped")
	now, _ := rc.User(rc.Member.ID)
	require.NoError(t, rcClient(t, rc, now, nil).ResetOwnMFA(bg), "a new login works; TOTP is off, so nothing is wiped")
	require.NoError(t, rcClient(t, rc, now, nil).ResetOwnMFA(bg))
}

// TestRocketChatClientEmailChallenge: the email challenge mails a code
// (codeGenerated), which works once; the details are the current shape.
func TestRocketChatClientEmailChallenge(t *testing.T) {
	clk := &fakeClock{t: time.Date(2026, 2, 18, 10, 30, 0, 0, time.UTC)}
	rc := mfatest.NewRocketChat(t, mfatest.WithoutRateLimit(), mfatest.WithClock(clk.Now))
	admin, _ := rc.User(rc.Admin.ID)
	admin.MFAEnabled, admin.EmailTwoFactor = false, true
	rc.AddUser(admin)
	c := rcClient(t, rc, admin, nil)

	err := c.ResetMFA(bg, rc.Member.ID)
	ch, ok := rocketchat.Challenge(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, &rocketchat.ErrorDetails{Method: "email", CodeGenerated: true, EmailOrUsername: "admin", AvailableMethods: rocketchat.MethodList{"email"}}, ch)
	code, ok := rc.EmailCode(admin.ID)
	require.True(t, ok, "a code was mailed")

	// Asked again while the code is valid: no new mail, the expiry is given.
	ch, ok = rocketchat.Challenge(c.ResetMFA(bg, rc.Member.ID))
	require.True(t, ok)
	assert.False(t, ch.CodeGenerated)
	assert.Equal(t, rocketchat.ExpiryTimes{clk.Now().Add(time.Hour)}, ch.CodeExpires)
	again, _ := rc.EmailCode(admin.ID)
	assert.Equal(t, code, again)

	withCode := c.WithTwoFactorCode(code[:3]+"-"+code[3:], rocketchat.TwoFactorEmail) // as the mail shows it
	require.NoError(t, withCode.ResetMFA(bg, rc.Member.ID))
	err = withCode.ResetMFA(bg, rc.Member.ID)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "totp-invalid", apiErr.Code, "an email code works once")
	ch, ok = rocketchat.Challenge(err)
	require.True(t, ok)
	assert.True(t, ch.CodeGenerated, "the spent code is gone, so a new one was mailed")
	assert.Equal(t, rocketchat.MethodList{"email"}, ch.AvailableMethods)
	assert.Equal(t, 1, rc.Resets(rc.Member.ID))

	// The spent code was the new code's first wrong attempt; the fifth is
	// totp-max-attempts, which no code answers.
	wrong := c.WithTwoFactorCode("000000", rocketchat.TwoFactorEmail)
	for i := 2; i <= 5; i++ {
		err = wrong.ResetMFA(bg, rc.Member.ID)
		require.ErrorAs(t, err, &apiErr)
		if i < 5 {
			assert.Equal(t, "totp-invalid", apiErr.Code, "attempt %d", i)
		}
	}
	assert.Equal(t, "totp-max-attempts", apiErr.Code)
	assert.ErrorIs(t, err, mfaclient.ErrSecondFactorRequired)
	_, ok = rocketchat.Challenge(err)
	assert.False(t, ok, "not offered as a challenge")
	ch, ok = rocketchat.Challenge(c.ResetMFA(bg, rc.Member.ID))
	require.True(t, ok)
	assert.True(t, ch.CodeGenerated, "starting over mails a new code")
}

func TestRocketChatClientBackupCodeWorksOnce(t *testing.T) {
	rc := mfatest.NewRocketChat(t, mfatest.WithoutRateLimit())
	admin, _ := rc.User(rc.Admin.ID)
	admin.BackupCodes = []string{"a1b2c3d4", "e5f6a7b8"}
	rc.AddUser(admin)
	c := rcClient(t, rc, admin, nil).WithTwoFactorCode("a1b2c3d4", rocketchat.TwoFactorTOTP)
	require.NoError(t, c.ResetMFA(bg, rc.Member.ID))
	err := c.ResetMFA(bg, rc.Member.ID)
	ch, ok := rocketchat.Challenge(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, &rocketchat.ErrorDetails{Method: "totp", AvailableMethods: rocketchat.MethodList{"totp"}}, ch)
	var apiErr *mfaclient.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, "totp-invalid", apiErr.Code)
	now, _ := rc.User(rc.Admin.ID)
	assert.Equal(t, []string{"e5f6a7b8"}, now.BackupCodes)
	require.NoError(t, c.WithTwoFactorCode(rc.Admin.TOTPCode, rocketchat.TwoFactorTOTP).ResetMFA(bg, rc.Member.ID), "a TOTP code is reusable")
	require.NoError(t, c.WithTwoFactorCode(rc.Admin.TOTPCode, rocketchat.TwoFactorTOTP).ResetMFA(bg, rc.Member.ID))
}

func TestRocketChatClientLostAnswerOptions(t *testing.T) {
	rc := mfatest.NewRocketChat(t, mfatest.WithoutTwoFactorChallenge())
	c := rcClient(t, rc, rc.Member, nil)
	rc.LoseAnswer()
	err := c.ResetOwnMFA(bg)
	assert.ErrorIs(t, err, mfaclient.ErrNetwork)
	assert.Equal(t, 1, rc.Resets(rc.Member.ID), "the reset happened, its answer was lost")
	assert.ErrorIs(t, c.ResetOwnMFA(bg), mfaclient.ErrUnauthorized, "and it wiped the token")

	admin := rcClient(t, rc, rc.Admin, nil)
	rc.GatewayErrorAfter(http.StatusGatewayTimeout)
	err = admin.ResetMFA(bg, rc.Member.ID)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusGatewayTimeout, apiErr.StatusCode)
	assert.ErrorIs(t, err, mfaclient.ErrServer)
	assert.Equal(t, 2, rc.Resets(rc.Member.ID))
}

// fakeClock is a settable time source for WithClock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
