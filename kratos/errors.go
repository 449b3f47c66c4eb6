package kratos

import (
	"net/http"
	"strings"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// noSuchCredential starts the reason of the 404 that DELETE
// .../credentials/{type} answers when the identity has no credential of
// that type ("You tried to remove a totp but this user have no totp set
// up."); an unknown identity's 404 has no reason.
//
// Source: identity/handler.go (deleteIdentityCredentials), identity.go
// (deleteCredentialWebAuthFromIdentity).
const noSuchCredential = "you tried to remove a "

// classify maps Kratos's answers to a credential DELETE: 204 with no body
// is the success (a 204 that carries one, which no HTTP server sends, is not
// Kratos's answer); an error is classed by its status, and a 404 that names
// a missing credential (not a missing identity) is ErrMFANotEnabled.
func classify(a *transport.Answer) transport.Verdict {
	if a.StatusCode == http.StatusNoContent && len(a.Body) == 0 {
		return transport.Verdict{}
	}
	v := classifyError(a)
	if e, ok := v.Cause.(*ErrorResponse); ok && isNoSuchCredential(a, e) {
		v.Class = mfaclient.ErrMFANotEnabled
	}
	return v
}

// classifyError is the verdict on any answer that is not the request's
// documented success, by its status.
func classifyError(a *transport.Answer) transport.Verdict {
	v := transport.Verdict{Class: transport.ClassForStatus(a.StatusCode)}
	e, ok := decodeError(a)
	if !ok {
		return v
	}
	v.Cause = e
	v.Code = e.Detail.ID
	if v.Code == "" {
		v.Code = e.Detail.Status
	}
	v.Message = e.Detail.Reason
	if v.Message == "" {
		v.Message = e.Detail.Message
	}
	return v
}

// decodeError decodes Kratos's error body; a body without the "error"
// object is not Kratos's.
func decodeError(a *transport.Answer) (*ErrorResponse, bool) {
	var e struct {
		Detail *GenericError `json:"error"`
	}
	if !transport.DecodeObject(a.Body, &e) || e.Detail == nil {
		return nil, false
	}
	return &ErrorResponse{StatusCode: a.StatusCode, Detail: *e.Detail}, true
}

// isNoSuchCredential reports Kratos's 404 for a credential type the
// identity does not have: Kratos's shape, for this status, with its reason.
func isNoSuchCredential(a *transport.Answer, e *ErrorResponse) bool {
	return a.StatusCode == http.StatusNotFound && e.Detail.Code == http.StatusNotFound &&
		strings.HasPrefix(strings.ToLower(e.Detail.Reason), noSuchCredential)
}
