// Package conformance is the suite every mfakit provider client passes: the
// behaviour all providers share (input checks, headers, retries, rate-limit
// learning, redirects, body bounds, secrets, no false answer, bounded time,
// logging, connection reuse), for every operation the provider offers. A
// provider's test supplies a Provider harness and calls Run; it needs no
// bespoke tests for any of this. What differs between providers (their
// documented answers) is pinned by the fixtures instead.
//
// One file per guarantee of the README's "Security and reliability"
// section: input.go, secrets.go, redirects.go, memory.go, answers.go,
// success.go, class.go, ends.go, reset.go, hints.go, classifiable.go,
// whom.go, retry.go, faults.go; helpers.go and operations.go serve them all.
package conformance

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// Client is what the suite drives: the provider-neutral interfaces plus the
// client's rate-limit gate.
type Client interface {
	mfaclient.Resetter
	mfaclient.PrimarySetter
	RateLimitedUntil() time.Time
}

// Provider describes one provider to the suite.
type Provider struct {
	Name string
	// New builds a client for baseURL, with the credentials in Secrets.
	New func(baseURL string, opts ...mfaclient.Option) (Client, error)
	// NewWithCredentials builds a client with each credential in turn set to
	// the given value (empty, or with a newline), for the input checks.
	NewWithCredentials func(baseURL, value string) []error
	// Secrets are the credentials New uses: they must never leak.
	Secrets []string
	// CredentialHeaders are the request headers that carry Secrets.
	CredentialHeaders []string
	// UserID is a valid user ID; ResetPath is where ResetMFA(UserID) goes.
	UserID, ResetPath string
	// Success writes the provider's documented success answer; the suite
	// serves it to every operation (ResetMFA, ResetOwnMFA when the client is
	// a SelfResetter, SetPrimaryMFA when a method is supported).
	Success func(w http.ResponseWriter)
	// ResetIdempotent says a 5xx on ResetMFA may be retried.
	ResetIdempotent bool
	// NotRepeated names the other operations that are not repeated after an
	// attempt that may have reached the server (Rocket.Chat's ResetOwnMFA,
	// which logs the caller out). The rest are repeated.
	NotRepeated []string
	// Carries, when set, reports whether a request to ResetPath (its request
	// URI and body) carries the user ID id where the provider reads it and
	// nothing else (Casdoor: owner and name query parameters). Nil: the ID
	// is a JSON body field and the request has no query.
	Carries func(uri string, body []byte, id string) bool
	// IDFor, when set, turns a plain ID (a UUID) into a valid user ID of the
	// provider (Casdoor: "owner/<uuid>"). Nil: the plain ID is valid.
	IDFor func(plain string) string
	// NotFound, when set, writes the provider's answer for a user that does
	// not exist (Casdoor: HTTP 200 "User doesn't exist"). Nil: a 404 with
	// {"success":false,"error":"User not found"}.
	NotFound func(w http.ResponseWriter)
	// ResetMethod is the HTTP method of the reset request; "" means POST.
	ResetMethod string
	// PreludePaths are the paths (with query) of requests ResetMFA sends
	// before the reset request (Kratos reads the identity first). A client
	// from New has them answered by the provider's harness, below the SDK's
	// transport, so the suite's servers see only the reset request; the suite
	// ignores their log records.
	PreludePaths []string
	// Prelude writes the provider's answer to a request to one of
	// PreludePaths (Kratos: the identity, with a password and TOTP). Set
	// with NewServed when PreludePaths is.
	Prelude func(w http.ResponseWriter, r *http.Request)
	// NewServed builds a client as New does, without the harness that
	// answers PreludePaths: every request the client sends reaches baseURL,
	// where the suite answers a prelude with Prelude. The tests that count
	// and time every request the provider sees (a limiter's, an outage's)
	// use it. Nil when PreludePaths is empty: New's client is the same.
	NewServed func(baseURL string, opts ...mfaclient.Option) (Client, error)
	// ResetUnit is the unit of the provider's X-RateLimit-Reset, as its
	// client reads it (transport.Config.ResetUnit); the suite writes its
	// resets in it. Zero: epoch milliseconds, which the inferring client
	// reads (Rocket.Chat's unit).
	ResetUnit transport.ResetUnit
	// QuotaRefill is how the provider's limiter gives back its quota, as
	// its client says (transport.Config.QuotaRefill): with RefillSteady,
	// Remaining 0 waits one interval, not for the reset. Zero: a fixed
	// window.
	QuotaRefill transport.QuotaRefill
	// RateLimited, when set, writes the provider's own 429 answer (body and
	// Content-Type; the suite sets its hint headers first), where the suite
	// needs a 429 that keeps its class whatever its hints (Mattermost's
	// limiter: text/plain "limit exceeded"). Nil: {"success":false,"error":"slow down"}.
	RateLimited func(w http.ResponseWriter)
}

// request is what the server received, for assertions after the call.
type request struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	At           time.Time
}

// server answers the n-th request (from 0) with answer and records them all.
type server struct {
	mu     sync.Mutex
	reqs   []request
	answer func(n int, w http.ResponseWriter, r *http.Request)
}

func newServer(answer func(n int, w http.ResponseWriter, r *http.Request)) *server {
	return &server{answer: answer}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, request{Method: r.Method, Path: r.URL.EscapedPath(), Header: r.Header.Clone(), Body: body, At: time.Now()})
	s.mu.Unlock()
	s.answer(n, w, r)
}

func (s *server) requests() []request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]request(nil), s.reqs...)
}

// statusJSON writes a JSON answer with headers.
func statusJSON(w http.ResponseWriter, status int, body string, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

// fastRetry keeps real-network retry tests quick; synctest tests use real
// policies because their clock is fake.
var fastRetry = mfaclient.RetryPolicy{MaxRetries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond}

func bg() context.Context { return context.Background() }

// notFound writes p's answer for a user that does not exist.
func (p Provider) notFound(w http.ResponseWriter) {
	if p.NotFound != nil {
		p.NotFound(w)
		return
	}
	statusJSON(w, http.StatusNotFound, `{"success":false,"error":"User not found"}`)
}

// notFoundStatus is the HTTP status of p's not-found answer.
func (p Provider) notFoundStatus() int {
	rec := httptest.NewRecorder()
	p.notFound(rec)
	return rec.Code
}

// perCall is how many requests one ResetMFA that succeeds sends.
func (p Provider) perCall() int { return 1 + len(p.PreludePaths) }

// isPrelude reports whether r is one of the requests ResetMFA sends before
// the reset request.
func (p Provider) isPrelude(r *http.Request) bool {
	return slices.Contains(p.PreludePaths, r.URL.RequestURI())
}

// answer writes p's answer to a request a served client sent: the
// prelude's (Prelude) or the documented success.
func (p Provider) answer(w http.ResponseWriter, r *http.Request) {
	if p.isPrelude(r) {
		p.Prelude(w, r)
		return
	}
	p.Success(w)
}

// idFor is p's form of a plain ID.
func (p Provider) idFor(plain string) string {
	if p.IDFor == nil {
		return plain
	}
	return p.IDFor(plain)
}
