package conformance

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// burstRetry allows three retries with waits of milliseconds.
var burstRetry = mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 3, MinWait: time.Millisecond, MaxWait: 10 * time.Millisecond})

// fakeProvider is one provider's stateful fake and a client of it acting
// as an administrator on a user with MFA on.
type fakeProvider struct {
	name       string
	idempotent bool // a 5xx on ResetMFA is retried
	start      func(t *testing.T, opts ...mfaclient.Option) (fake *mfatest.Fake, c mfaclient.Resetter, target string)
}

var fakeProviders = []fakeProvider{
	{"flashback", true, func(t *testing.T, opts ...mfaclient.Option) (*mfatest.Fake, mfaclient.Resetter, string) {
		fb := mfatest.NewFlashback(t, mfatest.WithoutRateLimit())
		c, err := flashback.New(fb.Owner.Token, append([]mfaclient.Option{mfaclient.WithBaseURL(fb.URL())}, opts...)...)
		require.NoError(t, err)
		return fb.Fake, c, fb.Member.ID
	}},
	{"entryguard", false, func(t *testing.T, opts ...mfaclient.Option) (*mfatest.Fake, mfaclient.Resetter, string) {
		eg := mfatest.NewEntryGuard(t, mfatest.WithoutRateLimit())
		c, err := entryguard.New(eg.Admin.Token, append([]mfaclient.Option{mfaclient.WithBaseURL(eg.URL())}, opts...)...)
		require.NoError(t, err)
		return eg.Fake, c, eg.Member.ID
	}},
	{"rocketchat", true, func(t *testing.T, opts ...mfaclient.Option) (*mfatest.Fake, mfaclient.Resetter, string) {
		rc := mfatest.NewRocketChat(t, mfatest.WithoutRateLimit(), mfatest.WithoutTwoFactorChallenge())
		c, err := rocketchat.New(rc.URL(), rocketchat.Credentials{UserID: rc.Admin.ID, AuthToken: rc.Admin.Token}, opts...)
		require.NoError(t, err)
		return rc.Fake, c, rc.Member.ID
	}},
}

// attemptStatuses are the statuses of the attempts the logger recorded.
func attemptStatuses(h *recordHandler) []int64 {
	var out []int64
	for _, r := range h.all() {
		if r["msg"] == "mfakit: attempt" {
			s, _ := r["status"].(int64)
			out = append(out, s)
		}
	}
	return out
}

// A burst of failures that ends within the retry budget is a success: the
// reset happens once, after every failed attempt was sent and counted. A
// 429 is always retried; a 5xx only where repeating the reset is harmless
// (not EntryGuard, see TestEntryGuardAmbiguousReset). A burst longer than
// the budget is the last failure, with every attempt counted.
func TestFaultBursts(t *testing.T) {
	for _, fp := range fakeProviders {
		t.Run(fp.name, func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				burst []int
			}{
				{"ServerErrors", []int{503, 503, 503}},
				{"Mixed", []int{502, 429, 504}},
				{"RateLimited", []int{429, 429, 429}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					logs := &recordHandler{}
					fake, c, target := fp.start(t, burstRetry, mfaclient.WithLogger(slog.New(logs)))
					for _, status := range tc.burst {
						fake.FailNext(1, mfatest.Failure{Status: status})
					}
					err := c.ResetMFA(bg(), target)

					only429 := tc.burst[0] == 429 && tc.burst[1] == 429
					if fp.idempotent || only429 {
						require.NoError(t, err, "the burst ends within the budget")
						assert.Equal(t, len(tc.burst)+1, fake.Requests(), "every attempt reached the fake")
						assert.Equal(t, 1, fake.Resets(target))
						want := make([]int64, 0, len(tc.burst)+1)
						for _, s := range tc.burst {
							want = append(want, int64(s))
						}
						assert.Equal(t, append(want, 200), attemptStatuses(logs), "attempts counted, in order")
						return
					}
					// EntryGuard: the first 5xx may have come after the reset happened.
					requireAPIError(t, err, tc.burst[0], mfaclient.ErrServer, 1)
					assert.Equal(t, 1, fake.Requests())
					assert.Zero(t, fake.Resets(target), "the fake answered instead of resetting")
				})
			}
			t.Run("BeyondBudget", func(t *testing.T) {
				fake, c, target := fp.start(t, burstRetry)
				fake.FailNext(4, mfatest.Failure{Status: http.StatusBadGateway})
				want := 4
				if !fp.idempotent {
					want = 1
				}
				requireAPIError(t, c.ResetMFA(bg(), target), http.StatusBadGateway, mfaclient.ErrServer, want)
				assert.Equal(t, want, fake.Requests())
				assert.Zero(t, fake.Resets(target))
			})
		})
	}
}

// lossyProxy sits in front of a fake: it forwards every request, so the
// fake acts on it, but loses the first answer in the way lose says.
type lossyProxy struct {
	target    string
	lose      func(w http.ResponseWriter, r *http.Request)
	n         atomic.Int32
	forwarded chan struct{} // closed once the first request reached the fake
}

func (p *lossyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	// Not r.Context(): the fake acts even when the client has given up.
	out, err := http.NewRequestWithContext(context.Background(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	out.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(out)
	if err != nil {
		panic(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if p.n.Add(1) == 1 {
		close(p.forwarded)
		p.lose(w, r)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer)
}

// EntryGuard's reset is not idempotent: a second reset of the same user
// answers 400 "MFA is not enabled". When the first attempt reached
// EntryGuard and its answer was lost (a 502 from a gateway, a reset
// connection, the attempt timeout), the SDK does not retry, so the caller
// never gets a false ErrMFANotEnabled: it gets ErrServer or ErrNetwork, and
// calling again tells what happened (entryguard.Client.ResetMFA documents
// this). When the answer was a failure from EntryGuard itself (the reset
// did not happen), calling again resets.
func TestEntryGuardAmbiguousReset(t *testing.T) {
	lost := []struct {
		name  string
		lose  func(w http.ResponseWriter, r *http.Request)
		class error
	}{
		{"AnswerLostAs502", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, "<html><h1>502 Bad Gateway</h1></html>")
		}, mfaclient.ErrServer},
		{"AnswerLostAsReset", func(w http.ResponseWriter, _ *http.Request) { resetConn(w, "") }, mfaclient.ErrNetwork},
		{"AnswerLostAsTimeout", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, mfaclient.ErrNetwork},
	}
	for _, tc := range lost {
		t.Run(tc.name, func(t *testing.T) {
			eg := mfatest.NewEntryGuard(t, mfatest.WithoutRateLimit())
			proxy := &lossyProxy{target: eg.URL(), lose: tc.lose, forwarded: make(chan struct{})}
			ps := httptest.NewServer(proxy)
			t.Cleanup(ps.Close)
			c, err := entryguard.New(eg.Admin.Token, mfaclient.WithBaseURL(ps.URL), burstRetry,
				mfaclient.WithAttemptTimeout(200*time.Millisecond))
			require.NoError(t, err)

			err = c.ResetMFA(bg(), eg.Member.ID)
			<-proxy.forwarded
			assert.False(t, isOnly(err, mfaclient.ErrMFANotEnabled), "never a false ErrMFANotEnabled: %v", err)
			assert.True(t, isOnly(err, tc.class), "want %v, got %v", tc.class, err)
			assert.Equal(t, 1, eg.Requests(), "not retried: the reset reached EntryGuard")
			assert.Equal(t, 1, eg.Resets(eg.Member.ID), "the reset happened")
			u, _ := eg.User(eg.Member.ID)
			assert.False(t, u.MFAEnabled)

			// Calling again tells: MFA is off.
			err = c.ResetMFA(bg(), eg.Member.ID)
			requireAPIError(t, err, http.StatusBadRequest, mfaclient.ErrMFANotEnabled, 1)
			assert.Equal(t, 1, eg.Resets(eg.Member.ID))
		})
	}

	// The failure came from EntryGuard, or the attempt ended before it
	// acted: nothing happened, and calling again resets.
	notReached := []struct {
		name    string
		fail    func(eg *mfatest.EntryGuardFake)
		class   error
		timeout time.Duration
	}{
		// The default attempt timeout: a short one could end this attempt
		// on a loaded machine before the 500 came.
		{"ServerError", func(eg *mfatest.EntryGuardFake) {
			eg.FailNext(1, mfatest.Failure{Status: http.StatusInternalServerError})
		}, mfaclient.ErrServer, mfaclient.DefaultAttemptTimeout},
		{"LatencyBeyondAttemptTimeout", func(eg *mfatest.EntryGuardFake) { eg.SetLatency(time.Minute) }, mfaclient.ErrNetwork, 50 * time.Millisecond},
	}
	for _, tc := range notReached {
		t.Run(tc.name, func(t *testing.T) {
			eg := mfatest.NewEntryGuard(t, mfatest.WithoutRateLimit())
			c, err := entryguard.New(eg.Admin.Token, mfaclient.WithBaseURL(eg.URL()), burstRetry,
				mfaclient.WithAttemptTimeout(tc.timeout))
			require.NoError(t, err)
			tc.fail(eg)
			err = c.ResetMFA(bg(), eg.Member.ID)
			assert.True(t, isOnly(err, tc.class), "want %v, got %v", tc.class, err)
			assert.Equal(t, 1, eg.Requests(), "not retried")
			assert.Zero(t, eg.Resets(eg.Member.ID))

			// Calling again resets: a client without the short attempt
			// timeout, so a loaded machine cannot turn this check into one
			// more timeout.
			eg.SetLatency(0)
			again, err := entryguard.New(eg.Admin.Token, mfaclient.WithBaseURL(eg.URL()), burstRetry)
			require.NoError(t, err)
			require.NoError(t, again.ResetMFA(bg(), eg.Member.ID), "calling again resets")
			assert.Equal(t, 1, eg.Resets(eg.Member.ID))
		})
	}
}
