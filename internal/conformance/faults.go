package conformance

// Guarantee "One client is safe to share" (README, Security and
// reliability).

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testFaults: one client shared by many goroutines gives each call its own
// right outcome while the server mixes successes, rate limits, server
// errors and unknown users.
func testFaults(t *testing.T, p Provider) {
	t.Run("SharedClientUnderLoad", func(t *testing.T) { testSharedClientUnderLoad(t, p) })
}

// A plan is how the server treats one user ID, and what the caller must get.
type plan int

const (
	planOK              plan = iota // 200
	planNotFound                    // 404
	planRateLimitOnce               // 429, then 200
	planRateLimited                 // 429 every time
	planServerErrorOnce             // 503, then 200
	planServerError                 // 500 every time
	planCount
)

// loadID is the plan's plain user ID: a UUID, which the provider's IDFor
// turns into its own form; the server finds either in the request.
func loadID(i int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", i) }

// testSharedClientUnderLoad: 64 goroutines share one client; each resets
// four users whose plans differ; every call's error (or success) and
// attempt count are checked against its plan, and so is what the server
// saw per user. Run with -race, this also checks the client's shared state.
func testSharedClientUnderLoad(t *testing.T, p Provider) {
	const goroutines, perGoroutine = 64, 4
	var mu sync.Mutex
	seen := map[string]int{} // requests per user ID
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, i := p.findLoadID(r.URL.RequestURI()+" "+string(body), goroutines*perGoroutine)
		mu.Lock()
		seen[id]++
		n := seen[id]
		mu.Unlock()
		switch plan(i % int(planCount)) {
		case planOK:
			p.Success(w)
		case planNotFound:
			p.notFound(w)
		case planRateLimitOnce:
			if n == 1 {
				p.errorAnswer(w, http.StatusTooManyRequests)
				return
			}
			p.Success(w)
		case planRateLimited:
			p.errorAnswer(w, http.StatusTooManyRequests)
		case planServerErrorOnce:
			if n == 1 {
				statusJSON(w, http.StatusServiceUnavailable, `<html>busy</html>`)
				return
			}
			p.Success(w)
		case planServerError:
			statusJSON(w, http.StatusInternalServerError, `{"success":false,"error":"Failed to reset MFA"}`)
		}
	})
	ts := httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, mfaclient.WithRetry(fastRetry))
	require.NoError(t, err)

	errs := make([]error, goroutines*perGoroutine)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for k := range perGoroutine {
				i := g*perGoroutine + k
				errs[i] = c.ResetMFA(bg(), p.idFor(loadID(i)))
			}
		})
	}
	wg.Wait()

	all := fastRetry.MaxRetries + 1
	for i, err := range errs {
		id := loadID(i)
		pl := plan(i % int(planCount))
		wantRequests := 1
		switch pl {
		case planOK:
			assert.NoError(t, err, id)
		case planNotFound:
			requireAPIError(t, err, p.notFoundStatus(), mfaclient.ErrNotFound, 1)
		case planRateLimitOnce:
			assert.NoError(t, err, "%s: the 429 is retried", id)
			wantRequests = 2
		case planRateLimited:
			requireAPIError(t, err, http.StatusTooManyRequests, mfaclient.ErrRateLimited, all)
			wantRequests = all
		case planServerErrorOnce:
			if p.ResetIdempotent {
				assert.NoError(t, err, "%s: the 503 is retried", id)
				wantRequests = 2
			} else {
				requireAPIError(t, err, http.StatusServiceUnavailable, mfaclient.ErrServer, 1)
			}
		case planServerError:
			if p.ResetIdempotent {
				wantRequests = all
			}
			requireAPIError(t, err, http.StatusInternalServerError, mfaclient.ErrServer, wantRequests)
		}
		mu.Lock()
		assert.Equal(t, wantRequests, seen[id], "%s: requests the server saw", id)
		mu.Unlock()
	}
	mu.Lock()
	assert.Len(t, seen, goroutines*perGoroutine, "every user was asked for, and nobody else")
	mu.Unlock()
}
