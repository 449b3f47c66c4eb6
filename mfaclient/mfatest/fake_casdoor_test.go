package mfatest_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/casdoor"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func casdoorClient(t *testing.T, cd *mfatest.CasdoorFake, creds casdoor.Credentials) *casdoor.Client {
	t.Helper()
	c, err := casdoor.New(cd.URL(), creds, mfaclient.WithRetry(mfaclient.RetryPolicy{}))
	require.NoError(t, err)
	return c
}

func casdoorApp(cd *mfatest.CasdoorFake) casdoor.Credentials {
	return casdoor.Credentials{ClientID: cd.App.ClientID, ClientSecret: cd.App.ClientSecret}
}

func casdoorKey(cd *mfatest.CasdoorFake, u mfatest.FakeUser) casdoor.Credentials {
	return casdoor.Credentials{AccessKey: cd.AccessKey(u.ID), AccessSecret: u.Token}
}

// Who may reset whom, and what each refusal is, as Casdoor answers.
func TestCasdoorResetAnswers(t *testing.T) {
	for name, tc := range map[string]struct {
		creds  func(cd *mfatest.CasdoorFake) casdoor.Credentials
		target func(cd *mfatest.CasdoorFake) string
		class  error
		msg    string
	}{
		"application":                     {creds: casdoorApp, target: func(cd *mfatest.CasdoorFake) string { return cd.Member.ID }},
		"application, other organization": {creds: casdoorApp, target: func(cd *mfatest.CasdoorFake) string { return cd.Other.ID }},
		"organization admin": {
			creds:  func(cd *mfatest.CasdoorFake) casdoor.Credentials { return casdoorKey(cd, cd.Admin) },
			target: func(cd *mfatest.CasdoorFake) string { return cd.Member.ID },
		},
		"admin of another organization": {
			creds:  func(cd *mfatest.CasdoorFake) casdoor.Credentials { return casdoorKey(cd, cd.Other) },
			target: func(cd *mfatest.CasdoorFake) string { return cd.Member.ID },
			class:  mfaclient.ErrForbidden, msg: "Unauthorized operation",
		},
		"member on itself": {
			creds:  func(cd *mfatest.CasdoorFake) casdoor.Credentials { return casdoorKey(cd, cd.Member) },
			target: func(cd *mfatest.CasdoorFake) string { return cd.Member.ID },
		},
		"member on another member": {
			creds:  func(cd *mfatest.CasdoorFake) casdoor.Credentials { return casdoorKey(cd, cd.Member) },
			target: func(cd *mfatest.CasdoorFake) string { return cd.Admin.ID },
			class:  mfaclient.ErrForbidden, msg: "Unauthorized operation",
		},
		"wrong access secret": {
			creds: func(cd *mfatest.CasdoorFake) casdoor.Credentials {
				return casdoor.Credentials{AccessKey: cd.AccessKey(cd.Admin.ID), AccessSecret: "not-the-secret"}
			},
			target: func(cd *mfatest.CasdoorFake) string { return cd.Member.ID },
			class:  mfaclient.ErrForbidden, msg: "Unauthorized operation",
		},
		"wrong client secret": {
			creds: func(cd *mfatest.CasdoorFake) casdoor.Credentials {
				return casdoor.Credentials{ClientID: cd.App.ClientID, ClientSecret: "not-the-secret"}
			},
			target: func(cd *mfatest.CasdoorFake) string { return cd.Member.ID },
			class:  mfaclient.ErrUnauthorized, msg: "Incorrect client secret for application: mfakit-app",
		},
		"unknown client ID": {
			creds: func(cd *mfatest.CasdoorFake) casdoor.Credentials {
				return casdoor.Credentials{ClientID: "nope", ClientSecret: cd.App.ClientSecret}
			},
			target: func(cd *mfatest.CasdoorFake) string { return cd.Member.ID },
			class:  mfaclient.ErrUnauthorized, msg: "Application not found for client ID: nope",
		},
		"unknown user": {
			creds:  casdoorApp,
			target: func(*mfatest.CasdoorFake) string { return mfatest.CasdoorOrganization + "/nobody" },
			class:  mfaclient.ErrNotFound, msg: "User doesn't exist",
		},
	} {
		t.Run(name, func(t *testing.T) {
			cd := mfatest.NewCasdoor(t)
			target := tc.target(cd)
			err := casdoorClient(t, cd, tc.creds(cd)).ResetMFA(context.Background(), target)
			u, _ := cd.User(target)
			if tc.class == nil {
				require.NoError(t, err)
				assert.False(t, u.MFAEnabled)
				assert.Empty(t, u.PrimaryMethod)
				assert.Equal(t, 1, cd.Resets(target))
				return
			}
			require.ErrorIs(t, err, tc.class)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, http.StatusOK, apiErr.StatusCode)
			assert.Equal(t, tc.msg, apiErr.Message)
			assert.Zero(t, cd.Resets(target))
		})
	}
}

// delete-mfa is idempotent: a second reset answers ok again.
func TestCasdoorSecondResetIsOK(t *testing.T) {
	cd := mfatest.NewCasdoor(t)
	c := casdoorClient(t, cd, casdoorApp(cd))
	require.NoError(t, c.ResetMFA(context.Background(), cd.Member.ID))
	require.NoError(t, c.ResetMFA(context.Background(), cd.Member.ID))
	assert.Equal(t, 2, cd.Resets(cd.Member.ID))
}

func TestCasdoorSetPreferred(t *testing.T) {
	cd := mfatest.NewCasdoor(t)
	c := casdoorClient(t, cd, casdoorKey(cd, cd.Admin))
	require.NoError(t, c.SetUserPrimaryMFA(context.Background(), cd.Member.ID, mfaclient.MethodEmail))
	u, _ := cd.User(cd.Member.ID)
	assert.Equal(t, "email", u.PrimaryMethod)
	require.NoError(t, c.SetUserPrimaryMFA(context.Background(), cd.Member.ID, mfaclient.MethodTOTP))
	u, _ = cd.User(cd.Member.ID)
	assert.Equal(t, "app", u.PrimaryMethod)
	assert.True(t, u.MFAEnabled, "set-preferred-mfa changes nothing else")
}

// The answers on the wire: HTTP 200 and Casdoor's bodies; a GET is the 404
// page.
func TestCasdoorWire(t *testing.T) {
	cd := mfatest.NewCasdoor(t)
	post := func(method, path, user, pass string) (int, string, string) {
		req, err := http.NewRequest(method, cd.URL()+path, nil)
		require.NoError(t, err)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(b)
	}
	status, _, body := post(http.MethodPost, "/api/delete-mfa?owner=mfakit&name=bob", cd.App.ClientID, cd.App.ClientSecret)
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"status":"ok","msg":"","sub":"","name":"","data":[{"enabled":false,"isPreferred":false,"mfaType":"sms","mfaRememberInHours":0},{"enabled":false,"isPreferred":false,"mfaType":"email","mfaRememberInHours":0},{"enabled":false,"isPreferred":false,"mfaType":"app","mfaRememberInHours":0}],"data2":null,"data3":null}`, body)

	status, _, body = post(http.MethodPost, "/api/delete-mfa?owner=mfakit&name=bob", "", "")
	assert.Equal(t, 200, status)
	assert.JSONEq(t, `{"status":"error","msg":"Unauthorized operation","data":null,"data2":null}`, body, "anonymous")

	status, ct, body := post(http.MethodGet, "/api/delete-mfa?owner=mfakit&name=bob", cd.App.ClientID, cd.App.ClientSecret)
	assert.Equal(t, 404, status)
	assert.True(t, strings.HasPrefix(ct, "text/html"), ct)
	assert.Contains(t, body, "404")
	assert.Zero(t, cd.Resets(cd.Admin.ID))
}
