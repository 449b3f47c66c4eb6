package rocketchat

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// requiredPermission is what error-not-allowed means on this route, unless
// the target is a federated user (then no permission helps).
const requiredPermission = "edit-other-user-totp"

// codeClasses maps the errorType of a 400 to its class. Codes not listed
// keep the status's class. Sources: Rocket.Chat's
// apps/meteor/server/api/v1/users.ts (the handler),
// apps/meteor/server/lib/2fa/code/index.ts (checkCodeForUser) and
// packages/http-router/src/Router.ts (the body schema).
var codeClasses = map[string]error{
	"totp-required": mfaclient.ErrSecondFactorRequired,
	"totp-invalid":  mfaclient.ErrSecondFactorRequired,
	// Too many wrong codes: still a second factor to give, but not by
	// answering this challenge with a code (Challenge reports none).
	"totp-max-attempts":  mfaclient.ErrSecondFactorRequired,
	"error-not-allowed":  mfaclient.ErrForbidden,
	"error-unauthorized": mfaclient.ErrForbidden,
	"error-invalid-user": mfaclient.ErrNotFound,
	// checkCodeForUser did not find the calling user (the one challenged),
	// not the target: the credentials name no user.
	"totp-user-not-found":           mfaclient.ErrUnauthorized,
	"error-user-param-not-provided": mfaclient.ErrInvalidInput,
	"error-two-factor-not-enabled":  mfaclient.ErrMFANotEnabled,
	"error-email-send-failed":       mfaclient.ErrServer, // the mail failed, the TOTP was not reset
	// The route's body schema refused what mfakit sent: mfakit's defect
	// (or a server it does not know), not the caller's input.
	"invalid-params":       mfaclient.ErrClientDefect,
	"error-invalid-params": mfaclient.ErrClientDefect,
}

// codeMaxAttempts is the 2FA answer that no code can answer.
const codeMaxAttempts = "totp-max-attempts"

// classify maps Rocket.Chat's answers: a 200 must say "success": true; a 400
// is classed by its errorType; anything else by its status.
func classify(a *transport.Answer) transport.Verdict {
	if a.StatusCode >= 200 && a.StatusCode < 300 {
		var ok successResponse
		if transport.DecodeObject(a.Body, &ok) && ok.Success {
			return transport.Verdict{}
		}
		return transport.Verdict{Class: mfaclient.ErrUnexpectedResponse}
	}
	v := transport.Verdict{Class: transport.ClassForStatus(a.StatusCode)}
	e, ok := decodeError(a)
	if !ok {
		return v
	}
	v.Cause = e
	v.Code = e.ErrorType
	if v.Code == "" {
		v.Code = bracketCode(e.ErrorMessage)
	}
	v.Message = e.ErrorMessage
	if v.Message == "" {
		v.Message = e.Message
	}
	if class, known := codeClasses[v.Code]; known && a.StatusCode == http.StatusBadRequest {
		v.Class = class
	}
	if a.StatusCode == http.StatusUnauthorized && permissionDenied(e, v.Code) {
		v.Class = mfaclient.ErrForbidden
	}
	if v.Code == "error-not-allowed" && a.Operation != opResetOwn && !federated(e) {
		v.Required = requiredPermission
	}
	return v
}

// decodeError decodes the error body; details that do not decode are
// dropped rather than losing the code and message with them.
func decodeError(a *transport.Answer) (*ErrorResponse, bool) {
	var e struct {
		ErrorResponse
		Details json.RawMessage `json:"details"`
	}
	if !transport.DecodeObject(a.Body, &e) {
		return nil, false
	}
	out := e.ErrorResponse
	out.StatusCode = a.StatusCode
	var d ErrorDetails
	if transport.DecodeObject(e.Details, &d) {
		out.Details = &d
	}
	return &out, true
}

// bracketCode reads the code Meteor appends to a message: "Not allowed
// [error-not-allowed]" → "error-not-allowed". The 429 has no errorType.
func bracketCode(msg string) string {
	msg = strings.TrimSpace(msg)
	if !strings.HasSuffix(msg, "]") {
		return ""
	}
	i := strings.LastIndexByte(msg, '[')
	if i < 0 {
		return ""
	}
	code := msg[i+1 : len(msg)-1]
	if code == "" || strings.ContainsAny(code, " []") {
		return ""
	}
	return code
}

// permissionDenied reports a 401 that is not about the login: from 9.0
// Rocket.Chat answers error-unauthorized (a missing permission) with 401
// and, by default, {"success":false,"error":"forbidden"} (ApiClass.ts,
// applyBreakingChanges). A failed login says "You must be logged in".
func permissionDenied(e *ErrorResponse, code string) bool {
	return code == "error-unauthorized" || strings.TrimSpace(e.ErrorMessage) == "forbidden"
}

// federated reports the error-not-allowed of resetTOTP on a federated user
// ("Federated Users cant have TOTP", details {function: "resetTOTP"}).
func federated(e *ErrorResponse) bool {
	return e.Details != nil && e.Details.Function == "resetTOTP"
}

// Challenge returns the 2FA challenge in err, when err is Rocket.Chat asking
// for a second factor that a code answers (totp-required, totp-invalid). Its
// Method is the method to answer with. totp-max-attempts is not such a
// challenge: no code answers it, so Challenge reports none; its Code tells
// it apart, and a new call without a code starts over (for email, Rocket.Chat
// then mails a new code).
func Challenge(err error) (*ErrorDetails, bool) {
	if !errors.Is(err, mfaclient.ErrSecondFactorRequired) {
		return nil, false
	}
	var e *ErrorResponse
	if !errors.As(err, &e) || e.ErrorType == codeMaxAttempts || bracketCode(e.ErrorMessage) == codeMaxAttempts {
		return nil, false
	}
	if e.Details == nil {
		return &ErrorDetails{}, true
	}
	return e.Details, true
}
