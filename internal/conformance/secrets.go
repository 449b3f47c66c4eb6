package conformance

// Guarantee "Credentials never leak" (README, Security and reliability).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// twoFactorCode is a distinctive second-factor code, a secret like the
// credentials.
const twoFactorCode = "2fa-Code-7Kq93Zx"

// echoAll answers status with every request header value echoed back: in
// the body's fields (raw and JSON-escaped), in response headers the SDK
// reads (X-Request-Id, Retry-After, X-RateLimit-*, Location) and in ones it
// does not. challenge makes it Rocket.Chat's 2FA challenge.
func echoAll(w http.ResponseWriter, r *http.Request, status int, challenge bool) {
	var vals []string
	for k, vs := range r.Header {
		for _, v := range vs {
			vals = append(vals, k+"="+v)
		}
	}
	echo := strings.Join(vals, " ")
	h := w.Header()
	for _, k := range []string{"X-Request-Id", "X-Correlation-Id", "X-Echo", "Www-Authenticate", "X-RateLimit-Limit", "X-RateLimit-Reset", "Location"} {
		if h.Get(k) == "" { // the caller's rate-limit headers stay
			h.Set(k, echo)
		}
	}
	h.Set("Set-Cookie", "session="+echo)
	if status == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
		h.Set("Retry-After", "0")
	}
	body := map[string]any{
		"success": false, "error": echo + " [x]", "errorType": echo, "message": echo,
		"error_code": echo, "status": echo, "path": r.URL.Path + "?" + echo,
	}
	if challenge {
		body["error"], body["errorType"] = "TOTP Required [totp-required]", "totp-required"
		body["details"] = map[string]any{"method": "totp", "emailOrUsername": echo, "message": echo}
	}
	b, _ := json.Marshal(body)
	h.Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// testSecretsEveryPath drives every error path (each status class, the 2FA
// challenge, a rate limit waited for and one beyond MaxWait, a limit learned
// without sending, redirects to another host, a reset connection, a
// timeout, a refused connection), with a logger attached, through a fixture
// Recorder, against a server that echoes every credential back. No
// credential (nor the 2FA code, for a provider that takes one) appears in
// any error string or field, any log record, any recorded fixture, or any
// request to the other host.
func testSecretsEveryPath(t *testing.T, p Provider) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	dir := t.TempDir()
	rec := &mfatest.Recorder{Dir: dir, Provider: p.Name}

	foreign := newServer(func(_ int, w http.ResponseWriter, r *http.Request) { echoAll(w, r, http.StatusOK, false) })
	fts := httptest.NewServer(foreign)
	t.Cleanup(fts.Close)
	foreignURL := "http://localhost:" + port(t, fts)

	var mode atomic.Value
	origin := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // so that a client hanging up ends r.Context()
		m := mode.Load().(string)
		kind, arg, _ := strings.Cut(m, ":")
		code, _ := strconv.Atoi(arg)
		switch kind {
		case "status":
			echoAll(w, r, code, false)
		case "challenge":
			echoAll(w, r, http.StatusBadRequest, true)
		case "limit":
			w.Header().Set("X-RateLimit-Remaining", "0")
			if arg == "short" {
				w.Header().Set("X-RateLimit-Reset", resetValue(p, time.Now().Add(30*time.Millisecond), time.Now()))
			} else {
				w.Header().Set("Retry-After", "3600")
			}
			echoAll(w, r, http.StatusTooManyRequests, false)
		case "redirect":
			w.Header().Set("Location", foreignURL+"/steal?echo="+url.QueryEscape(r.Header.Get("Authorization")+r.Header.Get("X-Auth-Token")))
			w.WriteHeader(code)
		case "reset":
			resetConn(w, "")
		case "malformed-status":
			// net/http quotes a status line it cannot parse in its error.
			resetConn(w, "HTTP/1.1 "+echoLine(r)+" OK\r\n\r\n")
		case "cut":
			resetConn(w, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 9999\r\n\r\n{\"error\":\""+echoLine(r))
		case "hang":
			<-r.Context().Done()
		}
	}))
	t.Cleanup(origin.Close)
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()

	type path struct {
		mode string
		base string
		opts []mfaclient.Option
	}
	var paths []path
	for _, code := range []int{200, 400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503} {
		paths = append(paths, path{mode: "status:" + strconv.Itoa(code)})
	}
	paths = append(paths,
		path{mode: "challenge"},
		path{mode: "limit:short"}, // waited for, then the limit again
		path{mode: "limit:long"},  // beyond MaxWait: returned at once, then learned
		path{mode: "redirect:302"},
		path{mode: "redirect:307"},
		path{mode: "redirect:308"},
		path{mode: "reset"},
		path{mode: "malformed-status"},
		path{mode: "cut"},
		path{mode: "hang", opts: []mfaclient.Option{mfaclient.WithAttemptTimeout(20 * time.Millisecond)}},
		path{mode: "refused", base: closed.URL},
	)

	ops := operations(t, p)
	secrets := append([]string(nil), p.Secrets...)
	var errs []error
	for _, pt := range paths {
		base := pt.base
		if base == "" {
			base = origin.URL
		}
		mode.Store(pt.mode)
		opts := append([]mfaclient.Option{
			mfaclient.WithLogger(logger),
			mfaclient.WithHTTPClient(&http.Client{Transport: rec}),
			mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1, MinWait: time.Millisecond, MaxWait: 2 * time.Second}),
		}, pt.opts...)
		c, err := p.New(base, opts...)
		require.NoError(t, err)
		clients := []Client{c}
		if c2, ok := withTwoFactorCode(c, twoFactorCode); ok {
			clients = append(clients, c2)
			secrets = append(secrets, twoFactorCode)
		}
		for i, cl := range clients {
			for _, op := range ops {
				name := strings.NewReplacer(":", "-").Replace(pt.mode) + "-" + op.Name + "-" + strconv.Itoa(i)
				for j := range 2 { // the second call meets what the first one taught the client
					ctx := mfatest.RecordAs(bg(), name+"-"+strconv.Itoa(j), mfatest.Call{Operation: op.Name, UserID: op.UserID})
					err := op.Call(ctx, cl)
					if err == nil {
						continue // a 200 echo that happens to be the documented success
					}
					errs = append(errs, err)
					var apiErr *mfaclient.APIError
					if errors.As(err, &apiErr) && apiErr.Attempts > 0 {
						require.NoError(t, rec.Outcome(ctx, err), name)
					}
				}
			}
		}
	}

	require.GreaterOrEqual(t, len(errs), 2*len(ops)*(len(paths)-1), "the error paths were driven")
	for _, err := range errs {
		for i, s := range errorTexts(err) {
			for _, secret := range secrets {
				assert.NotContains(t, s, secret, "text #%d of %v", i, err)
			}
		}
	}
	require.NotZero(t, logs.Len(), "the logger was used")
	for _, secret := range secrets {
		assert.NotContains(t, logs.String(), secret, "log records")
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "the recorder wrote fixtures")
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, secret := range secrets {
			assert.NotContains(t, string(b), secret, "fixture %s", filepath.Base(f))
		}
	}
	assert.Empty(t, len(foreign.requests()), "nothing reached the other host")
	for _, r := range foreign.requests() {
		for _, secret := range secrets {
			assert.NotContains(t, fmt.Sprint(r.Header, r.Path, string(r.Body)), secret, "a request to the other host")
		}
	}
}

// echoLine is every request header value on one line without spaces, so
// that it fits where a server puts one word (a status code).
func echoLine(r *http.Request) string {
	var vals []string
	for _, vs := range r.Header {
		vals = append(vals, vs...)
	}
	return strings.ReplaceAll(strings.Join(vals, "_"), " ", "_")
}

// errorTexts is every text a caller can read from err: its string, and
// every field of the typed errors in its chain.
func errorTexts(err error) []string {
	texts := []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%q", err)}
	var apiErr *mfaclient.APIError
	if errors.As(err, &apiErr) {
		texts = append(texts, apiErr.Code, apiErr.Message, apiErr.Detail, apiErr.RequestID, string(apiErr.Body), fmt.Sprint(apiErr.Header))
		if apiErr.Cause != nil {
			fields, _ := json.Marshal(apiErr.Cause) // every field, nested ones too
			texts = append(texts, apiErr.Cause.Error(), string(fields))
		}
	}
	var fe *mfaclient.ForbiddenError
	if errors.As(err, &fe) {
		texts = append(texts, fe.Required)
	}
	var op *mfaclient.OpError
	if errors.As(err, &op) {
		texts = append(texts, op.Err.Error())
	}
	return texts
}

// withTwoFactorCode returns the client's copy that sends a second-factor
// code, for a provider whose client has WithTwoFactorCode(code, method).
// The suite finds it by name so that it needs no provider's types.
func withTwoFactorCode(c Client, code string) (Client, bool) {
	m := reflect.ValueOf(c).MethodByName("WithTwoFactorCode")
	if !m.IsValid() || m.Type().NumIn() != 2 || m.Type().NumOut() != 1 {
		return nil, false
	}
	out := m.Call([]reflect.Value{reflect.ValueOf(code), reflect.ValueOf("totp")})
	c2, ok := out[0].Interface().(Client)
	return c2, ok
}

// testCredentialHeadersNotKept: a server that sends the provider's
// credential headers back (under their own names) gets none of them into
// APIError.Header. The transport knows them from the client's configured
// and per-call headers, not from a list naming any provider's.
func testCredentialHeadersNotKept(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testCredentialHeadersNotKeptOf(t, p, op) })
}

func testCredentialHeadersNotKeptOf(t *testing.T, p Provider, op operation) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, h := range p.CredentialHeaders {
			w.Header().Set(h, "echo of "+h)
		}
		statusJSON(w, http.StatusInternalServerError, `{}`)
	}))
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, noRetry)
	require.NoError(t, err)
	apiErr := requireAPIError(t, op.Call(bg(), c), http.StatusInternalServerError, mfaclient.ErrServer, 1)
	for _, h := range p.CredentialHeaders {
		assert.Empty(t, apiErr.Header.Values(h), "credential header %s kept in the error", h)
	}
}

// echoServer answers status with every request header value echoed in the
// body's message fields and in response headers. With disguise, the body
// spells each echoed character as a JSON \u escape, so the credential is in
// the decoded body but never in its raw bytes.
func echoServer(status int, disguise bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var vals []string
		for k, vs := range r.Header {
			for _, v := range vs {
				vals = append(vals, k+"="+v)
				w.Header().Add("X-Echo", v)
			}
		}
		w.Header().Set("Set-Cookie", "session="+strings.Join(vals, ";"))
		echo := strings.ReplaceAll(strings.Join(vals, " "), `"`, `'`)
		if disguise {
			var b strings.Builder
			for _, c := range echo {
				fmt.Fprintf(&b, `\u%04x`, c)
			}
			echo = b.String()
		}
		statusJSON(w, status, fmt.Sprintf(`{"success":false,"error":"%s [x]","errorType":"%s","message":"%s","error_code":"%s"}`, echo, echo, echo, echo))
	}
}

// testSecrets: an echoing server cannot put a credential into an error
// string, an APIError field, or a log record.
func testSecrets(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testSecretsOf(t, p, op) })
}

func testSecretsOf(t *testing.T, p Provider, op operation) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, disguise := range []bool{false, true} {
		for _, status := range []int{400, 401, 403, 404, 429, 500} {
			ts := httptest.NewServer(echoServer(status, disguise))
			c, err := p.New(ts.URL, mfaclient.WithLogger(logger), mfaclient.WithRetry(fastRetry))
			require.NoError(t, err)
			err = op.Call(bg(), c)
			ts.Close()
			require.Error(t, err)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			texts := []string{err.Error(), fmt.Sprintf("%+v", err), apiErr.Code, apiErr.Message, string(apiErr.Body), fmt.Sprint(apiErr.Header)}
			for _, e := range apiErr.Unwrap() { // the provider's decoded body, as a program would print it
				texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
			}
			var body any // the kept body, as a program would decode it
			if json.Unmarshal(apiErr.Body, &body) == nil {
				texts = append(texts, fmt.Sprint(body))
			}
			for _, secret := range p.Secrets {
				for i, s := range texts {
					assert.NotContains(t, s, secret, "status %d, disguised %v, text #%d", status, disguise, i)
				}
			}
			for _, h := range append([]string{"Set-Cookie"}, p.CredentialHeaders...) {
				assert.Empty(t, apiErr.Header.Values(h), "credential header %s kept", h)
			}
		}
	}
	require.NotZero(t, logs.Len(), "the logger was used")
	for _, secret := range p.Secrets {
		assert.NotContains(t, logs.String(), secret)
	}
}
