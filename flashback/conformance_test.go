package flashback_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

const testToken = "fb-secret-token-9d1c7e"

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Provider{
		Name: "flashback",
		New: func(baseURL string, opts ...mfaclient.Option) (conformance.Client, error) {
			return flashback.New(testToken, append([]mfaclient.Option{mfaclient.WithBaseURL(baseURL)}, opts...)...)
		},
		NewWithCredentials: func(baseURL, value string) []error {
			_, err := flashback.New(value, mfaclient.WithBaseURL(baseURL))
			return []error{err}
		},
		Secrets:           []string{testToken},
		CredentialHeaders: []string{"Authorization"},
		UserID:            "user-42",
		ResetPath:         "/mfa/reset",
		Success: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"success":true,"message":"MFA reset successfully"}`)
		},
		ResetIdempotent: true,
	})
}
