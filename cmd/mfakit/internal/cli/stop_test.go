package cli

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// interruptWhen cancels the returned context once cond holds.
func interruptWhen(t *testing.T, cond func() bool) context.Context {
	ctx, interrupt := context.WithCancel(t.Context())
	t.Cleanup(interrupt)
	go func() {
		for !cond() {
			select {
			case <-ctx.Done():
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
		interrupt()
	}()
	return ctx
}

func seedUsers(f mfatest.Seeder, n int) []string {
	return mfatest.SeedUsers(f, n)
}

// The first interrupt: a message at once with the calls in flight, nothing
// new started, and the two calls on the wire finish and are recorded.
func TestInterruptSaysWhatIsInFlightAndStartsNothingNew(t *testing.T) {
	t.Parallel()
	fb := mfatest.NewFlashback(t, mfatest.WithLatency(300*time.Millisecond))
	users := seedUsers(fb, 6)
	ctx := interruptWhen(t, func() bool { return fb.Requests() >= 2 })
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(ctx,
		append([]string{"reset", "--provider", "flashback", "--concurrency", "2", "--output", "json"}, users...)...)

	require.Equal(t, exitInterrupted, out.code, out.stderr)
	assert.Contains(t, out.stderr, "mfakit: interrupted: starting nothing new; 2 calls in flight, given up to 30s to finish (Ctrl-C again to stop at once)\n")
	rs := results(t, out.stdout)
	require.Len(t, rs, 2)
	for _, r := range rs {
		assert.Equal(t, outcomeSucceeded, r.Outcome, "the calls on the wire finished")
	}
	assert.Equal(t, 2, fb.Requests(), "nothing was sent after the interrupt")
	assertSummary(t, out.stderr, "flashback", 6, 2, 0, 0, 4)
}

// Calls queued behind a rate-limit wait are not sent after an interrupt:
// they are cancelled at once, not 60 seconds later.
func TestInterruptCancelsCallsWaitingForARateLimit(t *testing.T) {
	t.Parallel()
	fb := mfatest.NewFlashback(t, mfatest.WithRateLimit(2, time.Minute, mfatest.HintRetryAfterSeconds))
	users := seedUsers(fb, 6)
	// Interrupt once a 429 came back and the workers settled into waiting.
	var atInterrupt atomic.Int32
	ctx := interruptWhen(t, func() bool {
		if fb.RateLimited() == 0 {
			return false
		}
		time.Sleep(100 * time.Millisecond)
		atInterrupt.Store(int32(fb.Requests()))
		return true
	})
	out := invocation{env: flashbackEnv(fb, fb.Admin.Token)}.run(ctx,
		append([]string{"reset", "--provider", "flashback", "--concurrency", "2", "--output", "json"}, users...)...)

	require.Equal(t, exitInterrupted, out.code, out.stderr)
	assert.Contains(t, out.stderr, "mfakit: interrupted: starting nothing new; 0 calls in flight")
	assert.Equal(t, int(atInterrupt.Load()), fb.Requests(), "nothing sent after the interrupt")
	resets := 0
	for _, u := range users {
		resets += fb.Resets(u)
	}
	assert.Equal(t, 2, resets, "the window's two requests")
	rs := byUser(results(t, out.stdout))
	succeeded := 0
	for _, r := range rs {
		if r.Outcome == outcomeSucceeded {
			succeeded++
			continue
		}
		// The call that met the 429 was waiting to retry: its outcome is
		// recorded as interrupted, so --resume tries it again.
		assert.Equal(t, outcomeInterrupted, r.Outcome)
		assert.Equal(t, 1, r.Attempts)
	}
	assert.Equal(t, 2, succeeded)
}

// A call on the wire when the grace period ends is cut off and recorded as
// interrupted: whether the provider acted is unknown.
func TestInterruptGraceCutsOffAndRecords(t *testing.T) {
	t.Parallel()
	fb := mfatest.NewFlashback(t, mfatest.WithLatency(time.Minute))
	ctx := interruptWhen(t, func() bool { return fb.Requests() >= 1 })
	in := invocation{env: flashbackEnv(fb, fb.Admin.Token), grace: 50 * time.Millisecond}
	out := in.run(ctx, "reset", "--provider", "flashback", "--concurrency", "1", "--output", "json", fb.Member.ID, fb.Owner.ID)

	require.Equal(t, exitInterrupted, out.code, out.stderr)
	rs := results(t, out.stdout)
	require.Len(t, rs, 1)
	assert.Equal(t, outcomeInterrupted, rs[0].Outcome)
	assert.Equal(t, "context.Canceled", rs[0].ErrorClass)
	assertCounts(t, out.stderr, "flashback", counts{users: 2, interrupted: 1, notStarted: 1})
	assert.Contains(t, out.stderr, "given up to 50ms to finish")
}

// After five failures in a row that say nothing about the users, the run
// stops and says why, instead of printing a line per user.
func TestBrakeStopsARunAgainstTheWrongServer(t *testing.T) {
	t.Parallel()
	srv, hits := newHTMLServer(t)
	users := make([]string, 20)
	for i := range users {
		users[i] = fmt.Sprintf("u%d", i)
	}
	env := map[string]string{"FLASHBACK_TOKEN": "t0ken-value", "FLASHBACK_URL": srv}
	out := invocation{env: env}.run(t.Context(), append([]string{"reset", "--provider", "flashback", "--concurrency", "1", "--output", "json"}, users...)...)

	require.Equal(t, exitFailed, out.code, out.stderr)
	assert.Len(t, results(t, out.stdout), 5)
	assert.Equal(t, int32(5), hits.Load())
	assert.Contains(t, out.stderr, "mfakit: stopped flashback: 5 failures in a row that say nothing about the users (the last: ErrUnexpectedResponse): is FLASHBACK_URL right? is Flashback up?\n")
	assertSummary(t, out.stderr, "flashback", 20, 0, 5, 0, 15)

	hits.Store(0)
	out = invocation{env: env}.run(t.Context(), append([]string{"reset", "--provider", "flashback", "--concurrency", "1", "--brake", "2"}, users...)...)
	assert.Equal(t, exitFailed, out.code)
	assert.Equal(t, int32(2), hits.Load())
}

// newHTMLServer answers every request with a proxy's HTML page, and counts
// them.
func newHTMLServer(t *testing.T) (string, *atomic.Int32) {
	hits := new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, "<html><body>Welcome to nginx!</body></html>")
	}))
	t.Cleanup(srv.Close)
	return srv.URL, hits
}
