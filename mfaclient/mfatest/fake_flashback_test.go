package mfatest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func TestFlashbackAnswers(t *testing.T) {
	const (
		resetOK      = `{"success":true,"message":"MFA reset successfully"}`
		forbidden    = `{"success":false,"error":"Insufficient permissions. OWNER or ADMINISTRATOR role required to reset another user's MFA."}`
		notFound     = `{"success":false,"error":"User not found"}`
		unauthorized = `{"success":false,"error_code":"INVALID_TOKEN","message":"Invalid or expired token"}`
	)
	type user int
	const (
		nobody user = iota
		owner
		admin
		member
	)
	for name, tc := range map[string]struct {
		caller     user
		path, body string
		status     int
		want       string
		reset      user // whose MFA the request reset
	}{
		"self reset, no body":        {caller: member, path: "/mfa/reset", status: 200, want: resetOK, reset: member},
		"self reset, empty object":   {caller: member, body: `{}`, path: "/mfa/reset", status: 200, want: resetOK, reset: member},
		"self reset, empty id":       {caller: member, body: `{"resetUserId":""}`, path: "/mfa/reset", status: 200, want: resetOK, reset: member},
		"self reset by own id":       {caller: member, body: `{"resetUserId":"usr-member-3"}`, path: "/mfa/reset", status: 200, want: resetOK, reset: member},
		"owner resets member":        {caller: owner, body: `{"resetUserId":"usr-member-3"}`, path: "/mfa/reset", status: 200, want: resetOK, reset: member},
		"administrator resets owner": {caller: admin, body: `{"resetUserId":"usr-owner-1"}`, path: "/mfa/reset", status: 200, want: resetOK, reset: owner},
		"member resets owner":        {caller: member, body: `{"resetUserId":"usr-owner-1"}`, path: "/mfa/reset", status: 403, want: forbidden},
		"member resets unknown":      {caller: member, body: `{"resetUserId":"ghost"}`, path: "/mfa/reset", status: 403, want: forbidden},
		"admin resets unknown":       {caller: admin, body: `{"resetUserId":"ghost"}`, path: "/mfa/reset", status: 404, want: notFound},
		"no token":                   {caller: nobody, path: "/mfa/reset", status: 401, want: unauthorized},
		"bad JSON":                   {caller: admin, body: `{"resetUserId":`, path: "/mfa/reset", status: 400, want: `{"success":false,"error":"Invalid request body"}`},
		"primary":                    {caller: member, body: `{"mfaType":"MAGIC_LINK"}`, path: "/mfa/primary", status: 200, want: `{"success":true,"message":"Primary MFA method updated"}`},
		"primary, invalid type":      {caller: member, body: `{"mfaType":"SMS"}`, path: "/mfa/primary", status: 400, want: `{"success":false,"error":"Invalid mfaType"}`},
		"primary, no body":           {caller: member, path: "/mfa/primary", status: 400, want: `{"success":false,"error":"Invalid mfaType"}`},
		"primary, no token":          {caller: nobody, body: `{"mfaType":"PASSKEY"}`, path: "/mfa/primary", status: 401, want: unauthorized},
		"unknown route":              {caller: member, path: "/mfa/status", status: 404, want: `{"success":false,"error":"Not found"}`},
	} {
		t.Run(name, func(t *testing.T) {
			fb := mfatest.NewFlashback(t)
			users := map[user]mfatest.FakeUser{owner: fb.Owner, admin: fb.Admin, member: fb.Member}
			var headers []string
			if tc.caller != nobody {
				headers = bearer(users[tc.caller])
			}
			got := send(t, http.MethodPost, fb.URL()+tc.path, tc.body, headers...)
			assert.Equal(t, tc.status, got.status)
			assert.Equal(t, tc.want, got.body)
			assert.Equal(t, "application/json", got.header.Get("Content-Type"))

			for u, seeded := range users {
				now, ok := fb.User(seeded.ID)
				require.True(t, ok)
				wasReset := u == tc.reset
				assert.Equal(t, !wasReset, now.MFAEnabled, "user %s MFA", seeded.ID)
				assert.Equal(t, map[bool]int{true: 1}[wasReset], fb.Resets(seeded.ID), "user %s resets", seeded.ID)
				wantPrimary := "GOOGLE_AUTH"
				switch {
				case wasReset:
					wantPrimary = ""
				case u == member && tc.status == 200 && tc.path == "/mfa/primary":
					wantPrimary = "MAGIC_LINK"
				}
				assert.Equal(t, wantPrimary, now.PrimaryMethod, "user %s primary", seeded.ID)
			}
		})
	}
}

func TestFlashbackBadTokenAndResetOfResetUser(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	got := send(t, http.MethodPost, fb.URL()+"/mfa/reset", "", "Authorization", "Bearer wrong")
	assert.Equal(t, 401, got.status)
	got = send(t, http.MethodPost, fb.URL()+"/mfa/reset", "", "Authorization", fb.Member.Token) // no "Bearer "
	assert.Equal(t, 401, got.status)

	// Flashback documents no error for a user whose MFA is already off.
	for range 2 {
		got = send(t, http.MethodPost, fb.URL()+"/mfa/reset", `{"resetUserId":"usr-member-3"}`, bearer(fb.Admin)...)
		assert.Equal(t, 200, got.status)
	}
	assert.Equal(t, map[string]int{fb.Member.ID: 2}, fb.ResetCounts())
}
