package mfatest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A FakeUser is one account on a fake provider. Which fields matter depends
// on the provider; the others are ignored.
type FakeUser struct {
	// ID identifies the user: any string on Flashback, a UUID on EntryGuard,
	// the _id on Rocket.Chat (also its X-User-Id).
	ID string
	// Username is the Rocket.Chat username, matched case-insensitively by
	// the "username" and "user" body parameters.
	Username string
	// Token is the Bearer token (Flashback, EntryGuard) or X-Auth-Token
	// (Rocket.Chat). AddUser makes one up when it is empty.
	Token string
	// Password is the Rocket.Chat password. Its lowercase hex SHA-256 is the
	// code for x-2fa-method "password"; empty means no password fallback.
	Password string
	// Role grants permissions: Flashback "OWNER", "ADMINISTRATOR" (may reset
	// others) or "MEMBER"; EntryGuard "ORG_ADMIN" or "MEMBER"; Rocket.Chat
	// "admin" (holds edit-other-user-totp) or "user".
	Role string
	// MFAEnabled is the user's MFA state (on Rocket.Chat: TOTP is set up).
	// A reset turns it off.
	MFAEnabled bool
	// PrimaryMethod is the Flashback primary method: "GOOGLE_AUTH",
	// "MAGIC_LINK" or "PASSKEY"; empty when MFA is reset.
	PrimaryMethod string
	// TOTPCode is the code Rocket.Chat accepts for x-2fa-method "totp" while
	// MFAEnabled is true. AddUser makes one up when it is empty.
	TOTPCode string
	// Rocket.Chat: BackupCodes are TOTP backup codes, each accepted once for
	// x-2fa-method "totp" while MFAEnabled is true; EmailTwoFactor is email
	// 2FA (a verified address assumed), which a TOTP reset leaves on;
	// Federated users cannot have their TOTP reset.
	BackupCodes    []string
	EmailTwoFactor bool
	Federated      bool
}

// Failure is an answer injected with FailNext in place of the provider's.
type Failure struct {
	Status int
	// Body is sent as given; empty means the provider's own body for Status
	// (its documented one where there is one; a Rocket.Chat 429 says to wait
	// 1 second).
	Body string
	// NoBody sends no body and no Content-Type, as a load balancer's bare
	// 503 or a Spring Security 401 does; Body is then ignored.
	NoBody bool
	// Header is added to the response.
	Header http.Header
	// Applied lets the provider carry the request out first (the reset
	// happens, a 2FA code is spent, a token is wiped) and then replaces its
	// answer: a lost answer, for testing what a client does next.
	Applied bool
	// Drop closes the connection instead of answering; Status and the body
	// are then ignored.
	Drop bool
}

// A FakeOption configures a fake provider at start.
type FakeOption func(*fakeConfig)

type fakeConfig struct {
	addr    string
	now     func() time.Time
	latency time.Duration
	limiter *windowLimiter
	// Rocket.Chat only.
	rc401             RocketChat401
	noChallenge       bool
	twoFactorDisabled bool
	noBypass          bool
}

// WithAddr makes the fake listen on addr ("127.0.0.1:8080") instead of a
// free loopback port.
func WithAddr(addr string) FakeOption { return func(c *fakeConfig) { c.addr = addr } }

// WithClock makes the fake read the time from now: rate-limit windows and
// headers, EntryGuard timestamps. Tests use it to step through windows.
func WithClock(now func() time.Time) FakeOption { return func(c *fakeConfig) { c.now = now } }

// WithLatency delays every answer by d (cut short when the client gives up).
func WithLatency(d time.Duration) FakeOption { return func(c *fakeConfig) { c.latency = d } }

// WithRateLimit allows requests per window (1s when window is 0) and answers
// 429 beyond, with hints in the given style; requests <= 0 means no limit.
// On Rocket.Chat it replaces the built-in limit of 10 per minute.
func WithRateLimit(requests int, window time.Duration, hints RateLimitHints) FakeOption {
	return func(c *fakeConfig) { c.limiter = newWindowLimiter(requests, window, hints) }
}

// WithoutRateLimit turns rate limiting off, Rocket.Chat's built-in one too.
func WithoutRateLimit() FakeOption {
	return func(c *fakeConfig) { c.limiter = nil }
}

// Fake is what every fake provider shares: the server, its users, counters
// and fault injection. FlashbackFake, EntryGuardFake and RocketChatFake
// embed it.
type Fake struct {
	srv     *httptest.Server
	closing chan struct{}
	once    sync.Once
	now     func() time.Time

	latency   atomic.Int64 // time.Duration
	limiter   atomic.Pointer[windowLimiter]
	requests  atomic.Int64
	throttled atomic.Int64

	mu      sync.Mutex
	users   map[string]*FakeUser // by ID
	order   []string             // IDs in the order added
	byToken map[string]string    // token -> ID
	resets  map[string]int
	faults  []Failure // one per request still to fail

	// errorBody is the provider's body for status on request r; wait is the
	// time until a 429 ends.
	errorBody func(r *http.Request, status int, wait time.Duration) []byte
}

// newFake listens on the configured address; serve starts answering, once
// the provider has seeded its users.
func newFake(cfg *fakeConfig, errorBody func(*http.Request, int, time.Duration) []byte) (*Fake, error) {
	addr := cfg.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mfatest: listen: %w", err)
	}
	f := &Fake{
		srv:       &httptest.Server{Listener: ln},
		closing:   make(chan struct{}),
		now:       cfg.now,
		users:     make(map[string]*FakeUser),
		byToken:   make(map[string]string),
		resets:    make(map[string]int),
		errorBody: errorBody,
	}
	if f.now == nil {
		f.now = time.Now
	}
	f.latency.Store(int64(cfg.latency))
	f.limiter.Store(cfg.limiter)
	return f, nil
}

// serve starts answering with handle behind the shared steps: counting,
// latency and injected failures.
func (f *Fake) serve(handle http.HandlerFunc) {
	f.srv.Config = &http.Server{Handler: f.wrap(handle), ReadHeaderTimeout: 10 * time.Second}
	f.srv.Start()
}

// newConfig applies opts over the provider's defaults.
func newConfig(opts []FakeOption, defaults ...FakeOption) *fakeConfig {
	cfg := new(fakeConfig)
	for _, o := range append(defaults, opts...) {
		o(cfg)
	}
	return cfg
}

// startForTest is the testing.TB form of start: it fails t on error and
// closes the fake when t ends.
func startForTest[F interface{ Close() }](t testing.TB, start func() (F, error)) F {
	t.Helper()
	f, err := start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// URL is the fake's base URL, "http://127.0.0.1:<port>", without a slash.
func (f *Fake) URL() string { return f.srv.URL }

// Close stops the server and waits for answers in progress (a delayed one
// is cut short). It is safe to call more than once.
func (f *Fake) Close() {
	f.once.Do(func() {
		close(f.closing)
		f.srv.Close()
	})
}

// Requests is the number of requests the fake has received.
func (f *Fake) Requests() int { return int(f.requests.Load()) }

// RateLimited is the number of 429 answers the fake has sent, injected ones
// included.
func (f *Fake) RateLimited() int { return int(f.throttled.Load()) }

// Resets is how many resets the fake carried out (answered with success)
// for the user with this ID, whether or not MFA was on.
func (f *Fake) Resets(userID string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.resets[userID]
}

// ResetCounts returns Resets for every user reset at least once.
func (f *Fake) ResetCounts() map[string]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[string]int, len(f.resets))
	for id, n := range f.resets {
		out[id] = n
	}
	return out
}

// AddUser adds u, or replaces the user with its ID, and returns it as
// stored: with a Token (and Rocket.Chat TOTPCode) made up when empty.
func (f *Fake) AddUser(u FakeUser) FakeUser {
	if u.Token == "" {
		u.Token = randomHex(16)
	}
	if u.TOTPCode == "" {
		u.TOTPCode = randomDigits(6)
	}
	u.BackupCodes = slices.Clone(u.BackupCodes) // the fake spends them
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.users[u.ID]; ok {
		delete(f.byToken, old.Token)
	} else {
		f.order = append(f.order, u.ID)
	}
	f.users[u.ID] = &u
	f.byToken[u.Token] = u.ID
	return u
}

// User returns the current state of the user with this ID.
func (f *Fake) User(id string) (FakeUser, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return FakeUser{}, false
	}
	return *u, true
}

// Users returns every user's current state, in the order they were added.
func (f *Fake) Users() []FakeUser {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FakeUser, 0, len(f.order))
	for _, id := range f.order {
		out = append(out, *f.users[id])
	}
	return out
}

// RemoveUser deletes the user with this ID, so that naming it answers the
// provider's "not found"; it reports whether there was one.
func (f *Fake) RemoveUser(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return false
	}
	delete(f.users, id)
	delete(f.byToken, u.Token)
	f.order = slices.DeleteFunc(f.order, func(o string) bool { return o == id })
	return true
}

// SetMFA sets the MFA state of the user with this ID.
func (f *Fake) SetMFA(id string, enabled bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return fmt.Errorf("mfatest: no user with ID %q", id)
	}
	u.MFAEnabled = enabled
	return nil
}

// FailNext answers the next n requests with fail instead of the provider's
// answer. Calls add up: failures are used in the order given.
func (f *Fake) FailNext(n int, fail Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, fail)
	}
}

// SetLatency changes the delay WithLatency set.
func (f *Fake) SetLatency(d time.Duration) { f.latency.Store(int64(d)) }

// SetRateLimit replaces the rate limit (WithRateLimit), starting a fresh
// window; requests <= 0 turns it off.
func (f *Fake) SetRateLimit(requests int, window time.Duration, hints RateLimitHints) {
	f.limiter.Store(newWindowLimiter(requests, window, hints))
}

// wrap runs the steps every provider shares before its own handler.
func (f *Fake) wrap(handle http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.requests.Add(1)
		if d := time.Duration(f.latency.Load()); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			case <-f.closing:
				t.Stop()
				// Drop the connection: a closing fake must not send an
				// answer that looks like the provider's.
				panic(http.ErrAbortHandler)
			}
		}
		if fail, ok := f.nextFault(); ok {
			if fail.Applied {
				handle(discard{}, r)
			}
			if fail.Drop {
				panic(http.ErrAbortHandler) // net/http closes the connection, no answer
			}
			for k, v := range fail.Header {
				w.Header()[k] = slices.Clone(v) // fail is shared by n answers
			}
			if fail.NoBody {
				if fail.Status == http.StatusTooManyRequests {
					f.throttled.Add(1)
				}
				w.WriteHeader(fail.Status)
				return
			}
			body := []byte(fail.Body)
			if len(body) == 0 {
				body = f.errorBody(r, fail.Status, time.Second)
			}
			f.reply(w, fail.Status, body)
			return
		}
		handle(w, r)
	})
}

func (f *Fake) nextFault() (Failure, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.faults) == 0 {
		return Failure{}, false
	}
	fail := f.faults[0]
	f.faults = f.faults[1:]
	return fail, true
}

// allow applies the rate limit, if any: it sets the hint headers and, when
// the request is over the limit, answers 429 and returns false.
func (f *Fake) allow(w http.ResponseWriter, r *http.Request) bool {
	l := f.limiter.Load()
	if l == nil {
		return true
	}
	now := f.now()
	res := l.take(now)
	res.setHeaders(w.Header(), l.hints, now)
	if res.allowed {
		return true
	}
	f.reply(w, http.StatusTooManyRequests, f.errorBody(r, http.StatusTooManyRequests, res.wait(now)))
	return false
}

// reply writes a JSON answer and counts 429s.
func (f *Fake) reply(w http.ResponseWriter, status int, body []byte) {
	if status == http.StatusTooManyRequests {
		f.throttled.Add(1)
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// replyJSON encodes v as the providers do: fields in declaration order, no
// HTML escaping, no trailing newline.
func (f *Fake) replyJSON(w http.ResponseWriter, status int, v any) {
	f.reply(w, status, encodeJSON(v))
}

func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("mfatest: " + err.Error()) // only fixed struct types are encoded
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// maxBody bounds what a fake reads of a request body.
const maxBody = 1 << 20

// withUser runs fn on the stored user with this ID under the lock, and
// reports whether there is one.
func (f *Fake) withUser(id string, fn func(u *FakeUser)) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if ok {
		fn(u)
	}
	return ok
}

// byBearer returns the user holding the request's Bearer token.
func (f *Fake) byBearer(r *http.Request) (FakeUser, bool) {
	const prefix = "Bearer "
	h := r.Header.Get("Authorization")
	if len(h) <= len(prefix) || h[:len(prefix)] != prefix {
		return FakeUser{}, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.byToken[h[len(prefix):]]
	if !ok {
		return FakeUser{}, false
	}
	return *f.users[id], true
}

// resetUser turns MFA off for the user with this ID and counts the reset.
// With requireOn it does nothing when MFA is already off (EntryGuard's 400);
// with rotate it also replaces the user's token when MFA was on (Rocket.Chat
// logs the user out everywhere). It reports whether the user exists and
// whether MFA was on; the check and the change are one step, so concurrent
// resets of one user see one success.
func (f *Fake) resetUser(id string, requireOn, rotate bool) (found, wasOn bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return false, false
	}
	wasOn = u.MFAEnabled
	if requireOn && !wasOn {
		return true, false
	}
	u.MFAEnabled, u.PrimaryMethod = false, ""
	if rotate && wasOn {
		delete(f.byToken, u.Token)
		u.Token = randomHex(16)
		f.byToken[u.Token] = u.ID
	}
	f.resets[id]++
	return true, wasOn
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomDigits returns n decimal digits (a TOTP code is 6).
func randomDigits(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i, c := range b {
		b[i] = '0' + c%10
	}
	return string(b)
}
