package mfatest_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// answer is what a plain HTTP client saw.
type answer struct {
	status int
	header http.Header
	body   string
}

// send makes one request; headers are name, value pairs.
func send(t testing.TB, method, url, body string, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// postStatus sends a POST without a body and returns the status; unlike
// send it may run on any goroutine (0 after a failed assertion).
func postStatus(t testing.TB, url string, headers ...string) int {
	req, err := http.NewRequest(http.MethodPost, url, nil)
	if !assert.NoError(t, err) {
		return 0
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if !assert.NoError(t, err) {
		return 0
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func bearer(u mfatest.FakeUser) []string { return []string{"Authorization", "Bearer " + u.Token} }

// clock is a settable time source for WithClock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 2, 18, 10, 30, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestFailNextUsesProviderBodiesThenRecovers(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	eg := mfatest.NewEntryGuard(t, mfatest.WithClock(newClock().Now))
	rc := mfatest.NewRocketChat(t)
	fbURL := fb.URL() + "/mfa/reset"
	egURL := eg.URL() + "/api/v1/users/" + eg.Member.ID + "/reset-mfa"
	rcURL := rc.URL() + "/api/v1/users.resetTOTP"

	fb.FailNext(1, mfatest.Failure{Status: http.StatusInternalServerError})
	fb.FailNext(1, mfatest.Failure{Status: http.StatusServiceUnavailable, Body: "<html>down</html>",
		Header: http.Header{"Content-Type": {"text/html"}, "Retry-After": {"3"}}})
	got := send(t, http.MethodPost, fbURL, "", bearer(fb.Member)...)
	assert.Equal(t, answer{500, got.header, `{"success":false,"error":"Failed to reset MFA"}`}, got)
	got = send(t, http.MethodPost, fbURL, "", bearer(fb.Member)...)
	assert.Equal(t, 503, got.status)
	assert.Equal(t, "<html>down</html>", got.body)
	assert.Equal(t, "text/html", got.header.Get("Content-Type"))
	assert.Equal(t, "3", got.header.Get("Retry-After"))
	got = send(t, http.MethodPost, fbURL, "", bearer(fb.Member)...)
	assert.Equal(t, 200, got.status)
	assert.Equal(t, 3, fb.Requests())
	assert.Equal(t, 1, fb.Resets(fb.Member.ID), "failed requests reset nothing")

	eg.FailNext(2, mfatest.Failure{Status: http.StatusInternalServerError})
	for range 2 {
		got = send(t, http.MethodPost, egURL, "", bearer(eg.Admin)...)
		assert.Equal(t, 500, got.status)
		assert.Equal(t, `{"timestamp":"2026-02-18T10:30:00Z","status":500,"error":"Internal Server Error",`+
			`"message":"Server error occurred","path":"/api/v1/users/770e8400-e29b-41d4-a716-446655440004/reset-mfa"}`, got.body)
	}
	assert.Equal(t, 200, send(t, http.MethodPost, egURL, "", bearer(eg.Admin)...).status)

	rc.FailNext(1, mfatest.Failure{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"1"}}})
	got = send(t, http.MethodPost, rcURL, "")
	assert.Equal(t, 429, got.status)
	assert.Equal(t, `{"success":false,"error":"Error, too many requests. Please slow down. You must wait 1 seconds before trying this endpoint again. [error-too-many-requests]"}`, got.body)
	assert.Equal(t, 1, rc.RateLimited(), "injected 429s are counted")
	assert.Equal(t, 401, send(t, http.MethodPost, rcURL, "").status)
}

func TestLatencyIsCutShortByClientAndClose(t *testing.T) {
	fb, err := mfatest.StartFlashback(mfatest.WithLatency(time.Hour))
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, fb.URL()+"/mfa/reset", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+fb.Member.Token)
	_, err = http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// A request still waiting when the fake closes is cut short: Close
	// returns and the client gets an error, not an answer.
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Post(fb.URL()+"/mfa/reset", "", nil)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	require.Eventually(t, func() bool { return fb.Requests() == 2 }, 5*time.Second, time.Millisecond)
	fb.Close()
	fb.Close() // idempotent
	require.Error(t, <-errc)
	assert.Equal(t, 0, fb.Resets(fb.Member.ID))
}

func TestRateLimitHintStyles(t *testing.T) {
	type want struct {
		retryAfter string
		rlHeaders  bool
	}
	clk := newClock()
	resetMS := strconv.FormatInt(clk.Now().Add(2*time.Second).UnixMilli(), 10)
	for name, tc := range map[string]struct {
		hints mfatest.RateLimitHints
		want  want
	}{
		"seconds": {mfatest.HintRetryAfterSeconds, want{retryAfter: "2"}},
		"date":    {mfatest.HintRetryAfterDate, want{retryAfter: "Wed, 18 Feb 2026 10:30:02 GMT"}},
		"headers": {mfatest.HintRateLimitHeaders, want{rlHeaders: true}},
		"both":    {mfatest.HintBoth, want{retryAfter: "2", rlHeaders: true}},
	} {
		t.Run(name, func(t *testing.T) {
			clk := newClock()
			fb := mfatest.NewFlashback(t, mfatest.WithClock(clk.Now), mfatest.WithRateLimit(2, 2*time.Second, tc.hints))
			url := fb.URL() + "/mfa/primary"
			body := `{"mfaType":"PASSKEY"}`
			for i, remaining := range []string{"1", "0"} {
				got := send(t, http.MethodPost, url, body, bearer(fb.Member)...)
				require.Equal(t, 200, got.status, "request %d", i)
				assert.Empty(t, got.header.Values("Retry-After"))
				if tc.want.rlHeaders {
					assert.Equal(t, "2", got.header.Get("X-RateLimit-Limit"))
					assert.Equal(t, remaining, got.header.Get("X-RateLimit-Remaining"))
					assert.Equal(t, resetMS, got.header.Get("X-RateLimit-Reset"))
				} else {
					assert.Empty(t, got.header.Values("X-RateLimit-Limit"))
				}
			}
			clk.Add(500 * time.Millisecond) // the wait rounds up to whole seconds
			got := send(t, http.MethodPost, url, body, bearer(fb.Member)...)
			require.Equal(t, 429, got.status)
			assert.Equal(t, `{"success":false,"error":"Too many requests"}`, got.body)
			assert.Equal(t, tc.want.retryAfter, got.header.Get("Retry-After"))
			if tc.want.rlHeaders {
				assert.Equal(t, "0", got.header.Get("X-RateLimit-Remaining"))
				assert.Equal(t, resetMS, got.header.Get("X-RateLimit-Reset"))
			} else {
				assert.Empty(t, got.header.Values("X-RateLimit-Reset"))
			}
			assert.Equal(t, 1, fb.RateLimited())

			clk.Add(1500 * time.Millisecond) // the window has ended
			assert.Equal(t, 200, send(t, http.MethodPost, url, body, bearer(fb.Member)...).status)

			fb.SetRateLimit(0, 0, tc.hints) // off
			for range 3 {
				got := send(t, http.MethodPost, url, body, bearer(fb.Member)...)
				assert.Equal(t, 200, got.status)
				assert.Empty(t, got.header.Values("X-RateLimit-Limit"))
			}
			assert.Equal(t, 7, fb.Requests())
		})
	}
}

func TestConcurrentRequestsAreCountedExactly(t *testing.T) {
	const workers, each, limit = 16, 25, 100
	eg := mfatest.NewEntryGuard(t, mfatest.WithClock(newClock().Now), mfatest.WithRateLimit(limit, time.Second, mfatest.HintBoth))
	ids := make([]string, workers*each)
	for i := range ids {
		ids[i] = eg.AddUser(mfatest.FakeUser{ID: uuidN(i), Role: "MEMBER", MFAEnabled: true}).ID
	}
	statuses := make([]int, len(ids))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w * each; i < (w+1)*each; i++ {
				statuses[i] = postStatus(t, eg.URL()+"/api/v1/users/"+ids[i]+"/reset-mfa", bearer(eg.Admin)...)
			}
		})
	}
	wg.Wait()

	ok, limited := 0, 0
	for i, s := range statuses {
		switch s {
		case 200:
			ok++
			assert.Equal(t, 1, eg.Resets(ids[i]))
		case 429:
			limited++
			assert.Equal(t, 0, eg.Resets(ids[i]))
		default:
			t.Errorf("request %d: status %d", i, s)
		}
	}
	assert.Equal(t, limit, ok)
	assert.Equal(t, len(ids)-limit, limited)
	assert.Equal(t, len(ids), eg.Requests())
	assert.Equal(t, limited, eg.RateLimited())
	assert.Len(t, eg.ResetCounts(), limit)
}

func uuidN(i int) string {
	return "00000000-0000-4000-8000-" + strings.Repeat("0", 8) + strconv.FormatInt(int64(1000+i), 10)
}

func TestUsersCanBeAddedAndChanged(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	require.Len(t, fb.Users(), 3)
	assert.Equal(t, []string{fb.Owner.ID, fb.Admin.ID, fb.Member.ID},
		[]string{fb.Users()[0].ID, fb.Users()[1].ID, fb.Users()[2].ID})
	assert.NotEqual(t, fb.Owner.Token, fb.Member.Token)

	bob := fb.AddUser(mfatest.FakeUser{ID: "bob", Role: "ADMINISTRATOR"})
	require.NotEmpty(t, bob.Token)
	got := send(t, http.MethodPost, fb.URL()+"/mfa/reset", `{"resetUserId":"`+fb.Member.ID+`"}`, bearer(bob)...)
	assert.Equal(t, 200, got.status)

	// Replacing a user retires its old token.
	fb.AddUser(mfatest.FakeUser{ID: "bob", Role: "MEMBER", Token: "new-token"})
	assert.Equal(t, 401, send(t, http.MethodPost, fb.URL()+"/mfa/reset", "", bearer(bob)...).status)
	u, ok := fb.User("bob")
	require.True(t, ok)
	assert.Equal(t, "MEMBER", u.Role)
	assert.Len(t, fb.Users(), 4)

	require.NoError(t, fb.SetMFA(fb.Member.ID, true))
	u, _ = fb.User(fb.Member.ID)
	assert.True(t, u.MFAEnabled)
	require.Error(t, fb.SetMFA("nobody", true))
	_, ok = fb.User("nobody")
	assert.False(t, ok)
}

func TestRemovedUserIsNotFoundAndLoggedOut(t *testing.T) {
	eg := mfatest.NewEntryGuard(t, mfatest.WithClock(newClock().Now))
	memberURL := eg.URL() + "/api/v1/users/" + eg.Member.ID + "/reset-mfa"

	require.True(t, eg.RemoveUser(eg.Member.ID))
	assert.False(t, eg.RemoveUser(eg.Member.ID), "already removed")
	require.Len(t, eg.Users(), 1)
	assert.Equal(t, eg.Admin.ID, eg.Users()[0].ID)

	got := send(t, http.MethodPost, memberURL, "", bearer(eg.Admin)...)
	assert.Equal(t, 404, got.status)
	assert.Contains(t, got.body, `"message":"User not found with id: `+eg.Member.ID+`"`)
	assert.Equal(t, 401, send(t, http.MethodPost, memberURL, "", bearer(eg.Member)...).status, "its token is gone too")
}

func TestFailNextWithoutBodyAndFlashbackDocumentedBodies(t *testing.T) {
	fb := mfatest.NewFlashback(t)
	url := fb.URL() + "/mfa/reset"
	fb.FailNext(1, mfatest.Failure{Status: http.StatusServiceUnavailable, NoBody: true, Body: "ignored",
		Header: http.Header{"Retry-After": {"2"}}})
	fb.FailNext(1, mfatest.Failure{Status: http.StatusTooManyRequests, NoBody: true})
	fb.FailNext(1, mfatest.Failure{Status: http.StatusForbidden})
	fb.FailNext(1, mfatest.Failure{Status: http.StatusNotFound})

	got := send(t, http.MethodPost, url, "", bearer(fb.Member)...)
	assert.Equal(t, answer{503, got.header, ""}, got)
	assert.Empty(t, got.header.Values("Content-Type"), "no body, no Content-Type")
	assert.Equal(t, "2", got.header.Get("Retry-After"))

	got = send(t, http.MethodPost, url, "", bearer(fb.Member)...)
	assert.Equal(t, answer{429, got.header, ""}, got)
	assert.Equal(t, 1, fb.RateLimited(), "a bodiless 429 is counted")

	// The seed's bodies for /mfa/reset, byte for byte.
	got = send(t, http.MethodPost, url, "", bearer(fb.Member)...)
	assert.Equal(t, answer{403, got.header, `{"success":false,"error":"Insufficient permissions. OWNER or ADMINISTRATOR role required to reset another user's MFA."}`}, got)
	got = send(t, http.MethodPost, url, "", bearer(fb.Member)...)
	assert.Equal(t, answer{404, got.header, `{"success":false,"error":"User not found"}`}, got)
	assert.Zero(t, fb.Resets(fb.Member.ID))
}

func TestWithAddrAndCleanup(t *testing.T) {
	var url string
	t.Run("inner", func(t *testing.T) {
		rc := mfatest.NewRocketChat(t, mfatest.WithAddr("127.0.0.1:0"))
		url = rc.URL()
		assert.Equal(t, 401, send(t, http.MethodPost, url+"/api/v1/users.resetTOTP", "").status)

		// The address is taken now.
		_, err := mfatest.StartFlashback(mfatest.WithAddr(strings.TrimPrefix(url, "http://")))
		require.Error(t, err)
	})
	_, err := http.Post(url+"/api/v1/users.resetTOTP", "", nil)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr, "the fake is closed when the test ends")
}

// BenchmarkFakeUnderRateLimit measures a fake answering concurrent clients
// while its limiter rejects most of them.
func BenchmarkFakeUnderRateLimit(b *testing.B) {
	fb := mfatest.NewFlashback(b, mfatest.WithRateLimit(100, time.Second, mfatest.HintBoth))
	url := fb.URL() + "/mfa/primary"
	b.SetParallelism(8) // 16 clients on 2 cores
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(`{"mfaType":"PASSKEY"}`))
			req.Header.Set("Authorization", "Bearer "+fb.Member.Token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.ReportMetric(float64(fb.RateLimited())/float64(fb.Requests()), "429/op")
}
