package rocketchat

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
)

// Credentials are a Rocket.Chat login: the user's ID (X-User-Id) and a login
// or personal access token (X-Auth-Token).
type Credentials struct {
	UserID    string
	AuthToken string
}

// ResetTOTPRequest names the user whose TOTP to reset, by ID or by username;
// exactly one must be set. (Rocket.Chat reads userId, then username.)
//
// Docs: https://developer.rocket.chat/apidocs/reset-users-totp ("Body
// parameters"); the route's body schema in Rocket.Chat's
// apps/meteor/server/api/v1/users.ts accepts only string userId, username
// and user.
type ResetTOTPRequest struct {
	UserID   string `json:"userId,omitempty"`
	Username string `json:"username,omitempty"`
}

// ErrorResponse is Rocket.Chat's error body in every variant this route
// answers:
//
//	400 {"success": false, "error": "TOTP Required [totp-required]", "errorType": "totp-required", "details": {...}}
//	400 {"success": false, "error": "Not allowed [error-not-allowed]", "errorType": "error-not-allowed"}
//	401 {"status": "error", "message": "You must be logged in to do this."}           (docs, pre-7.x)
//	401 {"success": false, "error": "...", "status": "error", "message": "..."}       (7.x-8.x)
//	401 {"success": false, "error": "You must be logged in to do this."}              (9.0+)
//	401 {"success": false, "error": "forbidden"}                                       (9.0+, error-unauthorized)
//	400 {"success": false, "errorType": "invalid-params", "error": "must NOT have additional properties"}
//	429 {"success": false, "error": "Error, too many requests. ... [error-too-many-requests]"}
//
// It is reachable from any mfakit error with errors.As.
//
// Docs: https://developer.rocket.chat/apidocs/reset-users-totp ("Responses");
// Rocket.Chat's apps/meteor/server/api/ApiClass.ts (failure, unauthorized,
// the rate limiter), apps/meteor/server/api/v1/middlewares/authenticationHono.ts
// (401) and packages/http-router/src/Router.ts (invalid-params).
type ErrorResponse struct {
	StatusCode   int           `json:"-"`
	Success      bool          `json:"success"`
	ErrorMessage string        `json:"error,omitempty"`
	ErrorType    string        `json:"errorType,omitempty"`
	Status       string        `json:"status,omitempty"`
	Message      string        `json:"message,omitempty"`
	Details      *ErrorDetails `json:"details,omitempty"`
}

// Unwrap returns the provider-neutral *mfaclient.SecondFactorChallenge when
// the body is a challenge a code answers (totp-required, totp-invalid), so
// that errors.As finds it from any mfakit error; nil otherwise.
func (e *ErrorResponse) Unwrap() error {
	code := e.ErrorType
	if code == "" {
		code = bracketCode(e.ErrorMessage)
	}
	if e.StatusCode != http.StatusBadRequest || (code != "totp-required" && code != "totp-invalid") {
		return nil
	}
	ch := &mfaclient.SecondFactorChallenge{Provider: provider}
	if d := e.Details; d != nil {
		ch.Method, ch.CodeSent, ch.Recipient = d.Method, d.CodeGenerated, d.EmailOrUsername
		ch.AvailableMethods = append([]string{}, d.AvailableMethods...)
		if n := len(d.CodeExpires); n > 0 {
			ch.CodeExpires = d.CodeExpires[n-1]
		}
	}
	return ch
}

func (e *ErrorResponse) Error() string {
	msg := e.ErrorMessage
	if msg == "" {
		msg = e.Message
	}
	return fmt.Sprintf("rocketchat: HTTP %d: %s", e.StatusCode, msg)
}

// ErrorDetails is the details object of a 400. For the 2FA challenge
// (totp-required, totp-invalid, totp-max-attempts) it says which method to
// answer with; for error-email-send-failed it carries Function and Message.
//
// Source: Rocket.Chat's apps/meteor/server/lib/2fa/code/index.ts
// (details = { method, ...processInvalidCode(), availableMethods }) and
// EmailCheck.ts (codeGenerated, codeExpires, emailOrUsername).
type ErrorDetails struct {
	// Method is the method to answer the challenge with: "totp", "email" or
	// "password" (the last: send the SHA-256 of the password, see
	// WithTwoFactorPassword).
	Method string `json:"method,omitempty"`
	// CodeGenerated is true when this request just mailed a new email code.
	CodeGenerated bool `json:"codeGenerated"`
	// CodeExpires is when the mailed code expires. Current servers send one
	// date, older ones an array (with CodeCount); both decode here.
	CodeExpires     ExpiryTimes `json:"codeExpires,omitempty"`
	CodeCount       int         `json:"codeCount,omitempty"`
	EmailOrUsername string      `json:"emailOrUsername,omitempty"`
	// AvailableMethods are the methods the user has enabled; empty when only
	// the password fallback applies.
	AvailableMethods MethodList `json:"availableMethods,omitempty"`
	Function         string     `json:"function,omitempty"`
	DetailMessage    string     `json:"message,omitempty"`
}

// ExpiryTimes decodes codeExpires, which is one date or an array of dates.
type ExpiryTimes []time.Time

// UnmarshalJSON accepts "2020-01-02T13:06:42.408Z", ["..."], or null.
func (t *ExpiryTimes) UnmarshalJSON(b []byte) error {
	var one time.Time
	if err := json.Unmarshal(b, &one); err == nil {
		if !one.IsZero() {
			*t = ExpiryTimes{one}
		}
		return nil
	}
	var many []time.Time
	if err := json.Unmarshal(b, &many); err != nil {
		return errors.New("rocketchat: codeExpires is neither a date nor an array of dates")
	}
	*t = many
	return nil
}

// MethodList decodes availableMethods. The examples send strings
// (["email"]); the schema says "Array of object", so an object's method,
// type, name or id is taken too.
type MethodList []string

// UnmarshalJSON accepts an array of strings or of objects naming a method.
func (l *MethodList) UnmarshalJSON(b []byte) error {
	var raw []json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make(MethodList, 0, len(raw))
	for _, r := range raw {
		var s string
		if json.Unmarshal(r, &s) == nil {
			out = append(out, s)
			continue
		}
		var o struct{ Method, Type, Name, ID string }
		if json.Unmarshal(r, &o) == nil {
			for _, v := range []string{o.Method, o.Type, o.Name, o.ID} {
				if v != "" {
					out = append(out, v)
					break
				}
			}
		}
	}
	*l = out
	return nil
}

// successResponse is the documented 200: {"success": true}.
type successResponse struct {
	Success bool `json:"success"`
}
