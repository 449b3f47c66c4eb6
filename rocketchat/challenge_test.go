package rocketchat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// TestNeutralChallenge: a program that knows only mfaclient reaches the
// challenge with errors.As and answers it through SecondFactorAnswerer.
func TestNeutralChallenge(t *testing.T) {
	fake := mfatest.NewRocketChat(t, mfatest.WithoutRateLimit())
	admin, _ := fake.User(fake.Admin.ID)
	admin.MFAEnabled, admin.EmailTwoFactor = false, true
	fake.AddUser(admin)
	c, err := rocketchat.New(fake.URL(), rocketchat.Credentials{UserID: admin.ID, AuthToken: admin.Token})
	require.NoError(t, err)
	var r mfaclient.Resetter = c
	ctx := context.Background()

	err = r.ResetMFA(ctx, fake.Member.ID)
	var ch *mfaclient.SecondFactorChallenge
	require.ErrorAs(t, err, &ch)
	assert.Equal(t, &mfaclient.SecondFactorChallenge{Provider: "rocketchat", Method: "email", AvailableMethods: []string{"email"}, CodeSent: true, Recipient: "admin"}, ch)
	assert.True(t, onlyClass(err, mfaclient.ErrSecondFactorRequired), "still exactly one class: %v", err)

	a, ok := r.(mfaclient.SecondFactorAnswerer)
	require.True(t, ok)
	code, ok := fake.EmailCode(admin.ID)
	require.True(t, ok)
	answered := a.WithSecondFactor(ch, code)
	require.NoError(t, answered.ResetMFA(ctx, fake.Member.ID))
	_, isClient := answered.(*rocketchat.Client)
	assert.True(t, isClient, "the answer is a Resetter of the same provider")
	assert.Equal(t, 1, fake.Resets(fake.Member.ID))

	// The original is unchanged: asked again, while no code is pending.
	err = r.ResetMFA(ctx, fake.Member.ID)
	require.ErrorAs(t, err, &ch)
	assert.True(t, ch.CodeSent)
	// Asked again, the pending code's expiry is given.
	require.ErrorAs(t, r.ResetMFA(ctx, fake.Member.ID), &ch)
	assert.False(t, ch.CodeSent)
	assert.WithinDuration(t, time.Now().Add(time.Hour), ch.CodeExpires, time.Minute)
}

func TestNeutralChallengeNotOffered(t *testing.T) {
	for name, tc := range map[string]struct {
		status int
		body   string
	}{
		"too many attempts":             {400, `{"success":false,"error":"TOTP Maximun Failed Attempts Reached [totp-max-attempts]","errorType":"totp-max-attempts","details":{"method":"email","codeGenerated":false,"availableMethods":["email"]}}`},
		"not allowed":                   {400, `{"success":false,"error":"Not allowed [error-not-allowed]","errorType":"error-not-allowed"}`},
		"a 401":                         {401, `{"success":false,"error":"You must be logged in to do this."}`},
		"a 500 that says totp-required": {500, `{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required"}`},
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, tc.status, tc.body) }))
		t.Cleanup(ts.Close)
		c, err := rocketchat.New(ts.URL, testCreds, mfaclient.WithRetry(mfaclient.RetryPolicy{}))
		require.NoError(t, err)
		err = c.ResetMFA(context.Background(), "GonjPyg3gB3Z9ur9s")
		require.Error(t, err, name)
		var ch *mfaclient.SecondFactorChallenge
		assert.False(t, errors.As(err, &ch), "%s: no challenge to answer", name)
	}
}

func TestWithSecondFactor(t *testing.T) {
	rec, ts := newServer(t, `{"success":true}`)
	c, err := rocketchat.New(ts.URL, testCreds)
	require.NoError(t, err)
	ctx := context.Background()
	const password = "correct horse battery staple"

	require.NoError(t, c.WithSecondFactor(&mfaclient.SecondFactorChallenge{Method: "password"}, password).ResetMFA(ctx, "u1"))
	require.NoError(t, c.WithSecondFactor(&mfaclient.SecondFactorChallenge{Method: "email"}, "481516").ResetMFA(ctx, "u1"))
	for name, r := range map[string]mfaclient.Resetter{
		"no challenge":   c.WithSecondFactor(nil, "481516"),
		"no method":      c.WithSecondFactor(&mfaclient.SecondFactorChallenge{}, "481516"),
		"empty code":     c.WithSecondFactor(&mfaclient.SecondFactorChallenge{Method: "totp"}, ""),
		"unknown method": c.WithSecondFactor(&mfaclient.SecondFactorChallenge{Method: "sms"}, "481516"),
	} {
		assert.ErrorIs(t, r.ResetMFA(ctx, "u1"), mfaclient.ErrInvalidInput, name)
	}
	require.Len(t, rec.reqs, 2, "the invalid answers sent nothing")
	assert.Equal(t, "password", rec.reqs[0].Header.Get("x-2fa-method"))
	assert.Equal(t, mfatest.PasswordCode(password), rec.reqs[0].Header.Get("x-2fa-code"), "the SHA-256 digest, not the password")
	assert.Equal(t, "email", rec.reqs[1].Header.Get("x-2fa-method"))
	assert.Equal(t, "481516", rec.reqs[1].Header.Get("x-2fa-code"))
	require.NoError(t, c.ResetMFA(ctx, "u1"))
	assert.Empty(t, rec.reqs[2].Header.Values("x-2fa-code"), "the original client is unchanged")
}

// TestNeutralChallengeWithoutDetails: a challenge whose details do not say
// the method is still a challenge, with Method "": WithSecondFactor does not
// guess one.
func TestNeutralChallengeWithoutDetails(t *testing.T) {
	rec := &received{}
	var n atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeJSON(w, http.StatusBadRequest, `{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required"}`)
			return
		}
		rec.handler(`{"success":true}`)(w, r)
	}))
	t.Cleanup(ts.Close)
	c, err := rocketchat.New(ts.URL, testCreds)
	require.NoError(t, err)
	err = c.ResetMFA(context.Background(), "u1")
	var ch *mfaclient.SecondFactorChallenge
	require.ErrorAs(t, err, &ch)
	assert.Equal(t, &mfaclient.SecondFactorChallenge{Provider: "rocketchat"}, ch)
	assert.ErrorIs(t, c.WithSecondFactor(ch, "148750").ResetMFA(context.Background(), "u1"), mfaclient.ErrInvalidInput)
	assert.Empty(t, rec.reqs, "nothing sent on a guess")
}
