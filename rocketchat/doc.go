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
// A program that holds its clients as mfaclient.Resetter does the same
// without naming Rocket.Chat: the challenge is a
// *mfaclient.SecondFactorChallenge (errors.As), and Client is a
// mfaclient.SecondFactorAnswerer. totp-max-attempts is not a challenge: no
// code answers it.
//
// Calls are not repeated after a lost answer when the repeat could not give
// the first attempt's answer: ResetOwnMFA (it wipes the caller's token) and
// calls carrying an email, backup or TOTP code. See each method.
//
// API docs: https://developer.rocket.chat/apidocs/reset-users-totp and
// https://developer.rocket.chat/apidocs/introduction-to-two-factor-authentication
package rocketchat
