package entryguard

import (
	"strings"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// requiredRole is the role the 403 of reset-mfa names.
const requiredRole = "ORG_ADMIN"

// notEnabled is the 400 that says there is no MFA to reset.
const notEnabled = "mfa is not enabled"

// classify maps EntryGuard's answers. A 200 must be a JSON object with a
// message; the error body's "error" field is the code, "message" the text.
func classify(a *transport.Answer) transport.Verdict {
	if a.StatusCode >= 200 && a.StatusCode < 300 {
		var ok struct {
			Message *string `json:"message"`
		}
		if transport.DecodeObject(a.Body, &ok) && ok.Message != nil {
			return transport.Verdict{}
		}
		return transport.Verdict{Class: mfaclient.ErrUnexpectedResponse}
	}
	v := transport.Verdict{Class: transport.ClassForStatus(a.StatusCode)}
	var e ErrorResponse
	if transport.DecodeObject(a.Body, &e) {
		e.StatusCode = a.StatusCode
		v.Code, v.Message, v.Cause = e.Reason, e.Message, &e
	}
	switch v.Class {
	case mfaclient.ErrInvalidInput:
		if strings.Contains(strings.ToLower(v.Message), notEnabled) {
			v.Class = mfaclient.ErrMFANotEnabled
		}
	case mfaclient.ErrForbidden:
		v.Required = requiredRole
	}
	return v
}
