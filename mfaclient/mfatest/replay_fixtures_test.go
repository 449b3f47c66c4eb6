package mfatest

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// These tests hold the recorded fixtures under testdata/ to the format in
// testdata/README.md, and prove that each one replays: the request it
// describes is accepted by the ReplayServer and its response comes back as
// written. Whether the SDK maps each response as expect says is the contract
// runner's job.

const testdataDir = "../../testdata"

func loadTestdata(t *testing.T) []*Fixture {
	t.Helper()
	fixtures, err := LoadDir(testdataDir)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(fixtures), 45)
	return fixtures
}

func fixtureID(f *Fixture) string {
	rel, _ := filepath.Rel(testdataDir, f.Path)
	return strings.TrimSuffix(filepath.ToSlash(rel), ".json")
}

var (
	knownDocs = map[string]bool{
		// Composed by us (a proxy's page, a shape every provider must
		// refuse): the rule is the README's.
		"README.md": true,
	}
	knownTypes = map[string]bool{"APIError": true, "RateLimitError": true, "ForbiddenError": true, "OpError": true}
	knownOps   = map[string]bool{"ResetMFA": true, "ResetOwnMFA": true, "SetPrimaryMFA": true, "ResetTOTP": true, "SetUserPrimaryMFA": true}
	// credentialHeaders may only ever hold these placeholder values.
	credentialHeaders = map[string][]string{
		"Authorization": {"Bearer {{token}}", "Basic {{basic}}"},
		"X-Auth-Token":  {"{{authToken}}"},
		"X-User-Id":     {"{{userId}}"},
		"X-2fa-Code":    {"{{2faCode}}"},
	}
	// realServerDoc is the source.doc of a fixture recorded from a real
	// server: "<server> v<version>, <source file>".
	realServerDoc = regexp.MustCompile(`^[A-Z][A-Za-z. ]+ v[0-9]+\.[0-9]+\.[0-9]+, [a-z0-9_./-]+$`)
)

func TestFixtures_wellFormed(t *testing.T) {
	for _, f := range loadTestdata(t) {
		t.Run(fixtureID(f), func(t *testing.T) {
			assert.Equal(t, filepath.Base(filepath.Dir(f.Path)), f.Provider, "a fixture lives under testdata/<provider>/")
			assert.True(t, knownDocs[f.Source.Doc] || strings.HasPrefix(f.Source.Doc, "https://") || realServerDoc.MatchString(f.Source.Doc), "source.doc %q", f.Source.Doc)
			assert.NotEmpty(t, f.Source.Section)
			assert.NotEmpty(t, f.Description)
			assert.True(t, knownOps[f.Call.Operation], "call.operation %q", f.Call.Operation)
			if f.Source.URL != "" {
				assert.True(t, strings.HasPrefix(f.Source.URL, "https://"), "source.url %q", f.Source.URL)
			}

			e := f.Expect
			if e.Success {
				assert.Empty(t, e.Error, "success and error are exclusive")
			} else {
				assert.NotNil(t, mfaclient.ClassNamed(e.Error), "expect.error %q is one of mfaclient.Classes()", e.Error)
			}
			if !e.WantsRequest() {
				assert.False(t, e.Success)
				assert.Empty(t, f.Request.Method, "a call that sends nothing has no request")
				assert.Zero(t, f.Response.Status, "a call that sends nothing has no response")
				return
			}
			if !e.Success {
				assert.True(t, knownTypes[e.Type], "expect.type %q", e.Type)
			}
			if !e.Success && e.Type != "OpError" { // an OpError after an answer (Kratos: no second factor) has no status
				assert.Equal(t, f.Response.Status, e.StatusCode, "expect.statusCode is the response status")
			}
			if e.RetryAfter != "" {
				_, err := time.ParseDuration(e.RetryAfter)
				assert.NoError(t, err, "expect.retryAfter")
			}
			if e.Reset != "" && !strings.HasPrefix(e.Reset, "{{now") {
				_, err := time.Parse(time.RFC3339, e.Reset)
				assert.NoError(t, err, "expect.reset")
			}
			if e.TwoFactor != nil {
				for _, ts := range e.TwoFactor.CodeExpires {
					_, err := time.Parse(time.RFC3339, ts)
					assert.NoError(t, err, "expect.twoFactor.codeExpires")
				}
			}

			assert.Contains(t, []string{http.MethodPost, http.MethodPut, http.MethodGet, http.MethodDelete}, f.Request.Method)
			assert.True(t, strings.HasPrefix(f.Request.Path, "/"), "request.path %q", f.Request.Path)
			for name, v := range f.Request.Headers {
				if want, ok := credentialHeaders[http.CanonicalHeaderKey(name)]; ok {
					assert.Contains(t, want, v, "credential header %s must be a placeholder", name)
				}
			}
			if f.Request.HasBody() {
				assert.True(t, json.Valid(f.Request.Body), "request.body")
			} else {
				assert.Contains(t, f.Request.AbsentHeaders, "Content-Type", "no body, so no Content-Type")
			}

			assert.NotZero(t, f.Response.Status)
			if len(f.Response.Body) > 0 {
				assert.Empty(t, f.Response.BodyText, "body and bodyText are exclusive")
				assert.True(t, json.Valid(f.Response.Body), "response.body")
			}
			if len(f.Response.BodyBytes()) > 0 {
				assert.NotEmpty(t, f.Response.Headers["Content-Type"], "a body needs its Content-Type")
			}
		})
	}
}

func TestFixtures_replay(t *testing.T) {
	vars := Placeholders{
		PlaceholderToken:     "fixture-test-token",
		PlaceholderUserID:    "fixture-test-user",
		PlaceholderAuthToken: "fixture-test-auth",
		PlaceholderBasic:     "Zml4dHVyZTp0ZXN0",
		"accessKey":          "fixture-test-access-key",
		"accessSecret":       "fixture-test-access-secret",
	}
	for _, f := range loadTestdata(t) {
		if !f.Expect.WantsRequest() {
			continue
		}
		t.Run(fixtureID(f), func(t *testing.T) {
			v := vars.ForCall(f.Call)
			s := NewReplayServer(t, f)
			s.SetPlaceholders(v)

			steps := f.Steps()
			for _, step := range steps[:len(steps)-1] {
				status, _, body := do(t, fixtureRequest(t, s.URL, step, v))
				assert.Equal(t, step.Response.Status, status)
				assert.Equal(t, string(step.Response.BodyBytes()), string(body))
			}
			status, header, body := do(t, fixtureRequest(t, s.URL, f, v))

			assert.Equal(t, f.Response.Status, status)
			assert.Equal(t, string(f.Response.BodyBytes()), string(body))
			for k, want := range f.Response.Headers {
				if !strings.Contains(want, "{{now") {
					assert.Equal(t, want, header.Get(k), "response header %s", k)
				}
			}
		})
	}
}

// TestFixtures_coverage lists the cases the SDK's contract needs; removing
// one of these files fails here.
func TestFixtures_coverage(t *testing.T) {
	have := map[string]bool{}
	for _, f := range loadTestdata(t) {
		have[fixtureID(f)] = true
	}
	want := []string{
		"flashback/reset-other-200", "flashback/reset-other-403", "flashback/reset-other-404", "flashback/reset-other-500",
		"flashback/reset-self-200", "flashback/reset-self-403", "flashback/reset-self-404", "flashback/reset-self-500",
		"flashback/primary-totp-200", "flashback/primary-magic-link-200", "flashback/primary-passkey-200",
		"flashback/primary-totp-500", "flashback/primary-magic-link-500", "flashback/primary-passkey-500",
		"flashback/primary-email-unsupported", "flashback/primary-unknown-method",
		"flashback/reset-other-200-success-false", "flashback/reset-other-401", "flashback/reset-other-429",

		"entryguard/reset-200", "entryguard/reset-400-mfa-not-enabled", "entryguard/reset-400-validation",
		"entryguard/reset-401", "entryguard/reset-403", "entryguard/reset-404", "entryguard/reset-429",
		"entryguard/reset-500", "entryguard/reset-non-uuid", "entryguard/primary-unsupported",

		"rocketchat/reset-userid-200", "rocketchat/resettotp-username-200", "rocketchat/reset-self-200",
		"rocketchat/totp-required-password", "rocketchat/totp-required-email-codeexpires-array",
		"rocketchat/totp-required-email-codeexpires-date", "rocketchat/totp-invalid", "rocketchat/totp-max-attempts",
		"rocketchat/twofactor-code-200", "rocketchat/twofactor-password-200",
		"rocketchat/error-not-allowed", "rocketchat/error-invalid-user", "rocketchat/error-user-param-not-provided",
		"rocketchat/error-two-factor-not-enabled", "rocketchat/error-email-send-failed",
		"rocketchat/unauthorized-401-docs", "rocketchat/unauthorized-401-pre9", "rocketchat/unauthorized-401-v9",
		"rocketchat/rate-limited-429", "rocketchat/primary-unsupported",
		"rocketchat/totp-required-totp", "rocketchat/error-not-allowed-federated", "rocketchat/invalid-params",
		"rocketchat/totp-user-not-found", "rocketchat/reset-self-200-remaining-0", "rocketchat/totp-required-remaining-0",
		"rocketchat/forbidden-401-v9", "rocketchat/forbidden-401-v9-message", "rocketchat/totp-invalid-totp",
		"rocketchat/totp-required-email-sent",

		"casdoor/reset-200", "casdoor/reset-again-200", "casdoor/reset-org-admin-200", "casdoor/reset-self-200",
		"casdoor/reset-forbidden-member", "casdoor/reset-forbidden-other-org-admin",
		"casdoor/reset-forbidden-wrong-access-secret", "casdoor/reset-forbidden-unknown-access-key",
		"casdoor/reset-wrong-client-secret", "casdoor/reset-unknown-client-id", "casdoor/reset-unknown-user-404",
		"casdoor/reset-unknown-organization-404", "casdoor/reset-error-other-message", "casdoor/reset-ok-method-still-enabled",
		"casdoor/preferred-email-200", "casdoor/preferred-totp-200", "casdoor/preferred-sms-200",
		"casdoor/preferred-org-admin-200", "casdoor/preferred-self-200", "casdoor/preferred-unknown-user-404",
		"casdoor/preferred-passkey-unsupported",
		"flashback/primary-sms-unsupported", "entryguard/primary-sms-unsupported", "rocketchat/primary-sms-unsupported",
	}
	for _, p := range []string{"flashback", "entryguard", "rocketchat", "casdoor"} {
		want = append(want, p+"/proxy-502-html", p+"/unavailable-503-empty", p+"/ok-200-html", p+"/ok-200-other-json")
	}
	for _, id := range want {
		assert.True(t, have[id], "missing fixture testdata/%s.json", id)
	}
}
