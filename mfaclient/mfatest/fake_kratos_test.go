package mfatest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// The fake's answers are the real Kratos v1.3.1's, captured by the
// real-server suite (testdata/kratos and kratos's TestRealDeleteCredential).
func TestKratosAnswers(t *testing.T) {
	k := mfatest.NewKratos(t)
	del := func(id, typ string) answer {
		return send(t, http.MethodDelete, k.URL()+"/admin/identities/"+id+"/credentials/"+typ, "")
	}
	const (
		noIdentity = `{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}`
		firstFac   = `{"error":{"code":400,"status":"Bad Request","reason":"You cannot remove first factor credentials.","message":"The request was malformed or contained invalid parameters"}}`
	)
	noSuch := func(typ string) string {
		return `{"error":{"code":404,"status":"Not Found","reason":"You tried to remove a ` + typ + ` but this user have no ` + typ +
			` set up.","message":"The requested resource could not be found"}}`
	}

	got := del(k.Alice.ID, "totp")
	assert.Equal(t, http.StatusNoContent, got.status)
	assert.Empty(t, got.body)
	assert.Equal(t, 0, k.Resets(k.Alice.ID), "lookup secrets remain")
	got = del(k.Alice.ID, "totp")
	assert.Equal(t, answer{404, got.header, noSuch("totp")}, got)
	assert.Equal(t, "application/json", got.header.Get("Content-Type"))
	assert.Equal(t, http.StatusNoContent, del(strings.ToUpper(k.Alice.ID), "lookup_secret").status, "any letter case")
	assert.Equal(t, 1, k.Resets(k.Alice.ID), "the last second factor went")
	u, ok := k.User(k.Alice.ID)
	require.True(t, ok)
	assert.False(t, u.MFAEnabled)

	for name, tc := range map[string]struct {
		id, typ string
		status  int
		body    string
	}{
		"password":         {k.Bob.ID, "password", 400, firstFac},
		"no passkey":       {k.Bob.ID, "passkey", 404, noSuch("passkey")},
		"unknown type":     {k.Bob.ID, "sms", 404, noSuch("sms")},
		"unknown identity": {"00000000-0000-4000-8000-00000000beef", "totp", 404, noIdentity},
		"not a UUID":       {"bob", "totp", 404, noIdentity},
	} {
		got := del(tc.id, tc.typ)
		assert.Equal(t, tc.status, got.status, name)
		assert.Equal(t, tc.body, got.body, name)
	}

	got = send(t, http.MethodGet, k.URL()+"/admin/identities/"+k.Bob.ID+"?include_credential=webauthn", "")
	assert.Equal(t, 200, got.status)
	assert.Equal(t, "application/json; charset=utf-8", got.header.Get("Content-Type"))
	assert.JSONEq(t, `{"id":"`+k.Bob.ID+`","schema_id":"default","state":"active","traits":{"email":"bob@example.com"},"credentials":{`+
		`"password":{"type":"password","identifiers":["bob@example.com"],"version":0},`+
		`"totp":{"type":"totp","identifiers":["`+k.Bob.ID+`"],"version":0}}}`, got.body, "configs only for the types asked for")
	got = send(t, http.MethodGet, k.URL()+"/admin/identities/"+k.Bob.ID+"?include_credential=webauthn&include_credential=bogus", "")
	assert.Equal(t, 400, got.status)
	assert.Contains(t, got.body, "Invalid value `[webauthn]` for parameter `include_credential`.", "Kratos prints the types parsed so far")
}

// A webauthn DELETE removes the second-factor keys and keeps passwordless
// ones, still answering 204.
func TestKratosWebAuthn(t *testing.T) {
	k := mfatest.NewKratos(t)
	const id = "6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f"
	k.AddIdentity(mfatest.FakeUser{ID: id, Username: "dan@example.com"}, mfatest.KratosCredentials{Password: true, WebAuthnMFA: 2, WebAuthnPasswordless: 1})
	got := send(t, http.MethodDelete, k.URL()+"/admin/identities/"+id+"/credentials/webauthn", "")
	assert.Equal(t, http.StatusNoContent, got.status)
	c, _ := k.Credentials(id)
	assert.Equal(t, mfatest.KratosCredentials{Password: true, WebAuthnPasswordless: 1}, c)
	assert.Equal(t, 1, k.Resets(id))
	got = send(t, http.MethodGet, k.URL()+"/admin/identities/"+id+"?include_credential=webauthn", "")
	assert.Contains(t, got.body, `"is_passwordless":true`)
	assert.NotContains(t, got.body, `"is_passwordless":false`)
}

func TestKratosSeedUser(t *testing.T) {
	k := mfatest.NewKratos(t)
	ids := mfatest.SeedUsers(k, 2)
	for _, id := range ids {
		c, ok := k.Credentials(id)
		require.True(t, ok)
		assert.Equal(t, mfatest.KratosCredentials{Password: true, TOTP: true}, c)
		got := send(t, http.MethodDelete, k.URL()+"/admin/identities/"+id+"/credentials/totp", "")
		assert.Equal(t, http.StatusNoContent, got.status)
		assert.Equal(t, 1, k.Resets(id))
	}
}
