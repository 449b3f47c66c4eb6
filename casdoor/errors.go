package casdoor

import (
	"encoding/json"
	"strings"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// requiredRole is what Casdoor's "Unauthorized operation" on these
// endpoints means the caller lacks (authz.IsAllowed: an application, the
// user itself, or an administrator of the user's organization). Casdoor
// gives the same answer to a wrong or unknown access key.
const requiredRole = "an administrator of the user's organization, or an application's client credentials"

// The messages Casdoor answers with, as sent in English (no Accept-Language
// is sent). Sources: routers/authz_filter.go (denyRequest),
// controllers/mfa.go, routers/base.go and routers/auto_signin_filter.go.
const (
	msgUnauthorizedOperation = "Unauthorized operation"
	msgUserDoesNotExist      = "User doesn't exist"
)

// credentialMessages start the answers Casdoor gives to wrong or unknown
// credentials, before it looks at the request.
var credentialMessages = []string{
	"Incorrect client secret for application: ",
	"Application not found for client ID: ",
	"incorrect access secret for user: ",
	"user not found for access key: ",
	"Access token doesn't exist in database",
	"Access token has expired",
}

// classify maps Casdoor's answers. Casdoor answers everything with HTTP 200
// and says in the body whether it worked: "status" is "ok" or "error", and
// an error's "msg" is its only detail (there are no machine codes). Any
// other status comes from something in front of Casdoor and keeps its
// status's class.
func classify(a *transport.Answer) transport.Verdict {
	var r Response
	decoded := transport.DecodeObject(a.Body, &r)
	is2xx := a.StatusCode >= 200 && a.StatusCode < 300
	if is2xx && decoded && r.Status == "ok" && successData(a.Operation, r.Data) {
		return transport.Verdict{}
	}
	v := transport.Verdict{Class: transport.ClassForStatus(a.StatusCode)}
	if !decoded || r.Status == "" {
		return v // not Casdoor's shape: the status's class
	}
	v.Message = r.Msg
	v.Cause = &ErrorResponse{StatusCode: a.StatusCode, Response: r}
	if is2xx && r.Status == "error" {
		v.Class = messageClass(r.Msg)
	}
	if v.Class == mfaclient.ErrForbidden {
		v.Required = requiredRole
	}
	return v
}

// messageClass is the class of an error answer's message.
func messageClass(msg string) error {
	switch msg {
	case msgUnauthorizedOperation:
		return mfaclient.ErrForbidden
	case msgUserDoesNotExist:
		return mfaclient.ErrNotFound
	}
	for _, prefix := range credentialMessages {
		if strings.HasPrefix(msg, prefix) {
			return mfaclient.ErrUnauthorized
		}
	}
	return mfaclient.ErrUnexpectedResponse
}

// successData checks the data of an "ok" answer: the user's MFA methods
// after the change, as a list. After delete-mfa none may be enabled: an
// "ok" that still lists an enabled method did not reset anything, and is
// not reported as a reset.
func successData(op string, data json.RawMessage) bool {
	var methods []MFAProps
	if len(data) == 0 || data[0] != '[' || json.Unmarshal(data, &methods) != nil {
		return false
	}
	if op == opReset {
		for _, m := range methods {
			if m.Enabled {
				return false
			}
		}
	}
	return true
}
