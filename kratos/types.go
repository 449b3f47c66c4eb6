package kratos

import (
	"encoding/json"
	"fmt"

	"github.com/google/go-querystring/query"
)

// getIdentityOptions are the query parameters of GET /admin/identities/{id}.
//
// Source: identity/handler.go (getIdentity parameters).
type getIdentityOptions struct {
	IncludeCredential []string `url:"include_credential,omitempty"`
}

// mustQuery encodes fixed query options; they are constants of this package,
// so an error is a bug.
func mustQuery(opts any) string {
	v, err := query.Values(opts)
	if err != nil {
		panic("kratos: " + err.Error())
	}
	return v.Encode()
}

// Identity is the part of GET /admin/identities/{id} that ResetMFA reads:
//
//	{"id": "…", "schema_id": "default", "credentials": {"password": {"type": "password",
//	 "identifiers": ["alice@example.com"], "version": 0, "created_at": "…", "updated_at": "…"},
//	 "totp": {…}}, "traits": {…}, "state": "active", …}
//
// Credentials is absent when the identity has none. Config is sent only for
// the types named in include_credential (ResetMFA asks for webauthn's, to
// tell passwordless keys from second-factor ones).
//
// Source: identity/identity.go (Identity, WithDeclassifiedCredentials) and
// identity/handler.go (get).
type Identity struct {
	ID          string                         `json:"id"`
	Credentials map[string]IdentityCredentials `json:"credentials,omitempty"`
}

// IdentityCredentials is one credential type of an identity.
//
// Source: identity/credentials.go (Credentials).
type IdentityCredentials struct {
	Type        string          `json:"type"`
	Identifiers []string        `json:"identifiers"`
	Config      json.RawMessage `json:"config,omitempty"`
	Version     int             `json:"version"`
}

// webAuthnConfig is the config of a webauthn credential: the keys, each
// passwordless (a first factor, left alone by the admin DELETE) or not (a
// second factor).
//
// Source: identity/credentials_webauthn.go (CredentialsWebAuthnConfig,
// CredentialWebAuthn).
type webAuthnConfig struct {
	Credentials []struct {
		IsPasswordless bool `json:"is_passwordless"`
	} `json:"credentials"`
}

// ErrorResponse is Kratos's error body, the same on every admin endpoint
// (herodot's DefaultError inside "error"):
//
//	{"error": {"code": 404, "status": "Not Found",
//	 "reason": "You tried to remove a totp but this user have no totp set up.",
//	 "message": "The requested resource could not be found"}}
//
// It is reachable from any mfakit error with errors.As.
//
// Source: github.com/ory/herodot error.go (DefaultError); answers captured
// from Kratos v1.3.1.
type ErrorResponse struct {
	StatusCode int          `json:"-"` // the HTTP status the answer came with
	Detail     GenericError `json:"error"`
}

// GenericError is the "error" object of ErrorResponse.
type GenericError struct {
	ID      string         `json:"id,omitempty"` // a machine code some errors carry ("session_inactive")
	Code    int            `json:"code,omitempty"`
	Status  string         `json:"status,omitempty"` // the HTTP reason phrase, "Not Found"
	Reason  string         `json:"reason,omitempty"` // what went wrong, for this request
	Message string         `json:"message,omitempty"`
	Request string         `json:"request,omitempty"`
	Details map[string]any `json:"details,omitempty"`
}

func (e *ErrorResponse) Error() string {
	msg := e.Detail.Message
	if e.Detail.Reason != "" {
		msg = e.Detail.Reason
	}
	return fmt.Sprintf("kratos: HTTP %d %s: %s", e.StatusCode, e.Detail.Status, msg)
}
