package entryguard_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	testToken  = "eg-secret-jwt-4b8e21"
	testUserID = "770e8400-e29b-41d4-a716-446655440004"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Provider{
		Name: "entryguard",
		New: func(baseURL string, opts ...mfaclient.Option) (conformance.Client, error) {
			return entryguard.New(testToken, append([]mfaclient.Option{mfaclient.WithBaseURL(baseURL)}, opts...)...)
		},
		NewWithCredentials: func(baseURL, value string) []error {
			_, err := entryguard.New(value, mfaclient.WithBaseURL(baseURL))
			return []error{err}
		},
		Secrets:           []string{testToken},
		CredentialHeaders: []string{"Authorization"},
		UserID:            testUserID,
		ResetPath:         "/api/v1/users/" + testUserID + "/reset-mfa",
		Success: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"message":"MFA reset successfully"}`)
		},
		ResetIdempotent: false,
	})
}
