package casdoor_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/casdoor"
	"github.com/mfakit/mfakit/mfaclient"
)

// seen is one request as the server received it.
type seen struct {
	method, uri, auth, contentType string
	body                           string
}

// answering starts a server that answers every request with body (HTTP
// 200, as Casdoor does) and records what it received.
func answering(t *testing.T, body string) (*httptest.Server, func() []seen) {
	t.Helper()
	var mu sync.Mutex
	var got []seen
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.RequestURI, r.Header.Get("Authorization"), r.Header.Get("Content-Type"), string(b)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(ts.Close)
	return ts, func() []seen {
		mu.Lock()
		defer mu.Unlock()
		return append([]seen(nil), got...)
	}
}

func appClient(t *testing.T, url string) *casdoor.Client {
	return newClient(t, url, casdoor.Credentials{ClientID: testClientID, ClientSecret: testClientSecret})
}

func keyClient(t *testing.T, url string) *casdoor.Client {
	return newClient(t, url, casdoor.Credentials{AccessKey: testAccessKey, AccessSecret: testAccessSecret})
}

func newClient(t *testing.T, url string, creds casdoor.Credentials) *casdoor.Client {
	t.Helper()
	c, err := casdoor.New(url, creds, mfaclient.WithRetry(mfaclient.RetryPolicy{}))
	require.NoError(t, err)
	return c
}

// The application's credentials are HTTP Basic; owner and name are the
// query (Casdoor reads Request.Form), with no body and no Content-Type.
func TestResetMFAWithClientCredentials(t *testing.T) {
	ts, got := answering(t, okBody)
	require.NoError(t, appClient(t, ts.URL).ResetMFA(context.Background(), "acme/bob smith"))

	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(testClientID+":"+testClientSecret))
	assert.Equal(t, []seen{{method: "POST", uri: "/api/delete-mfa?name=bob+smith&owner=acme", auth: basic}}, got())
}

// A user's access key pair travels in a JSON body with the same owner and
// name (Casdoor's API filter reads both from the body), never in the URL.
func TestResetMFAWithAccessKey(t *testing.T) {
	ts, got := answering(t, okBody)
	require.NoError(t, keyClient(t, ts.URL).ResetMFA(context.Background(), "acme/bob"))

	r := got()
	require.Len(t, r, 1)
	assert.Equal(t, "/api/delete-mfa?name=bob&owner=acme", r[0].uri)
	assert.Empty(t, r[0].auth)
	assert.Equal(t, "application/json", r[0].contentType)
	assert.JSONEq(t, `{"owner":"acme","name":"bob","accessKey":"`+testAccessKey+`","accessSecret":"`+testAccessSecret+`"}`, r[0].body)
}

func TestSetUserPrimaryMFA(t *testing.T) {
	ts, got := answering(t, `{"status":"ok","msg":"","sub":"","name":"","data":[{"enabled":false,"isPreferred":false,"mfaType":"sms","mfaRememberInHours":0},{"enabled":true,"isPreferred":true,"mfaType":"email","mfaRememberInHours":0},{"enabled":true,"isPreferred":false,"mfaType":"app","mfaRememberInHours":0}],"data2":null,"data3":null}`)
	c := appClient(t, ts.URL)
	ctx := context.Background()
	require.NoError(t, c.SetUserPrimaryMFA(ctx, "acme/bob", mfaclient.MethodEmail))
	require.NoError(t, c.SetUserPrimaryMFA(ctx, "acme/bob", mfaclient.MethodTOTP))
	require.NoError(t, c.SetUserPrimaryMFA(ctx, "acme/bob", mfaclient.MethodSMS))

	var uris []string
	for _, r := range got() {
		uris = append(uris, r.uri)
		assert.Empty(t, r.body)
	}
	assert.Equal(t, []string{
		"/api/set-preferred-mfa?mfaType=email&name=bob&owner=acme",
		"/api/set-preferred-mfa?mfaType=app&name=bob&owner=acme",
		"/api/set-preferred-mfa?mfaType=sms&name=bob&owner=acme",
	}, uris)
}

// Casdoor stores whatever mfaType it is sent, so the client sends only the
// types Casdoor has: magic links and passkeys are ErrUnsupported, unknown
// methods ErrInvalidInput, and neither sends anything.
func TestSetUserPrimaryMFAMethodsCheckedBeforeSending(t *testing.T) {
	ts, got := answering(t, okBody)
	c := appClient(t, ts.URL)
	ctx := context.Background()
	for _, m := range []mfaclient.Method{mfaclient.MethodMagicLink, mfaclient.MethodPasskey} {
		err := c.SetUserPrimaryMFA(ctx, "acme/bob", m)
		assert.ErrorIs(t, err, mfaclient.ErrUnsupported, "%s", m)
		var op *mfaclient.OpError
		require.ErrorAs(t, err, &op)
		assert.Equal(t, "SetUserPrimaryMFA", op.Operation)
		assert.Zero(t, op.Attempts)
	}
	for _, m := range []mfaclient.Method{"app", "passkey ", "", "TOTP", "sms\n", "SMS"} {
		err := c.SetUserPrimaryMFA(ctx, "acme/bob", m)
		assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "%q", m)
		var op *mfaclient.OpError
		require.ErrorAs(t, err, &op)
		assert.Equal(t, "SetUserPrimaryMFA", op.Operation)
	}
	assert.ErrorIs(t, c.SetUserPrimaryMFA(ctx, "", mfaclient.MethodTOTP), mfaclient.ErrInvalidInput)
	assert.Empty(t, got())
}

// The caller's own preferred method: the client does not know who the
// caller is (an application is no user; an access key's user is told only
// by a GET with the key in the URL).
func TestSetPrimaryMFAUnsupported(t *testing.T) {
	ts, got := answering(t, okBody)
	for _, c := range []*casdoor.Client{appClient(t, ts.URL), keyClient(t, ts.URL)} {
		for _, m := range mfaclient.Methods() {
			err := c.SetPrimaryMFA(context.Background(), m)
			assert.ErrorIs(t, err, mfaclient.ErrUnsupported, "%s", m)
			var op *mfaclient.OpError
			require.ErrorAs(t, err, &op)
			assert.Equal(t, "SetPrimaryMFA", op.Operation)
		}
		assert.ErrorIs(t, c.SetPrimaryMFA(context.Background(), "app"), mfaclient.ErrInvalidInput)
	}
	assert.Empty(t, got())
}

// A Casdoor user ID is "owner/name": anything else names no user, or
// another one, and is rejected before sending.
func TestUserIDMustBeOwnerSlashName(t *testing.T) {
	ts, got := answering(t, okBody)
	c := appClient(t, ts.URL)
	for _, bad := range []string{"bob", "/bob", "acme/", "/", "acme/bob/x", "acme//bob", " acme/bob", "acme/bob ", "acme/ ", "a\nb/c"} {
		assert.ErrorIs(t, c.ResetMFA(context.Background(), bad), mfaclient.ErrInvalidInput, "%q", bad)
		assert.ErrorIs(t, c.SetUserPrimaryMFA(context.Background(), bad, mfaclient.MethodTOTP), mfaclient.ErrInvalidInput, "%q", bad)
	}
	assert.Empty(t, got())
}

func TestNewChecksCredentials(t *testing.T) {
	for name, creds := range map[string]casdoor.Credentials{
		"none":                 {},
		"client ID only":       {ClientID: testClientID},
		"client secret only":   {ClientSecret: testClientSecret},
		"access key only":      {AccessKey: testAccessKey},
		"access secret only":   {AccessSecret: testAccessSecret},
		"both kinds":           {ClientID: testClientID, ClientSecret: testClientSecret, AccessKey: testAccessKey, AccessSecret: testAccessSecret},
		"colon in client ID":   {ClientID: "a:b", ClientSecret: testClientSecret},
		"space around secret":  {ClientID: testClientID, ClientSecret: " " + testClientSecret},
		"newline in access ke": {AccessKey: "k\n", AccessSecret: testAccessSecret},
	} {
		_, err := casdoor.New("https://casdoor.test", creds)
		require.ErrorIs(t, err, mfaclient.ErrInvalidInput, name)
		for _, s := range []string{testClientSecret, testAccessSecret} {
			assert.NotContains(t, err.Error(), s, name)
		}
	}
	_, err := casdoor.New("", casdoor.Credentials{ClientID: testClientID, ClientSecret: testClientSecret})
	assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "no server URL")
	_, err = casdoor.New("https://a.test", casdoor.Credentials{ClientID: testClientID, ClientSecret: testClientSecret}, mfaclient.WithBaseURL("https://b.test"))
	assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "disagreeing URLs")
}

// Every Casdoor answer is HTTP 200; the class comes from the body's msg.
func TestErrorsByMessage(t *testing.T) {
	for _, tc := range []struct {
		msg      string
		class    error
		required string
	}{
		{"Unauthorized operation", mfaclient.ErrForbidden, "an administrator of the user's organization, or an application's client credentials"},
		{"User doesn't exist", mfaclient.ErrNotFound, ""},
		{"Incorrect client secret for application: mfakit-app", mfaclient.ErrUnauthorized, ""},
		{"Application not found for client ID: 0123", mfaclient.ErrUnauthorized, ""},
		{"incorrect access secret for user: bob", mfaclient.ErrUnauthorized, ""},
		{"user not found for access key: k", mfaclient.ErrUnauthorized, ""},
		{"Access token doesn't exist in database", mfaclient.ErrUnauthorized, ""},
		{"Access token has expired, expireTime = 2026-01-01", mfaclient.ErrUnauthorized, ""},
		{"database is locked", mfaclient.ErrUnexpectedResponse, ""},
		{"unauthorized operation", mfaclient.ErrUnexpectedResponse, ""}, // not Casdoor's text: no guess
		{"", mfaclient.ErrUnexpectedResponse, ""},
	} {
		ts, _ := answering(t, `{"status":"error","msg":"`+tc.msg+`","data":null,"data2":null}`)
		for _, call := range []func(*casdoor.Client) error{
			func(c *casdoor.Client) error { return c.ResetMFA(context.Background(), "acme/bob") },
			func(c *casdoor.Client) error {
				return c.SetUserPrimaryMFA(context.Background(), "acme/bob", mfaclient.MethodTOTP)
			},
		} {
			err := call(appClient(t, ts.URL))
			require.ErrorIs(t, err, tc.class, tc.msg)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusOK, apiErr.StatusCode)
			assert.Equal(t, tc.msg, apiErr.Message)
			assert.Empty(t, apiErr.Code)
			var body *casdoor.ErrorResponse
			require.ErrorAs(t, err, &body)
			assert.Equal(t, "error", body.Status)
			assert.Equal(t, tc.msg, body.Msg)
			var fe *mfaclient.ForbiddenError
			if errors.Is(err, mfaclient.ErrForbidden) {
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, tc.required, fe.Required)
			} else {
				assert.False(t, errors.As(err, &fe))
			}
		}
	}
}

// Only Casdoor's whole success is a success: "ok" with the user's methods
// as a list, and after delete-mfa none of them enabled.
func TestSuccessIsExact(t *testing.T) {
	for name, body := range map[string]string{
		"no status":             `{"msg":"","data":[]}`,
		"status OK":             `{"status":"OK","msg":"","data":[]}`,
		"data null":             `{"status":"ok","msg":"","data":null}`,
		"no data":               `{"status":"ok","msg":""}`,
		"data object":           `{"status":"ok","msg":"","data":{"enabled":false}}`,
		"method still enabled":  `{"status":"ok","msg":"","data":[{"enabled":false,"mfaType":"sms"},{"enabled":true,"mfaType":"app"}]}`,
		"data of wrong type":    `{"status":"ok","msg":"","data":[{"enabled":"no"}]}`,
		"HTML":                  `<html>ok</html>`,
		"another API's success": `{"success":true}`,
	} {
		ts, _ := answering(t, body)
		err := appClient(t, ts.URL).ResetMFA(context.Background(), "acme/bob")
		require.ErrorIs(t, err, mfaclient.ErrUnexpectedResponse, name)
	}
	// set-preferred-mfa lists enabled methods: that is its success.
	ts, _ := answering(t, `{"status":"ok","msg":"","data":[{"enabled":true,"isPreferred":true,"mfaType":"app"}]}`)
	require.NoError(t, appClient(t, ts.URL).SetUserPrimaryMFA(context.Background(), "acme/bob", mfaclient.MethodTOTP))
}

// A status other than 200 is not Casdoor's (it answers everything with
// 200): it keeps its status's class, whatever the body says.
func TestOtherStatusesKeepTheirClass(t *testing.T) {
	for status, class := range map[int]error{
		http.StatusNotFound:            mfaclient.ErrNotFound,
		http.StatusForbidden:           mfaclient.ErrForbidden,
		http.StatusBadGateway:          mfaclient.ErrServer,
		http.StatusUnauthorized:        mfaclient.ErrUnauthorized,
		http.StatusInternalServerError: mfaclient.ErrServer,
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `{"status":"error","msg":"User doesn't exist","data":null,"data2":null}`)
		}))
		err := appClient(t, ts.URL).ResetMFA(context.Background(), "acme/bob")
		ts.Close()
		require.ErrorIs(t, err, class, "%d", status)
		var apiErr *mfaclient.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, status, apiErr.StatusCode)
	}
}
