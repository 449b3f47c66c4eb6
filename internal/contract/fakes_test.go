package contract

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// The fixtures are the contract for both sides: TestContract holds the
// clients to them, TestFakesPassFixtures the fakes. For every fixture whose
// interaction a fake models, the fake is arranged so that the fixture's call,
// made by the real client, gets the fixture's answer; then the caller's
// outcome, the answer the fake sent and the request it received must all be
// the fixture's.

const testdata = "../../testdata"

// A fakeRun is one fixture's run against a fake started for it alone.
type fakeRun struct {
	t     *testing.T
	f     *mfatest.Fixture
	now   time.Time
	clock *testClock
	fake  *mfatest.Fake // the part every fake shares
	fb    *mfatest.FlashbackFake
	eg    *mfatest.EntryGuardFake
	rc    *mfatest.RocketChatFake
	cd    *mfatest.CasdoorFake
	kr    *mfatest.KratosFake
	mm    *mfatest.MattermostFake
}

// A fakeCase says how to bring a fake to a fixture's answer.
type fakeCase struct {
	opts []mfatest.FakeOption
	// arrange sets the fake's state and returns the credentials to call with.
	arrange func(r *fakeRun) Credentials
	// after checks the fake's state once the call is made; may be nil.
	after func(r *fakeRun)
}

// who picks a user of the fake, as it was when arranged.
type who func(r *fakeRun) mfatest.FakeUser

var (
	fbOwner  who = func(r *fakeRun) mfatest.FakeUser { return r.fb.Owner }
	fbMember who = func(r *fakeRun) mfatest.FakeUser { return r.fb.Member }
	egAdmin  who = func(r *fakeRun) mfatest.FakeUser { return r.eg.Admin }
	egMember who = func(r *fakeRun) mfatest.FakeUser { return r.eg.Member }
	rcAdmin  who = func(r *fakeRun) mfatest.FakeUser { return r.rc.Admin }
	rcMember who = func(r *fakeRun) mfatest.FakeUser { return r.rc.Member }
)

func byID(id string) who {
	return func(*fakeRun) mfatest.FakeUser { return mfatest.FakeUser{ID: id} }
}

// creds are u's credentials in the form r's provider takes them.
func (r *fakeRun) creds(u mfatest.FakeUser) Credentials {
	switch r.f.Provider {
	case "rocketchat":
		return Credentials{UserID: u.ID, AuthToken: u.Token}
	case "casdoor":
		if u.Role == casdoorAppRole {
			return casdoorAppCreds(u.ID, u.Token)
		}
		return casdoorKeyCreds(r.cd.AccessKey(u.ID), u.Token)
	}
	return Credentials{Token: u.Token}
}

// caller calls as u.
func caller(u who) func(*fakeRun) Credentials {
	return func(r *fakeRun) Credentials { return r.creds(u(r)) }
}

// then runs steps on the fake before calling as u.
func then(u who, steps ...func(*fakeRun)) func(*fakeRun) Credentials {
	return func(r *fakeRun) Credentials {
		for _, step := range steps {
			step(r)
		}
		return r.creds(u(r))
	}
}

func addUser(u mfatest.FakeUser) func(*fakeRun) {
	return func(r *fakeRun) { r.fake.AddUser(u) }
}

// edit changes u's stored state; its credentials stay the same.
func edit(u who, change func(*mfatest.FakeUser)) func(*fakeRun) {
	return func(r *fakeRun) {
		cur, ok := r.fake.User(u(r).ID)
		require.True(r.t, ok)
		change(&cur)
		r.fake.AddUser(cur)
	}
}

func mfaOff(u who) func(*fakeRun) {
	return edit(u, func(u *mfatest.FakeUser) { u.MFAEnabled = false })
}

func removed(u who) func(*fakeRun) {
	return func(r *fakeRun) { require.True(r.t, r.fake.RemoveUser(u(r).ID)) }
}

// expiredToken calls with credentials no user holds.
func expiredToken(r *fakeRun) Credentials {
	c := r.creds(mfatest.FakeUser{Token: "expired-token-0c1d"})
	if r.rc != nil {
		c.UserID = r.rc.Admin.ID // a known user with the wrong token
	}
	return c
}

// failing injects the provider's own answer for status (mfatest.Failure
// with no body), then calls as u.
func failing(status int, u who) func(*fakeRun) Credentials {
	return then(u, func(r *fakeRun) { r.fake.FailNext(1, mfatest.Failure{Status: status}) })
}

// asGiven injects the fixture's answer as it is: for the shapes that are
// not the provider's own (a proxy's page, a load balancer's empty 503, a
// bare Spring Security 401) the fake's part is only to send what it is
// given untouched, no Content-Type added.
func asGiven(u who) func(*fakeRun) Credentials {
	return then(u, func(r *fakeRun) {
		resp := r.f.Response
		fail := mfatest.Failure{Status: resp.Status, Body: string(resp.BodyBytes()), Header: http.Header{}}
		fail.NoBody = len(fail.Body) == 0
		for k, v := range resp.Headers {
			fail.Header.Set(k, v)
		}
		r.fake.FailNext(1, fail)
	})
}

// spent makes the fixture's request n times as u, ago before the call
// (on the fake's clock), so that the call finds the rate limit used up.
func spent(n int, ago time.Duration, u who) func(*fakeRun) Credentials {
	return func(r *fakeRun) Credentials {
		c := r.creds(u(r))
		r.clock.Set(r.now.Add(-ago))
		send(r.t, r.fake.URL(), r.f, c, n)
		r.clock.Set(r.now)
		return c
	}
}

// wasReset checks that the call reset u's MFA once.
func wasReset(u who) func(*fakeRun) { return mfaState(u, false, 1) }

// notReset checks that the call left u's MFA on.
func notReset(u who) func(*fakeRun) { return mfaState(u, true, 0) }

func mfaState(u who, on bool, resets int) func(*fakeRun) {
	return func(r *fakeRun) {
		id := u(r).ID
		got, ok := r.fake.User(id)
		require.True(r.t, ok)
		assert.Equal(r.t, on, got.MFAEnabled, "MFA of %s", id)
		assert.Equal(r.t, resets, r.fake.Resets(id), "resets of %s", id)
	}
}

// primaryIs checks u's Flashback primary method after the call.
func primaryIs(u who, method string) func(*fakeRun) {
	return func(r *fakeRun) {
		got, ok := r.fake.User(u(r).ID)
		require.True(r.t, ok)
		assert.Equal(r.t, method, got.PrimaryMethod)
	}
}

// primaryCase sets the primary method from another one to want.
func primaryCase(from, want string) fakeCase {
	return fakeCase{
		arrange: then(fbMember, edit(fbMember, func(u *mfatest.FakeUser) { u.PrimaryMethod = from })),
		after:   primaryIs(fbMember, want),
	}
}

const fbTarget = "user-id-to-reset" // the seed's example ID

var (
	noChallenge = []mfatest.FakeOption{mfatest.WithoutTwoFactorChallenge()} // a personal access token with "bypass two factor"
	johnDoe     = mfatest.FakeUser{ID: "Jd0eK7rTq2WmXn5bY", Username: "john.doe", Role: "user", MFAEnabled: true}
)

// fakeCases maps each fixture a fake models to how the fake gets there.
var fakeCases = map[string]fakeCase{
	"flashback/primary-email-unsupported.json": {arrange: caller(fbMember)},
	"flashback/primary-unknown-method.json":    {arrange: caller(fbMember)},
	"flashback/primary-magic-link-200.json":    primaryCase("PASSKEY", "MAGIC_LINK"),
	"flashback/primary-passkey-200.json":       primaryCase("MAGIC_LINK", "PASSKEY"),
	"flashback/primary-totp-200.json":          primaryCase("PASSKEY", "GOOGLE_AUTH"),
	"flashback/primary-magic-link-500.json":    {arrange: failing(500, fbMember)},
	"flashback/primary-passkey-500.json":       {arrange: failing(500, fbMember)},
	"flashback/primary-totp-500.json":          {arrange: failing(500, fbMember)},
	"flashback/proxy-502-html.json":            {arrange: asGiven(fbOwner)},
	"flashback/unavailable-503-empty.json":     {arrange: asGiven(fbOwner)},
	"flashback/reset-other-200.json": {
		arrange: then(fbOwner, addUser(mfatest.FakeUser{ID: fbTarget, Role: "MEMBER", MFAEnabled: true, PrimaryMethod: "GOOGLE_AUTH"})),
		after:   wasReset(byID(fbTarget)),
	},
	"flashback/reset-other-401.json": {arrange: expiredToken},
	"flashback/reset-other-403.json": {
		arrange: then(fbMember, addUser(mfatest.FakeUser{ID: fbTarget, Role: "MEMBER", MFAEnabled: true})),
		after:   notReset(byID(fbTarget)),
	},
	"flashback/reset-other-404.json": {arrange: caller(fbOwner)},
	"flashback/reset-other-429.json": {
		opts:    []mfatest.FakeOption{mfatest.WithRateLimit(1, 30*time.Second, mfatest.HintRetryAfterSeconds)},
		arrange: spent(1, 0, fbOwner),
	},
	"flashback/reset-other-500.json": {arrange: failing(500, fbOwner)},
	"flashback/reset-self-200.json":  {arrange: caller(fbMember), after: wasReset(fbMember)},
	// The fake lets everyone reset itself; Flashback documents one 403 and
	// one 404 body, which the fake sends when told to fail so.
	"flashback/reset-self-403.json": {arrange: failing(403, fbMember)},
	"flashback/reset-self-404.json": {arrange: failing(404, fbMember)},
	"flashback/reset-self-500.json": {arrange: failing(500, fbMember)},

	"entryguard/primary-unsupported.json":       {arrange: caller(egAdmin)},
	"entryguard/reset-non-uuid.json":            {arrange: caller(egAdmin)},
	"entryguard/proxy-502-html.json":            {arrange: asGiven(egAdmin)},
	"entryguard/unavailable-503-empty.json":     {arrange: asGiven(egAdmin)},
	"entryguard/reset-401-empty-body.json":      {arrange: asGiven(egAdmin)},
	"entryguard/reset-200.json":                 {arrange: caller(egAdmin), after: wasReset(egMember)},
	"entryguard/reset-400-mfa-not-enabled.json": {arrange: then(egAdmin, mfaOff(egMember))},
	"entryguard/reset-401.json":                 {arrange: expiredToken},
	"entryguard/reset-403.json":                 {arrange: caller(egMember), after: notReset(egMember)},
	"entryguard/reset-404.json":                 {arrange: then(egAdmin, removed(egMember))},
	"entryguard/reset-500.json":                 {arrange: failing(500, egAdmin)},
	"entryguard/reset-429.json": {
		opts:    []mfatest.FakeOption{mfatest.WithRateLimit(1, 7*time.Second, mfatest.HintRetryAfterSeconds)},
		arrange: spent(1, 0, egAdmin),
	},

	"rocketchat/primary-unsupported.json":   {arrange: caller(rcAdmin)},
	"rocketchat/proxy-502-html.json":        {arrange: asGiven(rcAdmin)},
	"rocketchat/unavailable-503-empty.json": {arrange: asGiven(rcAdmin)},
	// Rocket.Chat's own limiter, 10 per 60 s, for a caller who is not an
	// admin (admins bypass it): ten calls 18 s ago leave 42 s.
	"rocketchat/rate-limited-429.json": {arrange: spent(10, 18*time.Second, rcMember), after: notReset(rcMember)},
	"rocketchat/reset-self-200.json":   {opts: noChallenge, arrange: caller(rcMember), after: wasReset(rcMember)},
	"rocketchat/reset-userid-200.json": {opts: noChallenge, arrange: caller(rcAdmin), after: wasReset(rcMember)},
	"rocketchat/resettotp-username-200.json": {
		opts: noChallenge, arrange: then(rcAdmin, addUser(johnDoe)), after: wasReset(byID(johnDoe.ID)),
	},
	"rocketchat/error-invalid-user.json":           {opts: noChallenge, arrange: then(rcAdmin, removed(rcMember))},
	"rocketchat/error-not-allowed.json":            {opts: noChallenge, arrange: caller(rcMember), after: notReset(rcMember)},
	"rocketchat/error-two-factor-not-enabled.json": {opts: []mfatest.FakeOption{mfatest.WithTwoFactorDisabled()}, arrange: caller(rcAdmin), after: notReset(rcMember)},
	// A caller without TOTP is challenged for its password.
	"rocketchat/totp-required-password.json": {arrange: then(rcAdmin, mfaOff(rcAdmin)), after: notReset(rcMember)},
	"rocketchat/twofactor-code-200.json": {
		arrange: then(rcAdmin, edit(rcAdmin, func(u *mfatest.FakeUser) { u.TOTPCode = "148750" })),
		after:   wasReset(rcMember),
	},
	"rocketchat/twofactor-password-200.json": {
		arrange: then(rcAdmin, edit(rcAdmin, func(u *mfatest.FakeUser) { u.MFAEnabled, u.Password = false, "placeholder-password" })),
		after:   wasReset(rcMember),
	},
	"rocketchat/unauthorized-401-pre9.json": {opts: []mfatest.FakeOption{mfatest.WithRocketChat401(mfatest.RocketChat401Pre9)}, arrange: expiredToken},
	"rocketchat/unauthorized-401-v9.json":   {opts: []mfatest.FakeOption{mfatest.WithRocketChat401(mfatest.RocketChat401V9)}, arrange: expiredToken},
	"rocketchat/unauthorized-401-docs.json": {opts: []mfatest.FakeOption{mfatest.WithRocketChat401(mfatest.RocketChat401Docs)}, arrange: expiredToken},
	"rocketchat/totp-required-totp.json":    {arrange: caller(rcAdmin), after: notReset(rcMember)},
	"rocketchat/error-not-allowed-federated.json": {
		opts: noChallenge, arrange: then(rcAdmin, edit(rcMember, func(u *mfatest.FakeUser) { u.Federated = true })), after: notReset(rcMember),
	},
	// Email 2FA: the first challenge mails a code; while it is valid, the
	// challenge gives its expiry; the fifth wrong code is totp-max-attempts.
	"rocketchat/totp-required-email-sent.json":             {arrange: emailChallenged("admin", "2026-02-18T10:35:00Z", 0), after: notReset(rcMember)},
	"rocketchat/totp-required-email-codeexpires-date.json": {arrange: emailChallenged("john.doe", "2026-02-18T10:35:00Z", 1), after: notReset(rcMember)},
	"rocketchat/totp-max-attempts.json":                    {arrange: emailChallenged("admin", "2020-01-02T13:06:42.408Z", 4), after: notReset(rcMember)},
	"rocketchat/totp-invalid-totp.json": {
		arrange: then(rcAdmin, edit(rcAdmin, func(u *mfatest.FakeUser) { u.TOTPCode = "148750" })),
		after:   notReset(rcMember),
	},
	// Rocket.Chat's own limiter, 10 per 60 s, for a caller who is not an
	// admin: nine calls 18 s ago, so the call is the window's last.
	"rocketchat/totp-required-remaining-0.json": {arrange: spent(9, 18*time.Second, rcMember), after: notReset(rcMember)},
	"rocketchat/reset-self-200-remaining-0.json": {
		opts:    noChallenge,
		arrange: func(r *fakeRun) Credentials { mfaOff(rcMember)(r); return spent(9, 18*time.Second, rcMember)(r) },
		after:   mfaState(rcMember, false, 10),
	},

	// Kratos's admin API has no authentication: any caller will do.
	"kratos/primary-unsupported.json":        {arrange: caller(krAlice)},
	"kratos/primary-sms-unsupported.json":    {arrange: caller(krAlice)},
	"kratos/reset-non-uuid.json":             {arrange: caller(krAlice)},
	"kratos/reset-404-unknown-identity.json": {arrange: caller(krAlice)},
	"kratos/proxy-502-html.json":             {arrange: asGiven(krAlice)},
	"kratos/unavailable-503-empty.json":      {arrange: asGiven(krAlice)},
	// The fake has no public port: its 307 is injected as recorded.
	"kratos/reset-public-port-307.json":        {arrange: asGiven(krAlice)},
	"kratos/reset-totp-204.json":               {arrange: krSeeded, after: krReset(1)},
	"kratos/reset-totp-lookup-secret-204.json": {arrange: krSeeded, after: krReset(1)},
	"kratos/reset-again-mfa-not-enabled.json":  {arrange: krSeeded, after: krReset(0)},
}

// notModelled lists the fixtures no fake reproduces, and why.
var notModelled = map[string]string{
	"flashback/ok-200-html.json":                   notSuccessShape,
	"flashback/ok-200-other-json.json":             notSuccessShape,
	"flashback/reset-other-200-success-false.json": notSuccessShape,
	"entryguard/ok-200-html.json":                  notSuccessShape,
	"entryguard/ok-200-other-json.json":            notSuccessShape,
	"rocketchat/ok-200-html.json":                  notSuccessShape,
	"rocketchat/ok-200-other-json.json":            notSuccessShape,
	"kratos/ok-200-html.json":                      notSuccessShape,
	"kratos/ok-200-other-json.json":                notSuccessShape,
	"kratos/reset-totp-gone-404.json": "another admin's delete between the read and the DELETE is a race the fake " +
		"does not stage (kratos's TestResetMFAGoneIsRemoved and TestRealResetMFAGoneBetweenReadAndDelete do)",
	"entryguard/reset-400-validation.json": "the fake's validation 400 answers only a non-UUID id, which the client " +
		"never sends (reset-non-uuid.json); the fixture's body is the errors page's example for /api/v1/auth/register",
	"rocketchat/error-email-send-failed.json": "the fake sends no notification mail, so the mail cannot fail",
	"rocketchat/error-user-param-not-provided.json": "the request names a user; like Rocket.Chat, the fake answers " +
		"this only when every user key is empty, which the client never sends",
	"rocketchat/totp-invalid.json": olderShape,
	"rocketchat/invalid-params.json": "the client never sends a body the route's schema refuses; the fake's schema " +
		"check is tested through raw requests (mfatest's TestRocketChatBodySchema)",
	"rocketchat/totp-user-not-found.json":                   "the fake authenticates the caller before the 2FA check, so the check always finds it",
	"rocketchat/forbidden-401-v9.json":                      notOnThisRoute,
	"rocketchat/forbidden-401-v9-message.json":              notOnThisRoute,
	"rocketchat/totp-required-email-codeexpires-array.json": olderShape,
}

const (
	notSuccessShape = "a fake's 200 is always the documented success; a 200 of another shape comes from " +
		"something in front of the provider and is not a failure the fakes inject"
	olderShape     = "the docs' older email example (codeCount, a codeExpires array, or only the method); the fake sends the current shape"
	notOnThisRoute = "users.resetTOTP has no permissionsRequired, so Rocket.Chat never answers it with error-unauthorized"
)

// TestFakesCoverEveryFixture fails when a fixture is neither mapped to an
// arrangement nor listed as not modelled, so that a new fixture cannot
// escape the fakes unnoticed.
func TestFakesCoverEveryFixture(t *testing.T) {
	fixtures, err := mfatest.LoadDir(testdata)
	require.NoError(t, err)
	seen := make(map[string]bool)
	for _, f := range fixtures {
		name := fixtureName(f)
		seen[name] = true
		_, mapped := fakeCases[name]
		_, listed := notModelled[name]
		if mapped == listed {
			t.Errorf("%s: mapped in fakeCases: %v, listed in notModelled: %v; want exactly one", name, mapped, listed)
		}
	}
	for _, names := range [][]string{keys(fakeCases), keys(notModelled)} {
		for _, name := range names {
			if !seen[name] {
				t.Errorf("%s: no such fixture", name)
			}
		}
	}
}

// TestFakesPassFixtures runs every mapped fixture against its fake.
func TestFakesPassFixtures(t *testing.T) {
	fixtures, err := mfatest.LoadDir(testdata)
	require.NoError(t, err)
	for _, f := range fixtures {
		c, ok := fakeCases[fixtureName(f)]
		if !ok {
			continue // TestFakesCoverEveryFixture holds the list
		}
		t.Run(fixtureName(f), func(t *testing.T) {
			t.Parallel()
			runOnFake(t, f, c)
		})
	}
}

func runOnFake(t *testing.T, f *mfatest.Fixture, c fakeCase) {
	r := &fakeRun{t: t, f: f, now: fakeNow(f)}
	r.clock = newTestClock(r.now)
	opts := append([]mfatest.FakeOption{mfatest.WithClock(r.clock.Now)}, c.opts...)
	switch f.Provider {
	case "flashback":
		r.fb = mfatest.NewFlashback(t, opts...)
		r.fake = r.fb.Fake
	case "entryguard":
		r.eg = mfatest.NewEntryGuard(t, opts...)
		r.fake = r.eg.Fake
	case "rocketchat":
		r.rc = mfatest.NewRocketChat(t, opts...)
		r.fake = r.rc.Fake
	case "casdoor":
		r.cd = mfatest.NewCasdoor(t, opts...)
		r.fake = r.cd.Fake
	case "kratos":
		r.kr = mfatest.NewKratos(t, opts...)
		r.fake = r.kr.Fake
	case "mattermost":
		r.mm = mfatest.NewMattermost(t, opts...)
		r.fake = r.mm.Fake
	default:
		t.Fatalf("no fake for provider %q", f.Provider)
	}
	creds := c.arrange(r)

	before := r.fake.Requests()
	wire := &capture{inner: http.DefaultTransport}
	err := Invoke(context.Background(), f, r.fake.URL(), creds, mfaclient.WithHTTPClient(&http.Client{Transport: wire}))
	received := r.fake.Requests() - before

	for _, d := range CheckOutcome(modelled(f), err, received-len(f.Before), r.now) {
		t.Error(d)
	}
	sent := wire.exchanges()
	require.Len(t, sent, received, "requests the client sent and the fake received")
	if f.Expect.WantsRequest() {
		steps := f.Steps()
		require.Len(t, sent, len(steps), "one fixture is one request per exchange")
		for i, step := range steps {
			for _, d := range mfatest.CheckRequest(step, sent[i].req, sent[i].reqBody, creds.Placeholders().ForCall(f.Call)) {
				t.Errorf("request %d: %s", i+1, d)
			}
			for _, d := range checkResponse(step, sent[i], r.now) {
				t.Errorf("response %d: %s", i+1, d)
			}
		}
	}
	if c.after != nil {
		c.after(r)
	}
}

// fakeNow is the fake's time for f: the timestamp its body carries (an
// EntryGuard error), so that the fake's body is the fixture's to the
// second; otherwise now.
func fakeNow(f *mfatest.Fixture) time.Time {
	var body struct {
		Timestamp string `json:"timestamp"`
	}
	if json.Unmarshal(f.Response.Body, &body) == nil {
		if ts, err := time.Parse(time.RFC3339, body.Timestamp); err == nil {
			return ts
		}
	}
	return time.Now()
}

// modelled is f without the request ID: no provider documents a request-ID
// header; the fixtures carry one to test that the client reports it, and the
// fakes send none.
func modelled(f *mfatest.Fixture) *mfatest.Fixture {
	if fakeSendsRequestID[f.Provider] {
		return f
	}
	g := *f
	g.Expect.RequestID = ""
	return &g
}

func fixtureName(f *mfatest.Fixture) string {
	rel, err := filepath.Rel(testdata, f.Path)
	if err != nil {
		return f.Path
	}
	return filepath.ToSlash(rel)
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// emailChallenged makes the admin's second factor email only, under the
// given username, sets the fake's clock an hour (the code lifetime) before
// expires, and sends the fixture's request n times first: the first mails
// the code, each carries the fixture's wrong code.
func emailChallenged(username, expires string, n int) func(*fakeRun) Credentials {
	return func(r *fakeRun) Credentials {
		at, err := time.Parse(time.RFC3339, expires)
		require.NoError(r.t, err)
		r.clock.Set(at.Add(-time.Hour))
		edit(rcAdmin, func(u *mfatest.FakeUser) { u.MFAEnabled, u.EmailTwoFactor, u.Username = false, true, username })(r)
		c := r.creds(rcAdmin(r))
		send(r.t, r.fake.URL(), r.f, c, n)
		return c
	}
}
