//go:build realserver

// Tests against a real Ory Kratos, started by scripts/real-providers
// (scripts/real/kratos.sh), which exports the MFAKIT_REAL_KRATOS_*
// variables read here:
//
//	scripts/real-providers run kratos
//
// With MFAKIT_RECORD=1 the tests marked "recorded" also write their
// interactions to testdata/kratos/ with mfatest.Recorder (retries off), the
// fixtures the contract runner replays:
//
//	MFAKIT_RECORD=1 scripts/real-providers run kratos
package kratos_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/realserver/kratosseed"
	"github.com/mfakit/mfakit/kratos"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// realToken is sent as Bearer to show that self-hosted Kratos ignores it;
// the recorder writes it as {{token}}.
const realToken = "kratos-realserver-token-4f1d"

type realEnv struct {
	version string
	seed    *kratosseed.Server
	alice   string // password, TOTP, lookup secrets (seeded by the script)
	bob     string // password, TOTP
	carol   string // password only
}

func realKratos(t *testing.T) realEnv {
	t.Helper()
	get := func(k string) string {
		v := os.Getenv("MFAKIT_REAL_KRATOS_" + k)
		if v == "" {
			t.Fatalf("MFAKIT_REAL_KRATOS_%s is not set: start Kratos with scripts/real-providers start kratos", k)
		}
		return v
	}
	return realEnv{
		version: get("VERSION"),
		seed:    &kratosseed.Server{AdminURL: get("ADMIN_URL"), PublicURL: get("PUBLIC_URL")},
		alice:   get("ALICE_ID"), bob: get("BOB_ID"), carol: get("CAROL_ID"),
	}
}

// person seeds a fresh identity, so that every test resets its own.
func (e realEnv) person(t *testing.T, totp, lookup bool) kratosseed.Person {
	t.Helper()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	p, err := e.seed.Seed(context.Background(), "p-"+hex.EncodeToString(b)+"@example.com", totp, lookup)
	require.NoError(t, err)
	return p
}

func (e realEnv) types(t *testing.T, id string) []string {
	t.Helper()
	got, err := e.seed.CredentialTypes(context.Background(), id)
	require.NoError(t, err)
	slices.Sort(got)
	return got
}

// recording is a client whose requests are recorded as testdata/kratos/<name>.json
// when MFAKIT_RECORD=1, and a plain client (retries off) otherwise.
type recording struct {
	t    *testing.T
	env  realEnv
	rec  *mfatest.Recorder
	c    *kratos.Client
	ctx  context.Context
	name string
}

func (e realEnv) client(t *testing.T, baseURL string, name string, call mfatest.Call) *recording {
	t.Helper()
	r := &recording{t: t, env: e, ctx: context.Background(), name: name}
	opts := []mfaclient.Option{mfaclient.WithRetry(mfaclient.RetryPolicy{})}
	if os.Getenv("MFAKIT_RECORD") == "1" && name != "" {
		r.rec = &mfatest.Recorder{Dir: filepath.Join("..", "testdata", "kratos"), Provider: "kratos", MultiRequest: true}
		opts = append(opts, mfaclient.WithHTTPClient(&http.Client{Transport: r.rec}))
		r.ctx = mfatest.RecordAs(r.ctx, name, call)
	}
	c, err := kratos.New(baseURL, kratos.Credentials{Token: realToken}, opts...)
	require.NoError(t, err)
	r.c = c
	return r
}

// done reports the call's outcome to the recorder and gives the fixture
// its source and description.
func (r *recording) done(err error, description, section string) {
	r.t.Helper()
	if r.rec == nil {
		return
	}
	require.NoError(r.t, r.rec.Outcome(r.ctx, err))
	path := filepath.Join(r.rec.Dir, r.name+".json")
	f, lerr := mfatest.Load(path)
	require.NoError(r.t, lerr)
	f.Description = description
	f.Source = mfatest.Source{
		Doc:     "Ory Kratos " + r.env.version + ", identity/handler.go",
		Section: section,
		URL:     "https://github.com/ory/kratos/blob/" + r.env.version + "/identity/handler.go",
		Note:    "Recorded from Kratos " + r.env.version + " (scripts/real-providers run kratos, MFAKIT_RECORD=1).",
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(r.t, enc.Encode(f))
	require.NoError(r.t, os.WriteFile(path, b.Bytes(), 0o644))
}

func (e realEnv) adminURL() string { return e.seed.AdminURL }

func TestRealResetMFARemovesTOTPAndLookupSecrets(t *testing.T) {
	e := realKratos(t)
	p := e.person(t, true, true)
	require.Equal(t, []string{"lookup_secret", "password", "totp"}, e.types(t, p.ID))

	r := e.client(t, e.adminURL(), "reset-totp-lookup-secret-204", mfatest.Call{Operation: "ResetMFA", UserID: p.ID})
	err := r.c.ResetMFA(r.ctx, p.ID)
	require.NoError(t, err)
	r.done(err, "An identity with TOTP and lookup secrets: the read lists both, one DELETE each answers 204.", "getIdentity; deleteIdentityCredentials")
	assert.Equal(t, []string{"password"}, e.types(t, p.ID), "both second factors are gone, the password stays")
}

// The script seeded its users through Kratos's own APIs (the tests leave
// them as they are, so that a rerun against the same server finds them so).
func TestRealSeededUsers(t *testing.T) {
	e := realKratos(t)
	assert.Equal(t, []string{"lookup_secret", "password", "totp"}, e.types(t, e.alice))
	assert.Equal(t, []string{"password", "totp"}, e.types(t, e.bob))
	assert.Equal(t, []string{"password"}, e.types(t, e.carol))
}

func TestRealResetMFATOTPOnly(t *testing.T) {
	e := realKratos(t)
	p := e.person(t, true, false)
	r := e.client(t, e.adminURL(), "reset-totp-204", mfatest.Call{Operation: "ResetMFA", UserID: p.ID})
	err := r.c.ResetMFA(r.ctx, p.ID)
	require.NoError(t, err)
	r.done(err, "An identity with TOTP only: the read, then one DELETE answered 204.", "getIdentity; deleteIdentityCredentials")
	assert.Equal(t, []string{"password"}, e.types(t, p.ID))
}

// A second reset has nothing to remove: ErrMFANotEnabled after the read,
// no DELETE sent.
func TestRealResetMFATwice(t *testing.T) {
	e := realKratos(t)
	p := e.person(t, true, false)
	c := e.client(t, e.adminURL(), "", mfatest.Call{}).c
	require.NoError(t, c.ResetMFA(context.Background(), p.ID))

	r := e.client(t, e.adminURL(), "reset-again-mfa-not-enabled", mfatest.Call{Operation: "ResetMFA", UserID: p.ID})
	err := r.c.ResetMFA(r.ctx, p.ID)
	assert.True(t, isOnly(err, mfaclient.ErrMFANotEnabled), "%v", err)
	var op *mfaclient.OpError
	require.ErrorAs(t, err, &op)
	assert.Equal(t, 1, op.Attempts, "only the read was sent")
	r.done(err, "A second reset: the identity has a password only, so ErrMFANotEnabled after the read and no DELETE.", "getIdentity")
}

func TestRealResetMFAPasswordOnly(t *testing.T) {
	e := realKratos(t)
	err := e.client(t, e.adminURL(), "", mfatest.Call{}).c.ResetMFA(context.Background(), e.carol)
	assert.True(t, isOnly(err, mfaclient.ErrMFANotEnabled), "%v", err)
	assert.Equal(t, []string{"password"}, e.types(t, e.carol))
}

func TestRealResetMFAUnknownIdentity(t *testing.T) {
	e := realKratos(t)
	const unknown = "00000000-0000-4000-8000-00000000beef"
	r := e.client(t, e.adminURL(), "reset-404-unknown-identity", mfatest.Call{Operation: "ResetMFA", UserID: unknown})
	err := r.c.ResetMFA(r.ctx, unknown)
	assert.True(t, isOnly(err, mfaclient.ErrNotFound), "%v", err)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 404, apiErr.StatusCode)
	assert.Equal(t, "Unable to locate the resource", apiErr.Message)
	r.done(err, "An identity ID no identity has: the read answers 404 with no reason; nothing is deleted.", "getIdentity")
}

// Kratos parses the path's UUID in any letter case and answers with the
// lower-case ID, which ResetMFA accepts as the identity it asked for.
func TestRealResetMFAUpperCaseID(t *testing.T) {
	e := realKratos(t)
	p := e.person(t, true, false)
	require.NoError(t, e.client(t, e.adminURL(), "", mfatest.Call{}).c.ResetMFA(context.Background(), strings.ToUpper(p.ID)))
	assert.Equal(t, []string{"password"}, e.types(t, p.ID))
}

// Kratos's public port answers /admin/* with a 307 to the admin port: a
// redirect to another host:port is not followed (it would carry the token),
// so the caller gets ErrUnexpectedResponse.
func TestRealResetMFAPublicPortRedirect(t *testing.T) {
	e := realKratos(t)
	r := e.client(t, e.seed.PublicURL, "reset-public-port-307", mfatest.Call{Operation: "ResetMFA", UserID: e.bob})
	err := r.c.ResetMFA(r.ctx, e.bob)
	assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "%v", err)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.StatusCode)
	assert.Equal(t, e.seed.AdminURL+"/admin/identities/"+e.bob+"?include_credential=webauthn", apiErr.Header.Get("Location"))
	r.done(err, "The public port instead of the admin port: Kratos answers 307 to the admin port, which is not followed.", "public router: redirect of /admin to the admin URL")
	assert.Contains(t, e.types(t, e.bob), "totp", "bob keeps his TOTP")
}

// A TOTP removed by someone else between ResetMFA's read and its DELETE:
// Kratos answers the DELETE 404 "this user have no totp set up", which
// counts as removed (the identity had a second factor, and has none now).
func TestRealResetMFAGoneBetweenReadAndDelete(t *testing.T) {
	e := realKratos(t)
	p := e.person(t, true, false)
	side := e.client(t, e.adminURL(), "", mfatest.Call{}).c
	var sideErr error
	r := e.client(t, e.adminURL(), "reset-totp-gone-404", mfatest.Call{Operation: "ResetMFA", UserID: p.ID})
	var inner http.RoundTripper = http.DefaultTransport
	if r.rec != nil {
		r.rec.Transport, inner = inner, r.rec // the recorder sees only this client's requests
	}
	hc := &http.Client{Transport: afterRead{inner: inner, hook: func() {
		sideErr = side.DeleteCredential(context.Background(), p.ID, "totp")
	}}}
	c, err := kratos.New(e.adminURL(), kratos.Credentials{Token: realToken}, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
	require.NoError(t, err)
	err = c.ResetMFA(r.ctx, p.ID)
	require.NoError(t, err)
	require.NoError(t, sideErr, "the other admin removed the TOTP first")
	r.done(err, "The TOTP the read listed was removed by someone else before the DELETE: Kratos answers 404 "+
		"\"this user have no totp set up\", which counts as removed.", "getIdentity; deleteIdentityCredentials")
	assert.Equal(t, []string{"password"}, e.types(t, p.ID))
}

// afterRead runs hook once, after the first GET has been answered.
type afterRead struct {
	inner http.RoundTripper
	hook  func()
}

func (a afterRead) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.inner.RoundTrip(r)
	if err == nil && r.Method == http.MethodGet {
		a.hook()
	}
	return resp, err
}

// DeleteCredential's answers, each as Kratos sends it.
func TestRealDeleteCredential(t *testing.T) {
	e := realKratos(t)
	c := e.client(t, e.adminURL(), "", mfatest.Call{}).c
	ctx := context.Background()
	p := e.person(t, true, true)

	require.NoError(t, c.DeleteCredential(ctx, p.ID, "lookup_secret"))
	assert.Equal(t, []string{"password", "totp"}, e.types(t, p.ID))

	for name, tc := range map[string]struct {
		id, typ       string
		class         error
		status        int
		message, code string
	}{
		"no such credential": {e.carol, "totp", mfaclient.ErrMFANotEnabled, 404,
			"You tried to remove a totp but this user have no totp set up.", "Not Found"},
		// passkey: 404 for an identity without one (the 400 "Unknown
		// credentials type passkey." comes only after the lookup finds one).
		"no passkey": {e.carol, "passkey", mfaclient.ErrMFANotEnabled, 404,
			"You tried to remove a passkey but this user have no passkey set up.", "Not Found"},
		"first factor": {p.ID, "password", mfaclient.ErrInvalidInput, 400,
			"You cannot remove first factor credentials.", "Bad Request"},
		"unknown identity": {"00000000-0000-4000-8000-00000000beef", "totp", mfaclient.ErrNotFound, 404,
			"Unable to locate the resource", "Not Found"},
		"unknown type": {p.ID, "sms", mfaclient.ErrMFANotEnabled, 404,
			"You tried to remove a sms but this user have no sms set up.", "Not Found"},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.DeleteCredential(ctx, tc.id, tc.typ)
			assert.True(t, isOnly(err, tc.class), "%v", err)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, tc.message, apiErr.Message)
			assert.Equal(t, tc.code, apiErr.Code)
			var body *kratos.ErrorResponse
			require.True(t, errors.As(err, &body))
			assert.Equal(t, tc.status, body.Detail.Code)
		})
	}
	assert.Equal(t, []string{"password", "totp"}, e.types(t, p.ID), "the failed deletes changed nothing")
	// A user logs in again after the reset, with the first factor only.
	_, err := e.seed.Login(ctx, p)
	require.NoError(t, err)
}

// After the reset the user logs in with the password alone and the
// settings flow offers a new TOTP secret (it offers none while TOTP is
// set up), so the user enrols again.
func TestRealResetMFAUserCanEnrolAgain(t *testing.T) {
	e := realKratos(t)
	p := e.person(t, true, false)
	require.NoError(t, e.client(t, e.adminURL(), "", mfatest.Call{}).c.ResetMFA(context.Background(), p.ID))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	token, err := e.seed.Login(ctx, p)
	require.NoError(t, err)
	secret, err := e.seed.EnrolTOTP(ctx, token)
	require.NoError(t, err, "the user enrols TOTP again")
	assert.NotEqual(t, p.TOTPSecret, secret)
}
