package casdoor

import (
	"encoding/json"
	"fmt"

	"github.com/mfakit/mfakit/mfaclient"
)

// Casdoor's names for the MFA methods (object/mfa.go: SmsType, EmailType,
// TotpType), the mfaType of POST /api/set-preferred-mfa.
const (
	MFATypeApp   = "app" // an authenticator app (TOTP)
	MFATypeEmail = "email"
	MFATypeSMS   = "sms"
)

// mfaTypes maps mfakit's methods to Casdoor's. Casdoor has no magic-link or
// passkey MFA method. Casdoor stores any mfaType it is sent without checking
// it (a "passkey" answers ok), so only these are ever sent.
var mfaTypes = map[mfaclient.Method]string{
	mfaclient.MethodTOTP:  MFATypeApp,
	mfaclient.MethodEmail: MFATypeEmail,
	mfaclient.MethodSMS:   MFATypeSMS,
}

// DeleteMFARequest is the query of POST /api/delete-mfa: the user whose MFA
// is turned off. DeleteMfa reads c.Ctx.Request.Form, which holds the URL
// query; a JSON body is not read.
//
// Source: https://github.com/casdoor/casdoor/blob/v1.1000.0/controllers/mfa.go (DeleteMfa)
type DeleteMFARequest struct {
	Owner string `url:"owner"`
	Name  string `url:"name"`
}

// SetPreferredMFARequest is the query of POST /api/set-preferred-mfa.
//
// Source: https://github.com/casdoor/casdoor/blob/v1.1000.0/controllers/mfa.go (SetPreferredMfa)
type SetPreferredMFARequest struct {
	Owner   string `url:"owner"`
	Name    string `url:"name"`
	MFAType string `url:"mfaType"`
}

// AccessKeyBody is the JSON body a call made with a user's access key
// carries. For a POST with a body, Casdoor's API filter reads the access
// key and the object of the request (owner and name, which decide whether
// an organization's admin may act) from the JSON body only, while the
// endpoints read owner and name from the query: both carry the same user.
//
// Source: https://github.com/casdoor/casdoor/blob/v1.1000.0/routers/authz_filter.go (getKeys, getObject)
type AccessKeyBody struct {
	Owner        string `json:"owner"`
	Name         string `json:"name"`
	AccessKey    string `json:"accessKey"`
	AccessSecret string `json:"accessSecret"`
}

// Response is every Casdoor API answer, always with HTTP 200:
//
//	{"status":"ok","msg":"","sub":"","name":"","data":[{"enabled":false,"isPreferred":false,"mfaType":"sms",...},...],"data2":null,"data3":null}
//	{"status":"error","msg":"Unauthorized operation","data":null,"data2":null}
//
// Source: https://github.com/casdoor/casdoor/blob/v1.1000.0/controllers/account.go
// (Response) and routers/base.go (responseError).
type Response struct {
	Status string          `json:"status"`
	Msg    string          `json:"msg"`
	Sub    string          `json:"sub,omitempty"`
	Name   string          `json:"name,omitempty"`
	Data   json.RawMessage `json:"data,omitempty"`
	Data2  json.RawMessage `json:"data2,omitempty"`
	Data3  json.RawMessage `json:"data3,omitempty"`
}

// MFAProps is one of a user's MFA methods, as the data of a success lists
// them (sms, email, app) after the change.
//
// Source: https://github.com/casdoor/casdoor/blob/v1.1000.0/object/mfa.go (MfaProps)
type MFAProps struct {
	Enabled     bool   `json:"enabled"`
	IsPreferred bool   `json:"isPreferred"`
	MFAType     string `json:"mfaType"`
}

// ErrorResponse is a decoded answer that is not a success; it is reachable
// from any mfakit error with errors.As.
type ErrorResponse struct {
	StatusCode int
	Response
}

func (e *ErrorResponse) Error() string {
	return fmt.Sprintf("casdoor: HTTP %d: status %q: %s", e.StatusCode, e.Status, e.Msg)
}
