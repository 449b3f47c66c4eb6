package flashback

import (
	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// requiredToResetOthers is the role the 403 of POST /mfa/reset names.
const requiredToResetOthers = "OWNER or ADMINISTRATOR"

// successBodies are the documented 200 bodies of POST /mfa/reset and POST
// /mfa/primary as an Express res.json sends them (no spaces): recognised
// byte for byte, without decoding (internal/transport/success.go).
var successBodies = []string{
	`{"success":true,"message":"MFA reset successfully"}`,
	`{"success":true,"message":"Primary MFA method updated"}`,
}

// classify maps Flashback's answers. Flashback has no machine codes on these
// endpoints, so the class is the status's; a 200 must also say
// "success": true.
func classify(a *transport.Answer) transport.Verdict {
	var r Response
	decoded := transport.DecodeObject(a.Body, &r)
	if a.StatusCode >= 200 && a.StatusCode < 300 && decoded && r.Success {
		return transport.Verdict{}
	}
	v := transport.Verdict{Class: transport.ClassForStatus(a.StatusCode)}
	if decoded {
		v.Code = r.ErrorCode
		v.Message = r.ErrorMessage
		if v.Message == "" {
			v.Message = r.Message
		}
		v.Cause = &ErrorResponse{StatusCode: a.StatusCode, Response: r}
	}
	if v.Class == mfaclient.ErrForbidden && a.Operation == opReset {
		v.Required = requiredToResetOthers
	}
	return v
}
