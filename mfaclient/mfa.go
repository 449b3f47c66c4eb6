package mfaclient

import "context"

// Version is the mfakit release; the default User-Agent is "mfakit/" + Version.
const Version = "0.1.0"

// Method names an MFA method in provider-neutral terms. Each provider maps
// it to its own name (Flashback's MethodTOTP is "GOOGLE_AUTH") or answers
// ErrUnsupported when it has no such method.
type Method string

// The methods mfakit knows. A Method outside this list is ErrInvalidInput.
const (
	MethodTOTP      Method = "totp"
	MethodMagicLink Method = "magic_link"
	MethodPasskey   Method = "passkey"
	MethodEmail     Method = "email"
	MethodSMS       Method = "sms" // a code by text message (Casdoor's "sms")
)

// Methods lists every known Method, in a stable order.
func Methods() []Method {
	return []Method{MethodTOTP, MethodMagicLink, MethodPasskey, MethodEmail, MethodSMS}
}

// Valid reports whether m is one of the known methods.
func (m Method) Valid() bool {
	switch m {
	case MethodTOTP, MethodMagicLink, MethodPasskey, MethodEmail, MethodSMS:
		return true
	}
	return false
}

// Resetter resets another user's MFA. An empty userID is ErrInvalidInput and
// never means "myself": self-reset is SelfResetter, so a bug that loses an ID
// cannot reset the calling account's own MFA.
type Resetter interface {
	ResetMFA(ctx context.Context, userID string) error
}

// PrimarySetter sets the calling user's primary MFA method. Providers without
// such an endpoint answer ErrUnsupported and send nothing.
type PrimarySetter interface {
	SetPrimaryMFA(ctx context.Context, method Method) error
}

// SelfResetter resets the calling user's own MFA.
type SelfResetter interface {
	ResetOwnMFA(ctx context.Context) error
}
