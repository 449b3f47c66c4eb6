// Package bulk runs one MFA operation for many users, the way the mfakit
// command-line tool does: a fixed number of workers per provider sharing
// that provider's client (so a rate-limit wait pauses them all), stop rules
// that end a run no later user can finish, a brake on repeated failures that
// say nothing about the users, outcomes that tell "done" from "failed" from
// "unknown", and an interrupt that sends nothing new.
//
// A Runner calls Do once per Task and hands every Result, as it finishes, to
// Record on a single goroutine. Tasks of several providers run concurrently,
// each provider with its own workers, stop rules and brake: "reset alice on
// every provider" is one Run.
//
// Stopping. When the context given to Run ends (the program's first SIGINT),
// no task that has not started is started, and no request that has not been
// sent is sent: a call waiting for a rate limit, a backoff or a prompt is
// cancelled at once, and when it had sent nothing it counts as not started
// and is not recorded. A call whose request is on the wire gets Grace to
// finish, so a reset that reached the provider is recorded as done rather
// than as unknown; when Grace ends it is cancelled and recorded as
// Interrupted. The runner can tell a call on the wire from a waiting one
// only through Transport: build the clients with
// mfaclient.WithHTTPClient(&http.Client{Transport: bulk.Transport(nil)}).
// Without it, every started call gets the grace period.
//
// Stop rules. A failure that no later user can avoid (ErrUnauthorized,
// ErrForbidden, ErrSecondFactorRequired, ErrRateLimited beyond the client's
// wait budget, ErrUnsupported, ErrClientDefect) stops that provider's tasks. So does the
// brake: Brake failures in a row that say nothing about the user
// (ErrUnexpectedResponse, ErrNetwork, ErrServer) mean a wrong URL or a
// provider that is down, not hundreds of bad users.
package bulk
