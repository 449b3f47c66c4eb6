package entryguard

import "fmt"

// ResetResponse is the documented 200 answer: {"message": "MFA reset successfully"}.
//
// Docs: reset-mfa, "Success Response".
type ResetResponse struct {
	Message string `json:"message"`
}

// ErrorResponse is EntryGuard's error body, the same on every endpoint:
//
//	{"timestamp": "2026-02-18T10:30:00Z", "status": 404, "error": "Not Found",
//	 "message": "User not found with id: ...", "path": "/api/v1/users/.../reset-mfa"}
//
// ValidationErrors appears only on a 400 that names bad fields. It is
// reachable from any mfakit error with errors.As.
//
// Docs: reset-mfa, "Error Response Examples"; https://docs.entryguard.io/api-reference/errors
type ErrorResponse struct {
	StatusCode       int               `json:"-"` // the HTTP status the answer came with
	Timestamp        string            `json:"timestamp,omitempty"`
	Status           int               `json:"status,omitempty"`
	Reason           string            `json:"error,omitempty"` // the HTTP reason phrase, "Not Found"
	Message          string            `json:"message,omitempty"`
	Path             string            `json:"path,omitempty"`
	ValidationErrors map[string]string `json:"validationErrors,omitempty"`
}

func (e *ErrorResponse) Error() string {
	return fmt.Sprintf("entryguard: HTTP %d %s: %s", e.StatusCode, e.Reason, e.Message)
}
