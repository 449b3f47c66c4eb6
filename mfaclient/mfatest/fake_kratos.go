package mfatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// KratosFake is a fake Ory Kratos admin API (v1.3.1) serving the two
// endpoints an MFA reset uses, as the real server answers them:
//
//   - GET /admin/identities/{id}[?include_credential=…]: the identity with
//     its credential types (configs only for the types asked for);
//   - DELETE /admin/identities/{id}/credentials/{type}: 204 for totp and
//     lookup_secret; for webauthn it removes the second-factor keys and keeps
//     passwordless ones; 404 "You tried to remove a totp but this user have
//     no totp set up." for a type the identity lacks; 400 "You cannot remove
//     first factor credentials." for password and code; 400 "Unknown
//     credentials type passkey." for passkey.
//
// Like self-hosted Kratos, the admin API has no authentication: the
// Authorization header is ignored. An ID that is not a UUID, or no
// identity, answers 404 "Unable to locate the resource". Errors use
// Kratos's body {"error":{"code","status","reason","message"}}.
//
// A user's MFAEnabled is "has a second factor" (totp, lookup_secret or a
// webauthn key that is not passwordless); Resets counts the deletes that
// took the last one away.
//
// Source: https://github.com/ory/kratos/blob/v1.3.1/identity/handler.go
type KratosFake struct {
	*Fake
	// The seeded identities as they were at start. Alice has a password,
	// TOTP and lookup secrets; Bob a password and TOTP.
	Alice, Bob FakeUser

	credMu sync.Mutex
	creds  map[string]*KratosCredentials // by identity ID
	docs   map[string]*kratosDoc         // identities seeded from a recorded answer
}

// kratosDoc is an identity as a real Kratos answered GET for it: its fields,
// and each credential type's entry, kept as sent.
type kratosDoc struct {
	fields map[string]json.RawMessage
	creds  map[string]json.RawMessage
}

// KratosCredentials are the credential types of a fake Kratos identity.
type KratosCredentials struct {
	Password, TOTP, LookupSecret, Passkey bool
	// WebAuthnMFA and WebAuthnPasswordless are how many WebAuthn keys of
	// each kind the identity has; the "webauthn" type exists while either is
	// non-zero.
	WebAuthnMFA, WebAuthnPasswordless int
}

// secondFactor reports whether c holds anything ResetMFA removes.
func (c KratosCredentials) secondFactor() bool {
	return c.TOTP || c.LookupSecret || c.WebAuthnMFA > 0
}

// kratosError is Kratos's error body (herodot's DefaultError).
type kratosError struct {
	Error kratosErrorDetail `json:"error"`
}

type kratosErrorDetail struct {
	Code    int    `json:"code"`
	Status  string `json:"status"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
}

// kratosMessages are herodot's messages for each status.
var kratosMessages = map[int]string{
	http.StatusBadRequest:          "The request was malformed or contained invalid parameters",
	http.StatusNotFound:            "The requested resource could not be found",
	http.StatusInternalServerError: "An internal server error occurred, please contact the system administrator",
}

// kratosNoIdentity is the message of the 404 for an unknown identity (the
// store's "no rows", not herodot's ErrNotFound).
const kratosNoIdentity = "Unable to locate the resource"

const kratosIdentities = "/admin/identities/"

// StartKratos starts a fake Kratos admin API with two seeded identities.
// The caller must Close it.
func StartKratos(opts ...FakeOption) (*KratosFake, error) {
	cfg := newConfig(opts)
	k := &KratosFake{creds: map[string]*KratosCredentials{}, docs: map[string]*kratosDoc{}}
	f, err := newFake(cfg, k.errorBody)
	if err != nil {
		return nil, err
	}
	k.Fake = f
	k.Alice = k.AddIdentity(FakeUser{ID: "0b5d5cbe-8c35-4a3e-9c5e-2f7ad1a0c001", Username: "alice@example.com"},
		KratosCredentials{Password: true, TOTP: true, LookupSecret: true})
	k.Bob = k.AddIdentity(FakeUser{ID: "0b5d5cbe-8c35-4a3e-9c5e-2f7ad1a0c002", Username: "bob@example.com"},
		KratosCredentials{Password: true, TOTP: true})
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+kratosIdentities+"{id}", k.get)
	mux.HandleFunc("DELETE "+kratosIdentities+"{id}/credentials/{type}", k.deleteCredentials)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		k.fail(w, http.StatusNotFound, "", kratosMessages[http.StatusNotFound])
	})
	f.serve(mux.ServeHTTP)
	return k, nil
}

// NewKratos is StartKratos for tests: it fails t on error and closes the
// fake when t ends.
func NewKratos(t testing.TB, opts ...FakeOption) *KratosFake {
	t.Helper()
	return startForTest(t, func() (*KratosFake, error) { return StartKratos(opts...) })
}

// AddIdentity adds (or replaces) an identity with these credentials; u's
// Username is its email trait and MFAEnabled follows creds.
func (k *KratosFake) AddIdentity(u FakeUser, creds KratosCredentials) FakeUser {
	u.ID = strings.ToLower(u.ID)
	u.MFAEnabled = creds.secondFactor()
	k.credMu.Lock()
	k.creds[u.ID] = &creds
	k.credMu.Unlock()
	return k.AddUser(u)
}

// SeedIdentity adds the identity that a real Kratos's answer to
// GET /admin/identities/{id} describes (a recorded fixture's body): its
// credential types, and the answer itself, which GET then sends back with
// only the credential types the identity still has. This is how the fake
// passes recorded fixtures whose identities carry Kratos's timestamps and
// URLs.
func (k *KratosFake) SeedIdentity(body []byte) (FakeUser, error) {
	var doc kratosDoc
	if err := json.Unmarshal(body, &doc.fields); err != nil {
		return FakeUser{}, fmt.Errorf("mfatest: kratos identity: %w", err)
	}
	var head struct {
		ID     string            `json:"id"`
		Traits map[string]string `json:"traits"`
	}
	if err := json.Unmarshal(body, &head); err != nil || !isUUID(head.ID) {
		return FakeUser{}, fmt.Errorf("mfatest: kratos identity: no UUID id (%v)", err)
	}
	if raw, ok := doc.fields["credentials"]; ok {
		if err := json.Unmarshal(raw, &doc.creds); err != nil {
			return FakeUser{}, fmt.Errorf("mfatest: kratos identity credentials: %w", err)
		}
	}
	var c KratosCredentials
	for typ, raw := range doc.creds {
		switch typ {
		case "password":
			c.Password = true
		case "totp":
			c.TOTP = true
		case "lookup_secret":
			c.LookupSecret = true
		case "passkey":
			c.Passkey = true
		case "webauthn":
			var w struct {
				Config struct {
					Credentials []kratosWebAuthnKey `json:"credentials"`
				} `json:"config"`
			}
			_ = json.Unmarshal(raw, &w)
			for _, key := range w.Config.Credentials {
				if key.IsPasswordless {
					c.WebAuthnPasswordless++
				} else {
					c.WebAuthnMFA++
				}
			}
		}
	}
	u := k.AddIdentity(FakeUser{ID: head.ID, Username: head.Traits["email"]}, c)
	k.credMu.Lock()
	k.docs[u.ID] = &doc
	k.credMu.Unlock()
	return u, nil
}

// Credentials returns the identity's current credential types.
func (k *KratosFake) Credentials(id string) (KratosCredentials, bool) {
	k.credMu.Lock()
	defer k.credMu.Unlock()
	c, ok := k.creds[strings.ToLower(id)]
	if !ok {
		return KratosCredentials{}, false
	}
	return *c, true
}

// identity returns the stored user and credentials for a path ID, as Kratos
// finds them: the ID parsed as a UUID (any letter case), else nothing.
func (k *KratosFake) identity(id string) (FakeUser, *KratosCredentials, bool) {
	if !isUUID(id) {
		return FakeUser{}, nil, false
	}
	id = strings.ToLower(id)
	u, ok := k.User(id)
	if !ok {
		return FakeUser{}, nil, false
	}
	k.credMu.Lock()
	c := k.creds[id]
	k.credMu.Unlock()
	return u, c, c != nil
}

func (k *KratosFake) get(w http.ResponseWriter, r *http.Request) {
	if !k.allow(w, r) {
		return
	}
	u, c, ok := k.identity(r.PathValue("id"))
	if !ok {
		k.fail(w, http.StatusNotFound, "", kratosNoIdentity)
		return
	}
	include := map[string]bool{}
	var parsed []string
	for _, v := range r.URL.Query()["include_credential"] {
		if !kratosCredentialTypes[v] {
			// Kratos formats the types parsed so far, not the bad value.
			k.fail(w, http.StatusBadRequest, fmt.Sprintf("Invalid value `%s` for parameter `include_credential`.", parsed), "")
			return
		}
		include[v] = true
		parsed = append(parsed, v)
	}
	k.credMu.Lock()
	creds, doc := *c, k.docs[u.ID]
	k.credMu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if doc != nil {
		k.reply(w, http.StatusOK, doc.render(creds))
		return
	}
	k.replyJSON(w, http.StatusOK, k.identityJSON(u, creds, include))
}

// kratosCredentialTypes are the names include_credential accepts.
var kratosCredentialTypes = map[string]bool{
	"password": true, "oidc": true, "totp": true, "lookup_secret": true, "webauthn": true,
	"code": true, "link_recovery": true, "code_recovery": true, "passkey": true,
}

type kratosIdentity struct {
	ID          string                       `json:"id"`
	Credentials map[string]kratosCredentials `json:"credentials,omitempty"`
	SchemaID    string                       `json:"schema_id"`
	State       string                       `json:"state"`
	Traits      map[string]string            `json:"traits"`
}

type kratosCredentials struct {
	Type        string   `json:"type"`
	Identifiers []string `json:"identifiers"`
	Config      any      `json:"config,omitempty"`
	Version     int      `json:"version"`
}

type kratosWebAuthnKey struct {
	DisplayName    string `json:"display_name"`
	IsPasswordless bool   `json:"is_passwordless"`
}

func (k *KratosFake) identityJSON(u FakeUser, c KratosCredentials, include map[string]bool) kratosIdentity {
	out := kratosIdentity{ID: u.ID, SchemaID: "default", State: "active", Traits: map[string]string{"email": u.Username},
		Credentials: map[string]kratosCredentials{}}
	add := func(typ string, on bool, ids []string, config any) {
		if !on {
			return
		}
		cred := kratosCredentials{Type: typ, Identifiers: ids}
		if include[typ] {
			cred.Config = config
		}
		out.Credentials[typ] = cred
	}
	add("password", c.Password, []string{u.Username}, map[string]string{"hashed_password": "$2a$12$fake"})
	add("totp", c.TOTP, []string{u.ID}, map[string]string{"totp_url": "otpauth://totp/fake"})
	add("lookup_secret", c.LookupSecret, []string{u.ID}, map[string]any{"recovery_codes": []any{}})
	keys := []kratosWebAuthnKey{}
	for i := range c.WebAuthnMFA {
		keys = append(keys, kratosWebAuthnKey{DisplayName: fmt.Sprintf("key %d", i+1)})
	}
	for i := range c.WebAuthnPasswordless {
		keys = append(keys, kratosWebAuthnKey{DisplayName: fmt.Sprintf("passwordless %d", i+1), IsPasswordless: true})
	}
	add("webauthn", len(keys) > 0, []string{u.ID}, map[string]any{"credentials": keys, "user_handle": "ZmFrZQ=="})
	add("passkey", c.Passkey, []string{u.ID}, map[string]any{"credentials": []any{}})
	if len(out.Credentials) == 0 {
		out.Credentials = nil
	}
	return out
}

// render is the recorded answer with only the credential types c still
// has (a webauthn entry is kept as recorded while it has any key).
func (d *kratosDoc) render(c KratosCredentials) []byte {
	has := map[string]bool{"password": c.Password, "totp": c.TOTP, "lookup_secret": c.LookupSecret,
		"passkey": c.Passkey, "webauthn": c.WebAuthnMFA+c.WebAuthnPasswordless > 0}
	creds := map[string]json.RawMessage{}
	for typ, raw := range d.creds {
		if has[typ] || !kratosCredentialTypes[typ] {
			creds[typ] = raw
		}
	}
	out := make(map[string]json.RawMessage, len(d.fields))
	for name, v := range d.fields {
		out[name] = v
	}
	delete(out, "credentials")
	if len(creds) > 0 {
		out["credentials"] = encodeJSON(creds)
	}
	return encodeJSON(out)
}

func (k *KratosFake) deleteCredentials(w http.ResponseWriter, r *http.Request) {
	if !k.allow(w, r) {
		return
	}
	id, typ := r.PathValue("id"), r.PathValue("type")
	_, c, ok := k.identity(id)
	if !ok {
		k.fail(w, http.StatusNotFound, "", kratosNoIdentity)
		return
	}
	k.credMu.Lock()
	before := *c
	has := map[string]bool{
		"password": c.Password, "totp": c.TOTP, "lookup_secret": c.LookupSecret,
		"webauthn": c.WebAuthnMFA+c.WebAuthnPasswordless > 0, "passkey": c.Passkey,
	}[typ]
	status, reason := http.StatusNoContent, ""
	switch {
	case !has:
		status, reason = http.StatusNotFound, fmt.Sprintf("You tried to remove a %s but this user have no %s set up.", typ, typ)
	case typ == "totp":
		c.TOTP = false
	case typ == "lookup_secret":
		c.LookupSecret = false
	case typ == "webauthn":
		c.WebAuthnMFA = 0
	case typ == "password":
		status, reason = http.StatusBadRequest, "You cannot remove first factor credentials."
	default:
		status, reason = http.StatusBadRequest, fmt.Sprintf("Unknown credentials type %s.", typ)
	}
	after := *c
	k.credMu.Unlock()
	if status != http.StatusNoContent {
		k.fail(w, status, reason, "")
		return
	}
	if before.secondFactor() && !after.secondFactor() {
		k.resetUser(strings.ToLower(id), false, false)
	}
	w.WriteHeader(http.StatusNoContent)
}

// fail answers Kratos's error body; message "" is herodot's for status.
func (k *KratosFake) fail(w http.ResponseWriter, status int, reason, message string) {
	k.replyJSON(w, status, k.body(status, reason, message))
}

func (k *KratosFake) body(status int, reason, message string) kratosError {
	if message == "" {
		message = kratosMessages[status]
		if message == "" {
			message = http.StatusText(status)
		}
	}
	return kratosError{Error: kratosErrorDetail{Code: status, Status: http.StatusText(status), Reason: reason, Message: message}}
}

func (k *KratosFake) errorBody(_ *http.Request, status int, _ time.Duration) []byte {
	return encodeJSON(k.body(status, "", ""))
}

// SeedUser adds an identity with a password and TOTP, email
// "seed-<id>@example.com" (mfatest.Seeder).
func (k *KratosFake) SeedUser(id string) {
	k.AddIdentity(FakeUser{ID: id, Username: "seed-" + id + "@example.com"}, KratosCredentials{Password: true, TOTP: true})
}
