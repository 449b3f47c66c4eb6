// Package mfaclient is the provider-neutral surface of mfakit: the interfaces
// every provider client implements, the Method names, the typed errors a
// program acts on, and the options shared by every client.
//
// It holds no HTTP code. Each provider lives in its own package (flashback,
// entryguard, rocketchat) and returns errors from this package, so a program
// written against Resetter works the same against any of them:
//
//	var r mfaclient.Resetter = client // *flashback.Client, *entryguard.Client, ...
//	err := r.ResetMFA(ctx, userID)
//	switch {
//	case err == nil:
//	case errors.Is(err, mfaclient.ErrNotFound):
//	case errors.Is(err, mfaclient.ErrRateLimited):
//		var rl *mfaclient.RateLimitError
//		errors.As(err, &rl) // rl.RetryAfter, rl.Reset
//	}
//
// Every failure matches exactly one sentinel (ErrInvalidInput, ErrNotFound,
// ...) with errors.Is, or is a context error when the caller's context ended.
// Every failure that is an HTTP answer is an *APIError (errors.As), and
// unwraps further to the provider's decoded body.
package mfaclient
