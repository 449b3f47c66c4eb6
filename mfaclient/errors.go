package mfaclient

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"
)

// The classes of failure. Every error an mfakit client returns matches
// exactly one of these with errors.Is, or is a context error
// (context.Canceled, context.DeadlineExceeded) when the caller's context
// ended first.
var (
	// ErrInvalidInput: the input was rejected, before anything was sent
	// (empty credentials, empty user ID, unknown Method, bad base URL), or by
	// the provider (a 400 naming a bad parameter).
	ErrInvalidInput = errors.New("invalid input")
	// ErrUnsupported: the provider has no such operation or method. Nothing
	// was sent.
	ErrUnsupported = errors.New("not supported by this provider")
	// ErrUnauthorized: 401, the credentials are missing, wrong or expired.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: 403 or the provider's equivalent; the error is a
	// *ForbiddenError naming what the caller lacks.
	ErrForbidden = errors.New("forbidden")
	// ErrNotFound: the user does not exist (for the caller).
	ErrNotFound = errors.New("not found")
	// ErrMFANotEnabled: there is no MFA to reset (EntryGuard's 400 "MFA is
	// not enabled", Rocket.Chat's error-two-factor-not-enabled).
	ErrMFANotEnabled = errors.New("MFA not enabled")
	// ErrSecondFactorRequired: the provider wants a second factor for this
	// call (Rocket.Chat's totp-required, totp-invalid, totp-max-attempts).
	// When a code answers it, a *SecondFactorChallenge is reachable with
	// errors.As (not for totp-max-attempts).
	ErrSecondFactorRequired = errors.New("second factor required")
	// ErrRateLimited: 429; the error is a *RateLimitError.
	ErrRateLimited = errors.New("rate limited")
	// ErrServer: 5xx, or the provider saying it failed on its side.
	ErrServer = errors.New("server error")
	// ErrUnexpectedResponse: an answer that fits no documented shape and no
	// other class: a 2xx that is not the documented success (also one with
	// trailing data, duplicate or case-folded keys), a redirect that was not
	// followed, a status whose body is not the provider's shape for it (an
	// HTML 404 from a proxy or a wrong base URL), a status outside 100–599.
	// APIError.Detail says which.
	ErrUnexpectedResponse = errors.New("unexpected response")
	// ErrNetwork: no HTTP answer at all after every allowed attempt
	// (connection refused or reset, the per-attempt timeout, a TLS failure;
	// an *OpError), or an answer lost on the way: its body cut before its
	// end, or stalled past the per-attempt timeout (an *APIError with the
	// status and what came of the body).
	ErrNetwork = errors.New("network failure")
	// ErrClientDefect: the provider rejected the shape of the request mfakit
	// built (Rocket.Chat's 400 invalid-params: its body schema refused a key
	// or a type). The caller's input passed mfakit's own checks, so changing
	// it will not help and repeating will not either: it is a defect in
	// mfakit, or a server version mfakit does not know. Report it with the
	// error's Body and the server version.
	ErrClientDefect = errors.New("client defect: the provider rejected the request mfakit built")
)

// APIError is every non-success HTTP answer. It unwraps to its Class (one of
// the sentinels above) and to Cause, the provider's decoded body
// (*flashback.ErrorResponse, ...), so both errors.Is and errors.As work.
type APIError struct {
	Provider  string // "flashback", "entryguard" or "rocketchat"
	Operation string // "ResetMFA", "ResetOwnMFA", "SetPrimaryMFA"
	// UserID is the user the call named (ResetMFA's userID), "" for a call
	// that names none; it is in the message too, so a bulk run's log line
	// says whom it is about.
	UserID     string
	StatusCode int
	Code       string // the provider's machine code ("totp-required", "Not Found"), or ""
	Message    string // the provider's human message, as sent (credentials redacted)
	// Detail is mfakit's own reason when the answer itself does not give
	// one: "the answer does not look like flashback's API" (an HTML 404 from
	// a proxy or a wrong base URL), "the answer was cut after 12 bytes of
	// its body". Empty when the provider's answer says it all.
	Detail    string
	RequestID string // when the provider sends one
	// Header is the response headers, credentials removed, at most 64 KiB
	// of names and values: the headers mfakit reads (request IDs, rate-limit
	// hints, Location, WWW-Authenticate, Content-Type) first, then the others
	// in order of name, each whole or not at all; the rest is dropped.
	Header   http.Header
	Body     []byte // raw body, at most 64 KiB kept, credentials redacted
	Attempts int    // requests sent, retries included

	Class error // the sentinel this answer belongs to
	Cause error // the provider's decoded body, or nil when it did not decode
}

func (e *APIError) Error() string {
	var b strings.Builder
	writePrefix(&b, e.Provider, e.Operation, e.UserID)
	if e.Class != nil {
		b.WriteString(e.Class.Error())
		b.WriteString(": ")
	}
	fmt.Fprintf(&b, "HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" ")
		b.WriteString(printable(e.Code, 64))
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(printable(e.Message, 256))
	}
	if e.Detail != "" {
		b.WriteString(" (")
		b.WriteString(printable(e.Detail, 256))
		b.WriteString(")")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// Unwrap returns the class sentinel and the provider's decoded body.
func (e *APIError) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Class != nil {
		errs = append(errs, e.Class)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

// RateLimitError is a 429. It matches ErrRateLimited and unwraps to its
// *APIError.
type RateLimitError struct {
	*APIError
	// RetryAfter is how long the provider asked to wait, from Retry-After or
	// from the reset time; never negative, 0 when the provider gave no hint.
	RetryAfter time.Duration
	// Limit and Remaining are the provider's quota headers, -1 when unknown.
	Limit, Remaining int
	// Reset is when the provider's window resets; zero when unknown.
	Reset time.Time
}

func (e *RateLimitError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%s; retry after %s", e.APIError.Error(), e.RetryAfter)
	}
	return e.APIError.Error()
}

// Unwrap returns the embedded *APIError, through which the sentinel and the
// provider body are reached.
func (e *RateLimitError) Unwrap() error { return e.APIError }

// ForbiddenError is a 403, or a provider's equivalent such as Rocket.Chat's
// 400 error-not-allowed. It matches ErrForbidden and unwraps to its
// *APIError.
type ForbiddenError struct {
	*APIError
	// Required is the role or permission the provider requires
	// ("OWNER or ADMINISTRATOR", "ORG_ADMIN", "edit-other-user-totp"), or ""
	// when the provider does not say.
	Required string
}

func (e *ForbiddenError) Error() string {
	if e.Required != "" {
		return fmt.Sprintf("%s; requires %s", e.APIError.Error(), e.Required)
	}
	return e.APIError.Error()
}

// Unwrap returns the embedded *APIError.
func (e *ForbiddenError) Unwrap() error { return e.APIError }

// OpError is a failure that is not an HTTP answer: input rejected before
// sending, an operation the provider lacks, no answer from the network, or
// the caller's context ending. Err carries the class: it matches one
// sentinel, or is the context's error.
type OpError struct {
	Provider  string
	Operation string
	UserID    string // the user the call named, "" when it names none
	Attempts  int    // requests sent; 0 when nothing was sent
	Err       error
}

func (e *OpError) Error() string {
	var b strings.Builder
	writePrefix(&b, e.Provider, e.Operation, e.UserID)
	fmt.Fprint(&b, e.Err)
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " (after %d attempts)", e.Attempts)
	}
	return b.String()
}

// writePrefix writes "mfakit: <provider> <operation>: ", with the user as
// `user "<id>"` when the call named one (quoted, control characters
// replaced and cut at 64 runes, so a hostile ID cannot forge a log line).
func writePrefix(b *strings.Builder, provider, op, userID string) {
	fmt.Fprintf(b, "mfakit: %s %s", provider, op)
	if userID != "" {
		fmt.Fprintf(b, " user %q", printable(userID, 64))
	}
	b.WriteString(": ")
}

func (e *OpError) Unwrap() error { return e.Err }

// printable keeps server-sent text from forging log lines or flooding a
// terminal: control characters become spaces and the text is cut at max runes.
func printable(s string, max int) string {
	clean := strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(clean); len(r) > max {
		return string(r[:max]) + "…"
	}
	return clean
}
