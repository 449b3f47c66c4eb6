package kratos_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/kratos"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// Without a token, only a loopback admin URL or an explicit Unauthenticated
// is accepted, so a forgotten token is not silently a request without one.
func TestNewCredentials(t *testing.T) {
	for name, tc := range map[string]struct {
		url   string
		creds kratos.Credentials
		ok    bool
	}{
		"token, public host":                     {"https://acme.projects.oryapis.com", kratos.Credentials{Token: testToken}, true},
		"no token, public host":                  {"https://acme.projects.oryapis.com", kratos.Credentials{}, false},
		"no token, public host, unauthenticated": {"https://kratos-admin.internal", kratos.Credentials{Unauthenticated: true}, true},
		"no token, loopback":                     {"http://127.0.0.1:4434", kratos.Credentials{}, true},
		"no token, localhost":                    {"http://localhost:4434", kratos.Credentials{}, true},
		"no token, private address":              {"https://10.0.0.5:4434", kratos.Credentials{}, false},
		"token and unauthenticated":              {"http://127.0.0.1:4434", kratos.Credentials{Token: testToken, Unauthenticated: true}, false},
		"token with a newline":                   {"http://127.0.0.1:4434", kratos.Credentials{Token: "tok\nX-Evil: 1"}, false},
		"no URL":                                 {"", kratos.Credentials{Token: testToken}, false},
		"plain http to a public host":            {"http://kratos.example.com", kratos.Credentials{Unauthenticated: true}, false},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := kratos.New(tc.url, tc.creds)
			if tc.ok {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, mfaclient.ErrInvalidInput)
			if err != nil {
				assert.NotContains(t, err.Error(), "X-Evil")
			}
		})
	}
	_, err := kratos.New("http://127.0.0.1:4434", kratos.Credentials{}, mfaclient.WithBaseURL("http://127.0.0.1:9999"))
	assert.ErrorIs(t, err, mfaclient.ErrInvalidInput, "WithBaseURL must agree with the admin URL")
}

// A client without a token sends no Authorization header at all; one with a
// token sends it as Bearer.
func TestAuthorizationHeader(t *testing.T) {
	var got []http.Header
	s, url := startScripted(t, func(_ int, w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Clone())
		w.WriteHeader(http.StatusNoContent)
	})
	ctx := context.Background()
	c, err := kratos.New(url, kratos.Credentials{})
	require.NoError(t, err)
	require.NoError(t, c.DeleteCredential(ctx, testIdentityID, "totp"))
	c, err = kratos.New(url, kratos.Credentials{Token: testToken})
	require.NoError(t, err)
	require.NoError(t, c.DeleteCredential(ctx, testIdentityID, "totp"))
	require.Len(t, s.requests(), 2)
	assert.NotContains(t, got[0], "Authorization")
	assert.Equal(t, []string{"Bearer " + testToken}, got[1].Values("Authorization"))
}

func TestDeleteCredentialOnTheFake(t *testing.T) {
	k := mfatest.NewKratos(t)
	k.AddIdentity(mfatest.FakeUser{ID: testIdentityID, Username: "carol@example.com"},
		mfatest.KratosCredentials{Password: true, Passkey: true, WebAuthnMFA: 1, WebAuthnPasswordless: 1})
	c := newClient(t, k.URL())
	ctx := context.Background()

	require.NoError(t, c.DeleteCredential(ctx, testIdentityID, "webauthn"))
	creds, _ := k.Credentials(testIdentityID)
	assert.Equal(t, 0, creds.WebAuthnMFA)
	assert.Equal(t, 1, creds.WebAuthnPasswordless, "passwordless keys are kept")

	for typ, class := range map[string]error{
		"totp":     mfaclient.ErrMFANotEnabled, // 404 "this user have no totp set up"
		"password": mfaclient.ErrInvalidInput,  // 400 "You cannot remove first factor credentials."
		"passkey":  mfaclient.ErrInvalidInput,  // 400 "Unknown credentials type passkey."
	} {
		err := c.DeleteCredential(ctx, testIdentityID, typ)
		assert.True(t, isOnly(err, class), "%s: %v", typ, err)
	}
	err := c.DeleteCredential(ctx, "0b5d5cbe-8c35-4a3e-9c5e-2f7ad1a0cfff", "totp")
	assert.True(t, isOnly(err, mfaclient.ErrNotFound), "%v", err)

	before := k.Requests()
	for _, bad := range [][2]string{{"not-a-uuid", "totp"}, {testIdentityID, ""}, {testIdentityID, "../totp"}, {testIdentityID, "TOTP"}} {
		assert.ErrorIs(t, c.DeleteCredential(ctx, bad[0], bad[1]), mfaclient.ErrInvalidInput, "%q", bad)
	}
	assert.Equal(t, before, k.Requests(), "bad input sends nothing")
}

func TestSetPrimaryMFAUnsupported(t *testing.T) {
	s, url := startScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	c := newClient(t, url)
	for _, m := range mfaclient.Methods() {
		err := c.SetPrimaryMFA(context.Background(), m)
		assert.True(t, isOnly(err, mfaclient.ErrUnsupported), "%s: %v", m, err)
	}
	assert.ErrorIs(t, c.SetPrimaryMFA(context.Background(), "carrier-pigeon"), mfaclient.ErrInvalidInput)
	assert.Empty(t, s.requests())
}
