// Package kratos is the mfakit client for Ory Kratos's admin API (self-hosted
// Kratos, or Ory Network's project admin API).
//
// Kratos has no single "reset MFA" endpoint: an identity's second factors
// are credentials of their own types (totp, lookup_secret, and WebAuthn keys
// that are not passwordless), each removed with
// DELETE /admin/identities/{id}/credentials/{type}. ResetMFA therefore reads
// the identity first and removes each second factor it has; see ResetMFA for
// what the caller is told when only some of them could be removed.
//
// Kratos has no primary-method setting and no self-reset through this API.
//
// API docs: https://www.ory.sh/docs/reference/api#tag/identity/operation/deleteIdentityCredentials
// Source (v1.3.1): https://github.com/ory/kratos/blob/v1.3.1/identity/handler.go
package kratos
