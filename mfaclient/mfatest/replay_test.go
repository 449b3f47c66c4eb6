package mfatest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTB records what a ReplayServer reports instead of failing the test,
// and runs cleanups when told to, so that end-of-test reports can be seen.
type fakeTB struct {
	testing.TB // the real test, for anything not overridden

	mu       sync.Mutex
	errs     []string
	cleanups []func()
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errs = append(f.errs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }

// finish runs the cleanups as the testing package would, last first.
func (f *fakeTB) finish() {
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	f.cleanups = nil
}

func (f *fakeTB) errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errs...)
}

func newFakeTB(t *testing.T) *fakeTB {
	f := &fakeTB{TB: t}
	t.Cleanup(f.finish) // closes servers a test did not finish itself
	return f
}

// fixtureRequest builds the request f expects, with vars substituted, as a
// correct client would send it.
func fixtureRequest(t testing.TB, baseURL string, f *Fixture, vars Placeholders) *http.Request {
	t.Helper()
	var body io.Reader
	if f.Request.HasBody() {
		b, _ := vars.substitute(string(f.Request.Body)) // a credential in the body (Casdoor's access key)
		body = strings.NewReader(b)
	}
	req, err := http.NewRequest(f.Request.Method, baseURL+f.Request.Path, body)
	require.NoError(t, err)
	for k, v := range f.Request.Headers {
		v, _ = vars.substitute(v)
		req.Header.Set(k, v)
	}
	return req
}

// do sends req and returns the status, headers and body it got.
func do(t testing.TB, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header, b
}

const (
	testAuthToken = "rc-auth-token-Zq81"
	testUserID    = "rc-caller-id-Xk22"
)

var testVars = Placeholders{PlaceholderAuthToken: testAuthToken, PlaceholderUserID: testUserID}

// resetFixture is a Rocket.Chat reset with every kind of check: credential
// headers, a plain header, absent headers and a JSON body.
func resetFixture() *Fixture {
	return &Fixture{
		Path:     "rocketchat/reset.json",
		Provider: "rocketchat",
		Call:     Call{Operation: "ResetMFA", UserID: "GonjPyg3gB3Z9ur9s"},
		Request: Request{
			Method: http.MethodPost,
			Path:   "/api/v1/users.resetTOTP",
			Headers: map[string]string{
				"X-User-Id":    "{{userId}}",
				"X-Auth-Token": "{{authToken}}",
				"Content-Type": "application/json",
			},
			AbsentHeaders: []string{"x-2fa-code"},
			Body:          []byte(`{"userId": "GonjPyg3gB3Z9ur9s", "n": 1}`),
		},
		Response: Response{
			Status:  http.StatusOK,
			Headers: map[string]string{"Content-Type": "application/json"},
			Body:    []byte(`{"success": true}`),
		},
		Expect: Outcome{Success: true},
	}
}

func TestReplayServer_matchingRequestServesFixture(t *testing.T) {
	f, err := Load("../../testdata/rocketchat/rate-limited-429.json")
	require.NoError(t, err)
	tb := newFakeTB(t)
	s := NewReplayServer(tb, f)
	s.SetPlaceholders(testVars)

	before := time.Now()
	status, header, body := do(t, fixtureRequest(t, s.URL, f, testVars))
	after := time.Now()

	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, string(f.Response.Body), string(body), "body must be sent byte for byte")
	assert.Equal(t, "application/json", header.Get("Content-Type"))
	assert.Equal(t, "10", header.Get("X-RateLimit-Limit"))
	reset, err := strconv.ParseInt(header.Get("X-RateLimit-Reset"), 10, 64)
	require.NoError(t, err, "the {{now+42s:epochms}} template must be expanded")
	assert.GreaterOrEqual(t, reset, before.Add(42*time.Second).UnixMilli())
	assert.LessOrEqual(t, reset, after.Add(42*time.Second).UnixMilli())

	tb.finish()
	assert.Empty(t, tb.errors())
	assert.Equal(t, 1, s.Requests())
}

func TestReplayServer_servesInOrderAndSkipsUnsent(t *testing.T) {
	first, second := resetFixture(), resetFixture()
	second.Response.Status = http.StatusNotFound
	unsent := &Fixture{Provider: "rocketchat", Call: Call{Operation: "SetPrimaryMFA", Method: "totp"},
		Expect: Outcome{Error: "ErrUnsupported", Sent: new(bool)}}
	tb := newFakeTB(t)
	s := NewReplayServer(tb, first, unsent, second)
	s.SetPlaceholders(testVars)

	s1, _, _ := do(t, fixtureRequest(t, s.URL, first, testVars))
	s2, _, _ := do(t, fixtureRequest(t, s.URL, second, testVars))

	assert.Equal(t, []int{http.StatusOK, http.StatusNotFound}, []int{s1, s2})
	tb.finish()
	assert.Empty(t, tb.errors())
}

func TestReplayServer_noContentTypeIsSniffed(t *testing.T) {
	f := resetFixture()
	f.Response = Response{Status: http.StatusServiceUnavailable}
	tb := newFakeTB(t)
	s := NewReplayServer(tb, f)
	s.SetPlaceholders(testVars)

	status, header, body := do(t, fixtureRequest(t, s.URL, f, testVars))

	assert.Equal(t, http.StatusServiceUnavailable, status)
	assert.Empty(t, body)
	_, has := header["Content-Type"]
	assert.False(t, has, "a fixture without Content-Type must be sent without one")
}

func TestReplayServer_reportsEachMismatch(t *testing.T) {
	tests := []struct {
		name   string
		fix    func(*Fixture)
		mutate func(*http.Request)
		want   string
	}{
		{name: "method", mutate: func(r *http.Request) { r.Method = http.MethodPut },
			want: "method: got PUT, want POST"},
		{name: "path", mutate: func(r *http.Request) { r.URL.Path = "/api/v1/users.reset" },
			want: `path: got "/api/v1/users.reset", want "/api/v1/users.resetTOTP"`},
		{name: "query", mutate: func(r *http.Request) { r.URL.RawQuery = "x=1" },
			want: `path: got "/api/v1/users.resetTOTP?x=1"`},
		{name: "missing header", mutate: func(r *http.Request) { r.Header.Del("Content-Type") },
			want: `header Content-Type: missing, want "application/json"`},
		{name: "wrong header", mutate: func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
			want: `header Content-Type: got "text/plain", want "application/json"`},
		{name: "repeated header", mutate: func(r *http.Request) { r.Header.Add("Content-Type", "application/json") },
			want: "header Content-Type: sent 2 times, want once"},
		{name: "wrong credential", mutate: func(r *http.Request) { r.Header.Set("X-Auth-Token", "leaked-wrong-token-77") },
			want: `header X-Auth-Token: the value sent does not match "{{authToken}}" (value withheld: it is a credential)`},
		{name: "absent header sent", mutate: func(r *http.Request) { r.Header.Set("X-2fa-Code", "123456") },
			want: "header x-2fa-code: sent, want absent"},
		{name: "body differs", mutate: func(r *http.Request) { setBody(r, `{"userId":"other","n":1}`) },
			want: `body: got {"userId":"other","n":1}, want {"userId":"GonjPyg3gB3Z9ur9s","n":1}`},
		{name: "number differs", mutate: func(r *http.Request) { setBody(r, `{"userId":"GonjPyg3gB3Z9ur9s","n":"1"}`) },
			want: `body: got {"userId":"GonjPyg3gB3Z9ur9s","n":"1"}`},
		{name: "body missing", mutate: func(r *http.Request) { setBody(r, "") },
			want: `body: missing, want {"userId":"GonjPyg3gB3Z9ur9s","n":1}`},
		{name: "body not JSON", mutate: func(r *http.Request) { setBody(r, "userId=x") },
			want: `body: not JSON`},
		{name: "body when none expected", fix: func(f *Fixture) { f.Request.Body = nil },
			want: `body: got "{\"userId\": \"GonjPyg3gB3Z9ur9s\", \"n\": 1}", want no body`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := resetFixture()
			if tt.fix != nil {
				tt.fix(f)
			}
			tb := newFakeTB(t)
			s := NewReplayServer(tb, f)
			s.SetPlaceholders(testVars)
			// The request the unmodified fixture wants, then one thing changed.
			req := fixtureRequest(t, s.URL, resetFixture(), testVars)
			if tt.mutate != nil {
				tt.mutate(req)
			}

			status, _, _ := do(t, req)
			tb.finish()

			assert.Equal(t, http.StatusOK, status, "the fixture's response is still served")
			errs := tb.errors()
			require.Len(t, errs, 1, "exactly one mismatch: %q", errs)
			assert.Contains(t, errs[0], tt.want)
			assert.Contains(t, errs[0], "rocketchat/reset.json")
			assert.NotContains(t, errs[0], "leaked-wrong-token-77")
			assert.NotContains(t, errs[0], testAuthToken)
		})
	}
}

func setBody(r *http.Request, s string) {
	r.Body = io.NopCloser(bytes.NewReader([]byte(s)))
	r.ContentLength = int64(len(s))
	if s == "" {
		r.Body = http.NoBody
	}
}

func TestReplayServer_placeholderWithoutValueIsReportedWithoutValue(t *testing.T) {
	f := resetFixture()
	tb := newFakeTB(t)
	s := NewReplayServer(tb, f) // no SetPlaceholders

	do(t, fixtureRequest(t, s.URL, f, testVars))
	tb.finish()

	errs := tb.errors()
	require.Len(t, errs, 2)
	for _, e := range errs {
		assert.Contains(t, e, "value withheld")
		assert.NotContains(t, e, testAuthToken)
		assert.NotContains(t, e, testUserID)
	}
}

func TestReplayServer_reportsUnexpectedRequest(t *testing.T) {
	f := resetFixture()
	tb := newFakeTB(t)
	s := NewReplayServer(tb, f)
	s.SetPlaceholders(testVars)

	do(t, fixtureRequest(t, s.URL, f, testVars))
	status, _, _ := do(t, fixtureRequest(t, s.URL, f, testVars))
	tb.finish()

	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, []string{"mfatest: replay: unexpected request #2 POST /api/v1/users.resetTOTP: no fixture left"}, tb.errors())
	assert.Equal(t, 2, s.Requests())
}

func TestReplayServer_reportsFixtureNeverRequested(t *testing.T) {
	tb := newFakeTB(t)
	NewReplayServer(tb, resetFixture())

	tb.finish()

	assert.Equal(t, []string{"mfatest: replay rocketchat/reset.json: never requested"}, tb.errors())
}

func TestReplayServer_anyRequestForUnsentFixtureIsUnexpected(t *testing.T) {
	unsent := &Fixture{Provider: "entryguard", Call: Call{Operation: "ResetMFA", UserID: "nope"},
		Expect: Outcome{Error: "ErrInvalidInput", Sent: new(bool)}}
	tb := newFakeTB(t)
	s := NewReplayServer(tb, unsent)

	req, err := http.NewRequest(http.MethodPost, s.URL+"/api/v1/users/nope/reset-mfa", nil)
	require.NoError(t, err)
	do(t, req)
	tb.finish()

	errs := tb.errors()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "unexpected request #1 POST /api/v1/users/nope/reset-mfa")
}

func TestPlaceholders_ForCall(t *testing.T) {
	base := Placeholders{PlaceholderToken: "tok"}

	withCode := base.ForCall(Call{TwoFactorCode: "148750", TwoFactorMethod: "totp"})
	withPassword := base.ForCall(Call{TwoFactorPassword: "hunter2"})

	assert.Equal(t, Placeholders{PlaceholderToken: "tok", Placeholder2FACode: "148750"}, withCode)
	// sha256("hunter2"), lowercase hex, as Rocket.Chat's password check wants it.
	assert.Equal(t, "f52fbd32b2b3b86ff88ef6c490628285f482af15ddcb29541f94bcf526a3f6c7", withPassword[Placeholder2FACode])
	assert.Equal(t, Placeholders{PlaceholderToken: "tok"}, base, "ForCall must not modify its receiver")
}
