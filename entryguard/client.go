package entryguard

import (
	"context"
	"net/http"
	"time"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// DefaultBaseURL is the host in EntryGuard's API docs.
const DefaultBaseURL = "https://api.entryguard.io"

const (
	provider     = "entryguard"
	opReset      = "ResetMFA"
	opSetPrimary = "SetPrimaryMFA"
)

// Client calls EntryGuard's reset-mfa with a Bearer JWT of a user with the
// ORG_ADMIN role (EntryGuard API keys are not accepted on /users). It is safe
// for concurrent use.
type Client struct {
	t *transport.Client
}

var (
	_ mfaclient.Resetter      = (*Client)(nil)
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
	}, token)
	if err != nil {
		return nil, err
	}
	return &Client{t: t}, nil
}

// ResetMFA disables MFA for the user with this UUID, so they can log in with
// email and password and enrol again. A userID that is not a UUID is
// mfaclient.ErrInvalidInput and nothing is sent. A user without MFA is
// mfaclient.ErrMFANotEnabled.
//
// Lost answers: the reset is not idempotent, so it is never repeated after
// an attempt that may have reached EntryGuard (a 5xx, a connection reset
// after sending, the per-attempt timeout): a second reset would answer 400
// "MFA is not enabled" and turn a success into a false ErrMFANotEnabled.
// The error is that attempt's own, mfaclient.ErrServer or
// mfaclient.ErrNetwork with Attempts, and the reset may have happened;
// calling again then tells: ErrMFANotEnabled means MFA is off. A 429, and a
// request that never left, are repeated. This is the same rule as
// Rocket.Chat's ResetOwnMFA and its calls with single-use codes.
//
// EntryGuard API docs: https://docs.entryguard.io/api-reference/users/reset-mfa
func (c *Client) ResetMFA(ctx context.Context, userID string) error {
	if err := transport.CheckUserID(provider, opReset, userID); err != nil {
		return err
	}
	if !transport.IsUUID(userID) {
		return transport.InvalidInputFor(provider, opReset, userID, "user ID is not a UUID")
	}
	return c.t.Do(ctx, &transport.Request{
		Operation:  opReset,
		UserID:     userID,
		Method:     http.MethodPost,
		Path:       "/api/v1/users/" + transport.PathSegment(userID) + "/reset-mfa",
		Idempotent: false,
	})
}

// SetPrimaryMFA is mfaclient.ErrUnsupported: EntryGuard has one TOTP factor
// and no primary-method endpoint. Nothing is sent.
func (c *Client) SetPrimaryMFA(_ context.Context, method mfaclient.Method) error {
	if err := transport.CheckMethod(provider, method); err != nil {
		return err
	}
	return transport.Unsupported(provider, opSetPrimary, "EntryGuard has no primary MFA method endpoint")
}

// RateLimitedUntil reports until when the client holds requests back because
// EntryGuard said so; zero or past when it does not.
func (c *Client) RateLimitedUntil() time.Time { return c.t.RateLimitedUntil() }
