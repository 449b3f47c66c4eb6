package mfatest

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mfakit/mfakit/internal/gcra"
)

// MattermostFake is a fake Mattermost server (v6.7.2) serving
// PUT /api/v4/users/{user_id}/mfa as api4/user.go updateUserMfa does.
//
// Callers authenticate with "Authorization: Bearer <FakeUser.Token>". Each
// request goes through Mattermost's steps in order: the rate limiter, if
// set with SetMattermostLimiter (before routing, as RateLimitHandler wraps
// the whole router; text/plain "limit exceeded" with Retry-After and
// X-Ratelimit-* on every answer, the reset in seconds from now); routing
// (a path or method no route matches: 404 api.context.404.app_error); the
// session (401); the user ID (26 letters or digits, or "me": 400); the
// permission (yourself, or role "system_admin" holding edit_other_users:
// 403); the body ("activate" must be a boolean: 400); the user lookup
// (404). Deactivating turns MFA off and answers {"status":"OK"}, also when
// it was off. Activating is not modelled: without a code it is 400, and
// the fake knows no TOTP secret, so every code is wrong (401).
//
// Errors are Mattermost's AppError {"id","message","detailed_error",
// "request_id","status_code"}, with the request ID also in X-Request-Id.
type MattermostFake struct {
	*Fake
	// The seeded users as they were at start (User has their current
	// state). Both have MFA on.
	Admin  FakeUser // role system_admin
	Member FakeUser // role system_user

	own       sync.Mutex    // guards limiter and requestID (Fake.mu guards the users)
	limiter   *gcra.Limiter // nil: no rate limit
	requestID string        // "": a new one per answer
}

// mattermostError is Mattermost's model.AppError as it is sent.
type mattermostError struct {
	ID            string `json:"id"`
	Message       string `json:"message"`
	DetailedError string `json:"detailed_error"`
	RequestID     string `json:"request_id,omitempty"`
	StatusCode    int    `json:"status_code,omitempty"`
}

// Mattermost's error IDs on this route, and their English messages
// (i18n/en.json).
const (
	mmSessionExpired = "api.context.session_expired.app_error"
	mmPermissions    = "api.context.permissions.app_error"
	mmMissingAccount = "app.user.missing_account.const"
	mmInvalidURL     = "api.context.invalid_url_param.app_error"
	mmInvalidBody    = "api.context.invalid_body_param.app_error"
	mmNoRoute        = "api.context.404.app_error"
	mmBadToken       = "mfa.activate.bad_token.app_error"
)

var mattermostMessages = map[string]string{
	mmSessionExpired: "Invalid or expired session, please login again.",
	mmPermissions:    "You do not have the appropriate permissions.",
	mmMissingAccount: "Unable to find the user.",
	mmInvalidURL:     "Invalid or missing {{.Name}} parameter in request URL.",
	mmInvalidBody:    "Invalid or missing {{.Name}} in request body.",
	mmNoRoute:        "Sorry, we could not find the page.",
	mmBadToken:       "Invalid MFA token.",
}

// mattermostStatusIDs are the IDs the fake sends for an injected failure
// (FailNext with no body).
var mattermostStatusIDs = map[int]string{
	http.StatusBadRequest:   mmInvalidBody,
	http.StatusUnauthorized: mmSessionExpired,
	http.StatusForbidden:    mmPermissions,
	http.StatusNotFound:     mmMissingAccount,
}

// StartMattermost starts a fake Mattermost server with two seeded users.
// The caller must Close it.
func StartMattermost(opts ...FakeOption) (*MattermostFake, error) {
	cfg := newConfig(opts)
	mm := new(MattermostFake)
	f, err := newFake(cfg, mm.errorBody)
	if err != nil {
		return nil, err
	}
	mm.Fake = f
	mm.Admin = f.AddUser(FakeUser{ID: NewMattermostID(), Username: "sysadmin", Role: "system_admin", MFAEnabled: true})
	mm.Member = f.AddUser(FakeUser{ID: NewMattermostID(), Username: "alice", Role: "system_user", MFAEnabled: true})
	f.serve(mm.handle)
	return mm, nil
}

// NewMattermost is StartMattermost for tests: it fails t on error and
// closes the fake when t ends.
func NewMattermost(t testing.TB, opts ...FakeOption) *MattermostFake {
	t.Helper()
	return startForTest(t, func() (*MattermostFake, error) { return StartMattermost(opts...) })
}

// SetMattermostLimiter turns on Mattermost's own rate limiter
// (RateLimitSettings PerSec and MaxBurst: a GCRA limiter, as the
// throttled library Mattermost uses), or off with perSec <= 0. It keys
// every request alike, as VaryByRemoteAddr does for one client.
func (mm *MattermostFake) SetMattermostLimiter(perSec, maxBurst int) {
	mm.own.Lock()
	defer mm.own.Unlock()
	mm.limiter = nil
	if perSec > 0 {
		mm.limiter = gcra.New(perSec, maxBurst)
	}
}

// SetRequestID makes every answer carry id as its request ID (X-Request-Id
// and the error body's request_id), so that a test can compare whole
// bodies; "" goes back to a new ID per answer.
func (mm *MattermostFake) SetRequestID(id string) {
	mm.own.Lock()
	defer mm.own.Unlock()
	mm.requestID = id
}

func (mm *MattermostFake) nextRequestID() string {
	mm.own.Lock()
	defer mm.own.Unlock()
	if mm.requestID != "" {
		return mm.requestID
	}
	return NewMattermostID()
}

const mattermostPrefix, mattermostSuffix = "/api/v4/users/", "/mfa"

func (mm *MattermostFake) handle(w http.ResponseWriter, r *http.Request) {
	if !mm.allowGCRA(w) || !mm.allow(w, r) {
		return
	}
	path := r.URL.EscapedPath()
	id, routed := strings.CutPrefix(path, mattermostPrefix)
	id, suffixed := strings.CutSuffix(id, mattermostSuffix)
	if !routed || !suffixed || !mattermostUserRoute.MatchString(id) || r.Method != http.MethodPut {
		// The catch-all 404 is not a web.Handler: no request ID.
		mm.reply(w, http.StatusNotFound, encodeJSON(mattermostError{ID: mmNoRoute, Message: mattermostMessages[mmNoRoute], StatusCode: http.StatusNotFound}))
		return
	}
	reqID := mm.nextRequestID()
	w.Header().Set("X-Request-Id", reqID)
	caller, ok := mm.byBearer(r)
	if !ok {
		mm.fail(w, reqID, http.StatusUnauthorized, mmSessionExpired)
		return
	}
	if id == "me" {
		id = caller.ID
	}
	if len(id) != 26 {
		mm.fail(w, reqID, http.StatusBadRequest, mmInvalidURL, "user_id")
		return
	}
	if caller.ID != id && caller.Role != "system_admin" {
		mm.fail(w, reqID, http.StatusForbidden, mmPermissions)
		return
	}
	var props map[string]any
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	_ = json.Unmarshal(body, &props) // like model.StringInterfaceFromJSON: a bad body is an empty map
	activate, isBool := props["activate"].(bool)
	code, _ := props["code"].(string)
	switch {
	case !isBool:
		mm.fail(w, reqID, http.StatusBadRequest, mmInvalidBody, "activate")
		return
	case activate && code == "":
		mm.fail(w, reqID, http.StatusBadRequest, mmInvalidBody, "code")
		return
	case activate:
		mm.fail(w, reqID, http.StatusUnauthorized, mmBadToken)
		return
	}
	if found, _ := mm.resetUser(id, false, false); !found {
		mm.fail(w, reqID, http.StatusNotFound, mmMissingAccount)
		return
	}
	mm.reply(w, http.StatusOK, []byte(`{"status":"OK"}`))
}

// fail answers the AppError id; name fills the message's {{.Name}}.
func (mm *MattermostFake) fail(w http.ResponseWriter, reqID string, status int, id string, name ...string) {
	msg := mattermostMessages[id]
	if len(name) > 0 {
		msg = strings.ReplaceAll(msg, "{{.Name}}", name[0])
	}
	mm.reply(w, status, encodeJSON(mattermostError{ID: id, Message: msg, RequestID: reqID, StatusCode: status}))
}

func (mm *MattermostFake) errorBody(_ *http.Request, status int, _ time.Duration) []byte {
	if status == http.StatusTooManyRequests {
		return []byte("limit exceeded\n")
	}
	id, ok := mattermostStatusIDs[status]
	msg := strings.ReplaceAll(mattermostMessages[id], "{{.Name}}", "activate")
	if !ok {
		id, msg = "app.fake.error", http.StatusText(status)
	}
	return encodeJSON(mattermostError{ID: id, Message: msg, RequestID: mm.nextRequestID(), StatusCode: status})
}

// allowGCRA applies Mattermost's limiter: X-Ratelimit-* on every answer
// (and Retry-After on a 429) as app/ratelimit.go setRateLimitHeaders
// writes them, and the 429 of http.Error.
func (mm *MattermostFake) allowGCRA(w http.ResponseWriter) bool {
	mm.own.Lock()
	l := mm.limiter
	mm.own.Unlock()
	if l == nil {
		return true
	}
	res := l.Take(mm.now())
	h := w.Header()
	res.SetHeaders(h)
	if !res.Limited {
		return true
	}
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	mm.reply(w, http.StatusTooManyRequests, []byte("limit exceeded\n"))
	return false
}

// mattermostIDAlphabet is the base32 alphabet of Mattermost's model.NewId.
const mattermostIDAlphabet = "ybndrfg8ejkmcpqxot1uwisza345h769"

// NewMattermostID returns a new ID in Mattermost's form: 26 characters of
// its lowercase base32 alphabet.
func NewMattermostID() string {
	b := make([]byte, 26)
	_, _ = rand.Read(b)
	for i, c := range b {
		b[i] = mattermostIDAlphabet[c%32]
	}
	return string(b)
}

// mattermostUserRoute is the user ID of the route api4 registers,
// "/users/{user_id:[A-Za-z0-9]+}": anything else reaches the catch-all 404.
// (Written apart from the client's check on purpose: the fake must not
// share a bug with the code it tests.)
var mattermostUserRoute = regexp.MustCompile(`^[A-Za-z0-9]+$`)
