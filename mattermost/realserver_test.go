//go:build realserver

// The real-server suite: every operation and every answer a real Mattermost
// v6.7.2 gives through the public client. scripts/real-providers starts the
// server (scripts/real/mattermost.sh) and runs these with the variables it
// seeded:
//
//	scripts/real-providers run mattermost
//
// With MFAKIT_RECORD=1 the tests also re-record testdata/mattermost/*.json
// through mfatest.Recorder: the worked example of "record once against your
// server, replay in CI".
package mattermost_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mattermost"
	"github.com/mfakit/mfakit/mattermost/internal/realmm"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// realEnv is what scripts/real/mattermost.sh seeded.
type realEnv struct {
	URL, AdminID, AdminToken, AdminSession, MemberID, MemberToken string
	TargetID, SelfID, SelfToken, LimitToken, BulkToken            string
	BulkIDs                                                       []string
}

func loadEnv(t *testing.T) realEnv {
	t.Helper()
	get := func(k string) string {
		v := os.Getenv("MFAKIT_REAL_MATTERMOST_" + k)
		if v == "" {
			t.Fatalf("MFAKIT_REAL_MATTERMOST_%s is not set: start the server with scripts/real-providers start mattermost", k)
		}
		return v
	}
	return realEnv{
		URL: get("URL"), AdminID: get("ADMIN_ID"), AdminToken: get("ADMIN_TOKEN"), AdminSession: get("ADMIN_SESSION"),
		MemberID: get("MEMBER_ID"), MemberToken: get("MEMBER_TOKEN"), TargetID: get("TARGET_ID"),
		SelfID: get("SELF_ID"), SelfToken: get("SELF_TOKEN"), LimitToken: get("LIMIT_TOKEN"), BulkToken: get("BULK_TOKEN"),
		BulkIDs: strings.Split(get("BULK_IDS"), ","),
	}
}

// admin is Mattermost's own API as the seeded admin's session, for
// arranging and checking state around the client under test.
func (e realEnv) admin() realmm.API { return realmm.API{URL: e.URL, Token: e.AdminSession} }

// mfaOn enrols TOTP for the user unless it is on, and fails unless it is on
// afterwards.
func (e realEnv) mfaOn(t *testing.T, id string) {
	t.Helper()
	ctx := context.Background()
	u, err := e.admin().GetUser(ctx, id)
	require.NoError(t, err)
	if !u.MFAActive {
		_, err = e.admin().EnrolTOTP(ctx, id)
		require.NoError(t, err)
	}
	u, err = e.admin().GetUser(ctx, id)
	require.NoError(t, err)
	require.True(t, u.MFAActive, "MFA of %s is on before the call", id)
}

func (e realEnv) mfaActive(t *testing.T, id string) bool {
	t.Helper()
	u, err := e.admin().GetUser(context.Background(), id)
	require.NoError(t, err)
	return u.MFAActive
}

// wire counts the requests a client sent and the statuses it got.
type wire struct {
	inner    http.RoundTripper
	requests atomic.Int64
	mu       sync.Mutex
	statuses map[int]int
}

func (w *wire) RoundTrip(r *http.Request) (*http.Response, error) {
	w.requests.Add(1)
	resp, err := w.inner.RoundTrip(r)
	if err == nil {
		w.mu.Lock()
		if w.statuses == nil {
			w.statuses = map[int]int{}
		}
		w.statuses[resp.StatusCode]++
		w.mu.Unlock()
	}
	return resp, err
}

func (w *wire) status(code int) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.statuses[code]
}

// recording is one test's client under test: it records fixtures when
// MFAKIT_RECORD=1, and counts what it sent.
type recording struct {
	t     *testing.T
	rec   *mfatest.Recorder // nil when not recording
	wire  *wire             // the recorded client's
	plain *wire             // the other clients'
}

func newRecording(t *testing.T) *recording {
	r := &recording{t: t, wire: &wire{inner: http.DefaultTransport}, plain: &wire{inner: http.DefaultTransport}}
	if os.Getenv("MFAKIT_RECORD") == "1" {
		r.rec = &mfatest.Recorder{Transport: http.DefaultTransport, Dir: filepath.Join("..", "testdata", "mattermost"), Provider: "mattermost"}
		r.wire.inner = r.rec
	}
	return r
}

// client is a client of the real server with token, retries off (one call,
// one interaction) unless opts say otherwise, whose calls through call are
// recorded.
func (r *recording) client(e realEnv, token string, opts ...mfaclient.Option) *mattermost.Client {
	return r.newClient(e.URL, token, r.wire, opts)
}

// unrecorded is a client whose calls are never recorded: the checks
// around a recorded interaction.
func (r *recording) unrecorded(e realEnv, token string, opts ...mfaclient.Option) *mattermost.Client {
	return r.newClient(e.URL, token, r.plain, opts)
}

func (r *recording) newClient(url, token string, w *wire, opts []mfaclient.Option) *mattermost.Client {
	opts = append([]mfaclient.Option{mfaclient.WithRetry(mfaclient.RetryPolicy{}), mfaclient.WithHTTPClient(&http.Client{Transport: w})}, opts...)
	c, err := mattermost.New(url, token, opts...)
	require.NoError(r.t, err)
	return c
}

// call makes one named call and, when recording, writes its fixture with
// description.
func (r *recording) call(name, description string, call mfatest.Call, do func(ctx context.Context) error) error {
	ctx := context.Background()
	if r.rec != nil {
		ctx = mfatest.RecordAs(ctx, name, call)
	}
	err := do(ctx)
	if r.rec != nil {
		require.NoError(r.t, r.rec.Outcome(ctx, err))
		finishFixture(r.t, filepath.Join(r.rec.Dir, name+".json"), description)
	}
	return err
}

// finishFixture names the real server as the fixture's source.
func finishFixture(t *testing.T, path, description string) {
	t.Helper()
	f, err := mfatest.Load(path)
	require.NoError(t, err)
	f.Description = description
	f.Source = mfatest.Source{
		Doc:     "Mattermost v6.7.2, api4/user.go",
		Section: "updateUserMfa: PUT /api/v4/users/{user_id}/mfa",
		URL:     "https://github.com/mattermost/mattermost-server/blob/v6.7.2/api4/user.go",
		Note:    "Recorded from a real Mattermost v6.7.2 (PostgreSQL 15) by " + t.Name() + " with MFAKIT_RECORD=1 (scripts/real-providers).",
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(f))
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o644))
}

func apiErrorOf(t *testing.T, err error) *mfaclient.APIError {
	t.Helper()
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Len(t, apiErr.RequestID, 26, "X-Request-Id is reported")
	return apiErr
}

func TestRealResetMFA(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	c := r.client(e, e.AdminToken) // a personal access token
	e.mfaOn(t, e.TargetID)

	err := r.call("reset-200", "A system admin's personal access token turns off another user's MFA.",
		mfatest.Call{Operation: "ResetMFA", UserID: e.TargetID},
		func(ctx context.Context) error { return c.ResetMFA(ctx, e.TargetID) })
	require.NoError(t, err)
	assert.False(t, e.mfaActive(t, e.TargetID), "MFA is off on the server")

	// Again, with MFA already off: Mattermost answers 200 again, so a
	// retried reset cannot turn a success into an error.
	err = r.call("reset-mfa-off-200", "A reset of a user whose MFA is already off succeeds again (the server does not check).",
		mfatest.Call{Operation: "ResetMFA", UserID: e.TargetID},
		func(ctx context.Context) error { return c.ResetMFA(ctx, e.TargetID) })
	require.NoError(t, err)
	assert.EqualValues(t, 2, r.wire.requests.Load())

	// A session token works the same.
	e.mfaOn(t, e.TargetID)
	require.NoError(t, r.unrecorded(e, e.AdminSession).ResetMFA(context.Background(), e.TargetID))
	assert.False(t, e.mfaActive(t, e.TargetID))
}

func TestRealResetMFAUnauthorized(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	c := r.client(e, "wrongtokenwrongtokenwrongt")
	e.mfaOn(t, e.TargetID)

	err := r.call("reset-401", "A token the server does not know.",
		mfatest.Call{Operation: "ResetMFA", UserID: e.TargetID},
		func(ctx context.Context) error { return c.ResetMFA(ctx, e.TargetID) })
	assert.True(t, isOnly(err, mfaclient.ErrUnauthorized), "%v", err)
	apiErr := apiErrorOf(t, err)
	assert.Equal(t, 401, apiErr.StatusCode)
	assert.Equal(t, "api.context.session_expired.app_error", apiErr.Code)
	assert.Equal(t, "Invalid or expired session, please login again.", apiErr.Message)
	assert.True(t, e.mfaActive(t, e.TargetID), "nothing changed")
}

func TestRealResetMFAForbidden(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	c := r.client(e, e.MemberToken) // bob: a member without edit_other_users
	e.mfaOn(t, e.TargetID)

	err := r.call("reset-403", "A member without edit_other_users resets another user.",
		mfatest.Call{Operation: "ResetMFA", UserID: e.TargetID},
		func(ctx context.Context) error { return c.ResetMFA(ctx, e.TargetID) })
	assert.True(t, isOnly(err, mfaclient.ErrForbidden), "%v", err)
	var fe *mfaclient.ForbiddenError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "edit_other_users", fe.Required)
	apiErr := apiErrorOf(t, err)
	assert.Equal(t, "api.context.permissions.app_error", apiErr.Code)
	assert.Equal(t, "You do not have the appropriate permissions.", apiErr.Message)
	var body *mattermost.ErrorResponse
	require.ErrorAs(t, err, &body)
	assert.Empty(t, body.DetailedError, "hidden outside developer mode")
	assert.True(t, e.mfaActive(t, e.TargetID), "nothing changed")

	// The permission is checked before the user is looked up: a member
	// asking for an unknown user is forbidden too, not told who exists.
	err = r.unrecorded(e, e.MemberToken).ResetMFA(context.Background(), "ybndrfg8ejkmcpqxot1uwisza3")
	assert.True(t, isOnly(err, mfaclient.ErrForbidden), "%v", err)
}

func TestRealResetMFANotFound(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	c := r.client(e, e.AdminToken)
	const unknown = "ybndrfg8ejkmcpqxot1uwisza3" // valid form, no such user

	err := r.call("reset-404", "A well-formed ID that names no user.",
		mfatest.Call{Operation: "ResetMFA", UserID: unknown},
		func(ctx context.Context) error { return c.ResetMFA(ctx, unknown) })
	assert.True(t, isOnly(err, mfaclient.ErrNotFound), "%v", err)
	apiErr := apiErrorOf(t, err)
	assert.Equal(t, "app.user.missing_account.const", apiErr.Code)
	assert.Equal(t, "Unable to find the user.", apiErr.Message)

	// Upper case is valid syntax for the server, and names nobody.
	err = r.unrecorded(e, e.AdminToken).ResetMFA(context.Background(), strings.ToUpper(e.TargetID))
	assert.True(t, isOnly(err, mfaclient.ErrNotFound), "%v", err)
}

// A malformed ID never leaves the client; what the server would answer
// (seen with plain HTTP) is why: 400 for a wrong length, the catch-all 404
// (not "user not found") for characters its route refuses, and the caller
// itself for "me".
func TestRealMalformedUserIDs(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	c := r.client(e, e.AdminToken)
	for name, bad := range map[string]string{
		"me":    "me", // the server would reset the caller's own MFA
		"uuid":  "770e8400-e29b-41d4-a716-446655440004",
		"short": e.TargetID[:25],
	} {
		err := r.call("reset-invalid-id-"+name, "An ID that is not Mattermost's 26 letters and digits is refused before sending.",
			mfatest.Call{Operation: "ResetMFA", UserID: bad},
			func(ctx context.Context) error { return c.ResetMFA(ctx, bad) })
		assert.True(t, isOnly(err, mfaclient.ErrInvalidInput), "%q: %v", bad, err)
	}
	assert.Zero(t, r.wire.requests.Load(), "nothing sent")

	raw := func(id string) (int, string, http.Header) {
		req, err := http.NewRequest(http.MethodPut, e.URL+"/api/v4/users/"+id+"/mfa", strings.NewReader(`{"activate":false}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+e.AdminToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), resp.Header
	}
	status, body, _ := raw(e.TargetID[:25])
	assert.Equal(t, 400, status)
	assert.Contains(t, body, `"id":"api.context.invalid_url_param.app_error"`)
	status, body, h := raw("770e8400-e29b-41d4-a716-446655440004")
	assert.Equal(t, 404, status)
	assert.Contains(t, body, `"id":"api.context.404.app_error"`)
	assert.Empty(t, h.Get("X-Request-Id"), "the catch-all 404 is not a web.Handler: no request ID")
	status, body, _ = raw("me")
	assert.Equal(t, 200, status, "me is the caller: the admin's own MFA")
	assert.Equal(t, okBody, body)
}

// The server's 400s, through the client: a proxy that mangles the path or
// the body gets ErrInvalidInput with Mattermost's code, not a false
// success.
func TestRealBadRequestAnswers(t *testing.T) {
	e := loadEnv(t)
	for name, tc := range map[string]struct {
		mangle func(*http.Request)
		code   string
	}{
		"url param": {func(r *http.Request) { r.URL.Path = strings.Replace(r.URL.Path, e.TargetID, e.TargetID[:25], 1) }, "api.context.invalid_url_param.app_error"},
		"body param": {func(r *http.Request) {
			r.Body = io.NopCloser(strings.NewReader(`{"activate":"false"}`))
			r.ContentLength = 20
		}, "api.context.invalid_body_param.app_error"},
	} {
		t.Run(name, func(t *testing.T) {
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				r = r.Clone(r.Context())
				tc.mangle(r)
				return http.DefaultTransport.RoundTrip(r)
			})}
			c, err := mattermost.New(e.URL, e.AdminToken, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
			require.NoError(t, err)
			err = c.ResetMFA(context.Background(), e.TargetID)
			assert.True(t, isOnly(err, mfaclient.ErrInvalidInput), "%v", err)
			apiErr := apiErrorOf(t, err)
			assert.Equal(t, 400, apiErr.StatusCode)
			assert.Equal(t, tc.code, apiErr.Code)
		})
	}
}

// A wrong base URL reaches Mattermost outside its API: whatever it answers
// there is not "user not found".
func TestRealWrongBaseURL(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	for _, base := range []string{e.URL + "/chat", e.URL + "/api/v3"} {
		err := r.newClient(base, e.AdminToken, r.plain, nil).ResetMFA(context.Background(), e.TargetID)
		require.Error(t, err)
		assert.False(t, errors.Is(err, mfaclient.ErrNotFound), "%s: %v", base, err)
		assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "%s: %v", base, err)
	}
}

func TestRealResetOwnMFA(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	c := r.client(e, e.SelfToken) // carol's session; she has no permission over others
	e.mfaOn(t, e.SelfID)

	err := r.call("reset-own-200", "A user without any admin permission turns off her own MFA; no code or password is asked.",
		mfatest.Call{Operation: "ResetOwnMFA"},
		func(ctx context.Context) error { return c.ResetOwnMFA(ctx) })
	require.NoError(t, err)
	assert.False(t, e.mfaActive(t, e.SelfID), "her MFA is off on the server")
	// Her token still works: Mattermost does not end sessions here.
	again := r.unrecorded(e, e.SelfToken)
	require.NoError(t, again.ResetOwnMFA(context.Background()))
	// Her own ID works as "me" does.
	e.mfaOn(t, e.SelfID)
	require.NoError(t, again.ResetMFA(context.Background(), e.SelfID))
	assert.False(t, e.mfaActive(t, e.SelfID))
}

func TestRealSetPrimaryMFAUnsupported(t *testing.T) {
	e := loadEnv(t)
	r := newRecording(t)
	c := r.client(e, e.AdminToken)
	err := r.call("primary-unsupported", "Mattermost has one MFA method and no preferred-method endpoint: nothing is sent.",
		mfatest.Call{Operation: "SetPrimaryMFA", Method: "totp"},
		func(ctx context.Context) error { return c.SetPrimaryMFA(ctx, mfaclient.MethodTOTP) })
	assert.True(t, isOnly(err, mfaclient.ErrUnsupported), "%v", err)
	assert.Zero(t, r.wire.requests.Load())
}

// spend sends resets of the target with token, outside the client, until
// the server answers 429: its limiter bucket (one per Authorization header)
// is then empty for the next 200 ms. It returns how many were allowed.
func spend(t *testing.T, e realEnv, token string) int {
	t.Helper()
	for allowed := 0; allowed < 100; allowed++ {
		req, err := http.NewRequest(http.MethodPut, e.URL+"/api/v4/users/"+e.TargetID+"/mfa", strings.NewReader(`{"activate":false}`))
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			return allowed
		}
	}
	t.Fatal("no 429 after 100 requests: is the limiter on?")
	return 0
}

// Mattermost's limiter (5/s, burst 20: 21 requests, then 429) through the
// client: the typed error with its hints, X-Ratelimit-Reset read as seconds
// from now; then a client with retries waits Retry-After and gets through.
// The bucket refills one request per 200 ms, so a call made just after it
// was found empty may rarely find a request's worth again: each part tries
// up to three times.
func TestRealRateLimited(t *testing.T) {
	e := loadEnv(t)
	var rl *mfaclient.RateLimitError
	var start time.Time
	for attempt := 0; attempt < 3 && rl == nil; attempt++ {
		time.Sleep(5 * time.Second) // a full bucket, whatever ran before
		assert.GreaterOrEqual(t, spend(t, e, e.LimitToken), 21, "a full bucket holds MaxBurst+1 requests, plus what refills meanwhile")
		r := newRecording(t)
		c := r.client(e, e.LimitToken)
		start = time.Now()
		err := r.call("reset-429", "Mattermost's rate limiter (PerSec 5, MaxBurst 20) answers a request over the burst: text/plain, no request ID, reset in seconds from now.",
			mfatest.Call{Operation: "ResetMFA", UserID: e.TargetID},
			func(ctx context.Context) error { return c.ResetMFA(ctx, e.TargetID) })
		if err == nil {
			continue // the bucket had refilled a request's worth
		}
		assert.True(t, isOnly(err, mfaclient.ErrRateLimited), "%v", err)
		require.ErrorAs(t, err, &rl)
		// The same client's next call waits at its gate instead of sending.
		assert.True(t, c.RateLimitedUntil().After(time.Now()), "the gate is closed")
	}
	require.NotNil(t, rl, "no 429 in three tries")
	assert.Equal(t, 429, rl.StatusCode)
	assert.Equal(t, "limit exceeded", rl.Message)
	assert.Empty(t, rl.RequestID, "the limiter answers before Mattermost's handlers: no X-Request-Id")
	assert.Equal(t, 21, rl.Limit)
	assert.Equal(t, 0, rl.Remaining)
	assert.Equal(t, time.Second, rl.RetryAfter)
	assert.WithinDuration(t, start.Add(5*time.Second), rl.Reset, 1500*time.Millisecond, "seconds from now, not an epoch")
	t.Logf("429: Retry-After %s, Reset in %s", rl.RetryAfter, rl.Reset.Sub(start).Round(time.Millisecond))

	for attempt := 0; attempt < 3; attempt++ {
		time.Sleep(5 * time.Second)
		spend(t, e, e.LimitToken)
		r := newRecording(t)
		patient := r.unrecorded(e, e.LimitToken, mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 3, MinWait: 100 * time.Millisecond, MaxWait: 10 * time.Second}))
		start = time.Now()
		require.NoError(t, patient.ResetMFA(context.Background(), e.TargetID))
		if r.plain.status(http.StatusTooManyRequests) == 0 {
			continue // refilled before the call
		}
		assert.EqualValues(t, 2, r.plain.requests.Load(), "one 429, then the retry after Retry-After")
		assert.GreaterOrEqual(t, time.Since(start), time.Second, "it waited Retry-After")
		return
	}
	t.Fatal("the patient client never met a 429 in three tries")
}

// 200 users reset through one client by 8 workers, against the real
// limiter (5/s, burst 20): every reset succeeds, at most 2 % of requests
// are answered 429, and the run takes at most 1.10x the ideal (the burst
// of 21, then 5/s).
func TestRealBulkPacing(t *testing.T) {
	e := loadEnv(t)
	require.Len(t, e.BulkIDs, 200)
	ctx := context.Background()
	time.Sleep(5 * time.Second) // a full bucket

	var before []realmm.User
	_, err := e.admin().Do(ctx, http.MethodPost, "/api/v4/users/ids", e.BulkIDs, &before)
	require.NoError(t, err)
	on := 0
	for _, u := range before {
		if u.MFAActive {
			on++
		}
	}

	w := &wire{inner: http.DefaultTransport}
	c, err := mattermost.New(e.URL, e.BulkToken, mfaclient.WithHTTPClient(&http.Client{Transport: w}))
	require.NoError(t, err)
	const workers = 8
	ids := make(chan string)
	errs := make([]error, 0, len(e.BulkIDs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for id := range ids {
				err := c.ResetMFA(ctx, id)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, id := range e.BulkIDs {
		ids <- id
	}
	close(ids)
	wg.Wait()
	elapsed := time.Since(start)

	assert.Empty(t, errs, "every reset succeeded")
	var after []realmm.User
	_, err = e.admin().Do(ctx, http.MethodPost, "/api/v4/users/ids", e.BulkIDs, &after)
	require.NoError(t, err)
	require.Len(t, after, 200)
	for _, u := range after {
		assert.False(t, u.MFAActive, "MFA of %s is off", u.Username)
	}
	sent, limited := w.requests.Load(), w.status(http.StatusTooManyRequests)
	ideal := time.Duration(float64(len(e.BulkIDs)-21) / 5 * float64(time.Second))
	t.Logf("bulk: 200 resets (%d had MFA on) by %d workers in %s (ideal at 5/s after a burst of 21: %s, %.2fx): %d requests, %d answered 429 (%.1f%%), %d failed",
		on, workers, elapsed.Round(time.Millisecond), ideal, float64(elapsed)/float64(ideal), sent, limited, 100*float64(limited)/float64(sent), len(errs))
	// The client follows the GCRA limiter (transport.RefillSteady): one
	// request per interval once the burst is spent, never the full refill.
	assert.LessOrEqual(t, float64(limited), 0.02*float64(sent), "at most 2 %% of requests answered 429")
	assert.LessOrEqual(t, elapsed, ideal*110/100, "within 1.10x the ideal")
}
