package rocketchat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/rocketchat"
)

// TestClassification: what each of Rocket.Chat's answers means to the
// caller (apps/meteor/server/lib/2fa/code/index.ts, server/api/ApiClass.ts,
// packages/http-router/src/Router.ts).
func TestClassification(t *testing.T) {
	for name, tc := range map[string]struct {
		status    int
		body      string
		class     error
		code      string
		challenge bool   // rocketchat.Challenge offers a challenge to answer
		text      string // in err.Error()
	}{
		"totp-required is a challenge": {
			status: 400, body: `{"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]}}`,
			class: mfaclient.ErrSecondFactorRequired, code: "totp-required", challenge: true,
		},
		"totp-invalid is a challenge": {
			status: 400, body: `{"success":false,"error":"TOTP Invalid [totp-invalid]","errorType":"totp-invalid","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]}}`,
			class: mfaclient.ErrSecondFactorRequired, code: "totp-invalid", challenge: true,
		},
		"totp-max-attempts is no challenge": {
			status: 400, body: `{"success":false,"error":"TOTP Maximun Failed Attempts Reached [totp-max-attempts]","errorType":"totp-max-attempts","details":{"method":"email","emailOrUsername":"admin","codeGenerated":false,"codeExpires":"2026-02-18T10:35:00.000Z","availableMethods":["email"]}}`,
			class: mfaclient.ErrSecondFactorRequired, code: "totp-max-attempts",
		},
		"totp-max-attempts without errorType": {
			status: 400, body: `{"success":false,"error":"TOTP Maximun Failed Attempts Reached [totp-max-attempts]"}`,
			class: mfaclient.ErrSecondFactorRequired, code: "totp-max-attempts",
		},
		"totp-user-not-found is the caller": {
			status: 400, body: `{"success":false,"error":"TOTP User not found [totp-user-not-found]","errorType":"totp-user-not-found"}`,
			class: mfaclient.ErrUnauthorized, code: "totp-user-not-found",
		},
		"invalid-params is mfakit's defect": {
			status: 400, body: `{"success":false,"errorType":"invalid-params","error":"must NOT have additional properties"}`,
			class: mfaclient.ErrClientDefect, code: "invalid-params", text: "client defect",
		},
		"older routers' error-invalid-params": {
			status: 400, body: `{"success":false,"error":"must be string [error-invalid-params]","errorType":"error-invalid-params"}`,
			class: mfaclient.ErrClientDefect, code: "error-invalid-params", text: "client defect",
		},
		"9.0 login 401": {
			status: 401, body: `{"success":false,"error":"You must be logged in to do this."}`,
			class: mfaclient.ErrUnauthorized,
		},
		"9.0 error-unauthorized, default message": {
			status: 401, body: `{"success":false,"error":"forbidden"}`,
			class: mfaclient.ErrForbidden,
		},
		"9.0 error-unauthorized, its message": {
			status: 401, body: `{"success":false,"error":"User does not have the permissions required for this action [error-unauthorized]"}`,
			class: mfaclient.ErrForbidden, code: "error-unauthorized",
		},
		"pre-9.0 error-unauthorized": {
			status: 403, body: `{"success":false,"error":"unauthorized"}`,
			class: mfaclient.ErrForbidden,
		},
	} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, tc.status, tc.body) }))
		c, err := rocketchat.New(ts.URL, testCreds, mfaclient.WithRetry(mfaclient.RetryPolicy{}))
		require.NoError(t, err)
		err = c.ResetMFA(context.Background(), "GonjPyg3gB3Z9ur9s")
		ts.Close()

		assert.True(t, onlyClass(err, tc.class), "%s: %v", name, err)
		var apiErr *mfaclient.APIError
		require.ErrorAs(t, err, &apiErr, name)
		assert.Equal(t, tc.code, apiErr.Code, name)
		if tc.class == mfaclient.ErrForbidden {
			var fe *mfaclient.ForbiddenError
			assert.ErrorAs(t, err, &fe, name)
		}
		_, ok := rocketchat.Challenge(err)
		assert.Equal(t, tc.challenge, ok, "%s: Challenge", name)
		assert.Contains(t, err.Error(), tc.text, name)
		var body *rocketchat.ErrorResponse
		assert.True(t, errors.As(err, &body), "%s: the decoded body is reachable", name)
	}
}
