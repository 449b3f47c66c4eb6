// Package casdoor is the mfakit client for Casdoor's MFA administration
// endpoints: POST /api/delete-mfa (turn off every MFA method of a user) and
// POST /api/set-preferred-mfa (set a user's preferred method).
//
// Casdoor is self-hosted, so New takes the server's URL. A user is named
// "owner/name" (the organization, then the user name), as everywhere in
// Casdoor. Every Casdoor answer is HTTP 200; success and failure are told
// apart by the body's "status" ("ok" or "error") and failures by its "msg",
// which this package maps to mfaclient's error classes.
//
// API docs: https://casdoor.org/docs/basic/public-api (authentication) and
// https://github.com/casdoor/casdoor/blob/v1.1000.0/controllers/mfa.go (the
// endpoints).
package casdoor
