package mfatest

import (
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// EntryGuardFake is a fake EntryGuard API serving
// POST /api/v1/users/{id}/reset-mfa as
// https://docs.entryguard.io/api-reference/users/reset-mfa documents it: a reset turns
// MFA off, so a second reset of the same user answers 400 "MFA is not
// enabled for this user".
//
// Callers authenticate with "Authorization: Bearer <FakeUser.Token>" and
// need the role ORG_ADMIN. Errors use EntryGuard's documented Spring-style
// body {timestamp, status, error, message, path[, validationErrors]}. The
// checks run in this order (EntryGuard documents none): rate limit,
// authentication (401), role (403), UUID syntax (400), user (404), MFA
// state (400).
type EntryGuardFake struct {
	*Fake
	// The seeded users as they were at start (User has their current
	// state). Both have MFA on.
	Admin  FakeUser // role ORG_ADMIN
	Member FakeUser // role MEMBER, ID 770e8400-e29b-41d4-a716-446655440004 as in the docs
}

// entryGuardError is EntryGuard's documented error body.
type entryGuardError struct {
	Timestamp        string            `json:"timestamp"`
	Status           int               `json:"status"`
	Error            string            `json:"error"`
	Message          string            `json:"message"`
	Path             string            `json:"path"`
	ValidationErrors map[string]string `json:"validationErrors,omitempty"`
}

// entryGuardMessages are the messages of EntryGuard's documented error
// list, for the answers whose body it does not show.
var entryGuardMessages = map[int]string{
	http.StatusUnauthorized:        "Missing or invalid authentication token",
	http.StatusForbidden:           "User does not have ORG_ADMIN role",
	http.StatusTooManyRequests:     "Rate limit exceeded",
	http.StatusInternalServerError: "Server error occurred",
}

const entryGuardResetPrefix, entryGuardResetSuffix = "/api/v1/users/", "/reset-mfa"

// StartEntryGuard starts a fake EntryGuard API with two seeded users. The
// caller must Close it.
func StartEntryGuard(opts ...FakeOption) (*EntryGuardFake, error) {
	cfg := newConfig(opts)
	eg := new(EntryGuardFake)
	f, err := newFake(cfg, eg.errorBody)
	if err != nil {
		return nil, err
	}
	eg.Fake = f
	eg.Admin = f.AddUser(FakeUser{ID: "550e8400-e29b-41d4-a716-446655440000", Role: "ORG_ADMIN", MFAEnabled: true})
	eg.Member = f.AddUser(FakeUser{ID: "770e8400-e29b-41d4-a716-446655440004", Role: "MEMBER", MFAEnabled: true})
	mux := http.NewServeMux()
	mux.HandleFunc(entryGuardResetPrefix+"{id}"+entryGuardResetSuffix, eg.reset)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		eg.fail(w, r, http.StatusNotFound, "No static resource found")
	})
	f.serve(mux.ServeHTTP)
	return eg, nil
}

// NewEntryGuard is StartEntryGuard for tests: it fails t on error and
// closes the fake when t ends.
func NewEntryGuard(t testing.TB, opts ...FakeOption) *EntryGuardFake {
	t.Helper()
	return startForTest(t, func() (*EntryGuardFake, error) { return StartEntryGuard(opts...) })
}

func (eg *EntryGuardFake) reset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		eg.fail(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("Request method '%s' is not supported", r.Method))
		return
	}
	if !eg.allow(w, r) {
		return
	}
	caller, ok := eg.byBearer(r)
	switch {
	case !ok:
		eg.fail(w, r, http.StatusUnauthorized, "")
		return
	case caller.Role != "ORG_ADMIN":
		eg.fail(w, r, http.StatusForbidden, "")
		return
	}
	id := r.PathValue("id")
	if !isUUID(id) {
		// The documented validation shape; the field text is the fake's.
		eg.replyJSON(w, http.StatusBadRequest, eg.body(r, http.StatusBadRequest, "Validation failed",
			map[string]string{"id": "must be a valid UUID"}))
		return
	}
	found, wasOn := eg.resetUser(eg.canonicalID(id), true, false)
	switch {
	case !found:
		eg.fail(w, r, http.StatusNotFound, "User not found with id: "+id)
	case !wasOn:
		eg.fail(w, r, http.StatusBadRequest, "MFA is not enabled for this user")
	default:
		eg.reply(w, http.StatusOK, []byte(`{"message":"MFA reset successfully"}`))
	}
}

// canonicalID finds the stored ID equal to id as a UUID: EntryGuard parses
// the path into a UUID, so letter case does not matter.
func (eg *EntryGuardFake) canonicalID(id string) string {
	eg.mu.Lock()
	defer eg.mu.Unlock()
	if _, ok := eg.users[id]; ok {
		return id
	}
	for stored := range eg.users {
		if strings.EqualFold(stored, id) {
			return stored
		}
	}
	return id
}

// fail answers status with message, or the documented message for status
// when message is empty.
func (eg *EntryGuardFake) fail(w http.ResponseWriter, r *http.Request, status int, message string) {
	if message == "" {
		message = entryGuardMessages[status]
	}
	eg.replyJSON(w, status, eg.body(r, status, message, nil))
}

func (eg *EntryGuardFake) body(r *http.Request, status int, message string, validation map[string]string) entryGuardError {
	return entryGuardError{
		Timestamp:        eg.now().UTC().Format(time.RFC3339),
		Status:           status,
		Error:            http.StatusText(status),
		Message:          message,
		Path:             r.URL.EscapedPath(),
		ValidationErrors: validation,
	}
}

func (eg *EntryGuardFake) errorBody(r *http.Request, status int, _ time.Duration) []byte {
	msg, ok := entryGuardMessages[status]
	if !ok {
		msg = http.StatusText(status)
	}
	return encodeJSON(eg.body(r, status, msg, nil))
}

// isUUID reports whether s has the 8-4-4-4-12 hex form. It is written
// apart from the client's check on purpose: the fake must not share a bug
// with the code it tests.
func isUUID(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts) != 5 {
		return false
	}
	for i, n := range []int{8, 4, 4, 4, 12} {
		if _, err := hex.DecodeString(parts[i]); err != nil || len(parts[i]) != n {
			return false
		}
	}
	return true
}
