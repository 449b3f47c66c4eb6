package kratos_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/kratos"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// scripted answers the n-th request (from 0) with answer and records every
// request as "METHOD path?query".
type scripted struct {
	mu     sync.Mutex
	got    []string
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := len(s.got)
	s.got = append(s.got, r.Method+" "+r.URL.RequestURI())
	s.mu.Unlock()
	s.answer(n, w, r)
}

func (s *scripted) requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.got...)
}

func startScripted(t *testing.T, answer func(n int, w http.ResponseWriter, r *http.Request)) (*scripted, string) {
	s := &scripted{answer: answer}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL
}

var fastRetry = mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond})

func write(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// identity is Kratos's GET answer for testIdentityID with the given
// credentials JSON (the inside of "credentials").
func identity(creds string) string {
	return fmt.Sprintf(`{"id":%q,"credentials":{%s},"schema_id":"default","state":"active","traits":{"email":"alice@example.com"}}`, testIdentityID, creds)
}

const (
	password     = `"password":{"type":"password","identifiers":["alice@example.com"],"version":0}`
	totp         = `"totp":{"type":"totp","identifiers":["` + testIdentityID + `"],"version":0}`
	lookup       = `"lookup_secret":{"type":"lookup_secret","identifiers":["` + testIdentityID + `"],"version":0}`
	noTOTP       = `{"error":{"code":404,"status":"Not Found","reason":"You tried to remove a totp but this user have no totp set up.","message":"The requested resource could not be found"}}`
	noIdentity   = `{"error":{"code":404,"status":"Not Found","message":"Unable to locate the resource"}}`
	serverError  = `{"error":{"code":500,"status":"Internal Server Error","message":"An internal server error occurred, please contact the system administrator"}}`
	getPath      = "GET /admin/identities/" + testIdentityID + "?include_credential=webauthn"
	deletePrefix = "DELETE /admin/identities/" + testIdentityID + "/credentials/"
)

func webauthn(passwordless ...bool) string {
	keys := ""
	for i, p := range passwordless {
		if i > 0 {
			keys += ","
		}
		keys += fmt.Sprintf(`{"id":"a2V5","display_name":"key %d","is_passwordless":%t}`, i, p)
	}
	return `"webauthn":{"type":"webauthn","identifiers":["` + testIdentityID + `"],"config":{"credentials":[` + keys + `],"user_handle":"dXNlcg=="},"version":1}`
}

func newClient(t *testing.T, url string, opts ...mfaclient.Option) *kratos.Client {
	c, err := kratos.New(url, kratos.Credentials{}, opts...)
	require.NoError(t, err)
	return c
}

func TestResetMFARemovesEverySecondFactor(t *testing.T) {
	s, url := startScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			write(w, 200, identity(password+","+totp+","+lookup+","+webauthn(true, false)))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	require.NoError(t, newClient(t, url).ResetMFA(context.Background(), testIdentityID))
	assert.Equal(t, []string{getPath, deletePrefix + "totp", deletePrefix + "lookup_secret", deletePrefix + "webauthn"}, s.requests(),
		"the password is never touched; webauthn has a key that is not passwordless")
}

func TestResetMFANothingToRemove(t *testing.T) {
	for name, creds := range map[string]string{
		"password only":               password,
		"passwordless webauthn only":  password + "," + webauthn(true, true),
		"passkey is a first factor":   password + `,"passkey":{"type":"passkey","identifiers":["x"],"version":0}`,
		"no credentials at all (nil)": "",
	} {
		t.Run(name, func(t *testing.T) {
			s, url := startScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { write(w, 200, identity(creds)) })
			err := newClient(t, url).ResetMFA(context.Background(), testIdentityID)
			assert.True(t, isOnly(err, mfaclient.ErrMFANotEnabled), "%v", err)
			var op *mfaclient.OpError
			require.ErrorAs(t, err, &op)
			assert.Equal(t, 1, op.Attempts)
			assert.Equal(t, []string{getPath}, s.requests(), "nothing deleted")
		})
	}
}

// A DELETE whose 404 says the type is gone (removed between the read and
// the delete, or by an earlier attempt of the same DELETE) counts as
// removed: the identity had a second factor and has none now.
func TestResetMFAGoneIsRemoved(t *testing.T) {
	t.Run("404 at once", func(t *testing.T) {
		s, url := startScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			switch n {
			case 0:
				write(w, 200, identity(password+","+totp))
			default:
				write(w, 404, noTOTP)
			}
		})
		require.NoError(t, newClient(t, url).ResetMFA(context.Background(), testIdentityID))
		assert.Equal(t, []string{getPath, deletePrefix + "totp"}, s.requests())
	})
	t.Run("retry after a 503 finds it gone", func(t *testing.T) {
		s, url := startScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
			switch n {
			case 0:
				write(w, 200, identity(password+","+totp))
			case 1:
				write(w, 503, serverError) // the first DELETE may have removed it
			default:
				write(w, 404, noTOTP)
			}
		})
		require.NoError(t, newClient(t, url, fastRetry).ResetMFA(context.Background(), testIdentityID),
			"not ErrMFANotEnabled: the read showed a TOTP, and it is gone")
		assert.Equal(t, []string{getPath, deletePrefix + "totp", deletePrefix + "totp"}, s.requests())
	})
}

func TestResetMFAPartial(t *testing.T) {
	s, url := startScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		switch {
		case n == 0:
			write(w, 200, identity(password+","+totp+","+lookup+","+webauthn(false)))
		case n == 1:
			w.WriteHeader(http.StatusNoContent)
		default:
			write(w, 500, serverError)
		}
	})
	err := newClient(t, url, fastRetry).ResetMFA(context.Background(), testIdentityID)
	var partial *kratos.PartialResetError
	require.ErrorAs(t, err, &partial)
	assert.Equal(t, []string{"totp"}, partial.Removed)
	assert.Equal(t, "lookup_secret", partial.Failed)
	assert.Equal(t, []string{"webauthn"}, partial.NotAttempted)
	assert.True(t, isOnly(err, mfaclient.ErrServer), "the failing DELETE's class: %v", err)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 500, apiErr.StatusCode)
	assert.Equal(t, 3, apiErr.Attempts, "a DELETE is safe to repeat")
	assert.Contains(t, err.Error(), "partial reset: removed totp; removing lookup_secret failed; not attempted: webauthn")
	assert.Equal(t, []string{getPath, deletePrefix + "totp", deletePrefix + "lookup_secret", deletePrefix + "lookup_secret", deletePrefix + "lookup_secret"}, s.requests())
}

// The caller's context ending between two DELETEs is a partial reset too,
// and still a context error.
func TestResetMFAPartialContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, url := startScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			write(w, 200, identity(totp+","+lookup))
			return
		}
		if n == 2 {
			cancel() // while the second DELETE waits for its answer
		}
		w.WriteHeader(http.StatusNoContent)
	})
	err := newClient(t, url).ResetMFA(ctx, testIdentityID)
	var partial *kratos.PartialResetError
	require.ErrorAs(t, err, &partial, "%v", err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.True(t, isOnly(err, nil), "a context error matches no sentinel: %v", err)
	assert.Equal(t, []string{"totp"}, partial.Removed)
	assert.Equal(t, "lookup_secret", partial.Failed, "its outcome is unknown")
}

// A DELETE's 400 ("Unknown credentials type totp." from a Kratos that does
// not know the type) is a client defect too: ResetMFA chose the type.
func TestResetMFADeleteBadRequest(t *testing.T) {
	_, url := startScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			write(w, 200, identity(totp))
			return
		}
		write(w, 400, `{"error":{"code":400,"status":"Bad Request","reason":"Unknown credentials type totp.","message":"The request was malformed or contained invalid parameters"}}`)
	})
	err := newClient(t, url).ResetMFA(context.Background(), testIdentityID)
	assert.True(t, isOnly(err, mfaclient.ErrClientDefect), "%v", err)
}

func TestResetMFAFirstDeleteFails(t *testing.T) {
	_, url := startScripted(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			write(w, 200, identity(totp+","+lookup))
			return
		}
		write(w, 404, noIdentity) // the identity was deleted after the read
	})
	err := newClient(t, url).ResetMFA(context.Background(), testIdentityID)
	var partial *kratos.PartialResetError
	assert.False(t, errors.As(err, &partial), "nothing was removed: the plain error")
	assert.True(t, isOnly(err, mfaclient.ErrNotFound), "%v", err)
}

// The read must be this identity, whole: anything else is
// ErrUnexpectedResponse, never "no second factor".
func TestResetMFAReadIsStrict(t *testing.T) {
	for name, body := range map[string]string{
		"other identity":      `{"id":"00000000-0000-4000-8000-000000000000","credentials":{` + password + `}}`,
		"no id":               `{"credentials":{` + password + `}}`,
		"duplicate key":       `{"id":"` + testIdentityID + `","credentials":{` + totp + `},"credentials":{` + password + `}}`,
		"case-folded key":     `{"id":"` + testIdentityID + `","credentials":{` + totp + `},"Credentials":{` + password + `}}`,
		"long-s folded key":   `{"id":"` + testIdentityID + `","credentials":{` + totp + `},"credentialſ":{}}`,
		"duplicate inner key": `{"id":"` + testIdentityID + `","credentials":{` + totp + `,"totp":{"type":"x"}}}`,
		"trailing data":       identity(password) + `{}`,
		"cut short":           identity(password)[:40],
		"credentials a list":  `{"id":"` + testIdentityID + `","credentials":[]}`,
		"null":                `null`,
	} {
		t.Run(name, func(t *testing.T) {
			s, url := startScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { write(w, 200, body) })
			err := newClient(t, url).ResetMFA(context.Background(), testIdentityID)
			assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "%v", err)
			assert.Len(t, s.requests(), 1)
		})
	}
}

// The read's errors, as Kratos sends them.
func TestResetMFAReadErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		status int
		body   string
		class  error
		code   string
	}{
		"unknown identity": {404, noIdentity, mfaclient.ErrNotFound, "Not Found"},
		"Ory Network 401":  {401, `{"error":{"code":401,"status":"Unauthorized","message":"The request could not be authorized"}}`, mfaclient.ErrUnauthorized, "Unauthorized"},
		"Ory Network 403":  {403, `{"error":{"code":403,"status":"Forbidden","message":"The requested action was forbidden"}}`, mfaclient.ErrForbidden, "Forbidden"},
		"with an error id": {401, `{"error":{"id":"session_inactive","code":401,"status":"Unauthorized","message":"No active session"}}`, mfaclient.ErrUnauthorized, "session_inactive"},
		// Only a DELETE's 404 can mean "no such credential"; the read's 404 is
		// about the identity, whatever its reason says.
		"read 404 with a credential reason": {404, noTOTP, mfaclient.ErrNotFound, "Not Found"},
		// ResetMFA chose every part of the request but the UUID, which
		// passed its check: a 400 is mfakit's defect (or a Kratos version
		// that does not know include_credential=webauthn), not the caller's.
		"read 400": {400, `{"error":{"code":400,"status":"Bad Request","reason":"Invalid value ` + "`[]`" + ` for parameter ` + "`include_credential`" + `.","message":"The request was malformed or contained invalid parameters"}}`, mfaclient.ErrClientDefect, "Bad Request"},
	} {
		t.Run(name, func(t *testing.T) {
			_, url := startScripted(t, func(_ int, w http.ResponseWriter, _ *http.Request) { write(w, tc.status, tc.body) })
			err := newClient(t, url).ResetMFA(context.Background(), testIdentityID)
			assert.True(t, isOnly(err, tc.class), "%v", err)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tc.code, apiErr.Code)
			var body *kratos.ErrorResponse
			require.ErrorAs(t, err, &body)
			assert.Equal(t, tc.status, body.StatusCode)
		})
	}
}

func TestResetMFAOnTheFake(t *testing.T) {
	k := mfatest.NewKratos(t)
	c := newClient(t, k.URL())
	ctx := context.Background()
	require.NoError(t, c.ResetMFA(ctx, k.Alice.ID))
	creds, ok := k.Credentials(k.Alice.ID)
	require.True(t, ok)
	assert.Equal(t, mfatest.KratosCredentials{Password: true}, creds)
	assert.Equal(t, 1, k.Resets(k.Alice.ID))
	assert.ErrorIs(t, c.ResetMFA(ctx, k.Alice.ID), mfaclient.ErrMFANotEnabled, "a second reset has nothing to remove")
	assert.ErrorIs(t, c.ResetMFA(ctx, "0b5d5cbe-8c35-4a3e-9c5e-2f7ad1a0cfff"), mfaclient.ErrNotFound)
	assert.Equal(t, 1, k.Resets(k.Alice.ID))
}

// isOnly reports whether err matches target and no other sentinel (nil:
// none).
func isOnly(err, target error) bool {
	for _, s := range []error{
		mfaclient.ErrInvalidInput, mfaclient.ErrUnsupported, mfaclient.ErrUnauthorized,
		mfaclient.ErrForbidden, mfaclient.ErrNotFound, mfaclient.ErrMFANotEnabled,
		mfaclient.ErrSecondFactorRequired, mfaclient.ErrRateLimited, mfaclient.ErrServer,
		mfaclient.ErrUnexpectedResponse, mfaclient.ErrNetwork, mfaclient.ErrClientDefect,
	} {
		if errors.Is(err, s) != (s == target) {
			return false
		}
	}
	return err != nil || target != nil
}

// The DELETE's answer is lost after Kratos removed the TOTP (the connection
// drops, or a gateway answers 502): the DELETE is repeated, Kratos answers
// 404 "this user have no totp set up", and that is not turned into a false
// "nothing to reset": the reset succeeded. A second reset then finds nothing.
func TestResetMFALostDeleteAnswer(t *testing.T) {
	for name, lose := range map[string]func(*mfatest.KratosFake){
		"dropped":    func(k *mfatest.KratosFake) { k.LoseAnswer() },
		"gateway502": func(k *mfatest.KratosFake) { k.GatewayErrorAfter(http.StatusBadGateway) },
	} {
		t.Run(name, func(t *testing.T) {
			k := mfatest.NewKratos(t)
			hc := &http.Client{Transport: afterGET{inner: http.DefaultTransport, hook: func() { lose(k) }}}
			c := newClient(t, k.URL(), fastRetry, mfaclient.WithHTTPClient(hc))
			before := k.Requests()
			require.NoError(t, c.ResetMFA(context.Background(), k.Bob.ID))
			assert.Equal(t, 3, k.Requests()-before, "the read, the DELETE whose answer was lost, its repeat")
			assert.Equal(t, 1, k.Resets(k.Bob.ID))
			creds, _ := k.Credentials(k.Bob.ID)
			assert.Equal(t, mfatest.KratosCredentials{Password: true}, creds)
			assert.ErrorIs(t, newClient(t, k.URL()).ResetMFA(context.Background(), k.Bob.ID), mfaclient.ErrMFANotEnabled)
		})
	}
}

// afterGET runs hook once a GET has been answered, before the next request.
type afterGET struct {
	inner http.RoundTripper
	hook  func()
}

func (a afterGET) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := a.inner.RoundTrip(r)
	if err == nil && r.Method == http.MethodGet {
		a.hook()
	}
	return resp, err
}
