package mattermost_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mattermost"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	testToken  = "mm-secret-token-9q4tz1"
	testUserID = "4xp9fdt2x3bwpdb6ik3jqz3cwa"
)

func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Provider{
		Name: "mattermost",
		New: func(baseURL string, opts ...mfaclient.Option) (conformance.Client, error) {
			return mattermost.New(baseURL, testToken, opts...)
		},
		NewWithCredentials: func(baseURL, value string) []error {
			_, err := mattermost.New(baseURL, value)
			return []error{err}
		},
		Secrets:           []string{testToken},
		CredentialHeaders: []string{"Authorization"},
		UserID:            testUserID,
		ResetPath:         "/api/v4/users/" + testUserID + "/mfa",
		Success: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"OK"}`)
		},
		ResetIdempotent: true,
		ResetMethod:     http.MethodPut,
		ResetUnit:       transport.ResetSecondsFromNow,
		QuotaRefill:     transport.RefillSteady,
		// A plain UUID's last 26 hex digits: a valid Mattermost ID.
		IDFor: func(plain string) string {
			hex := strings.ReplaceAll(plain, "-", "")
			return hex[len(hex)-26:]
		},
		NotFound: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"id":"app.user.missing_account.const","message":"Unable to find the user.","detailed_error":"","request_id":"8f5tcwq6qpdz3rcoibakbbkzrc","status_code":404}`)
		},
		RateLimited: func(w http.ResponseWriter) {
			http.Error(w, "limit exceeded", http.StatusTooManyRequests) // the limiter's answer
		},
	})
}
