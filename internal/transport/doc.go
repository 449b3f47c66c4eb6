// Package transport is the one place in mfakit that sends HTTP requests. It
// builds each request, sends it through go-retryablehttp configured for a
// security operation, bounds and redacts what comes back, learns rate limits
// for the whole client, and turns a provider's classification of an answer
// into mfaclient's typed errors.
//
// Provider packages hold only what differs between providers: their paths,
// request bodies, headers, and a Classifier that reads their answers.
//
// Why go-retryablehttp is configured rather than defaulted (see
// shared/reference/http-stack.md for the measurements):
//   - its default ErrorHandler throws the final 429/5xx away; ours hands it to
//     the classifier, so the caller gets a *RateLimitError, not a string;
//   - its default logger is a process-wide stderr logger; ours is nil unless
//     the caller gives an *slog.Logger;
//   - its Retry-After is uncapped; ours is capped at RetryPolicy.MaxWait, and a
//     longer hint returns the *RateLimitError at once;
//   - it retries POSTs on every 5xx and transport error; ours retries only
//     what cannot turn a success into a false error (see retry.go);
//   - it closes every idle connection after a failed Do; our RoundTripper hides
//     CloseIdleConnections so a 429 does not cost the pool.
package transport
