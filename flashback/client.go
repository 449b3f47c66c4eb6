package flashback

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// DefaultBaseURL is the host in Flashback's API docs. (Flashback's own
// TypeScript client defaults to https://api.flashback.tech; use WithBaseURL
// for that one.)
const DefaultBaseURL = "https://backend.flashback.tech"

const (
	provider     = "flashback"
	opReset      = "ResetMFA"
	opResetOwn   = "ResetOwnMFA"
	opSetPrimary = "SetPrimaryMFA"
)

// Client calls Flashback's MFA endpoints with a Bearer token. It is safe for
// concurrent use.
type Client struct {
	t *transport.Client
}

var (
	_ mfaclient.Resetter      = (*Client)(nil)
	_ mfaclient.SelfResetter  = (*Client)(nil)
	_ mfaclient.PrimarySetter = (*Client)(nil)
)

// New returns a client that authenticates with the Bearer access token. An
// empty token, or bad options, is mfaclient.ErrInvalidInput.
func New(token string, opts ...mfaclient.Option) (*Client, error) {
	t, err := transport.NewBearer(transport.Config{
		Provider:       provider,
		DefaultBaseURL: DefaultBaseURL,
		Settings:       mfaclient.ApplyOptions(opts...),
		Classify:       classify,
		SuccessBodies:  successBodies,
	}, token)
	if err != nil {
		return nil, err
	}
	return &Client{t: t}, nil
}

// ResetMFA resets the MFA of the user with this Flashback user ID. The caller
// needs the OWNER or ADMINISTRATOR role in the user's organization; without
// it the error is a *mfaclient.ForbiddenError.
//
// Flashback API docs: https://docs.flashback.tech/support-reference/platform-api-reference/mfa-multi-factor-authentication/post__mfa_reset
func (c *Client) ResetMFA(ctx context.Context, userID string) error {
	if err := transport.CheckUserID(provider, opReset, userID); err != nil {
		return err
	}
	body, err := json.Marshal(ResetRequest{ResetUserID: userID})
	if err != nil {
		return transport.InvalidInput(provider, opReset, "%v", err)
	}
	return c.post(ctx, opReset, userID, "/mfa/reset", body)
}

// ResetOwnMFA resets the MFA of the user the token belongs to: POST
// /mfa/reset with no body.
//
// Flashback API docs: https://docs.flashback.tech/support-reference/platform-api-reference/mfa-multi-factor-authentication/post__mfa_reset
func (c *Client) ResetOwnMFA(ctx context.Context) error {
	return c.post(ctx, opResetOwn, "", "/mfa/reset", nil)
}

// SetPrimaryMFA sets the caller's primary MFA method: MethodTOTP (Flashback's
// GOOGLE_AUTH), MethodMagicLink or MethodPasskey. MethodEmail is
// mfaclient.ErrUnsupported; an unknown method is mfaclient.ErrInvalidInput.
// Neither sends anything.
//
// Flashback API docs: https://docs.flashback.tech/support-reference/platform-api-reference/mfa-multi-factor-authentication/post__mfa_primary
func (c *Client) SetPrimaryMFA(ctx context.Context, method mfaclient.Method) error {
	if err := transport.CheckMethod(provider, method); err != nil {
		return err
	}
	mfaType, ok := mfaTypes[method]
	if !ok {
		return transport.Unsupported(provider, opSetPrimary, "Flashback has no "+string(method)+" method")
	}
	body, err := json.Marshal(PrimaryRequest{MFAType: mfaType})
	if err != nil {
		return transport.InvalidInput(provider, opSetPrimary, "%v", err)
	}
	return c.post(ctx, opSetPrimary, "", "/mfa/primary", body)
}

// RateLimitedUntil reports until when the client holds requests back because
// Flashback said so; zero or past when it does not.
func (c *Client) RateLimitedUntil() time.Time { return c.t.RateLimitedUntil() }

// post sends one call. Both endpoints are idempotent (a second reset or the
// same primary method again documents no different answer), so a 5xx or a
// lost answer is retried.
func (c *Client) post(ctx context.Context, op, userID, path string, body []byte) error {
	return c.t.Do(ctx, &transport.Request{
		Operation:  op,
		UserID:     userID,
		Method:     http.MethodPost,
		Path:       path,
		Body:       body,
		Idempotent: true,
	})
}
