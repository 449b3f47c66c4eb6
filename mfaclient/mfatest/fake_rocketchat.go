package mfatest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// RocketChatFake is a fake Rocket.Chat server serving
// POST /api/v1/users.resetTOTP as its docs
// (https://developer.rocket.chat/apidocs/reset-users-totp) and Rocket.Chat's
// source (apps/meteor/server/api/v1/users.ts, server/api/ApiClass.ts,
// server/lib/2fa/) describe it.
//
// Callers authenticate with X-User-Id (FakeUser.ID) and X-Auth-Token
// (FakeUser.Token). Each request goes through Rocket.Chat's steps in order:
// authentication (401), rate limit (10 per 60 s by default, X-RateLimit-*
// headers on every answer, reset in epoch milliseconds, no Retry-After),
// the 2FA challenge, then the handler: the edit-other-user-totp permission
// (role "admin"), the workspace 2FA setting, the user lookup. A reset turns
// TOTP off and succeeds even when it was off; when it was on, the user is
// logged out everywhere, so its Token changes (read it again with User).
//
// The 2FA challenge uses the headers x-2fa-code and x-2fa-method. A user
// with TOTP on is challenged for method "totp" (code FakeUser.TOTPCode);
// one without, for method "password" (code: the lowercase hex SHA-256 of
// FakeUser.Password); one without a password is not challenged. Email 2FA
// is not modelled: naming method "email" gets a challenge no code answers.
type RocketChatFake struct {
	*Fake
	// The seeded users as they were at start (User has their current
	// state). Both have TOTP on and a password.
	Admin  FakeUser // role admin: holds edit-other-user-totp
	Member FakeUser // role user, username "alice"

	body401     []byte
	noChallenge bool
	twoFactor   atomic.Bool // the workspace setting
}

const rocketChatResetPath = "/api/v1/users.resetTOTP"

// rocketChatError is Rocket.Chat's failure body.
type rocketChatError struct {
	Success   bool                 `json:"success"`
	Error     string               `json:"error"`
	ErrorType string               `json:"errorType,omitempty"`
	Details   *rocketChatTwoFactor `json:"details,omitempty"`
}

// rocketChatTwoFactor is the details of a totp-required or totp-invalid.
type rocketChatTwoFactor struct {
	Method           string   `json:"method"`
	CodeGenerated    bool     `json:"codeGenerated"`
	AvailableMethods []string `json:"availableMethods"`
}

// StartRocketChat starts a fake Rocket.Chat server with two seeded users.
// The caller must Close it.
func StartRocketChat(opts ...FakeOption) (*RocketChatFake, error) {
	cfg := newConfig(opts, WithRateLimit(10, time.Minute, HintRateLimitHeaders))
	rc := &RocketChatFake{body401: []byte(rocketChat401Bodies[cfg.rc401]), noChallenge: cfg.noChallenge}
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
	if !rc.allow(w, r) || !rc.checkTwoFactor(w, r, caller) {
		return
	}
	params, err := readParams(r)
	if err != nil {
		// Undocumented: how Rocket.Chat answers a body that is not JSON.
		rc.fail(w, "error-invalid-params", "Invalid JSON body")
		return
	}
	target := caller.ID
	if params != nil {
		if caller.Role != "admin" {
			rc.fail(w, "error-not-allowed", "Not allowed")
			return
		}
		if !rc.twoFactor.Load() {
			rc.fail(w, "error-two-factor-not-enabled", "Two factor authentication is not enabled")
			return
		}
		var errorType, reason string
		if target, errorType, reason = rc.lookup(params); target == "" {
			rc.fail(w, errorType, reason)
			return
		}
	}
	rc.resetUser(target, false, true)
	rc.reply(w, http.StatusOK, []byte(`{"success":true}`))
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

// checkTwoFactor is Rocket.Chat's checkCodeForUser: it answers the
// challenge and returns false unless the request carries a valid code.
func (rc *RocketChatFake) checkTwoFactor(w http.ResponseWriter, r *http.Request, caller FakeUser) bool {
	if rc.noChallenge || !rc.twoFactor.Load() {
		return true
	}
	available := []string{}
	if caller.MFAEnabled {
		available = append(available, "totp")
	}
	// A named registered check wins, then the first enabled for the user,
	// then the password fallback (on by default in Rocket.Chat).
	method := r.Header.Get("x-2fa-method")
	switch {
	case method == "totp" || method == "email":
	case len(available) > 0:
		method = available[0]
	case caller.Password != "":
		method = "password"
	default:
		return true
	}
	details := &rocketChatTwoFactor{Method: method, AvailableMethods: available}
	code := r.Header.Get("x-2fa-code")
	if code == "" {
		rc.replyJSON(w, http.StatusBadRequest, rocketChatError{Error: "TOTP Required [totp-required]", ErrorType: "totp-required", Details: details})
		return false
	}
	var valid bool
	switch method {
	case "totp":
		valid = caller.MFAEnabled && code == caller.TOTPCode
	case "password":
		valid = strings.ToLower(code) == PasswordCode(caller.Password)
	}
	if !valid {
		// Current source sends codeGenerated and availableMethods here too;
		// the docs' older example shows only method.
		rc.replyJSON(w, http.StatusBadRequest, rocketChatError{Error: "TOTP Invalid [totp-invalid]", ErrorType: "totp-invalid", Details: details})
		return false
	}
	return true
}

// readParams returns the user parameters of the body, or nil when it names
// none (a self-reset). A key that is present counts even when empty, as in
// Rocket.Chat; a value that is not a string counts as empty.
func readParams(r *http.Request) (map[string]string, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || len(bytes.TrimSpace(body)) == 0 {
		return nil, err
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	var params map[string]string
	for _, k := range []string{"userId", "username", "user"} {
		if v, ok := raw[k]; ok {
			if params == nil {
				params = make(map[string]string)
			}
			s, _ := v.(string)
			params[k] = strings.TrimSpace(s)
		}
	}
	return params, nil
}

// lookup is Rocket.Chat's getUserFromParams: userId by ID, else username,
// else user, both case-insensitive, with no fallback from one to the next.
// It returns the user's ID, or "" and the failure's type and reason.
func (rc *RocketChatFake) lookup(params map[string]string) (id, errorType, reason string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	switch name := cmp.Or(params["username"], params["user"]); {
	case params["userId"] != "":
		if _, ok := rc.users[params["userId"]]; ok {
			return params["userId"], "", ""
		}
	case name != "":
		for _, u := range rc.users {
			if strings.EqualFold(u.Username, name) {
				return u.ID, "", ""
			}
		}
	default:
		return "", "error-user-param-not-provided", `The required "userId" or "username" param was not provided`
	}
	return "", "error-invalid-user", `The required "userId" or "username" param provided does not match any users`
}

// fail answers Rocket.Chat's 400 for a Meteor.Error.
func (rc *RocketChatFake) fail(w http.ResponseWriter, errorType, reason string) {
	rc.replyJSON(w, http.StatusBadRequest, rocketChatError{Error: reason + " [" + errorType + "]", ErrorType: errorType})
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
