package casdoor_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/mfakit/mfakit/casdoor"
	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	testClientID     = "c0ffee00d00dfeedc0ff"
	testClientSecret = "cd-secret-0a9b8c7d6e5f"
	testAccessKey    = "ak-7d1e4c2b-93f0"
	testAccessSecret = "as-5b8e2f61-c4a7"
)

// okBody is Casdoor's success: the user's MFA methods after a delete-mfa.
const okBody = `{"status":"ok","msg":"","sub":"","name":"","data":[{"enabled":false,"isPreferred":false,"mfaType":"sms","mfaRememberInHours":0},{"enabled":false,"isPreferred":false,"mfaType":"email","mfaRememberInHours":0},{"enabled":false,"isPreferred":false,"mfaType":"app","mfaRememberInHours":0}],"data2":null,"data3":null}`

func success(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = io.WriteString(w, okBody)
}

// notFound is Casdoor's answer for a user that does not exist: HTTP 200.
func notFound(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = io.WriteString(w, `{"status":"error","msg":"User doesn't exist","data":null,"data2":null}`)
}

func TestConformance(t *testing.T) {
	for name, creds := range map[string]casdoor.Credentials{
		"ClientCredentials": {ClientID: testClientID, ClientSecret: testClientSecret},
		"AccessKey":         {AccessKey: testAccessKey, AccessSecret: testAccessSecret},
	} {
		t.Run(name, func(t *testing.T) {
			p := conformance.Provider{
				Name: "casdoor",
				New: func(baseURL string, opts ...mfaclient.Option) (conformance.Client, error) {
					return casdoor.New(baseURL, creds, opts...)
				},
				NewWithCredentials: func(baseURL, value string) []error {
					var errs []error
					for _, c := range []casdoor.Credentials{
						{ClientID: value, ClientSecret: testClientSecret},
						{ClientID: testClientID, ClientSecret: value},
						{AccessKey: value, AccessSecret: testAccessSecret},
						{AccessKey: testAccessKey, AccessSecret: value},
					} {
						_, err := casdoor.New(baseURL, c)
						errs = append(errs, err)
					}
					return errs
				},
				Secrets:         []string{testClientSecret, testAccessKey, testAccessSecret},
				UserID:          "acme/bob",
				ResetPath:       "/api/delete-mfa",
				Success:         success,
				NotFound:        notFound,
				ResetIdempotent: true,
				Carries:         carries,
				IDFor:           func(plain string) string { return "acme/" + plain },
			}
			if creds.ClientID != "" {
				p.CredentialHeaders = []string{"Authorization"}
			}
			conformance.Run(t, p)
		})
	}
}

// carries reports whether a request carries the user ID id where Casdoor
// reads it: the owner and name query parameters and nothing else, and with
// an access key the same owner and name in the JSON body.
func carries(uri string, body []byte, id string) bool {
	u, err := url.ParseRequestURI(uri)
	if err != nil || u.Fragment != "" {
		return false
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || len(q) != 2 || len(q["owner"]) != 1 || len(q["name"]) != 1 {
		return false
	}
	if q.Get("owner")+"/"+q.Get("name") != id {
		return false
	}
	if len(body) == 0 {
		return true
	}
	var b struct{ Owner, Name string }
	return json.Unmarshal(body, &b) == nil && b.Owner == q.Get("owner") && b.Name == q.Get("name")
}
