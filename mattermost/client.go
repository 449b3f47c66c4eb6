package mattermost

import (
	"context"
	"net/http"
	"time"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	provider     = "mattermost"
	opReset      = "ResetMFA"
	opResetOwn   = "ResetOwnMFA"
	opSetPrimary = "SetPrimaryMFA"
)

// deactivate is the body of every reset: {"activate":false}.
var deactivate = []byte(`{"activate":false}`)

// Client calls Mattermost's PUT /api/v4/users/{user_id}/mfa as one user. It
// is safe for concurrent use.
type Client struct {
	t *transport.Client
}

var (
	_ mfaclient.Resetter      = (*Client)(nil)
	_ mfaclient.SelfResetter  = (*Client)(nil)
	_ mfaclient.PrimarySetter = (*Client)(nil)
)

// New returns a client for the Mattermost server at serverURL
// ("https://chat.example.com", or with a subpath), authenticating with a
// session or personal access token. serverURL is required (there is no
// default host); WithBaseURL, if also given, must agree with it. An empty
// token or a bad URL is mfaclient.ErrInvalidInput.
func New(serverURL, token string, opts ...mfaclient.Option) (*Client, error) {
	s, err := transport.ServerSettings(provider, serverURL, opts)
	if err != nil {
		return nil, err
	}
	t, err := transport.NewBearer(transport.Config{
		Provider: provider,
		Settings: s,
		Classify: classify,
		// ReturnStatusOK's body as json.Marshal writes it: recognised byte
		// for byte, without decoding.
		SuccessBodies: []string{`{"status":"OK"}`},
		// Mattermost's X-Ratelimit-Reset is seconds from now
		// (app/ratelimit.go: ceil(ResetAfter)), never an epoch.
		ResetUnit: transport.ResetSecondsFromNow,
		// Its limiter is throttled's GCRA (app/ratelimit.go): one request
		// comes back every 1/PerSec, the bucket is full at the reset.
		QuotaRefill: transport.RefillSteady,
	}, token)
	if err != nil {
		return nil, err
	}
	return &Client{t: t}, nil
}

// ResetMFA turns off MFA for the user with this Mattermost user ID (26
// lowercase letters and digits), so they log in with their password alone
// and may enrol again. The caller needs the edit_other_users permission
// (system admins have it); without it the error is a
// *mfaclient.ForbiddenError. An ID that is not 26 ASCII letters or digits
// is mfaclient.ErrInvalidInput and nothing is sent: Mattermost would answer
// 400, and the path segment "me" would mean the caller.
//
// Mattermost answers success for a user whose MFA is already off, so a
// reset is safe to repeat, and is retried after a 5xx or a lost answer.
// It does not end the user's sessions.
//
// Mattermost API docs: https://api.mattermost.com/#tag/users/operation/UpdateUserMfa
func (c *Client) ResetMFA(ctx context.Context, userID string) error {
	if err := transport.CheckUserID(provider, opReset, userID); err != nil {
		return err
	}
	if !isID(userID) {
		return transport.InvalidInputFor(provider, opReset, userID, "user ID is not a Mattermost ID (26 letters and digits)")
	}
	return c.deactivate(ctx, opReset, userID, userID)
}

// ResetOwnMFA turns off the caller's own MFA (PUT /api/v4/users/me/mfa).
// Mattermost asks for no code or password for this, and the caller's token
// stays valid.
//
// Mattermost API docs: https://api.mattermost.com/#tag/users/operation/UpdateUserMfa
func (c *Client) ResetOwnMFA(ctx context.Context) error {
	return c.deactivate(ctx, opResetOwn, "", "me")
}

// SetPrimaryMFA is mfaclient.ErrUnsupported: Mattermost has one MFA method
// (TOTP) and no preferred-method endpoint. Nothing is sent.
func (c *Client) SetPrimaryMFA(_ context.Context, method mfaclient.Method) error {
	if err := transport.CheckMethod(provider, method); err != nil {
		return err
	}
	return transport.Unsupported(provider, opSetPrimary, "Mattermost has no primary MFA method endpoint")
}

// RateLimitedUntil reports until when the client holds requests back
// because Mattermost's rate limiter said so (a 429, or X-RateLimit-Remaining
// 0); zero or past when it does not.
func (c *Client) RateLimitedUntil() time.Time { return c.t.RateLimitedUntil() }

// deactivate sends {"activate":false} for the user the path segment names
// (userID, or "me" with userID "" for the caller). It is idempotent:
// Mattermost answers success again, and the caller's token stays valid.
func (c *Client) deactivate(ctx context.Context, op, userID, segment string) error {
	return c.t.Do(ctx, &transport.Request{
		Operation:  op,
		UserID:     userID,
		Method:     http.MethodPut,
		Path:       "/api/v4/users/" + transport.PathSegment(segment) + "/mfa",
		Body:       deactivate,
		Idempotent: true,
	})
}

// isID reports whether s is a Mattermost ID as the server checks it
// (model.IsValidId: 26 letters or digits) and its routes accept it
// ([A-Za-z0-9]+). Real IDs are lowercase base32; an upper-case one is
// valid syntax that names no user (404).
func isID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
