package kratos_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mfakit/mfakit/internal/conformance"
	"github.com/mfakit/mfakit/kratos"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	testToken      = "ory-pat-secret-71c0de"
	testIdentityID = "6f1c2b9e-3d4a-4c5b-8e7f-0a1b2c3d4e5f"
	identitiesPath = "/admin/identities/"
	lookupQuery    = "?include_credential=webauthn"
)

// TestConformance runs the shared suite on the DELETE that removes an
// identity's TOTP. ResetMFA first reads the identity (GET
// /admin/identities/{id}); for most tests the harness answers that read
// below the SDK's transport with an identity that has a password and TOTP,
// so the suite's servers see exactly one request per reset, the DELETE, as
// the suite expects of every provider. The tests that count every request a
// provider's limiter sees serve the read themselves (NewServed, Prelude).
// The read's own answers (errors, hostile bodies) are tested in
// reset_test.go and fuzz_test.go.
func TestConformance(t *testing.T) {
	conformance.Run(t, conformance.Provider{
		Name: "kratos",
		New: func(baseURL string, opts ...mfaclient.Option) (conformance.Client, error) {
			return kratos.New(baseURL, kratos.Credentials{Token: testToken}, withIdentityReads(opts)...)
		},
		NewServed: func(baseURL string, opts ...mfaclient.Option) (conformance.Client, error) {
			return kratos.New(baseURL, kratos.Credentials{Token: testToken}, opts...)
		},
		Prelude: func(w http.ResponseWriter, r *http.Request) {
			rest, _ := strings.CutPrefix(r.URL.EscapedPath(), identitiesPath)
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, identityWithTOTP(rest))
		},
		// A missing token is allowed to a loopback admin URL, so the
		// credential checks are made against a public host, where every bad
		// token, the empty one included, is refused.
		NewWithCredentials: func(_, value string) []error {
			_, err := kratos.New("https://kratos.example.com", kratos.Credentials{Token: value})
			return []error{err}
		},
		Secrets:           []string{testToken},
		CredentialHeaders: []string{"Authorization"},
		UserID:            testIdentityID,
		ResetPath:         identitiesPath + testIdentityID + "/credentials/totp",
		ResetMethod:       http.MethodDelete,
		PreludePaths:      []string{identitiesPath + testIdentityID + lookupQuery},
		Success: func(w http.ResponseWriter) {
			w.WriteHeader(http.StatusNoContent)
		},
		ResetIdempotent: true,
		NotFound: func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}`)
		},
	})
}

// withIdentityReads puts identityReads in front of the HTTP client the
// options name (or a default one), keeping its other settings.
func withIdentityReads(opts []mfaclient.Option) []mfaclient.Option {
	s := mfaclient.ApplyOptions(opts...)
	hc := new(http.Client)
	if s.HTTPClient != nil {
		*hc = *s.HTTPClient
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	hc.Transport = identityReads{inner: inner}
	return append(opts, mfaclient.WithHTTPClient(hc))
}

// identityReads answers GET /admin/identities/{id} with an identity that
// has a password and TOTP, and sends every other request on.
type identityReads struct{ inner http.RoundTripper }

func (t identityReads) RoundTrip(r *http.Request) (*http.Response, error) {
	rest, ok := strings.CutPrefix(r.URL.EscapedPath(), identitiesPath)
	if r.Method != http.MethodGet || !ok || strings.Contains(rest, "/") {
		return t.inner.RoundTrip(r)
	}
	if r.Body != nil {
		_ = r.Body.Close()
	}
	body := identityWithTOTP(rest)
	return &http.Response{
		Status: "200 OK", StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(bytes.NewReader([]byte(body))),
		ContentLength: int64(len(body)),
		Request:       r,
	}, nil
}

// identityWithTOTP is Kratos's answer to GET /admin/identities/{id} for an
// identity with a password and TOTP.
func identityWithTOTP(id string) string {
	id = strings.ToLower(id)
	return fmt.Sprintf(`{"id":%q,"schema_id":"default","credentials":{`+
		`"password":{"type":"password","identifiers":["alice@example.com"],"version":0},`+
		`"totp":{"type":"totp","identifiers":[%q],"version":0}},"state":"active"}`, id, id)
}
