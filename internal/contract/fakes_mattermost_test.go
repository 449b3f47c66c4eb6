package contract

import (
	"net/http"
	"strconv"

	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// The Mattermost fixtures were recorded from a real server whose limiter
// (PerSec 5, MaxBurst 20) put X-RateLimit-* on every answer, and whose
// error bodies carry the request's ID. mmCase brings the fake to the same
// state: the same limiter with as many requests already spent as the
// fixture's X-RateLimit-Remaining says, and the fixture's request ID.

var (
	mmAdmin  who = func(r *fakeRun) mfatest.FakeUser { return r.mm.Admin }
	mmMember who = func(r *fakeRun) mfatest.FakeUser { return r.mm.Member }
	// mmTarget is the user the fixture's call names, as the real server
	// had it.
	mmTarget who = func(r *fakeRun) mfatest.FakeUser { return mfatest.FakeUser{ID: r.f.Call.UserID} }
)

// mmPerSec is the real server's RateLimitSettings.PerSec when the fixtures
// were recorded (scripts/real/mattermost.sh).
const mmPerSec = 5

// mmCase calls as u after steps, with the fake's limiter and request ID
// arranged as the fixture's answer shows them.
func mmCase(u who, steps ...func(*fakeRun)) func(*fakeRun) Credentials {
	return then(u, append([]func(*fakeRun){mmLimiter, mmRequestID}, steps...)...)
}

// mmLimiter turns the limiter on and spends what the fixture's answer says
// was spent: limit-1-remaining requests before an allowed answer, all of
// them before a 429. The spending requests go to a path no route matches,
// so they change no user.
func mmLimiter(r *fakeRun) {
	h := http.Header{}
	for k, v := range r.f.Response.Headers {
		h.Set(k, v)
	}
	limit, err1 := strconv.Atoi(h.Get("X-RateLimit-Limit"))
	remaining, err2 := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if err1 != nil || err2 != nil {
		return // recorded without the limiter
	}
	r.mm.SetMattermostLimiter(mmPerSec, limit-1)
	n := limit - 1 - remaining
	if r.f.Response.Status == http.StatusTooManyRequests {
		n = limit
	}
	for range n {
		resp, err := http.Get(r.fake.URL() + "/api/v4/system/spend")
		require.NoError(r.t, err)
		resp.Body.Close()
	}
}

// fakeSendsRequestID names the fakes that answer with the fixture's request
// ID (the Mattermost fake, through SetRequestID), so that the caller's
// APIError.RequestID is checked against them too.
var fakeSendsRequestID = map[string]bool{"mattermost": true}

func mmRequestID(r *fakeRun) {
	if id := r.f.Response.Headers["X-Request-Id"]; id != "" {
		r.mm.SetRequestID(id)
	}
}

func addMMTarget(mfaOn bool) func(*fakeRun) {
	return func(r *fakeRun) {
		r.fake.AddUser(mfatest.FakeUser{ID: r.f.Call.UserID, Username: "alice", Role: "system_user", MFAEnabled: mfaOn})
	}
}

var mattermostCases = map[string]fakeCase{
	"mattermost/primary-unsupported.json":    {arrange: caller(mmAdmin)},
	"mattermost/reset-invalid-id-me.json":    {arrange: caller(mmAdmin)},
	"mattermost/reset-invalid-id-short.json": {arrange: caller(mmAdmin)},
	"mattermost/reset-invalid-id-uuid.json":  {arrange: caller(mmAdmin)},
	"mattermost/reset-200.json":              {arrange: mmCase(mmAdmin, addMMTarget(true)), after: wasReset(mmTarget)},
	"mattermost/reset-mfa-off-200.json":      {arrange: mmCase(mmAdmin, addMMTarget(false)), after: mfaState(mmTarget, false, 1)},
	"mattermost/reset-401.json":              {arrange: mmCase(func(*fakeRun) mfatest.FakeUser { return mfatest.FakeUser{Token: "expired-token-0c1d"} }, addMMTarget(true)), after: notReset(mmTarget)},
	"mattermost/reset-403.json":              {arrange: mmCase(mmMember, addMMTarget(true)), after: notReset(mmTarget)},
	"mattermost/reset-404.json":              {arrange: mmCase(mmAdmin)},
	"mattermost/reset-429.json":              {arrange: mmCase(mmAdmin, addMMTarget(true)), after: notReset(mmTarget)},
	"mattermost/reset-own-200.json":          {arrange: mmCase(mmMember), after: wasReset(mmMember)},
}

func init() {
	for k, v := range mattermostCases {
		fakeCases[k] = v
	}
}
