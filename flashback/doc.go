// Package flashback is the mfakit client for Flashback's MFA endpoints:
// POST /mfa/reset (another user's MFA, or the caller's own) and POST
// /mfa/primary (the caller's primary method).
//
// API docs: https://docs.flashback.tech/support-reference/platform-api-reference/mfa-multi-factor-authentication
package flashback
