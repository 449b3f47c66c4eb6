// Package rocketchat is the mfakit client for Rocket.Chat's
// POST /api/v1/users.resetTOTP: another user's TOTP (with the
// edit-other-user-totp permission) or the caller's own.
//
// Rocket.Chat asks for a second factor on this route when workspace 2FA is
// on. The first call then fails with mfaclient.ErrSecondFactorRequired and
// the challenge's details; repeat it on a client from WithTwoFactorCode or
// WithTwoFactorPassword:
//
//	err := rc.ResetMFA(ctx, id)
//	if ch, ok := rocketchat.Challenge(err); ok {
//		err = rc.WithTwoFactorCode(code, ch.Method).ResetMFA(ctx, id)
//	}
//
// API docs: https://developer.rocket.chat/apidocs/reset-users-totp and
// https://developer.rocket.chat/apidocs/introduction-to-two-factor-authentication
package rocketchat
