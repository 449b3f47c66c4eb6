package mfatest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// RocketChat401 selects which of Rocket.Chat's 401 bodies a fake sends.
type RocketChat401 int

const (
	// RocketChat401Pre9 is the body before 9.0:
	// {"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}
	RocketChat401Pre9 RocketChat401 = iota
	// RocketChat401V9 is the body from 9.0:
	// {"success":false,"error":"You must be logged in to do this."}
	RocketChat401V9
	// RocketChat401Docs is the documented (Restivus) body:
	// {"status":"error","message":"You must be logged in to do this."}
	RocketChat401Docs
)

var rocketChat401Bodies = [...]string{
	RocketChat401Pre9: `{"success":false,"error":"You must be logged in to do this.","status":"error","message":"You must be logged in to do this."}`,
	RocketChat401V9:   `{"success":false,"error":"You must be logged in to do this."}`,
	RocketChat401Docs: `{"status":"error","message":"You must be logged in to do this."}`,
}

// WithRocketChat401 selects the Rocket.Chat 401 body (RocketChat401Pre9 by
// default). Other fakes ignore it.
func WithRocketChat401(body RocketChat401) FakeOption {
	return func(c *fakeConfig) { c.rc401 = body }
}

// WithoutTwoFactorChallenge makes Rocket.Chat skip the 2FA challenge, as it
// does for a personal access token with "bypass two factor". The workspace
// 2FA setting stays on. Other fakes ignore it.
func WithoutTwoFactorChallenge() FakeOption {
	return func(c *fakeConfig) { c.noChallenge = true }
}

// WithTwoFactorDisabled turns Rocket.Chat's workspace setting "Enable Two
// Factor Authentication" off: no challenge, and resetting another user
// answers error-two-factor-not-enabled. Other fakes ignore it.
func WithTwoFactorDisabled() FakeOption {
	return func(c *fakeConfig) { c.twoFactorDisabled = true }
}

// WithoutRateLimitBypass takes the api-bypass-rate-limit permission from
// the admin role, as a workspace administrator can: admins are then rate
// limited like everyone else. Other fakes ignore it.
func WithoutRateLimitBypass() FakeOption {
	return func(c *fakeConfig) { c.noBypass = true }
}

// RocketChatFake is a fake Rocket.Chat server serving
// POST /api/v1/users.resetTOTP as its docs
// (https://developer.rocket.chat/apidocs/reset-users-totp) and Rocket.Chat's
// source (apps/meteor/server/api/v1/users.ts, server/api/ApiClass.ts,
// server/lib/2fa/, packages/http-router/src/Router.ts) describe it.
//
// Callers authenticate with X-User-Id (FakeUser.ID) and X-Auth-Token
// (FakeUser.Token). Each request goes through Rocket.Chat's steps in order:
//
//  1. authentication (401);
//  2. the route's body schema: a JSON object with only string userId,
//     username and user; anything else is 400 invalid-params (a misspelt
//     key does not fall back to a self-reset);
//  3. the rate limit (10 per 60 s by default; X-RateLimit-* headers on every
//     answer, reset in epoch milliseconds, no Retry-After), which the admin
//     role bypasses: no headers, never a 429 (WithoutRateLimitBypass);
//  4. the 2FA challenge (headers x-2fa-code and x-2fa-method);
//  5. the handler: the edit-other-user-totp permission (role "admin"), the
//     workspace 2FA setting, the user lookup (userId, else username, else
//     user; blank counts as absent, values are not trimmed), then the reset.
//
// A reset turns TOTP off and succeeds even when it was off; when it was on,
// the user is logged out everywhere, so its Token changes (read it again
// with User): after a self-reset the caller's own token answers 401.
//
// The challenge's method is x-2fa-method when it names "totp" or "email",
// else the user's first of TOTP (MFAEnabled) and email (EmailTwoFactor),
// else "password" when the user has one, else there is no challenge. TOTP
// accepts FakeUser.TOTPCode again and again, and each of BackupCodes once;
// "password" accepts the lowercase hex SHA-256 of FakeUser.Password. Email
// mails a code (read it with EmailCode) when there is no unexpired one
// (codeGenerated true), accepts it once, and after 5 wrong codes answers
// totp-max-attempts, then mails a new one on the next call.
type RocketChatFake struct {
	*Fake
	// The seeded users as they were at start (User has their current
	// state). Both have TOTP on and a password.
	Admin  FakeUser // role admin: holds edit-other-user-totp
	Member FakeUser // role user, username "alice"

	body401     []byte
	noChallenge bool
	noBypass    atomic.Bool // the admin role lost api-bypass-rate-limit
	twoFactor   atomic.Bool // the workspace setting

	mailMu sync.Mutex
	mail   map[string]*emailCode // the current email code, by user ID
}

const rocketChatResetPath = "/api/v1/users.resetTOTP"

// rocketChatError is Rocket.Chat's failure body for a Meteor.Error.
type rocketChatError struct {
	Success   bool   `json:"success"`
	Error     string `json:"error"`
	ErrorType string `json:"errorType,omitempty"`
	Details   any    `json:"details,omitempty"`
}

// rocketChatSchemaError is the router's body for a body its schema refuses
// (packages/http-router/src/Router.ts): errorType before error.
type rocketChatSchemaError struct {
	Success   bool   `json:"success"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
}

// StartRocketChat starts a fake Rocket.Chat server with two seeded users.
// The caller must Close it.
func StartRocketChat(opts ...FakeOption) (*RocketChatFake, error) {
	cfg := newConfig(opts, WithRateLimit(10, time.Minute, HintRateLimitHeaders))
	rc := &RocketChatFake{
		body401:     []byte(rocketChat401Bodies[cfg.rc401]),
		noChallenge: cfg.noChallenge,
		mail:        make(map[string]*emailCode),
	}
	rc.noBypass.Store(cfg.noBypass)
	rc.twoFactor.Store(!cfg.twoFactorDisabled)
	f, err := newFake(cfg, rc.errorBody)
	if err != nil {
		return nil, err
	}
	rc.Fake = f
	rc.Admin = f.AddUser(FakeUser{ID: "rbAXPnMktTFbNpwtJ", Username: "admin", Role: "admin", MFAEnabled: true, Password: randomHex(8)})
	rc.Member = f.AddUser(FakeUser{ID: "GonjPyg3gB3Z9ur9s", Username: "alice", Role: "user", MFAEnabled: true, Password: randomHex(8)})
	f.serve(rc.handle)
	return rc, nil
}

// NewRocketChat is StartRocketChat for tests: it fails t on error and
// closes the fake when t ends.
func NewRocketChat(t testing.TB, opts ...FakeOption) *RocketChatFake {
	t.Helper()
	return startForTest(t, func() (*RocketChatFake, error) { return StartRocketChat(opts...) })
}

// SetTwoFactorEnabled changes the workspace 2FA setting (see
// WithTwoFactorDisabled).
func (rc *RocketChatFake) SetTwoFactorEnabled(on bool) { rc.twoFactor.Store(on) }

// SetRateLimitBypass changes whether the admin role bypasses the rate
// limiter (true at start unless WithoutRateLimitBypass): a test that wants
// to see an admin client rate limited turns it off.
func (rc *RocketChatFake) SetRateLimitBypass(on bool) { rc.noBypass.Store(!on) }

// PasswordCode is the x-2fa-code for method "password": the lowercase hex
// SHA-256 of the password.
func PasswordCode(password string) string {
	sum := sha256.Sum256([]byte(password))
	return hex.EncodeToString(sum[:])
}

func (rc *RocketChatFake) handle(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != rocketChatResetPath {
		rc.replyJSON(w, http.StatusNotFound, rocketChatError{Error: "Not Found"}) // undocumented
		return
	}
	caller, ok := rc.byCredentials(r)
	if !ok {
		rc.reply(w, http.StatusUnauthorized, rc.body401)
		return
	}
	params, problem := readParams(r)
	if problem != "" {
		rc.replyJSON(w, http.StatusBadRequest, rocketChatSchemaError{ErrorType: "invalid-params", Error: problem})
		return
	}
	if !rc.bypassesRateLimit(caller) && !rc.allow(w, r) {
		return
	}
	if !rc.checkTwoFactor(w, r, caller) {
		return
	}
	target := caller.ID
	if params != nil {
		if caller.Role != "admin" {
			rc.fail(w, "error-not-allowed", "Not allowed", nil)
			return
		}
		if !rc.twoFactor.Load() {
			rc.fail(w, "error-two-factor-not-enabled", "Two factor authentication is not enabled", nil)
			return
		}
		var errorType, reason string
		if target, errorType, reason = rc.lookup(params); target == "" {
			rc.fail(w, errorType, reason, nil)
			return
		}
	}
	if u, _ := rc.User(target); u.Federated {
		rc.fail(w, "error-not-allowed", "Federated Users cant have TOTP", map[string]string{"function": "resetTOTP"})
		return
	}
	rc.resetUser(target, false, true)
	rc.reply(w, http.StatusOK, []byte(`{"success":true}`))
}

// bypassesRateLimit: the admin role (with bot and app) holds
// api-bypass-rate-limit by default (upsertPermissions.ts), and ApiClass's
// shouldVerifyRateLimit skips the limiter, headers included, for it.
func (rc *RocketChatFake) bypassesRateLimit(caller FakeUser) bool {
	switch caller.Role {
	case "admin", "bot", "app":
		return !rc.noBypass.Load()
	}
	return false
}

// byCredentials returns the user whose X-User-Id and X-Auth-Token match.
func (rc *RocketChatFake) byCredentials(r *http.Request) (FakeUser, bool) {
	id, token := r.Header.Get("X-User-Id"), r.Header.Get("X-Auth-Token")
	u, ok := rc.User(id)
	if !ok || token == "" || u.Token != token {
		return FakeUser{}, false
	}
	return u, true
}

// userKeys are the only keys the route's body schema allows, each a string.
var userKeys = []string{"userId", "username", "user"}

// readParams applies the route's body schema and returns the user keys the
// body has (nil when it names none: a self-reset), or the schema's message.
// It reads the body as Rocket.Chat's router (parseBodyParams) does, by
// Content-Type: JSON, where a body that does not parse counts as {} (the
// error is swallowed) and so does null; a form; anything else as text,
// which, unless empty, spreads into {"0": ..., "1": ...} and fails the
// schema. Values are kept as sent.
func readParams(r *http.Request) (map[string]string, string) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || len(body) == 0 {
		return nil, ""
	}
	ct := r.Header.Get("Content-Type")
	switch {
	case strings.Contains(ct, "multipart/form-data"):
		return nil, ""
	case strings.Contains(ct, "application/x-www-form-urlencoded"):
		return formParams(body)
	case !strings.Contains(ct, "application/json"):
		return nil, "must NOT have additional properties"
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil, ""
	}
	raw, isObject := v.(map[string]any)
	switch {
	case v == nil:
		return nil, ""
	case !isObject:
		return nil, "must be object"
	}
	var params map[string]string
	for k, val := range raw {
		if !isUserKey(k) {
			return nil, "must NOT have additional properties"
		}
		s, ok := val.(string)
		if !ok {
			return nil, "must be string"
		}
		if params == nil {
			params = make(map[string]string)
		}
		params[k] = s
	}
	return params, ""
}

// formParams is readParams for a form body: every value is a string.
func formParams(body []byte) (map[string]string, string) {
	form, err := url.ParseQuery(string(body))
	if err != nil || len(form) == 0 {
		return nil, ""
	}
	params := make(map[string]string, len(form))
	for k, vs := range form {
		if !isUserKey(k) {
			return nil, "must NOT have additional properties"
		}
		params[k] = vs[len(vs)-1] // Object.fromEntries keeps the last
	}
	return params, ""
}

func isUserKey(k string) bool {
	for _, u := range userKeys {
		if k == u {
			return true
		}
	}
	return false
}

// lookup is Rocket.Chat's getUserFromParams: userId by ID, else username,
// else user (both case-insensitive), with no fallback from one to the next.
// A blank value counts as absent; the lookup uses the value untrimmed, so
// " alice " matches nobody. It returns the user's ID, or "" and the
// failure's type and reason.
func (rc *RocketChatFake) lookup(params map[string]string) (id, errorType, reason string) {
	given := func(k string) (string, bool) {
		v := params[k]
		return v, strings.TrimSpace(v) != ""
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if v, ok := given("userId"); ok {
		if _, found := rc.users[v]; found {
			return v, "", ""
		}
		return "", "error-invalid-user", `The required "userId" or "username" param provided does not match any users`
	}
	name, ok := given("username")
	if !ok {
		name, ok = given("user")
	}
	if !ok {
		return "", "error-user-param-not-provided", `The required "userId" or "username" param was not provided`
	}
	for _, u := range rc.users {
		if strings.EqualFold(u.Username, name) {
			return u.ID, "", ""
		}
	}
	return "", "error-invalid-user", `The required "userId" or "username" param provided does not match any users`
}

// fail answers Rocket.Chat's 400 for a Meteor.Error.
func (rc *RocketChatFake) fail(w http.ResponseWriter, errorType, reason string, details any) {
	rc.replyJSON(w, http.StatusBadRequest, rocketChatError{Error: reason + " [" + errorType + "]", ErrorType: errorType, Details: details})
}

// errorBody is the body of an injected failure or a 429.
func (rc *RocketChatFake) errorBody(_ *http.Request, status int, wait time.Duration) []byte {
	switch status {
	case http.StatusUnauthorized:
		return rc.body401
	case http.StatusTooManyRequests:
		secs := int64((wait + time.Second - 1) / time.Second)
		return encodeJSON(rocketChatError{Error: fmt.Sprintf("Error, too many requests. Please slow down. "+
			"You must wait %d seconds before trying this endpoint again. [error-too-many-requests]", secs)})
	}
	return encodeJSON(rocketChatError{Error: http.StatusText(status)})
}
