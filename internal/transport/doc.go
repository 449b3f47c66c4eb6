// Package transport is the one place in mfakit that sends HTTP requests. It
// builds each request, sends it through go-retryablehttp configured for a
// security operation, bounds and redacts what comes back, learns rate limits
// for the whole client, and turns a provider's classification of an answer
// into mfaclient's typed errors.
//
// Provider packages hold only what differs between providers: their paths,
// request bodies, headers, and a Classifier that reads their answers.
//
// # One call, file by file
//
// flashback.(*Client).ResetMFA(ctx, "user-42") goes through these stages,
// strictly in this order; each is a file:
//
//  1. input.go, baseurl.go: the provider checks what it was given
//     (CheckUserID, CheckMethod; New checked the credentials, the base URL
//     and every header value). A failure is ErrInvalidInput, nothing sent.
//  2. request.go: Client.Do builds the request: the client's headers (its
//     credentials), the call's own, Accept, User-Agent.
//  3. send.go sends the first attempt straight to the attempt transport;
//     http.Client follows a same-host 307/308, go-retryablehttp runs the
//     retries. roundtrip.go: each attempt waits at the client's rate-limit
//     gate (gate.go, ratelimit.go; pace.go spaces requests at a rate learned
//     from bare 429s), runs under the per-attempt timeout (deadline.go),
//     learns the answer's rate-limit hints, and is logged (redacted). An unasked
//     101 loses its body at once; a redirect's Location that does not parse
//     is kept out of http.Client's way. httpclient.go follows only a
//     307/308 to the same host. retry.go decides whether another attempt
//     follows (only what cannot turn a success into a false error, and a
//     failure only while the client's retry budget, budget.go, lasts).
//  4. body.go: the answer is read through the bound: 64 KiB of body kept,
//     256 KiB drained, 64 KiB of headers kept; every read ends with the
//     caller's context and the attempt timeout. A body cut on the way is
//     reported, never passed on as whole.
//  5. redact.go: the raw answer is redacted once, before anything reads it:
//     credentials out of the body (JSON escapes too) and the headers, and
//     credential headers dropped.
//  6. decode.go: the provider's classifier decodes the body with
//     DecodeObject, strictly (no duplicate or case-folded keys, no trailing
//     data), the one decoder every provider uses.
//  7. classify.go: the classifier's Verdict, checked: a class only with the
//     provider's shape for it (a 5xx stays ErrServer), a status outside
//     100-599 or a body longer than kept is never the documented answer.
//  8. errors.go: the typed error (*APIError, *RateLimitError,
//     *ForbiddenError, *OpError), carrying the user the call names.
//
// Why go-retryablehttp is configured rather than defaulted:
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
