package transport

import "fmt"

// The one rule for calls whose answer can be lost after they took effect
// (DECISIONS.md, "Lost answers: one rule"):
//
// A call is Idempotent when sending it again cannot change the answer its
// first success would have given. Only such calls are repeated after an
// attempt that may have reached the provider (a 5xx, a connection reset or
// closed after the request was written, the per-attempt timeout). Any other
// call ends with that attempt's own error, ErrServer or ErrNetwork, with its
// Attempts, and never with the answer of a repeat that the first attempt's
// success caused: EntryGuard's 400 "MFA is not enabled" after a reset,
// Rocket.Chat's 401 after a self-reset wiped the caller's tokens, its
// totp-invalid for a spent single-use code. A 429, and a request that never
// left (dial or DNS failure), are repeated either way.
//
// Providers decide per call (Rocket.Chat: by operation and by the kind of
// second-factor code the call carries) and document the rule on each
// method; transport applies it the same way for all of them.

// lostAnswerNote is what a network failure of a call that is not
// Idempotent adds to its message, when the request may have reached the
// provider: the reader of a log must not take "network failure" for "not
// done".
func lostAnswerNote(req *Request, err error) string {
	if req.Idempotent || neverSent(err) {
		return ""
	}
	return fmt.Sprintf("; outcome unknown: the request may have reached the server and taken effect (%s is not repeated after a lost answer)", req.Operation)
}
