package mfaclient

import "context"

// UserPrimarySetter sets ANOTHER user's preferred MFA method: what an
// administrator does for a user, as Resetter resets another user's MFA.
// PrimarySetter is the calling user's own method and stays separate, for the
// same reason Resetter and SelfResetter are: a bug that loses a user ID must
// not change the automation account's own MFA, and an empty userID is
// ErrInvalidInput, never "myself".
//
// A known Method the provider lacks is ErrUnsupported, an unknown one
// ErrInvalidInput; neither sends anything. Implemented by *casdoor.Client
// (POST /api/set-preferred-mfa).
type UserPrimarySetter interface {
	SetUserPrimaryMFA(ctx context.Context, userID string, method Method) error
}
