package mattermost

import "fmt"

// UpdateMFARequest is the body of PUT /api/v4/users/{user_id}/mfa. mfakit
// only sends Activate false; activating needs Code, a current TOTP code.
//
// Source: api4/user.go updateUserMfa (reads "activate", then "code").
type UpdateMFARequest struct {
	Activate bool   `json:"activate"`
	Code     string `json:"code,omitempty"`
}

// statusResponse is the 200 answer, {"status": "OK"}.
//
// Source: web/handlers.go ReturnStatusOK.
type statusResponse struct {
	Status string `json:"status"`
}

// ErrorResponse is Mattermost's error body (model.AppError), the same on
// every API route:
//
//	{"id": "api.context.permissions.app_error",
//	 "message": "You do not have the appropriate permissions.",
//	 "detailed_error": "", "request_id": "<26 chars>", "status_code": 403}
//
// ID is the machine code (an i18n key); DetailedError is empty unless the
// caller is a system admin or developer mode is on. It is reachable from any
// mfakit error with errors.As.
//
// Source: model/utils.go AppError.
type ErrorResponse struct {
	ID            string `json:"id"`
	Message       string `json:"message"`
	DetailedError string `json:"detailed_error"`
	RequestID     string `json:"request_id,omitempty"`
	StatusCode    int    `json:"status_code,omitempty"`
	IsOAuth       bool   `json:"is_oauth,omitempty"`
}

func (e *ErrorResponse) Error() string {
	return fmt.Sprintf("mattermost: HTTP %d %s: %s", e.StatusCode, e.ID, e.Message)
}

// LimitResponse is the answer of Mattermost's rate limiter, a 429 with the
// text/plain body "limit exceeded", sent before any handler (so without a
// request ID). Its hints are in Retry-After and X-Ratelimit-*. It is
// reachable from the *mfaclient.RateLimitError with errors.As.
//
// Source: app/ratelimit.go RateLimitWriter (http.Error).
type LimitResponse struct {
	Text string // "limit exceeded"
}

func (e *LimitResponse) Error() string { return "mattermost: HTTP 429: " + e.Text }
