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

// classify maps Mattermost's answers. A 200 must be {"status":"OK"}. A 4xx
// gets its status's class only when the body is Mattermost's error shape
// (an AppError whose status_code is the answer's status): the same status
// from a proxy or another service says nothing about the user, and is
// mfaclient.ErrUnexpectedResponse. A 429 is a rate limit in any shape (the
// limiter answers text/plain "limit exceeded"); a 5xx is ErrServer in any
// shape (proxies answer 502-504 in their own).
func classify(a *transport.Answer) transport.Verdict {
	if a.StatusCode >= 200 && a.StatusCode < 300 {
		var ok statusResponse
		if transport.DecodeObject(a.Body, &ok) && ok.Status == "OK" {
			return transport.Verdict{}
		}
		return transport.Verdict{Class: mfaclient.ErrUnexpectedResponse}
	}
	class := transport.ClassForStatus(a.StatusCode)
	e, shaped := decodeError(a)
	if !shaped {
		v := transport.Verdict{Class: class}
		switch {
		case a.StatusCode == http.StatusTooManyRequests:
			if bytes.Equal(bytes.TrimSpace(a.Body), limitExceeded) {
				v.Message = string(limitExceeded)
			}
		case a.StatusCode < 500:
			v.Class = mfaclient.ErrUnexpectedResponse
		}
		return v
	}
	v := transport.Verdict{Class: class, Code: e.ID, Message: e.Message, Cause: e}
	switch {
	case a.StatusCode == http.StatusNotFound && e.ID == idNoRoute:
		v.Class = mfaclient.ErrUnexpectedResponse
	case class == mfaclient.ErrForbidden && e.ID == idPermissions:
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
