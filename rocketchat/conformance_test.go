package rocketchat_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/rocketchat"
)

var testCreds = rocketchat.Credentials{UserID: "rc-caller-uid-5e2a", AuthToken: "rc-secret-auth-8c3f90"}

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Provider{
		Name: "rocketchat",
		New: func(baseURL string, opts ...mfaclient.Option) (conformance.Client, error) {
			return rocketchat.New(baseURL, testCreds, opts...)
		},
		NewWithCredentials: func(baseURL, value string) []error {
			_, errUser := rocketchat.New(baseURL, rocketchat.Credentials{UserID: value, AuthToken: testCreds.AuthToken})
			_, errToken := rocketchat.New(baseURL, rocketchat.Credentials{UserID: testCreds.UserID, AuthToken: value})
			return []error{errUser, errToken}
		},
		Secrets:           []string{testCreds.AuthToken},
		CredentialHeaders: []string{"X-Auth-Token", "X-User-Id"},
		UserID:            "GonjPyg3gB3Z9ur9s",
		ResetPath:         "/api/v1/users.resetTOTP",
		Success: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"success":true}`)
		},
		ResetIdempotent: true,
		NotRepeated:     []string{"ResetOwnMFA"}, // a self-reset logs the caller out: a repeat would answer 401
	})
}
