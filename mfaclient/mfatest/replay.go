package mfatest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Placeholders maps a placeholder's name, as written between double braces
// in a fixture ("token" for {{token}}), to the value it stands for. The
// replay server substitutes the values into the headers a request must
// carry; the Recorder does the reverse and writes the names where it finds
// the values.
type Placeholders map[string]string

// The placeholders fixtures use for credentials.
const (
	PlaceholderToken     = "token"     // Authorization: Bearer {{token}}
	PlaceholderUserID    = "userId"    // X-User-Id (Rocket.Chat's caller)
	PlaceholderAuthToken = "authToken" // X-Auth-Token
	Placeholder2FACode   = "2faCode"   // x-2fa-code
	PlaceholderBasic     = "basic"     // Authorization: Basic {{basic}} (base64 of "user:password")
)

// ForCall returns a copy of p in which {{2faCode}} stands for what call
// makes the client send in x-2fa-code: the code itself, or the lowercase
// hex SHA-256 of the password (Rocket.Chat's password fallback).
func (p Placeholders) ForCall(c Call) Placeholders {
	out := make(Placeholders, len(p)+1)
	for k, v := range p {
		out[k] = v
	}
	switch {
	case c.TwoFactorPassword != "":
		sum := sha256.Sum256([]byte(c.TwoFactorPassword))
		out[Placeholder2FACode] = hex.EncodeToString(sum[:])
	case c.TwoFactorCode != "":
		out[Placeholder2FACode] = c.TwoFactorCode
	}
	return out
}

// substitute replaces every {{name}} that p has a value for. It reports
// whether s held a placeholder at all, so that callers can keep the value
// out of messages.
func (p Placeholders) substitute(s string) (string, bool) {
	secret := false
	for name, v := range p {
		ph := "{{" + name + "}}"
		if strings.Contains(s, ph) {
			s = strings.ReplaceAll(s, ph, v)
			secret = true
		}
	}
	// A placeholder without a value still marks a credential.
	if strings.Contains(s, "{{") && !strings.Contains(s, "{{now") {
		secret = true
	}
	return s, secret
}

// A ReplayServer is an httptest server that answers with recorded fixtures
// and checks that every request is the one the fixture expects.
//
// Fixtures are served strictly in the order given, one request each (a
// fixture with Before is one request per exchange, Before first),
// whatever the request's method and path: a test that makes the calls in
// a known order gets deterministic answers, and a request sent in the wrong
// order is reported as a mismatch rather than silently matched to another
// fixture. Fixtures whose expect.sent is false expect no request and are
// skipped.
//
// Every mismatch (method, path, headers, absent headers, body) and every
// request beyond the last fixture is reported with t.Errorf from the
// handler; the server never stops the test from its own goroutine. When the
// test ends, the server is closed and any fixture that was never requested
// is reported too.
type ReplayServer struct {
	// URL is the server's base URL, for the client's WithBaseURL.
	URL string

	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	queue    []*Fixture
	received int
	vars     Placeholders
}

// NewReplayServer starts a server that replays fixtures in order. It is
// closed by t.Cleanup.
func NewReplayServer(t testing.TB, fixtures ...*Fixture) *ReplayServer {
	t.Helper()
	s := &ReplayServer{t: t}
	for _, f := range fixtures {
		if f.Expect.WantsRequest() {
			s.queue = append(s.queue, f.Steps()...)
		}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(s.close)
	return s
}

// SetPlaceholders gives the real values behind the fixtures' placeholders
// ({{token}}, {{authToken}}, ...). Call it before the client sends; use
// Placeholders.ForCall for fixtures with a second factor.
func (s *ReplayServer) SetPlaceholders(p Placeholders) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vars = p
}

// Requests returns how many requests the server has received, unexpected
// ones included.
func (s *ReplayServer) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received
}

// unexpectedStatus answers a request no fixture is left for. 500 rather
// than a 4xx, so that the client sees a server failure and the test's own
// assertions fail too.
const unexpectedStatus = http.StatusInternalServerError

func (s *ReplayServer) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		s.t.Errorf("mfatest: replay: reading request body of %s %s: %v", r.Method, r.URL.RequestURI(), err)
	}

	s.mu.Lock()
	s.received++
	n := s.received
	var f *Fixture
	if len(s.queue) > 0 {
		f, s.queue = s.queue[0], s.queue[1:]
	}
	vars := s.vars
	s.mu.Unlock()

	if f == nil {
		s.t.Errorf("mfatest: replay: unexpected request #%d %s %s: no fixture left", n, r.Method, r.URL.RequestURI())
		http.Error(w, "mfatest: unexpected request", unexpectedStatus)
		return
	}
	for _, msg := range CheckRequest(f, r, body, vars) {
		s.t.Errorf("mfatest: replay %s (request #%d): %s", fixtureName(f), n, msg)
	}
	writeResponse(w, f.Response, time.Now())
}

func (s *ReplayServer) close() {
	s.srv.Close()
	s.mu.Lock()
	left := s.queue
	s.queue = nil
	s.mu.Unlock()
	for _, f := range left {
		s.t.Errorf("mfatest: replay %s: never requested", fixtureName(f))
	}
}

func writeResponse(w http.ResponseWriter, resp Response, now time.Time) {
	h := w.Header()
	for k, v := range resp.Headers {
		h.Set(k, Expand(v, now))
	}
	if h.Get("Content-Type") == "" {
		// Send no Content-Type rather than one net/http sniffed: the
		// fixture says exactly what the provider sent.
		h["Content-Type"] = nil
	}
	status := resp.Status
	if status == 0 {
		status = unexpectedStatus
	}
	w.WriteHeader(status)
	_, _ = w.Write(resp.BodyBytes())
}

// CheckRequest compares a received request (with its body already read)
// against f.Request and returns one message per mismatch, none when the
// request is the expected one. Placeholders in expected header values are
// replaced by vars first; a message about such a header never quotes the
// value that was sent, since it is a credential.
func CheckRequest(f *Fixture, r *http.Request, body []byte, vars Placeholders) []string {
	want := f.Request
	var msgs []string
	bad := func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }

	if r.Method != want.Method {
		bad("method: got %s, want %s", r.Method, want.Method)
	}
	if got := r.URL.RequestURI(); got != want.Path {
		bad("path: got %q, want %q", got, want.Path)
	}
	for _, name := range sortedKeys(want.Headers) {
		wantV, secret := vars.substitute(want.Headers[name])
		got := r.Header.Values(name)
		switch {
		case len(got) == 0:
			bad("header %s: missing, want %q", name, want.Headers[name])
		case len(got) > 1:
			bad("header %s: sent %d times, want once", name, len(got))
		case got[0] != wantV && secret:
			bad("header %s: the value sent does not match %q (value withheld: it is a credential)", name, want.Headers[name])
		case got[0] != wantV:
			bad("header %s: got %q, want %q", name, got[0], wantV)
		}
	}
	for _, name := range want.AbsentHeaders {
		if _, ok := r.Header[http.CanonicalHeaderKey(name)]; ok {
			bad("header %s: sent, want absent", name)
		}
	}
	if msg := checkBody(want, body, vars); msg != "" {
		msgs = append(msgs, msg)
	}
	return msgs
}

func checkBody(want Request, body []byte, vars Placeholders) string {
	if !want.HasBody() {
		if len(body) > 0 {
			return fmt.Sprintf("body: got %q, want no body", truncate(body))
		}
		return ""
	}
	if len(body) == 0 {
		return fmt.Sprintf("body: missing, want %s", compact(want.Body))
	}
	var got, exp any
	if err := decodeJSON(body, &got); err != nil {
		return fmt.Sprintf("body: not JSON (%v): %q", err, truncate(body))
	}
	if err := decodeJSON(want.Body, &exp); err != nil {
		return fmt.Sprintf("fixture request.body is not JSON: %v", err)
	}
	exp, secret := substituteJSON(exp, vars)
	if !reflect.DeepEqual(got, exp) {
		if secret {
			return fmt.Sprintf("body: does not match %s (body withheld: it carries a credential)", compact(want.Body))
		}
		return fmt.Sprintf("body: got %s, want %s", compact(body), compact(want.Body))
	}
	return ""
}

// substituteJSON replaces placeholders in the string values of a decoded
// JSON document (a credential a provider takes in the body, such as
// Casdoor's {{accessKey}}), and reports whether there was one.
func substituteJSON(v any, vars Placeholders) (any, bool) {
	switch x := v.(type) {
	case string:
		return vars.substitute(x)
	case map[string]any:
		secret := false
		for k, e := range x {
			x[k] = substituteInto(e, vars, &secret)
		}
		return x, secret
	case []any:
		secret := false
		for i, e := range x {
			x[i] = substituteInto(e, vars, &secret)
		}
		return x, secret
	}
	return v, false
}

// decodeJSON decodes one JSON value and rejects trailing data, which
// json.Unmarshal would accept only as whitespace.
func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

func compact(data []byte) string {
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return fmt.Sprintf("%q", truncate(data))
	}
	return truncate(b.Bytes())
}

func truncate(b []byte) string {
	const max = 512
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

func fixtureName(f *Fixture) string {
	if f.Path != "" {
		return filepath.ToSlash(f.Path)
	}
	if f.Description != "" {
		return fmt.Sprintf("%q", f.Description)
	}
	return f.Provider + " " + f.Call.Operation
}

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func substituteInto(v any, vars Placeholders, secret *bool) any {
	out, s := substituteJSON(v, vars)
	*secret = *secret || s
	return out
}
