package kratos

import (
	"context"
	"net/http"
	"time"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	provider     = "kratos"
	opReset      = "ResetMFA"
	opDelete     = "DeleteCredential"
	opSetPrimary = "SetPrimaryMFA"
)

// Credentials say how the client authenticates to the admin API.
type Credentials struct {
	// Token is an Ory Network API key (or a gateway's Bearer token), sent as
	// "Authorization: Bearer <Token>". Self-hosted Kratos has no
	// authentication of its own on the admin API and ignores it.
	// Default: "" (no Authorization header).
	Token string
	// Unauthenticated says the admin API is reached without a token on
	// purpose: a self-hosted Kratos whose admin port only trusted callers can
	// reach. Without it, a missing Token is allowed only for a loopback admin
	// URL, so that a forgotten token is not silently a request without one.
	// It cannot be combined with Token. Default: false.
	Unauthenticated bool
}

// Client calls Kratos's admin identity API. It is safe for concurrent use.
type Client struct {
	t *transport.Client
}

var (
	_ mfaclient.Resetter      = (*Client)(nil)
	_ mfaclient.PrimarySetter = (*Client)(nil)
)

// New returns a client for the Kratos admin API at adminURL: the admin
// port's root for self-hosted Kratos ("http://127.0.0.1:4434"), or
// "https://<project>.projects.oryapis.com" on Ory Network. adminURL is
// required (there is no default host); WithBaseURL, if also given, must agree
// with it. A bad URL, a Token with spaces or control characters, Token
// together with Unauthenticated, or no Token for a non-loopback URL without
// Unauthenticated is mfaclient.ErrInvalidInput.
func New(adminURL string, creds Credentials, opts ...mfaclient.Option) (*Client, error) {
	if creds.Token != "" && creds.Unauthenticated {
		return nil, transport.InvalidInput(provider, "New", "a token and Unauthenticated exclude each other")
	}
	s, err := transport.ServerSettings(provider, adminURL, opts)
	if err != nil {
		return nil, err
	}
	cfg := transport.Config{Provider: provider, Settings: s, Classify: classify}
	var t *transport.Client
	switch {
	case creds.Token != "":
		t, err = transport.NewBearer(cfg, creds.Token)
	case !creds.Unauthenticated && !loopback(adminURL):
		return nil, transport.InvalidInput(provider, "New",
			"token is empty: a non-loopback admin URL needs a token, or Credentials.Unauthenticated for an admin API without authentication")
	default:
		t, err = transport.New(cfg)
	}
	if err != nil {
		return nil, err
	}
	return &Client{t: t}, nil
}

// loopback reports whether raw is a well-formed base URL to this machine; a
// malformed one is left to transport.New to report.
func loopback(raw string) bool {
	u, err := transport.ParseBaseURL(raw)
	return err == nil && transport.IsLoopback(u.Hostname())
}

// DeleteCredential removes the identity's credentials of one type ("totp",
// "lookup_secret", "webauthn": Kratos keeps passwordless WebAuthn keys) with
// DELETE /admin/identities/{id}/credentials/{type}. An identityID that is
// not a UUID, or a type that is not a lower-case name, is
// mfaclient.ErrInvalidInput and nothing is sent. An identity without such a
// credential is mfaclient.ErrMFANotEnabled; an unknown identity
// mfaclient.ErrNotFound; a first factor ("password", "code") or a type
// Kratos cannot delete ("passkey" in v1.3.1) mfaclient.ErrInvalidInput,
// from Kratos's 400. Most callers want ResetMFA.
//
// Ory API docs: https://www.ory.sh/docs/reference/api#tag/identity/operation/deleteIdentityCredentials
func (c *Client) DeleteCredential(ctx context.Context, identityID, credentialType string) error {
	if err := checkIdentityID(opDelete, identityID); err != nil {
		return err
	}
	if !isTypeName(credentialType) {
		return transport.InvalidInputFor(provider, opDelete, identityID, "credential type %q is not a Kratos type name", credentialType)
	}
	return c.t.Do(ctx, deleteRequest(opDelete, identityID, credentialType, nil))
}

// deleteRequest is the DELETE of one credential type. Repeating it cannot
// change its outcome (204, or the 404 that says the type is gone), so a 5xx
// or a lost answer is retried; classify, when not nil, replaces the
// client's reading of the answers.
func deleteRequest(op, identityID, credentialType string, classify transport.Classifier) *transport.Request {
	return &transport.Request{
		Operation:  op,
		Method:     http.MethodDelete,
		Path:       identityPath(identityID) + "/credentials/" + transport.PathSegment(credentialType),
		UserID:     identityID,
		Idempotent: true,
		Classify:   classify,
	}
}

func identityPath(id string) string { return "/admin/identities/" + transport.PathSegment(id) }

// SetPrimaryMFA is mfaclient.ErrUnsupported: Kratos has no primary second
// factor; at login the user picks any method they have. Nothing is sent.
func (c *Client) SetPrimaryMFA(_ context.Context, method mfaclient.Method) error {
	if err := transport.CheckMethod(provider, method); err != nil {
		return err
	}
	return transport.Unsupported(provider, opSetPrimary, "Kratos has no primary MFA method")
}

// RateLimitedUntil reports until when the client holds requests back because
// the server said so (Ory Network's rate limits); zero or past when it does
// not.
func (c *Client) RateLimitedUntil() time.Time { return c.t.RateLimitedUntil() }

// checkIdentityID: Kratos identity IDs are UUIDs, and Kratos answers a
// malformed one with the same 404 as an unknown one, so a typo is caught
// here instead, before anything is sent.
func checkIdentityID(op, id string) error {
	if err := transport.CheckUserID(provider, op, id); err != nil {
		return err
	}
	if !transport.IsUUID(id) {
		return transport.InvalidInputFor(provider, op, id, "identity ID is not a UUID")
	}
	return nil
}

// isTypeName reports whether s looks like a Kratos credential type:
// lower-case letters and underscores, at most 32 bytes.
func isTypeName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || c == '_') {
			return false
		}
	}
	return true
}
