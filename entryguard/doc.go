// Package entryguard is the mfakit client for EntryGuard's
// POST /api/v1/users/{id}/reset-mfa. EntryGuard has no primary-method
// endpoint and no self-reset through this API.
//
// API docs: https://docs.entryguard.io/api-reference/users/reset-mfa
package entryguard
