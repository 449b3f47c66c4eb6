package flashback

import (
	"fmt"

	"github.com/mfakit/mfakit/mfaclient"
)

// Flashback's names for the MFA methods (the mfaType enum of POST /mfa/primary).
const (
	MFATypeGoogleAuth = "GOOGLE_AUTH"
	MFATypeMagicLink  = "MAGIC_LINK"
	MFATypePasskey    = "PASSKEY"
)

// mfaTypes maps mfakit's methods to Flashback's; Flashback has no email method.
var mfaTypes = map[mfaclient.Method]string{
	mfaclient.MethodTOTP:      MFATypeGoogleAuth,
	mfaclient.MethodMagicLink: MFATypeMagicLink,
	mfaclient.MethodPasskey:   MFATypePasskey,
}

// ResetRequest is the body of POST /mfa/reset for another user. A self-reset
// sends no body at all, as the docs' curl sample does.
//
// Docs: post__mfa_reset, "Request Body".
type ResetRequest struct {
	ResetUserID string `json:"resetUserId"`
}

// PrimaryRequest is the body of POST /mfa/primary.
//
// Docs: post__mfa_primary, "Request Body".
type PrimaryRequest struct {
	MFAType string `json:"mfaType"`
}

// Response is every documented Flashback answer of both endpoints:
//
//	200 {"success": true, "message": "MFA reset successfully"}
//	403 {"success": false, "error": "Insufficient permissions. OWNER or ADMINISTRATOR role required ..."}
//	404 {"success": false, "error": "User not found"}
//	500 {"success": false, "error": "Failed to reset MFA"}
//
// ErrorCode is not documented for these endpoints; it is the error_code of
// Flashback's auth endpoints (401 {"success": false, "error_code": ...}),
// read here because a 401 from any endpoint most likely has that shape.
//
// Docs: post__mfa_reset and post__mfa_primary, "Example responses".
type Response struct {
	Success      bool   `json:"success"`
	Message      string `json:"message,omitempty"`
	ErrorMessage string `json:"error,omitempty"`
	ErrorCode    string `json:"error_code,omitempty"`
}

// ErrorResponse is a decoded non-success answer; it is reachable from any
// mfakit error with errors.As.
type ErrorResponse struct {
	StatusCode int
	Response
}

func (e *ErrorResponse) Error() string {
	msg := e.ErrorMessage
	if msg == "" {
		msg = e.Message
	}
	return fmt.Sprintf("flashback: HTTP %d: %s", e.StatusCode, msg)
}
