package mattermost_test

import (
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
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
		LoadID:          loadID,
		ErrorBody:       errorBody,
		NotFound:        func(w http.ResponseWriter) { errorBody(w, http.StatusNotFound) },
	})
}

// errorBody writes Mattermost's answer for status: the limiter's text on a
// 429, an AppError otherwise.
func errorBody(w http.ResponseWriter, status int) {
	if status == http.StatusTooManyRequests {
		http.Error(w, "limit exceeded", status) // the limiter's answer
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = fmt.Fprintf(w, `{"id":"app.user.missing_account.const","message":"Unable to find the user.","detailed_error":"","request_id":"8f5tcwq6qpdz3rcoibakbbkzrc","status_code":%d}`, status)
}

// loadID is the i-th of many Mattermost IDs: 26 lowercase letters and digits.
func loadID(i int) string { return fmt.Sprintf("loadtest%018d", i) }
