package mfatest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"
)

// FlashbackFake is a fake Flashback API serving POST /mfa/reset and
// POST /mfa/primary as seeds/flashback-post-mfa-*.txt document them.
//
// Callers authenticate with "Authorization: Bearer <FakeUser.Token>". The
// rate limit, when set, is checked before authentication: Flashback
// documents none, so the fake behaves like a gateway in front of it.
type FlashbackFake struct {
	*Fake
	// The seeded users as they were at start (User has their current
	// state). All have MFA on with primary method GOOGLE_AUTH.
	Owner  FakeUser // role OWNER: may reset others
	Admin  FakeUser // role ADMINISTRATOR: may reset others
	Member FakeUser // role MEMBER: may reset only itself
}

// The bodies Flashback documents, byte for byte.
const (
	flashbackResetOK   = `{"success":true,"message":"MFA reset successfully"}`
	flashbackPrimaryOK = `{"success":true,"message":"Primary MFA method updated"}`
	flashbackForbidden = `{"success":false,"error":"Insufficient permissions. OWNER or ADMINISTRATOR role required to reset another user's MFA."}`
	flashbackNotFound  = `{"success":false,"error":"User not found"}`
	// Undocumented for the MFA endpoints: the shape of Flashback's auth
	// endpoints' 401 (error_code + message).
	flashbackUnauthorized = `{"success":false,"error_code":"INVALID_TOKEN","message":"Invalid or expired token"}`
)

// flashbackBody is Flashback's {success, message | error} shape.
type flashbackBody struct {
	Success bool   `json:"success"`
	Message string `json:"message,omitempty"`
	Error   string `json:"error,omitempty"`
}

// StartFlashback starts a fake Flashback API with three seeded users. The
// caller must Close it.
func StartFlashback(opts ...FakeOption) (*FlashbackFake, error) {
	f, err := newFake(newConfig(opts), flashbackErrorBody)
	if err != nil {
		return nil, err
	}
	fb := &FlashbackFake{Fake: f}
	seed := func(id, role string) FakeUser {
		return f.AddUser(FakeUser{ID: id, Role: role, MFAEnabled: true, PrimaryMethod: "GOOGLE_AUTH"})
	}
	fb.Owner = seed("usr-owner-1", "OWNER")
	fb.Admin = seed("usr-admin-2", "ADMINISTRATOR")
	fb.Member = seed("usr-member-3", "MEMBER")
	f.serve(fb.handle)
	return fb, nil
}

// NewFlashback is StartFlashback for tests: it fails t on error and closes
// the fake when t ends.
func NewFlashback(t testing.TB, opts ...FakeOption) *FlashbackFake {
	t.Helper()
	return startForTest(t, func() (*FlashbackFake, error) { return StartFlashback(opts...) })
}

func (fb *FlashbackFake) handle(w http.ResponseWriter, r *http.Request) {
	var serve func(http.ResponseWriter, *http.Request, FakeUser)
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/mfa/reset":
		serve = fb.reset
	case r.Method == http.MethodPost && r.URL.Path == "/mfa/primary":
		serve = fb.primary
	default:
		fb.replyJSON(w, http.StatusNotFound, flashbackBody{Error: "Not found"}) // undocumented
		return
	}
	if !fb.allow(w, r) {
		return
	}
	caller, ok := fb.byBearer(r)
	if !ok {
		fb.reply(w, http.StatusUnauthorized, []byte(flashbackUnauthorized))
		return
	}
	serve(w, r, caller)
}

func (fb *FlashbackFake) reset(w http.ResponseWriter, r *http.Request, caller FakeUser) {
	var req struct {
		ResetUserID string `json:"resetUserId"`
	}
	if !fb.decode(w, r, &req) {
		return
	}
	target := caller.ID
	// Resetting oneself by ID needs no role: it is a self-reset.
	if req.ResetUserID != "" && req.ResetUserID != caller.ID {
		if caller.Role != "OWNER" && caller.Role != "ADMINISTRATOR" {
			fb.reply(w, http.StatusForbidden, []byte(flashbackForbidden))
			return
		}
		target = req.ResetUserID
	}
	// Flashback documents no error for a user whose MFA is already off.
	if found, _ := fb.resetUser(target, false, false); !found {
		fb.reply(w, http.StatusNotFound, []byte(flashbackNotFound))
		return
	}
	fb.reply(w, http.StatusOK, []byte(flashbackResetOK))
}

func (fb *FlashbackFake) primary(w http.ResponseWriter, r *http.Request, caller FakeUser) {
	var req struct {
		MFAType string `json:"mfaType"`
	}
	if !fb.decode(w, r, &req) {
		return
	}
	switch req.MFAType {
	case "GOOGLE_AUTH", "MAGIC_LINK", "PASSKEY":
	default:
		// Undocumented: Flashback documents only 200 and 500 here.
		fb.replyJSON(w, http.StatusBadRequest, flashbackBody{Error: "Invalid mfaType"})
		return
	}
	fb.withUser(caller.ID, func(u *FakeUser) { u.PrimaryMethod = req.MFAType })
	fb.reply(w, http.StatusOK, []byte(flashbackPrimaryOK))
}

// decode reads an optional JSON body into v; a body that is not JSON of
// that shape is an (undocumented) 400.
func (fb *FlashbackFake) decode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		fb.replyJSON(w, http.StatusBadRequest, flashbackBody{Error: "Invalid request body"})
		return false
	}
	return true
}

// flashbackErrorBody is the body of an injected failure or a 429: the
// documented bodies (403, 404 and 500 of /mfa/reset, 500 of /mfa/primary),
// the 429 of testdata/flashback/reset-other-429.json (Flashback documents
// none), otherwise the status text in Flashback's shape.
func flashbackErrorBody(r *http.Request, status int, _ time.Duration) []byte {
	msg := http.StatusText(status)
	reset := r.URL.Path == "/mfa/reset"
	switch {
	case status == http.StatusUnauthorized:
		return []byte(flashbackUnauthorized)
	case status == http.StatusForbidden && reset:
		return []byte(flashbackForbidden)
	case status == http.StatusNotFound && reset:
		return []byte(flashbackNotFound)
	case status == http.StatusTooManyRequests:
		msg = "Too many requests"
	case status == http.StatusInternalServerError && reset:
		msg = "Failed to reset MFA"
	case status == http.StatusInternalServerError && r.URL.Path == "/mfa/primary":
		msg = "Failed to set primary MFA"
	}
	return encodeJSON(flashbackBody{Error: msg})
}
