package transport

import (
	"fmt"
	"net/http"
	"strings"
	"unicode"

	"github.com/mfakit/mfakit/mfaclient"
)

// InvalidInput is the error for input rejected before anything is sent.
func InvalidInput(provider, op, format string, args ...any) error {
	return InvalidInputFor(provider, op, "", format, args...)
}

// InvalidInputFor is InvalidInput for a call that names a user: the error
// carries the user ID.
func InvalidInputFor(provider, op, userID, format string, args ...any) error {
	return &mfaclient.OpError{Provider: provider, Operation: op, UserID: userID,
		Err: fmt.Errorf("%w: %s", mfaclient.ErrInvalidInput, fmt.Sprintf(format, args...))}
}

// Unsupported is the error for an operation or method the provider lacks.
func Unsupported(provider, op, what string) error {
	return &mfaclient.OpError{Provider: provider, Operation: op,
		Err: fmt.Errorf("%w: %s", mfaclient.ErrUnsupported, what)}
}

// maxIDLen bounds a user ID; real IDs are tens of bytes, and a 10 KB "ID" is
// a bug upstream, not a user.
const maxIDLen = 512

// CheckUserID rejects an empty user ID (it must never mean "myself"), one
// with control characters (a newline or NUL is never part of an ID, and could
// split a header or a log line), and one longer than 512 bytes.
func CheckUserID(provider, op, id string) error {
	switch {
	case strings.TrimSpace(id) == "":
		return InvalidInputFor(provider, op, id, "user ID is empty (to reset your own MFA, use ResetOwnMFA)")
	case len(id) > maxIDLen:
		return InvalidInputFor(provider, op, id, "user ID is %d bytes, longer than %d", len(id), maxIDLen)
	case hasControl(id):
		return InvalidInputFor(provider, op, id, "user ID contains a control character")
	}
	return nil
}

// CheckCredential rejects an empty credential, or one that cannot be sent as
// a header value (it would fail at send time, or split the header). The
// value itself never appears in the error.
func CheckCredential(provider, name, value string) error {
	switch {
	case strings.TrimSpace(value) == "":
		return InvalidInput(provider, "New", "%s is empty", name)
	case hasControl(value) || strings.TrimSpace(value) != value:
		return InvalidInput(provider, "New", "%s contains spaces at its ends or control characters", name)
	}
	return nil
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) {
			return true
		}
	}
	return false
}

// CheckMethod rejects a Method outside mfaclient's list; a known method the
// provider lacks is the caller's to answer with Unsupported.
func CheckMethod(provider string, m mfaclient.Method) error {
	if !m.Valid() {
		return InvalidInput(provider, "SetPrimaryMFA", "unknown MFA method %q", printableQuote(string(m)))
	}
	return nil
}

func printableQuote(s string) string {
	if len(s) > 64 {
		s = s[:64]
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, s)
}

// checkHeaderValues rejects a header whose value can never be sent (a
// control character would fail at send time, or split the header). The
// value itself never appears in the error: it may be a credential.
func checkHeaderValues(h http.Header) error {
	for k, vs := range h {
		for _, v := range vs {
			if hasControl(v) {
				return fmt.Errorf("header %s contains control characters", printableQuote(k))
			}
		}
	}
	return nil
}
