package mfatest_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

const rcPath = "/api/v1/users.resetTOTP"

// rcAuth is the credential headers of u, plus a 2FA code and method when
// given.
func rcAuth(u mfatest.FakeUser, twoFactor ...string) []string {
	h := []string{"X-User-Id", u.ID, "X-Auth-Token", u.Token, "Content-Type", "application/json"}
	if len(twoFactor) == 2 {
		h = append(h, "x-2fa-code", twoFactor[0], "x-2fa-method", twoFactor[1])
	}
	return h
}

func rcTOTP(u mfatest.FakeUser) []string { return rcAuth(u, u.TOTPCode, "totp") }

func TestRocketChat401Bodies(t *testing.T) {
	for variant, want := range map[mfatest.RocketChat401]string{
		mfatest.RocketChat401Pre9: `{"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}`,
		mfatest.RocketChat401V9:   `{"success":false,"error":"You must be logged in to do this."}`,
		mfatest.RocketChat401Docs: `{"status":"error","message":"You must be logged in to do this."}`,
	} {
		rc := mfatest.NewRocketChat(t, mfatest.WithRocketChat401(variant))
		for _, headers := range [][]string{
			nil,
			{"X-User-Id", rc.Admin.ID},
			{"X-User-Id", rc.Admin.ID, "X-Auth-Token", rc.Member.Token},
		} {
			got := send(t, http.MethodPost, rc.URL()+rcPath, "", headers...)
			assert.Equal(t, 401, got.status)
			assert.Equal(t, want, got.body)
			assert.Empty(t, got.header.Values("X-RateLimit-Limit"), "authentication comes before the rate limit")
		}
	}
}

func TestRocketChatTwoFactorChallenge(t *testing.T) {
	required := func(method, available string) string {
		return `{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"` +
			method + `","codeGenerated":false,"availableMethods":[` + available + `]}}`
	}
	invalid := func(method, available string) string {
		return `{"success":false,"error":"TOTP Invalid [totp-invalid]","errorType":"totp-invalid","details":{"method":"` +
			method + `","codeGenerated":false,"availableMethods":[` + available + `]}}`
	}
	rc := mfatest.NewRocketChat(t, mfatest.WithoutRateLimit())
	url := rc.URL() + rcPath
	admin := rc.Admin
	body := `{"userId":"` + rc.Member.ID + `"}`

	for name, tc := range map[string]struct {
		headers []string
		want    string
	}{
		"no code":                      {rcAuth(admin), required("totp", `"totp"`)},
		"method without code":          {append(rcAuth(admin), "x-2fa-method", "totp"), required("totp", `"totp"`)},
		"wrong code":                   {rcAuth(admin, "000000x", "totp"), invalid("totp", `"totp"`)},
		"code without method":          {append(rcAuth(admin), "x-2fa-code", "nope"), invalid("totp", `"totp"`)},
		"password method selects totp": {rcAuth(admin, mfatest.PasswordCode(admin.Password), "password"), invalid("totp", `"totp"`)},
	} {
		got := send(t, http.MethodPost, url, body, tc.headers...)
		assert.Equal(t, 400, got.status, name)
		assert.Equal(t, tc.want, got.body, name)
	}
	assert.Equal(t, 0, rc.Resets(rc.Member.ID))

	got := send(t, http.MethodPost, url, body, rcTOTP(admin)...)
	assert.Equal(t, answer{200, got.header, `{"success":true}`}, got)
	assert.Equal(t, 1, rc.Resets(rc.Member.ID))

	// Without TOTP the password fallback applies: the code is the
	// SHA-256 hex of the password, in either case.
	require.NoError(t, rc.SetMFA(admin.ID, false))
	got = send(t, http.MethodPost, url, body, rcAuth(admin)...)
	assert.Equal(t, required("password", ""), got.body)
	got = send(t, http.MethodPost, url, body, rcAuth(admin, admin.TOTPCode, "password")...)
	assert.Equal(t, invalid("password", ""), got.body)
	got = send(t, http.MethodPost, url, body, rcAuth(admin, strings.ToUpper(mfatest.PasswordCode(admin.Password)), "password")...)
	assert.Equal(t, 200, got.status)
	got = send(t, http.MethodPost, url, body, append(rcAuth(admin), "x-2fa-code", mfatest.PasswordCode(admin.Password))...)
	assert.Equal(t, 200, got.status, "the method defaults to the fallback")

	// A user without a password is not challenged at all.
	nopass := rc.AddUser(mfatest.FakeUser{ID: "nopass", Username: "np", Role: "user"})
	assert.Equal(t, 200, send(t, http.MethodPost, url, "", rcAuth(nopass)...).status)
}

func TestRocketChatHandlerAnswers(t *testing.T) {
	const (
		notAllowed  = `{"success":false,"error":"Not allowed [error-not-allowed]","errorType":"error-not-allowed"}`
		invalidUser = `{"success":false,"error":"The required \"userId\" or \"username\" param provided does not match any users [error-invalid-user]","errorType":"error-invalid-user"}`
		noParam     = `{"success":false,"error":"The required \"userId\" or \"username\" param was not provided [error-user-param-not-provided]","errorType":"error-user-param-not-provided"}`
		ok          = `{"success":true}`
		extraKey    = `{"success":false,"errorType":"invalid-params","error":"must NOT have additional properties"}`
		notString   = `{"success":false,"errorType":"invalid-params","error":"must be string"}`
		notObject   = `{"success":false,"errorType":"invalid-params","error":"must be object"}`
	)
	for name, tc := range map[string]struct {
		asMember bool
		body     string
		form     bool // sent as a form instead of JSON
		text     bool // sent without a Content-Type
		status   int
		want     string
		reset    string // "admin", "member" or ""
	}{
		"by userId":                {body: `{"userId":"GonjPyg3gB3Z9ur9s"}`, status: 200, want: ok, reset: "member"},
		"by username":              {body: `{"username":"ALICE"}`, status: 200, want: ok, reset: "member"},
		"by user":                  {body: `{"user":"alice"}`, status: 200, want: ok, reset: "member"},
		"userId wins":              {body: `{"userId":"nope","username":"alice"}`, status: 400, want: invalidUser},
		"empty userId skipped":     {body: `{"userId":" ","username":"alice"}`, status: 200, want: ok, reset: "member"},
		"unknown userId":           {body: `{"userId":"nope"}`, status: 400, want: invalidUser},
		"unknown username":         {body: `{"username":"bob"}`, status: 400, want: invalidUser},
		"empty param":              {body: `{"userId":""}`, status: 400, want: noParam},
		"self, no body":            {status: 200, want: ok, reset: "admin"},
		"self, empty object":       {body: `{}`, status: 200, want: ok, reset: "admin"},
		"misspelt key":             {body: `{"userid":"GonjPyg3gB3Z9ur9s"}`, status: 400, want: extraKey},
		"self, other keys":         {body: `{"foo":"bar"}`, status: 400, want: extraKey},
		"extra key with userId":    {body: `{"userId":"GonjPyg3gB3Z9ur9s","force":true}`, status: 400, want: extraKey},
		"number userId":            {body: `{"userId":12345}`, status: 400, want: notString},
		"array body":               {body: `["GonjPyg3gB3Z9ur9s"]`, status: 400, want: notObject},
		"null body":                {body: `null`, status: 200, want: ok, reset: "admin"},
		"unparsable JSON":          {body: `{"userId":`, status: 200, want: ok, reset: "admin"},
		"untrimmed username":       {body: `{"username":" alice "}`, status: 400, want: invalidUser},
		"untrimmed userId":         {body: `{"userId":" GonjPyg3gB3Z9ur9s"}`, status: 400, want: invalidUser},
		"blank username":           {body: `{"username":"  "}`, status: 400, want: noParam},
		"user alias, blank userId": {body: `{"userId":"","user":"ALICE"}`, status: 200, want: ok, reset: "member"},
		"form body":                {body: `username=alice`, form: true, status: 200, want: ok, reset: "member"},
		"form body, other key":     {body: `userid=alice`, form: true, status: 400, want: extraKey},
		"text body":                {body: `{"userId":"GonjPyg3gB3Z9ur9s"}`, text: true, status: 400, want: extraKey},
		"no permission":            {asMember: true, body: `{"userId":"rbAXPnMktTFbNpwtJ"}`, status: 400, want: notAllowed},
		"no permission, no user":   {asMember: true, body: `{"userId":"nope"}`, status: 400, want: notAllowed},
		"self without permission":  {asMember: true, body: `{}`, status: 200, want: ok, reset: "member"},
	} {
		t.Run(name, func(t *testing.T) {
			rc := mfatest.NewRocketChat(t)
			caller := rc.Admin
			if tc.asMember {
				caller = rc.Member
			}
			headers := rcTOTP(caller)
			switch {
			case tc.form:
				headers = append(headers, "Content-Type", "application/x-www-form-urlencoded")
			case tc.text:
				headers = append(headers, "Content-Type", "")
			}
			got := send(t, http.MethodPost, rc.URL()+rcPath, tc.body, headers...)
			assert.Equal(t, tc.status, got.status)
			assert.Equal(t, tc.want, got.body)
			if strings.Contains(got.body, "invalid-params") {
				assert.Empty(t, got.header.Values("X-RateLimit-Limit"), "the body schema is checked before the rate limit")
			} else if tc.asMember {
				assert.Equal(t, "9", got.header.Get("X-RateLimit-Remaining"), "a member is rate limited")
			} else {
				assert.Empty(t, got.header.Values("X-RateLimit-Limit"), "an admin bypasses the rate limiter")
			}
			for name, seeded := range map[string]mfatest.FakeUser{"admin": rc.Admin, "member": rc.Member} {
				now, _ := rc.User(seeded.ID)
				wasReset := name == tc.reset
				assert.Equal(t, !wasReset, now.MFAEnabled, name)
				assert.Equal(t, map[bool]int{true: 1}[wasReset], rc.Resets(seeded.ID), name)
				// Resetting TOTP logs the user out everywhere.
				assert.Equal(t, wasReset, now.Token != seeded.Token, name)
			}
		})
	}
}

func TestRocketChatResetIsIdempotentAndLogsOut(t *testing.T) {
	rc := mfatest.NewRocketChat(t, mfatest.WithoutTwoFactorChallenge())
	url := rc.URL() + rcPath
	assert.Equal(t, 200, send(t, http.MethodPost, url, "", rcAuth(rc.Member)...).status)
	assert.Equal(t, 401, send(t, http.MethodPost, url, "", rcAuth(rc.Member)...).status, "the old token is gone")
	member, _ := rc.User(rc.Member.ID)
	assert.Equal(t, 200, send(t, http.MethodPost, url, "", rcAuth(member)...).status, "a reset without TOTP succeeds")
	member2, _ := rc.User(rc.Member.ID)
	assert.Equal(t, member.Token, member2.Token, "nothing changed, nobody is logged out")
	assert.Equal(t, 2, rc.Resets(rc.Member.ID))
}

func TestRocketChatTwoFactorSettingOff(t *testing.T) {
	rc := mfatest.NewRocketChat(t, mfatest.WithTwoFactorDisabled())
	url := rc.URL() + rcPath
	got := send(t, http.MethodPost, url, `{"username":"alice"}`, rcAuth(rc.Admin)...)
	assert.Equal(t, 400, got.status)
	assert.Equal(t, `{"success":false,"error":"Two factor authentication is not enabled [error-two-factor-not-enabled]","errorType":"error-two-factor-not-enabled"}`, got.body)
	got = send(t, http.MethodPost, url, `{"username":"alice"}`, rcAuth(rc.Member)...)
	assert.Equal(t, `{"success":false,"error":"Not allowed [error-not-allowed]","errorType":"error-not-allowed"}`, got.body, "permission comes first")
	assert.Equal(t, 200, send(t, http.MethodPost, url, "", rcAuth(rc.Member)...).status, "self-reset needs neither")

	rc.SetTwoFactorEnabled(true)
	got = send(t, http.MethodPost, url, `{"username":"alice"}`, rcAuth(rc.Admin)...)
	assert.Equal(t, "totp-required", errorType(got.body))
}

func errorType(body string) string {
	_, after, _ := strings.Cut(body, `"errorType":"`)
	typ, _, _ := strings.Cut(after, `"`)
	return typ
}

func TestRocketChatRateLimiter(t *testing.T) {
	clk := newClock()
	rc := mfatest.NewRocketChat(t, mfatest.WithClock(clk.Now), mfatest.WithoutRateLimitBypass())
	url := rc.URL() + rcPath
	resetMS := strconv.FormatInt(clk.Now().Add(time.Minute).UnixMilli(), 10)
	for i := range 10 {
		// Every challenge round-trip costs a call: the limiter runs
		// before the 2FA check.
		got := send(t, http.MethodPost, url, `{"username":"alice"}`, rcAuth(rc.Admin)...)
		require.Equal(t, 400, got.status)
		assert.Equal(t, "10", got.header.Get("X-RateLimit-Limit"))
		assert.Equal(t, strconv.Itoa(9-i), got.header.Get("X-RateLimit-Remaining"))
		assert.Equal(t, resetMS, got.header.Get("X-RateLimit-Reset"))
		assert.Empty(t, got.header.Values("Retry-After"))
	}
	clk.Add(18*time.Second + 100*time.Millisecond)
	got := send(t, http.MethodPost, url, `{"username":"alice"}`, rcTOTP(rc.Admin)...)
	assert.Equal(t, 429, got.status)
	assert.Equal(t, `{"success":false,"error":"Error, too many requests. Please slow down. You must wait 42 seconds before trying this endpoint again. [error-too-many-requests]"}`, got.body)
	assert.Equal(t, "0", got.header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, resetMS, got.header.Get("X-RateLimit-Reset"))
	assert.Empty(t, got.header.Values("Retry-After"))
	assert.Equal(t, 0, rc.Resets(rc.Member.ID))
	assert.Equal(t, 1, rc.RateLimited())

	clk.Add(42 * time.Second)
	got = send(t, http.MethodPost, url, `{"username":"alice"}`, rcTOTP(rc.Admin)...)
	assert.Equal(t, 200, got.status)
	assert.Equal(t, "9", got.header.Get("X-RateLimit-Remaining"))
	assert.Equal(t, 12, rc.Requests())
}

func TestRocketChatRateLimitOptions(t *testing.T) {
	rc := mfatest.NewRocketChat(t, mfatest.WithoutRateLimit(), mfatest.WithoutTwoFactorChallenge())
	got := send(t, http.MethodPost, rc.URL()+rcPath, `{"userId":"nope"}`, rcAuth(rc.Admin)...)
	assert.Equal(t, 400, got.status)
	assert.Empty(t, got.header.Values("X-RateLimit-Limit"))

	rc = mfatest.NewRocketChat(t, mfatest.WithRateLimit(1, time.Hour, mfatest.HintRateLimitHeaders), mfatest.WithoutTwoFactorChallenge(), mfatest.WithoutRateLimitBypass())
	assert.Equal(t, 400, send(t, http.MethodPost, rc.URL()+rcPath, `{"userId":"nope"}`, rcAuth(rc.Admin)...).status)
	got = send(t, http.MethodPost, rc.URL()+rcPath, `{"userId":"nope"}`, rcAuth(rc.Admin)...)
	assert.Equal(t, 429, got.status)
	assert.Equal(t, "1", got.header.Get("X-RateLimit-Limit"))
}

func TestRocketChatUnknownRoute(t *testing.T) {
	rc := mfatest.NewRocketChat(t)
	got := send(t, http.MethodGet, rc.URL()+rcPath, "", rcAuth(rc.Admin)...)
	assert.Equal(t, 404, got.status)
	assert.Equal(t, `{"success":false,"error":"Not Found"}`, got.body)
}
