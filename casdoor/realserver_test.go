//go:build realserver

package casdoor_test

// The real-server suite: every operation and every answer a real Casdoor
// v1.1000.0 gives through the public client, with the state change checked
// on the server. scripts/real-providers starts Casdoor and sets the
// MFAKIT_REAL_CASDOOR_* variables:
//
//	scripts/real-providers run casdoor
//
// With MFAKIT_RECORD=1 the tests also re-record testdata/casdoor/ from
// the server (mfatest.Recorder); review the diff before committing.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/casdoor"
	realtotp "github.com/mfakit/mfakit/internal/realserver/totp"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// real is the running server and its seeded values.
type real struct {
	url, org, app          string
	clientID, clientSecret string
	adminKey, adminSecret  string
	bobKey, bobSecret      string
	otherKey, otherSecret  string
	record                 bool
	recorderDir            string
	secrets                mfatest.Placeholders
}

func realServer(t *testing.T) *real {
	t.Helper()
	env := func(k string) string {
		v := os.Getenv("MFAKIT_REAL_CASDOOR_" + k)
		if v == "" {
			t.Fatalf("MFAKIT_REAL_CASDOOR_%s is not set: start the server with scripts/real-providers start casdoor", k)
		}
		return v
	}
	r := &real{
		url: env("URL"), org: env("ORG"), app: env("APP"),
		clientID: env("CLIENT_ID"), clientSecret: env("CLIENT_SECRET"),
		adminKey: env("ADMIN_KEY"), adminSecret: env("ADMIN_SECRET"),
		bobKey: env("BOB_KEY"), bobSecret: env("BOB_SECRET"),
		otherKey: env("OTHER_KEY"), otherSecret: env("OTHER_SECRET"),
		record:      os.Getenv("MFAKIT_RECORD") == "1",
		recorderDir: "../testdata/casdoor",
	}
	// The Basic header and the access key pair in a body are scrubbed by
	// the recorder itself ({{basic}}, {{accessKey}}, {{accessSecret}}).
	r.secrets = mfatest.Placeholders{"clientSecret": r.clientSecret}
	return r
}

func (r *real) appCreds() casdoor.Credentials {
	return casdoor.Credentials{ClientID: r.clientID, ClientSecret: r.clientSecret}
}

// client builds a client; with MFAKIT_RECORD=1 its calls are recorded.
func (r *real) client(t *testing.T, creds casdoor.Credentials) (*casdoor.Client, *mfatest.Recorder) {
	t.Helper()
	opts := []mfaclient.Option{mfaclient.WithRetry(mfaclient.RetryPolicy{})}
	var rec *mfatest.Recorder
	if r.record {
		rec = &mfatest.Recorder{Dir: r.recorderDir, Provider: "casdoor", Secrets: r.secrets}
		opts = append(opts, mfaclient.WithHTTPClient(&http.Client{Transport: rec}))
	}
	c, err := casdoor.New(r.url, creds, opts...)
	require.NoError(t, err)
	return c, rec
}

// do makes one call, recorded as name when recording. The recorded file
// gets its description and source from recorded[name], so that a
// re-recording is ready for review as a diff.
func do(rec *mfatest.Recorder, name string, call mfatest.Call, f func(context.Context) error) error {
	ctx := context.Background()
	if rec != nil {
		ctx = mfatest.RecordAs(ctx, name, call)
	}
	err := f(ctx)
	if rec != nil {
		if rerr := rec.Outcome(ctx, err); rerr != nil {
			return rerr
		}
		if rerr := annotate(rec.Dir+"/"+name+".json", name); rerr != nil {
			return rerr
		}
	}
	return err
}

const casdoorSource = "https://github.com/casdoor/casdoor/blob/v1.1000.0/"

// recorded says what each recorded interaction is and where its answer
// comes from in Casdoor's source: description, file, section.
var recorded = map[string][3]string{
	"reset-200":                           {"The application resets a user's MFA: every method off, HTTP 200 status ok.", "controllers/mfa.go", "DeleteMfa"},
	"reset-again-200":                     {"A second reset of the same user answers ok again (delete-mfa is idempotent).", "controllers/mfa.go", "DeleteMfa"},
	"reset-org-admin-200":                 {"An organization's administrator resets a user of its organization with its access key, sent in the JSON body.", "routers/authz_filter.go", "getKeys, getObject; authz.IsAllowed"},
	"reset-self-200":                      {"A user who is no administrator resets its own MFA with its access key: Casdoor lets a subject act on itself.", "object/init.go", "api-model-built-in matcher (r.subOwner == r.objOwner && r.subName == r.objName)"},
	"reset-forbidden-member":              {"A user who is no administrator resets another user: HTTP 200 \"Unauthorized operation\".", "routers/authz_filter.go", "ApiFilter, denyRequest"},
	"reset-forbidden-other-org-admin":     {"The administrator of another organization: HTTP 200 \"Unauthorized operation\".", "routers/authz_filter.go", "ApiFilter, denyRequest"},
	"reset-forbidden-wrong-access-secret": {"A wrong access secret in the JSON body leaves the caller anonymous: \"Unauthorized operation\", not a credential message.", "routers/authz_filter.go", "getUsername (errors of getUsernameByKeys are dropped), denyRequest"},
	"reset-forbidden-unknown-access-key":  {"An unknown access key in the JSON body leaves the caller anonymous: \"Unauthorized operation\".", "routers/authz_filter.go", "getUsername, denyRequest"},
	"reset-wrong-client-secret":           {"HTTP Basic with the application's client ID and a wrong secret: HTTP 200 with the credential message.", "routers/base.go", "getUsernameByClientIdSecret"},
	"reset-unknown-client-id":             {"HTTP Basic with an unknown client ID: HTTP 200 with the credential message.", "routers/base.go", "getUsernameByClientIdSecret"},
	"reset-unknown-user-404":              {"An unknown user of a known organization: HTTP 200 \"User doesn't exist\" (the file name keeps the class's status).", "controllers/mfa.go", "DeleteMfa"},
	"reset-unknown-organization-404":      {"An unknown organization: HTTP 200 \"User doesn't exist\".", "controllers/mfa.go", "DeleteMfa"},
	"preferred-email-200":                 {"The application sets a user's preferred method to email.", "controllers/mfa.go", "SetPreferredMfa"},
	"preferred-totp-200":                  {"The application sets a user's preferred method to the authenticator app (mfaType app).", "controllers/mfa.go", "SetPreferredMfa"},
	"preferred-sms-200":                   {"The application sets a user's preferred method to SMS; Casdoor stores it although the user has no SMS method, and marks no method preferred.", "controllers/mfa.go", "SetPreferredMfa"},
	"preferred-org-admin-200":             {"An organization's administrator sets a user's preferred method with its access key.", "controllers/mfa.go", "SetPreferredMfa"},
	"preferred-self-200":                  {"A user who is no administrator sets its own preferred method with its access key.", "object/init.go", "api-model-built-in matcher"},
	"preferred-unknown-user-404":          {"set-preferred-mfa for an unknown user: HTTP 200 \"User doesn't exist\".", "controllers/mfa.go", "SetPreferredMfa"},
	"preferred-passkey-unsupported":       {"Casdoor has no passkey MFA (it would store the type unchecked): ErrUnsupported, nothing sent.", "object/mfa.go", "SmsType, EmailType, TotpType"},
}

// annotate fills a recorded file's description and source.
func annotate(path, name string) error {
	what, ok := recorded[name]
	if !ok {
		return fmt.Errorf("no description for recorded fixture %s", name)
	}
	f, err := mfatest.Load(path)
	if err != nil {
		return err
	}
	f.Description = what[0]
	f.Source = mfatest.Source{
		Doc: "Casdoor v1.1000.0, " + what[1], Section: what[2], URL: casdoorSource + what[1],
		Note: "Recorded from Casdoor v1.1000.0 on loopback by casdoor/realserver_test.go (MFAKIT_RECORD=1).",
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// api posts a multipart form as the application, as Casdoor's own web UI
// does, for setting up and reading state; it is not the client under test.
func (r *real) api(t *testing.T, path string, form map[string]string) json.RawMessage {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range form {
		require.NoError(t, mw.WriteField(k, v))
	}
	require.NoError(t, mw.Close())
	req, err := http.NewRequest(http.MethodPost, r.url+path, &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.SetBasicAuth(r.clientID, r.clientSecret)
	return r.send(t, req)
}

func (r *real) send(t *testing.T, req *http.Request) json.RawMessage {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out struct {
		Status string          `json:"status"`
		Msg    string          `json:"msg"`
		Data   json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(b, &out), "%s", b)
	require.Equal(t, "ok", out.Status, "%s %s: %s", req.Method, req.URL.Path, out.Msg)
	return out.Data
}

// mfaState is what Casdoor holds about a user's MFA (GET /api/get-user).
type mfaState struct {
	PreferredMfaType string             `json:"preferredMfaType"`
	MfaEmailEnabled  bool               `json:"mfaEmailEnabled"`
	MultiFactorAuths []casdoor.MFAProps `json:"multiFactorAuths"`
}

func (s mfaState) enabled(mfaType string) bool {
	for _, m := range s.MultiFactorAuths {
		if m.MFAType == mfaType {
			return m.Enabled
		}
	}
	return false
}

func (r *real) state(t *testing.T, user string) mfaState {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.url+"/api/get-user?"+url.Values{"id": {r.org + "/" + user}}.Encode(), nil)
	require.NoError(t, err)
	req.SetBasicAuth(r.clientID, r.clientSecret)
	var s mfaState
	require.NoError(t, json.Unmarshal(r.send(t, req), &s))
	return s
}

// enrolTOTP enrols an authenticator app for user through Casdoor's MFA
// setup API: initiate (the secret), verify (a code computed from it),
// enable. Email MFA is enabled too, so that both methods can be preferred.
func (r *real) enrolTOTP(t *testing.T, user string) {
	t.Helper()
	var props struct {
		Secret        string   `json:"secret"`
		RecoveryCodes []string `json:"recoveryCodes"`
	}
	require.NoError(t, json.Unmarshal(r.api(t, "/api/mfa/setup/initiate", map[string]string{"owner": r.org, "name": user, "mfaType": "app"}), &props))
	require.NotEmpty(t, props.Secret)
	r.api(t, "/api/mfa/setup/verify", map[string]string{"mfaType": "app", "secret": props.Secret, "passcode": totp(t, props.Secret, time.Now())})
	r.api(t, "/api/mfa/setup/enable", map[string]string{"owner": r.org, "name": user, "mfaType": "app", "secret": props.Secret, "recoveryCodes": props.RecoveryCodes[0]})
	r.api(t, "/api/mfa/setup/enable", map[string]string{"owner": r.org, "name": user, "mfaType": "email", "recoveryCodes": props.RecoveryCodes[0]})
	s := r.state(t, user)
	require.True(t, s.enabled("app"), "TOTP enrolled for %s", user)
	require.True(t, s.enabled("email"), "email MFA enabled for %s", user)
}

// totp is RFC 6238's code (SHA-1, 30 s, 6 digits) for a base32 secret.
func totp(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	code, err := realtotp.Code(secret, at)
	require.NoError(t, err)
	return code
}

func requireCasdoorError(t *testing.T, err error, class error, msg string) {
	t.Helper()
	require.ErrorIs(t, err, class)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusOK, apiErr.StatusCode, "Casdoor answers errors with 200")
	assert.Equal(t, msg, apiErr.Message)
	assert.Equal(t, 1, apiErr.Attempts)
	var body *casdoor.ErrorResponse
	require.ErrorAs(t, err, &body)
	assert.Equal(t, "error", body.Status)
}

// The application resets a user's MFA: every method off, no preferred
// type; a second reset answers ok again.
func TestRealResetMFAAsApplication(t *testing.T) {
	r := realServer(t)
	r.enrolTOTP(t, "carol")
	c, rec := r.client(t, r.appCreds())
	id := r.org + "/carol"
	call := mfatest.Call{Operation: "ResetMFA", UserID: id}

	require.NoError(t, do(rec, "reset-200", call, func(ctx context.Context) error { return c.ResetMFA(ctx, id) }))
	s := r.state(t, "carol")
	assert.False(t, s.enabled("app"), "TOTP off")
	assert.False(t, s.enabled("email"), "email MFA off")
	assert.Empty(t, s.PreferredMfaType)

	require.NoError(t, do(rec, "reset-again-200", call, func(ctx context.Context) error { return c.ResetMFA(ctx, id) }), "idempotent")
}

// An organization's administrator resets a user of its organization with
// its access key (sent in the JSON body).
func TestRealResetMFAAsOrganizationAdmin(t *testing.T) {
	r := realServer(t)
	r.enrolTOTP(t, "dave")
	c, rec := r.client(t, casdoor.Credentials{AccessKey: r.adminKey, AccessSecret: r.adminSecret})
	id := r.org + "/dave"
	require.NoError(t, do(rec, "reset-org-admin-200", mfatest.Call{Operation: "ResetMFA", UserID: id},
		func(ctx context.Context) error { return c.ResetMFA(ctx, id) }))
	assert.False(t, r.state(t, "dave").enabled("app"))
}

// A user who is no administrator, and the administrator of another
// organization, get "Unauthorized operation": *ForbiddenError, nothing
// changed.
func TestRealResetMFAForbidden(t *testing.T) {
	r := realServer(t)
	r.enrolTOTP(t, "carol")
	id := r.org + "/carol"
	for name, creds := range map[string]casdoor.Credentials{
		"reset-forbidden-member":              {AccessKey: r.bobKey, AccessSecret: r.bobSecret},
		"reset-forbidden-other-org-admin":     {AccessKey: r.otherKey, AccessSecret: r.otherSecret},
		"reset-forbidden-wrong-access-secret": {AccessKey: r.adminKey, AccessSecret: "not-the-access-secret"},
		"reset-forbidden-unknown-access-key":  {AccessKey: "no-such-access-key", AccessSecret: "no-such-access-secret"},
	} {
		t.Run(name, func(t *testing.T) {
			c, rec := r.client(t, creds)
			err := do(rec, name, mfatest.Call{Operation: "ResetMFA", UserID: id}, func(ctx context.Context) error { return c.ResetMFA(ctx, id) })
			requireCasdoorError(t, err, mfaclient.ErrForbidden, "Unauthorized operation")
			var fe *mfaclient.ForbiddenError
			require.ErrorAs(t, err, &fe)
			assert.NotEmpty(t, fe.Required)
			assert.True(t, r.state(t, "carol").enabled("app"), "nothing changed")
		})
	}
}

// Wrong client credentials are answered before anything else:
// ErrUnauthorized with Casdoor's message.
func TestRealResetMFAUnauthorized(t *testing.T) {
	r := realServer(t)
	for name, tc := range map[string]struct {
		creds casdoor.Credentials
		msg   string
	}{
		"reset-wrong-client-secret": {casdoor.Credentials{ClientID: r.clientID, ClientSecret: "not-the-client-secret"}, "Incorrect client secret for application: " + r.app},
		"reset-unknown-client-id":   {casdoor.Credentials{ClientID: "no-such-client-id", ClientSecret: r.clientSecret}, "Application not found for client ID: no-such-client-id"},
	} {
		t.Run(name, func(t *testing.T) {
			c, rec := r.client(t, tc.creds)
			id := r.org + "/bob"
			err := do(rec, name, mfatest.Call{Operation: "ResetMFA", UserID: id}, func(ctx context.Context) error { return c.ResetMFA(ctx, id) })
			requireCasdoorError(t, err, mfaclient.ErrUnauthorized, tc.msg)
		})
	}
}

// An unknown user: ErrNotFound.
func TestRealResetMFANotFound(t *testing.T) {
	r := realServer(t)
	c, rec := r.client(t, r.appCreds())
	for name, id := range map[string]string{
		"reset-unknown-user-404":         r.org + "/nobody",
		"reset-unknown-organization-404": "no-such-org/bob",
	} {
		err := do(rec, name, mfatest.Call{Operation: "ResetMFA", UserID: id}, func(ctx context.Context) error { return c.ResetMFA(ctx, id) })
		requireCasdoorError(t, err, mfaclient.ErrNotFound, "User doesn't exist")
	}
}

// Setting another user's preferred method, as the application and as the
// organization's administrator; the state on the server follows.
func TestRealSetUserPrimaryMFA(t *testing.T) {
	r := realServer(t)
	r.enrolTOTP(t, "bob")
	id := r.org + "/bob"
	app, rec := r.client(t, r.appCreds())
	admin, adminRec := r.client(t, casdoor.Credentials{AccessKey: r.adminKey, AccessSecret: r.adminSecret})

	require.NoError(t, do(rec, "preferred-email-200", mfatest.Call{Operation: "SetUserPrimaryMFA", UserID: id, Method: "email"},
		func(ctx context.Context) error { return app.SetUserPrimaryMFA(ctx, id, mfaclient.MethodEmail) }))
	assert.Equal(t, "email", r.state(t, "bob").PreferredMfaType)

	require.NoError(t, do(rec, "preferred-totp-200", mfatest.Call{Operation: "SetUserPrimaryMFA", UserID: id, Method: "totp"},
		func(ctx context.Context) error { return app.SetUserPrimaryMFA(ctx, id, mfaclient.MethodTOTP) }))
	assert.Equal(t, "app", r.state(t, "bob").PreferredMfaType)

	require.NoError(t, do(adminRec, "preferred-org-admin-200", mfatest.Call{Operation: "SetUserPrimaryMFA", UserID: id, Method: "email"},
		func(ctx context.Context) error { return admin.SetUserPrimaryMFA(ctx, id, mfaclient.MethodEmail) }))
	assert.Equal(t, "email", r.state(t, "bob").PreferredMfaType)

	// Casdoor stores "sms" as the preferred type although bob has no SMS
	// method (GetMfaProps marks only an enabled method preferred).
	require.NoError(t, do(rec, "preferred-sms-200", mfatest.Call{Operation: "SetUserPrimaryMFA", UserID: id, Method: "sms"},
		func(ctx context.Context) error { return app.SetUserPrimaryMFA(ctx, id, mfaclient.MethodSMS) }))
	assert.Equal(t, "sms", r.state(t, "bob").PreferredMfaType)

	unknown := r.org + "/nobody"
	err := do(rec, "preferred-unknown-user-404", mfatest.Call{Operation: "SetUserPrimaryMFA", UserID: unknown, Method: "totp"},
		func(ctx context.Context) error { return app.SetUserPrimaryMFA(ctx, unknown, mfaclient.MethodTOTP) })
	requireCasdoorError(t, err, mfaclient.ErrNotFound, "User doesn't exist")

	// A method Casdoor lacks is refused before sending: Casdoor itself
	// would store it.
	err = do(rec, "preferred-passkey-unsupported", mfatest.Call{Operation: "SetUserPrimaryMFA", UserID: id, Method: "passkey"},
		func(ctx context.Context) error { return app.SetUserPrimaryMFA(ctx, id, mfaclient.MethodPasskey) })
	require.ErrorIs(t, err, mfaclient.ErrUnsupported)
	assert.Equal(t, "sms", r.state(t, "bob").PreferredMfaType, "nothing was sent")
}

// A user's access key may act on the user itself (Casdoor's API enforcer
// lets any subject act on itself), through SetUserPrimaryMFA and ResetMFA
// with its own ID; SetPrimaryMFA stays ErrUnsupported, since the client
// cannot learn whose key it holds without sending the key in a URL.
func TestRealUserActsOnItself(t *testing.T) {
	r := realServer(t)
	r.enrolTOTP(t, "bob")
	bob, rec := r.client(t, casdoor.Credentials{AccessKey: r.bobKey, AccessSecret: r.bobSecret})
	id := r.org + "/bob"
	require.NoError(t, do(rec, "preferred-self-200", mfatest.Call{Operation: "SetUserPrimaryMFA", UserID: id, Method: "email"},
		func(ctx context.Context) error { return bob.SetUserPrimaryMFA(ctx, id, mfaclient.MethodEmail) }))
	assert.Equal(t, "email", r.state(t, "bob").PreferredMfaType)
	require.NoError(t, do(rec, "reset-self-200", mfatest.Call{Operation: "ResetMFA", UserID: id},
		func(ctx context.Context) error { return bob.ResetMFA(ctx, id) }))
	s := r.state(t, "bob")
	assert.False(t, s.enabled("app"))
	assert.Empty(t, s.PreferredMfaType)
	require.ErrorIs(t, bob.SetPrimaryMFA(context.Background(), mfaclient.MethodEmail), mfaclient.ErrUnsupported)
}

// A GET is not Casdoor's API (404 with an HTML page): the client never
// sends one, and the raw answer shows why a non-200 keeps its status's
// class only when the body is not Casdoor's.
func TestRealGetIsNotTheAPI(t *testing.T) {
	r := realServer(t)
	req, err := http.NewRequest(http.MethodGet, r.url+"/api/delete-mfa?owner="+r.org+"&name=bob", nil)
	require.NoError(t, err)
	req.SetBasicAuth(r.clientID, r.clientSecret)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}

// Why the client checks the method before sending: Casdoor itself stores
// any mfaType (sent here with a raw form, as the client never would).
func TestRealServerStoresAnyMFAType(t *testing.T) {
	r := realServer(t)
	r.api(t, "/api/set-preferred-mfa", map[string]string{"owner": r.org, "name": "dave", "mfaType": "passkey"})
	assert.Equal(t, "passkey", r.state(t, "dave").PreferredMfaType)
}
