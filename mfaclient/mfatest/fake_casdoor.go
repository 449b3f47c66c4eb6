package mfatest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// CasdoorFake is a fake Casdoor server serving POST /api/delete-mfa and
// POST /api/set-preferred-mfa as Casdoor v1.1000.0 does
// (https://github.com/casdoor/casdoor/blob/v1.1000.0/controllers/mfa.go):
// every answer of the API is HTTP 200 with {"status":"ok"|"error","msg":...}.
//
// A user's ID is "owner/name". MFAEnabled is the user's authenticator app
// (Casdoor's "app" method), EnableEmailMFA its email method; PrimaryMethod
// is its preferred MFA type ("app", "email", "sms", or anything
// set-preferred-mfa was sent: Casdoor stores any type without checking
// it). delete-mfa turns every method off and clears the preferred type, and
// answers ok again when it is already off.
//
// Callers authenticate as Casdoor's API filter reads them
// (routers/auto_signin_filter.go, routers/authz_filter.go): the
// application's client ID and secret as HTTP Basic (allowed on every
// user), or a user's access key pair in the JSON body of the POST (allowed
// on itself, and on others as an administrator of their organization, Role
// "admin"). The checks run in Casdoor's order: client credentials
// ("Application not found for client ID: …", "Incorrect client secret for
// application: …"), permission ("Unauthorized operation", also for a wrong
// or unknown access key, which Casdoor treats as anonymous), then the
// user ("User doesn't exist"). A GET, or another path, is Casdoor's 404
// HTML page.
type CasdoorFake struct {
	*Fake
	// App is the seeded application.
	App CasdoorApp
	// The seeded users as they were at start, in organization
	// CasdoorOrganization (User has their current state). Their access
	// secret is FakeUser.Token; AccessKey gives their access key.
	Admin  FakeUser // Role "admin": an administrator of the organization
	Member FakeUser // Role "user", with TOTP enrolled and "app" preferred
	Other  FakeUser // Role "admin" of another organization

	keysMu     sync.Mutex
	accessKeys map[string]string // access key -> user ID
	emailMFA   map[string]string // user ID -> e-mail address, while email MFA is on
}

// CasdoorApp is an application's credentials.
type CasdoorApp struct {
	Name, ClientID, ClientSecret string
}

// CasdoorOrganization is the organization of the fake's Admin and Member.
const CasdoorOrganization = "mfakit"

const (
	casdoorDeletePath    = "/api/delete-mfa"
	casdoorPreferredPath = "/api/set-preferred-mfa"
	// casdoorUnauthorized is what Casdoor's API filter answers a caller it
	// does not allow (routers/authz_filter.go, denyRequest).
	casdoorUnauthorized = "Unauthorized operation"
)

// StartCasdoor starts a fake Casdoor with an application and three seeded
// users. The caller must Close it.
func StartCasdoor(opts ...FakeOption) (*CasdoorFake, error) {
	cfg := newConfig(opts)
	cd := &CasdoorFake{accessKeys: map[string]string{}, emailMFA: map[string]string{}}
	f, err := newFake(cfg, cd.errorBody)
	if err != nil {
		return nil, err
	}
	cd.Fake = f
	cd.App = CasdoorApp{Name: "mfakit-app", ClientID: randomHex(10), ClientSecret: randomHex(20)}
	cd.Admin = cd.AddUser(FakeUser{ID: CasdoorOrganization + "/admin", Role: "admin", MFAEnabled: true, PrimaryMethod: "app"}, "")
	cd.Member = cd.AddUser(FakeUser{ID: CasdoorOrganization + "/bob", Role: "user", MFAEnabled: true, PrimaryMethod: "app"}, "")
	cd.Other = cd.AddUser(FakeUser{ID: "other-org/admin", Role: "admin", MFAEnabled: true, PrimaryMethod: "app"}, "")
	f.serve(cd.handle)
	return cd, nil
}

// NewCasdoor is StartCasdoor for tests: it fails t on error and closes the
// fake when t ends.
func NewCasdoor(t testing.TB, opts ...FakeOption) *CasdoorFake {
	t.Helper()
	return startForTest(t, func() (*CasdoorFake, error) { return StartCasdoor(opts...) })
}

// AddUser adds u with this access key (made up when empty) and its Token
// as access secret, and returns it as stored.
func (cd *CasdoorFake) AddUser(u FakeUser, accessKey string) FakeUser {
	if accessKey == "" {
		accessKey = randomHex(16)
	}
	u = cd.Fake.AddUser(u)
	cd.keysMu.Lock()
	defer cd.keysMu.Unlock()
	for k, id := range cd.accessKeys {
		if id == u.ID {
			delete(cd.accessKeys, k)
		}
	}
	cd.accessKeys[accessKey] = u.ID
	return u
}

// AccessKey returns the access key of the user with this ID, "" when it
// has none.
func (cd *CasdoorFake) AccessKey(id string) string {
	cd.keysMu.Lock()
	defer cd.keysMu.Unlock()
	for k, uid := range cd.accessKeys {
		if uid == id {
			return k
		}
	}
	return ""
}

// EnableEmailMFA turns email MFA on for the user with this ID, with codes
// sent to email.
func (cd *CasdoorFake) EnableEmailMFA(id, email string) {
	cd.keysMu.Lock()
	defer cd.keysMu.Unlock()
	cd.emailMFA[id] = email
}

// EmailMFA reports whether email MFA is on for the user with this ID.
func (cd *CasdoorFake) EmailMFA(id string) bool {
	cd.keysMu.Lock()
	defer cd.keysMu.Unlock()
	_, ok := cd.emailMFA[id]
	return ok
}

func (cd *CasdoorFake) handle(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	if r.Method != http.MethodPost || (path != casdoorDeletePath && path != casdoorPreferredPath) {
		cd.notFoundPage(w)
		return
	}
	if !cd.allow(w, r) {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	caller, msg := cd.caller(r, body)
	if msg != "" {
		cd.filterFail(w, msg)
		return
	}
	q := r.URL.Query() // Casdoor reads Request.Form; a JSON body is not in it
	owner, name := q.Get("owner"), q.Get("name")
	if !cd.allowed(caller, body) {
		cd.filterFail(w, casdoorUnauthorized)
		return
	}
	id := owner + "/" + name
	if path == casdoorDeletePath {
		if found, _ := cd.resetUser(id, false, false); !found {
			cd.fail(w, "User doesn't exist")
			return
		}
		cd.keysMu.Lock()
		delete(cd.emailMFA, id)
		cd.keysMu.Unlock()
	} else {
		mfaType := q.Get("mfaType")
		if !cd.withUser(id, func(u *FakeUser) { u.PrimaryMethod = mfaType }) {
			cd.fail(w, "User doesn't exist")
			return
		}
	}
	u, _ := cd.User(id)
	cd.keysMu.Lock()
	email, emailOn := cd.emailMFA[id]
	cd.keysMu.Unlock()
	cd.reply(w, casdoorResponse{Status: "ok", Data: casdoorMFAProps(u, email, emailOn)})
}

// casdoorCaller is who a request authenticates as: the application, a
// user's ID, or nobody (anonymous).
type casdoorCaller struct {
	app    bool
	userID string
}

// caller reads the credentials as Casdoor does: HTTP Basic is the
// application's and a wrong one is answered at once; an access key pair in
// a JSON body is a user's, and a wrong or unknown one leaves the caller
// anonymous. msg is the error answer, if any.
func (cd *CasdoorFake) caller(r *http.Request, body []byte) (c casdoorCaller, msg string) {
	if id, secret, ok := r.BasicAuth(); ok && id != "" && secret != "" {
		switch {
		case id != cd.App.ClientID:
			return c, "Application not found for client ID: " + id
		case secret != cd.App.ClientSecret:
			return c, "Incorrect client secret for application: " + cd.App.Name
		}
		return casdoorCaller{app: true}, ""
	}
	var keys struct {
		AccessKey    string `json:"accessKey"`
		AccessSecret string `json:"accessSecret"`
	}
	if len(body) == 0 || json.Unmarshal(body, &keys) != nil {
		return c, ""
	}
	cd.keysMu.Lock()
	id, ok := cd.accessKeys[keys.AccessKey]
	cd.keysMu.Unlock()
	if u, found := cd.User(id); ok && found && u.Token == keys.AccessSecret {
		c.userID = u.ID
	}
	return c, ""
}

// allowed is Casdoor's authz.IsAllowed for these endpoints: the
// application may act on anyone; a user on itself (the API enforcer's
// matcher, object/init.go) or, as an administrator, on the users of its
// organization. The object is what the JSON body names (getObject reads
// owner and name from the body when there is one).
func (cd *CasdoorFake) allowed(c casdoorCaller, body []byte) bool {
	if c.app {
		return true
	}
	u, ok := cd.User(c.userID)
	if !ok {
		return false
	}
	var obj struct {
		Owner string `json:"owner"`
		Name  string `json:"name"`
	}
	_ = json.Unmarshal(body, &obj)
	owner, _, _ := strings.Cut(u.ID, "/")
	return obj.Owner+"/"+obj.Name == u.ID || (u.Role == "admin" && obj.Owner == owner)
}

// casdoorResponse is the controllers' answer (controllers.Response), for
// success and for the controllers' own errors ("User doesn't exist").
type casdoorResponse struct {
	Status string         `json:"status"`
	Msg    string         `json:"msg"`
	Sub    string         `json:"sub"`
	Name   string         `json:"name"`
	Data   []casdoorProps `json:"data"`
	Data2  any            `json:"data2"`
	Data3  any            `json:"data3"`
}

// casdoorFilterError is the API filters' error answer (routers.Response):
// no sub, name or data3.
type casdoorFilterError struct {
	Status string `json:"status"`
	Msg    string `json:"msg"`
	Data   any    `json:"data"`
	Data2  any    `json:"data2"`
}

// casdoorProps is object.MfaProps as the answers list it (masked: a TOTP
// secret is never shown).
type casdoorProps struct {
	Enabled            bool   `json:"enabled"`
	IsPreferred        bool   `json:"isPreferred"`
	MfaType            string `json:"mfaType"`
	Secret             string `json:"secret,omitempty"`
	MfaRememberInHours int    `json:"mfaRememberInHours"`
}

// casdoorMFAProps is object.GetAllMfaProps: sms, email and app, in that
// order; a method that is off is never marked preferred, and an e-mail
// address is masked (util.GetMaskedEmail).
func casdoorMFAProps(u FakeUser, email string, emailOn bool) []casdoorProps {
	out := []casdoorProps{{MfaType: "sms"}, {MfaType: "email"}, {MfaType: "app"}}
	if emailOn {
		out[1] = casdoorProps{Enabled: true, IsPreferred: u.PrimaryMethod == "email", MfaType: "email", Secret: casdoorMaskedEmail(email)}
	}
	if u.MFAEnabled {
		out[2] = casdoorProps{Enabled: true, IsPreferred: u.PrimaryMethod == "app", MfaType: "app"}
	}
	return out
}

// casdoorMaskedEmail is Casdoor's util.GetMaskedEmail: the local part and
// the domain's second-level label keep their first and last letters.
func casdoorMaskedEmail(email string) string {
	mask := func(s string) string {
		if len(s) <= 2 {
			return s
		}
		return s[:1] + strings.Repeat("*", len(s)-2) + s[len(s)-1:]
	}
	local, domain, ok := strings.Cut(email, "@")
	if !ok {
		return mask(email)
	}
	labels := strings.Split(domain, ".")
	if len(labels) >= 2 {
		labels[len(labels)-2] = mask(labels[len(labels)-2])
	}
	return mask(local) + "@" + strings.Join(labels, ".")
}

// fail is a controller's error answer.
func (cd *CasdoorFake) fail(w http.ResponseWriter, msg string) {
	cd.reply(w, casdoorResponse{Status: "error", Msg: msg})
}

// filterFail is an API filter's error answer.
func (cd *CasdoorFake) filterFail(w http.ResponseWriter, msg string) {
	cd.reply(w, casdoorFilterError{Status: "error", Msg: msg})
}

// reply answers 200 with v as Casdoor (beego) does.
func (cd *CasdoorFake) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", casdoorJSON)
	cd.replyJSON(w, http.StatusOK, v)
}

const casdoorJSON = "application/json; charset=utf-8"

// notFoundPage is what Casdoor (beego) answers a route it does not have.
func (cd *CasdoorFake) notFoundPage(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	_, _ = io.WriteString(w, "<!DOCTYPE html><html><head><title>Page Not Found</title></head><body><h1>404</h1></body></html>")
}

// errorBody is the body of an injected failure: Casdoor itself answers
// everything with 200, so another status comes from something in front of
// it; the fake gives it Casdoor's error shape.
func (cd *CasdoorFake) errorBody(_ *http.Request, status int, _ time.Duration) []byte {
	return encodeJSON(casdoorFilterError{Status: "error", Msg: http.StatusText(status)})
}
