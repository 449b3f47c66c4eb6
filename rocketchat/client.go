package rocketchat

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	provider     = "rocketchat"
	opReset      = "ResetMFA"
	opResetTOTP  = "ResetTOTP"
	opResetOwn   = "ResetOwnMFA"
	opSetPrimary = "SetPrimaryMFA"
	resetPath    = "/api/v1/users.resetTOTP"
)

// The second-factor methods Rocket.Chat accepts in x-2fa-method.
const (
	TwoFactorTOTP     = "totp"
	TwoFactorEmail    = "email"
	TwoFactorPassword = "password"
)

// Client calls Rocket.Chat's users.resetTOTP as one user. It is safe for
// concurrent use; WithTwoFactorCode returns a copy that shares the
// connection pool and the rate-limit gate.
type Client struct {
	t         *transport.Client
	twoFactor http.Header // x-2fa-code and x-2fa-method, on a copy from WithTwoFactor*
	method    string      // the x-2fa-method sent, "" without a second factor
	secrets   []string    // per-call secrets: the 2FA code
	twoFAErr  error       // a bad WithTwoFactor* call, reported by the next call
}

var (
	_ mfaclient.Resetter             = (*Client)(nil)
	_ mfaclient.SelfResetter         = (*Client)(nil)
	_ mfaclient.PrimarySetter        = (*Client)(nil)
	_ mfaclient.SecondFactorAnswerer = (*Client)(nil)
)

// New returns a client for the Rocket.Chat server at serverURL, which may
// carry a path prefix ("https://host/chat"). serverURL is required (there is
// no default host); WithBaseURL, if also given, must agree with it. Empty
// credentials or a bad URL are mfaclient.ErrInvalidInput.
func New(serverURL string, creds Credentials, opts ...mfaclient.Option) (*Client, error) {
	if err := transport.CheckCredential(provider, "user ID", creds.UserID); err != nil {
		return nil, err
	}
	if err := transport.CheckCredential(provider, "auth token", creds.AuthToken); err != nil {
		return nil, err
	}
	s, err := transport.ServerSettings(provider, serverURL, opts)
	if err != nil {
		return nil, err
	}
	t, err := transport.New(transport.Config{
		Provider: provider,
		Settings: s,
		Header:   http.Header{"X-User-Id": {creds.UserID}, "X-Auth-Token": {creds.AuthToken}},
		Secrets:  []string{creds.AuthToken},
		Classify: classify,
		// API.v1.success() with no fields, as JSON.stringify sends it:
		// recognised byte for byte, without decoding.
		SuccessBodies: []string{`{"success":true}`},
	})
	if err != nil {
		return nil, err
	}
	return &Client{t: t}, nil
}

// WithTwoFactorCode returns a copy of c that answers Rocket.Chat's 2FA
// challenge: every call sends x-2fa-code and x-2fa-method. method is
// "totp" (a 6-digit code or a backup code), "email" (the mailed code) or
// "password" (prefer WithTwoFactorPassword). An empty code or an unknown
// method makes the copy's calls fail with mfaclient.ErrInvalidInput, sending
// nothing. c itself is unchanged. With "totp" or "email" the copy's calls
// are not repeated after a lost answer (the code may be spent); see ResetMFA.
func (c *Client) WithTwoFactorCode(code, method string) *Client {
	cp := *c
	cp.twoFAErr = nil
	switch {
	case method != TwoFactorTOTP && method != TwoFactorEmail && method != TwoFactorPassword:
		cp.twoFAErr = transport.InvalidInput(provider, "WithTwoFactorCode", "unknown 2FA method %q (want totp, email or password)", method)
	case transport.CheckCredential(provider, "2FA code", code) != nil:
		cp.twoFAErr = transport.InvalidInput(provider, "WithTwoFactorCode", "2FA code is empty or has control characters")
	}
	cp.twoFactor = http.Header{"X-2fa-Code": {code}, "X-2fa-Method": {method}}
	cp.method = method
	cp.secrets = []string{code}
	return &cp
}

// WithTwoFactorPassword returns a copy of c that answers a "password" 2FA
// challenge. Rocket.Chat wants the lowercase hex SHA-256 of the password, so
// only that digest is kept; the plain text is not stored.
func (c *Client) WithTwoFactorPassword(password string) *Client {
	if password == "" {
		return c.WithTwoFactorCode("", TwoFactorPassword) // reports ErrInvalidInput on use
	}
	sum := sha256.Sum256([]byte(password))
	return c.WithTwoFactorCode(hex.EncodeToString(sum[:]), TwoFactorPassword)
}

// WithSecondFactor is the provider-neutral form of WithTwoFactorCode and
// WithTwoFactorPassword (mfaclient.SecondFactorAnswerer): a copy of c that
// answers ch with code. For ch.Method "password", code is the password in
// plain text and only its SHA-256 digest is kept. The result is a *Client.
func (c *Client) WithSecondFactor(ch *mfaclient.SecondFactorChallenge, code string) mfaclient.Resetter {
	switch {
	case ch == nil || ch.Method == "":
		cp := *c
		cp.twoFAErr = transport.InvalidInput(provider, "WithSecondFactor", "no challenge method to answer")
		return &cp
	case ch.Method == TwoFactorPassword:
		return c.WithTwoFactorPassword(code)
	}
	return c.WithTwoFactorCode(code, ch.Method)
}

// ResetMFA resets the TOTP of the user with this Rocket.Chat user ID. The
// caller needs the edit-other-user-totp permission (admins have it); without
// it the error is a *mfaclient.ForbiddenError. Rocket.Chat also signs the
// user out everywhere and mails them, and answers success for a user
// without TOTP. Email 2FA, if the user has it, is not touched.
//
// Lost answers: without a second factor, or with WithTwoFactorPassword, the
// call is repeated after a 5xx or a lost answer (a second reset answers
// success too). With an email code, a backup code or a TOTP code (single
// use, or valid only for its time step) it is not: the error is that
// attempt's own, mfaclient.ErrServer or mfaclient.ErrNetwork, and the reset
// may have happened. Never the totp-invalid a repeat would get for the spent
// code.
//
// Rocket.Chat API docs: https://developer.rocket.chat/apidocs/reset-users-totp
func (c *Client) ResetMFA(ctx context.Context, userID string) error {
	if err := transport.CheckUserID(provider, opReset, userID); err != nil {
		return err
	}
	return c.reset(ctx, opReset, ResetTOTPRequest{UserID: userID})
}

// ResetTOTP resets the TOTP of the user req names, by user ID or by
// username; exactly one must be set, or the error is
// mfaclient.ErrInvalidInput and nothing is sent. Lost answers are handled as
// in ResetMFA.
//
// Rocket.Chat API docs: https://developer.rocket.chat/apidocs/reset-users-totp
func (c *Client) ResetTOTP(ctx context.Context, req ResetTOTPRequest) error {
	switch {
	case (req.UserID == "") == (req.Username == ""):
		return transport.InvalidInput(provider, opResetTOTP, "set exactly one of UserID and Username")
	case req.UserID != "":
		if err := transport.CheckUserID(provider, opResetTOTP, req.UserID); err != nil {
			return err
		}
	default:
		if err := transport.CheckUserID(provider, opResetTOTP, req.Username); err != nil {
			return err
		}
	}
	return c.reset(ctx, opResetTOTP, req)
}

// ResetOwnMFA resets the caller's own TOTP (the body names no user).
//
// Rocket.Chat then wipes every login token of the caller, including the
// X-Auth-Token this client uses: its later calls fail with
// mfaclient.ErrUnauthorized. Log in again and make a new client.
//
// Lost answers: for that reason the call is never repeated after an attempt
// that may have reached Rocket.Chat (a 5xx, a connection reset after
// sending, the per-attempt timeout). The error is then that attempt's own,
// mfaclient.ErrServer or mfaclient.ErrNetwork with Attempts, and the reset
// may have happened; it is never the 401 a repeat would get with the wiped
// token. A 429 and a request that never left are repeated.
//
// Rocket.Chat API docs: https://developer.rocket.chat/apidocs/reset-users-totp
func (c *Client) ResetOwnMFA(ctx context.Context) error {
	return c.reset(ctx, opResetOwn, ResetTOTPRequest{})
}

// SetPrimaryMFA is mfaclient.ErrUnsupported: Rocket.Chat has no endpoint for
// a preferred method (it picks totp before email on each request). Nothing
// is sent.
func (c *Client) SetPrimaryMFA(_ context.Context, method mfaclient.Method) error {
	if err := transport.CheckMethod(provider, method); err != nil {
		return err
	}
	return transport.Unsupported(provider, opSetPrimary, "Rocket.Chat has no primary MFA method endpoint")
}

// RateLimitedUntil reports until when the client holds requests back because
// Rocket.Chat's rate limiter said so (X-RateLimit-Remaining 0, or a 429);
// zero or past when it does not.
func (c *Client) RateLimitedUntil() time.Time { return c.t.RateLimitedUntil() }

// reset sends users.resetTOTP.
func (c *Client) reset(ctx context.Context, op string, req ResetTOTPRequest) error {
	if c.twoFAErr != nil {
		return c.twoFAErr
	}
	body, err := json.Marshal(req)
	if err != nil {
		return transport.InvalidInput(provider, op, "%v", err)
	}
	return c.t.Do(ctx, &transport.Request{
		Operation:  op,
		UserID:     req.UserID + req.Username, // at most one is set
		Method:     http.MethodPost,
		Path:       resetPath,
		Body:       body,
		Header:     c.twoFactor,
		Idempotent: c.idempotent(op),
		Secrets:    c.secrets,
	})
}

// idempotent reports whether sending the call again cannot change the answer
// its first success would have given (see transport.Request.Idempotent).
// Resetting another user is: Rocket.Chat answers success for a user without
// TOTP. Resetting oneself is not: it wipes the token a repeat would carry
// (resetTOTP.ts, Users.unsetLoginTokens). Nor is a call carrying an email
// code or a backup code, which verify once (EmailCheck.ts, totp.ts), or a
// TOTP code, which a backoff can carry past its time step; the password
// digest stays valid.
func (c *Client) idempotent(op string) bool {
	if op == opResetOwn {
		return false
	}
	return c.method == "" || c.method == TwoFactorPassword
}
