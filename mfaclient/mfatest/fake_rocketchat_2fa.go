package mfatest

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Rocket.Chat's second-factor checks, as apps/meteor/server/lib/2fa/code/
// (index.ts, TOTPCheck.ts, EmailCheck.ts, PasswordCheckFallback.ts) run them
// for a route with twoFactorRequired and disableRememberMe.

const (
	// emailCodeLifetime is Accounts_TwoFactorAuthentication_By_Email_Code_Expiration's default.
	emailCodeLifetime = time.Hour
	// emailMaxAttempts is Accounts_TwoFactorAuthentication_Max_Invalid_Email_Code_Attempts's default.
	emailMaxAttempts = 5
)

// emailCode is a user's services.emailCode: one code at a time.
type emailCode struct {
	code     string
	expire   time.Time
	attempts int
}

// The details of a challenge, in the key order Rocket.Chat sends:
// {method, ...processInvalidCode(), availableMethods}.
type (
	rcDetailsPlain struct { // TOTPCheck, PasswordCheckFallback
		Method           string   `json:"method"`
		CodeGenerated    bool     `json:"codeGenerated"`
		AvailableMethods []string `json:"availableMethods"`
	}
	rcDetailsEmailSent struct { // EmailCheck mailed a new code
		Method           string   `json:"method"`
		CodeGenerated    bool     `json:"codeGenerated"`
		EmailOrUsername  string   `json:"emailOrUsername"`
		AvailableMethods []string `json:"availableMethods"`
	}
	rcDetailsEmailPending struct { // EmailCheck found an unexpired code
		Method           string   `json:"method"`
		EmailOrUsername  string   `json:"emailOrUsername"`
		CodeGenerated    bool     `json:"codeGenerated"`
		CodeExpires      string   `json:"codeExpires"`
		AvailableMethods []string `json:"availableMethods"`
	}
)

// EmailCode is the email 2FA code the fake last mailed to the user with this
// ID and that is still unused and unexpired: what the user reads in the
// mail. ok is false when there is none.
func (rc *RocketChatFake) EmailCode(userID string) (code string, ok bool) {
	rc.mailMu.Lock()
	defer rc.mailMu.Unlock()
	c := rc.mail[userID]
	if c == nil || !rc.now().Before(c.expire) {
		return "", false
	}
	return c.code, true
}

// checkTwoFactor is Rocket.Chat's checkCodeForUser: it answers the
// challenge and returns false unless the request carries a valid code.
func (rc *RocketChatFake) checkTwoFactor(w http.ResponseWriter, r *http.Request, caller FakeUser) bool {
	if rc.noChallenge || !rc.twoFactor.Load() {
		return true
	}
	var available []string
	if caller.MFAEnabled {
		available = append(available, "totp")
	}
	if caller.EmailTwoFactor {
		available = append(available, "email")
	}
	// A named registered check wins (enabled for the user or not), then the
	// first enabled, then the password fallback.
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
	if available == nil {
		available = []string{}
	}
	details := rc.processInvalidCode(method, caller, available)
	code := r.Header.Get("x-2fa-code")
	if code == "" {
		rc.fail(w, "totp-required", "TOTP Required", details)
		return false
	}
	if rc.verify(method, caller, code) {
		return true
	}
	if method == "email" && rc.emailAttemptsUsedUp(caller.ID) {
		rc.fail(w, "totp-max-attempts", "TOTP Maximun Failed Attempts Reached", details)
		return false
	}
	rc.fail(w, "totp-invalid", "TOTP Invalid", details)
	return false
}

// processInvalidCode runs before the code is looked at. For email it mails
// a new code unless an unexpired one with attempts left exists.
func (rc *RocketChatFake) processInvalidCode(method string, u FakeUser, available []string) any {
	if method != "email" {
		return rcDetailsPlain{Method: method, AvailableMethods: available}
	}
	now := rc.now()
	rc.mailMu.Lock()
	defer rc.mailMu.Unlock()
	c := rc.mail[u.ID]
	if c != nil && now.Before(c.expire) && c.attempts < emailMaxAttempts {
		return rcDetailsEmailPending{Method: method, EmailOrUsername: u.Username, CodeExpires: c.expire.UTC().Format("2006-01-02T15:04:05.000Z"), AvailableMethods: available}
	}
	rc.mail[u.ID] = &emailCode{code: randomDigits(6), expire: now.Add(emailCodeLifetime)}
	return rcDetailsEmailSent{Method: method, CodeGenerated: true, EmailOrUsername: u.Username, AvailableMethods: available}
}

// verify checks code for method; email and backup codes are spent on use.
func (rc *RocketChatFake) verify(method string, u FakeUser, code string) bool {
	switch method {
	case "totp":
		if !u.MFAEnabled {
			return false
		}
		if code == u.TOTPCode {
			return true
		}
		spent := false
		rc.withUser(u.ID, func(s *FakeUser) {
			if i := slices.Index(s.BackupCodes, code); i >= 0 {
				s.BackupCodes = slices.Delete(slices.Clone(s.BackupCodes), i, i+1)
				spent = true
			}
		})
		return spent
	case "email":
		return rc.verifyEmail(u, code)
	case "password":
		return u.Password != "" && strings.ToLower(code) == PasswordCode(u.Password)
	}
	return false
}

// verifyEmail is EmailCheck.verify: digits only, once, and every miss
// counts an attempt.
func (rc *RocketChatFake) verifyEmail(u FakeUser, code string) bool {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, code)
	rc.mailMu.Lock()
	defer rc.mailMu.Unlock()
	c := rc.mail[u.ID]
	if !u.EmailTwoFactor || c == nil || !rc.now().Before(c.expire) {
		return false
	}
	if digits == c.code {
		delete(rc.mail, u.ID)
		return true
	}
	c.attempts++
	return false
}

func (rc *RocketChatFake) emailAttemptsUsedUp(userID string) bool {
	rc.mailMu.Lock()
	defer rc.mailMu.Unlock()
	c := rc.mail[userID]
	return c != nil && c.attempts >= emailMaxAttempts
}
