package mattermost

import (
	"bytes"
	"net/http"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// requiredPermission is what api.context.permissions.app_error means on
// this route: updateUserMfa lets a session change its own MFA, and another
// user's only with edit_other_users (api4/user.go, app/authorization.go
// SessionHasPermissionToUser).
const requiredPermission = "edit_other_users"

const (
	// idPermissions is the 403 of a caller without the permission.
	idPermissions = "api.context.permissions.app_error"
	// idNoRoute is Mattermost's 404 for a path no API route matches (a
	// wrong base URL), which says nothing about the user.
	idNoRoute = "api.context.404.app_error"
)

// limitExceeded is the text/plain body of Mattermost's rate limiter
// (app/ratelimit.go: http.Error(w, "limit exceeded", 429)).
var limitExceeded = []byte("limit exceeded")

// classify maps Mattermost's answers. A 200 must be {"status":"OK"}. An
// error answer is Mattermost's when its body is an AppError whose
// status_code is the answer's status, or, on a 429, the limiter's
// text/plain "limit exceeded": then its code (the AppError id) and message
// are given, and the decoded body is the Cause. Transport gives the
// status's class only to such an answer (or to HTTP's own shapes: a 429
// with hints); the same status from a proxy or another service says
// nothing about the user.
//
// The catch-all 404 api.context.404.app_error means no route matched the
// path (a wrong base URL), not that the user is missing.
func classify(a *transport.Answer) transport.Verdict {
	if a.StatusCode >= 200 && a.StatusCode < 300 {
		var ok statusResponse
		if transport.DecodeObject(a.Body, &ok) && ok.Status == "OK" {
			return transport.Verdict{}
		}
		return transport.Verdict{Class: mfaclient.ErrUnexpectedResponse}
	}
	v := transport.Verdict{Class: transport.ClassForStatus(a.StatusCode)}
	if a.StatusCode == http.StatusTooManyRequests && bytes.Equal(bytes.TrimSpace(a.Body), limitExceeded) {
		v.Message, v.Cause = string(limitExceeded), &LimitResponse{Text: string(limitExceeded)}
		return v
	}
	e, ok := decodeError(a)
	if !ok {
		return v
	}
	v.Code, v.Message, v.Cause = e.ID, e.Message, e
	switch {
	case a.StatusCode == http.StatusNotFound && e.ID == idNoRoute:
		v.Class = mfaclient.ErrUnexpectedResponse
	case v.Class == mfaclient.ErrForbidden && e.ID == idPermissions:
		v.Required = requiredPermission
	}
	return v
}

// decodeError decodes an AppError: a JSON object with an id and the
// answer's status in status_code.
func decodeError(a *transport.Answer) (*ErrorResponse, bool) {
	var e ErrorResponse
	if !transport.DecodeObject(a.Body, &e) || e.ID == "" || e.StatusCode != a.StatusCode {
		return nil, false
	}
	return &e, true
}
