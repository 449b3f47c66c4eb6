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
	secrets   []string    // per-call secrets: the 2FA code
	twoFAErr  error       // a bad WithTwoFactor* call, reported by the next call
}

var (
	_ mfaclient.Resetter      = (*Client)(nil)
	_ mfaclient.SelfResetter  = (*Client)(nil)
	_ mfaclient.PrimarySetter = (*Client)(nil)
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
	s := mfaclient.ApplyOptions(opts...)
	switch {
	case serverURL == "":
		return nil, transport.InvalidInput(provider, "New", "server URL is required")
	case s.BaseURLSet && s.BaseURL != serverURL:
		return nil, transport.InvalidInput(provider, "New", "WithBaseURL disagrees with the server URL; give it once")
	}
	s.BaseURL = serverURL
	t, err := transport.New(transport.Config{
		Provider: provider,
		Settings: s,
		Header:   http.Header{"X-User-Id": {creds.UserID}, "X-Auth-Token": {creds.AuthToken}},
		Secrets:  []string{creds.AuthToken},
		Classify: classify,
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
// nothing. c itself is unchanged.
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

// ResetMFA resets the TOTP of the user with this Rocket.Chat user ID. The
// caller needs the edit-other-user-totp permission (admins have it); without
// it the error is a *mfaclient.ForbiddenError. Rocket.Chat also signs the
// user out everywhere and mails them, and answers success for a user
// without TOTP. Email 2FA, if the user has it, is not touched.
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
// mfaclient.ErrInvalidInput and nothing is sent.
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

// reset sends users.resetTOTP. It is idempotent (Rocket.Chat answers success
// for a user without TOTP), so a 5xx or a lost answer is retried.
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
		Idempotent: true,
		Secrets:    c.secrets,
	})
}
