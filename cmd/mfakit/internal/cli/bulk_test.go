package cli

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder collects a bulk run's results.
type recorder struct {
	mu  sync.Mutex
	got []result
}

func (r *recorder) record(res result) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, res)
	return nil
}

func TestBulkInterruptLetsCallsInFlightFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, interrupt := context.WithCancel(t.Context())
		var started sync.WaitGroup
		started.Add(2)
		var rec recorder
		b := &bulk{
			users: []string{"u1", "u2", "u3", "u4", "u5"}, concurrency: 2, grace: time.Minute,
			call: func(ctx context.Context, user string) result {
				started.Done()
				time.Sleep(10 * time.Second) // a slow provider; the interrupt must not cut it off
				return newResult("p", opReset, user, ctx.Err(), 1, 10*time.Second)
			},
			record: rec.record,
		}
		go func() {
			started.Wait()
			interrupt()
		}()
		rep := b.run(ctx)

		assert.Equal(t, bulkReport{succeeded: 2, notStarted: 3, interrupted: true, exit: exitInterrupted}, rep)
		require.Len(t, rec.got, 2)
		assert.ElementsMatch(t, []string{"u1", "u2"}, []string{rec.got[0].User, rec.got[1].User})
		for _, r := range rec.got {
			assert.Equal(t, outcomeSucceeded, r.Outcome)
		}
	})
}

func TestBulkGracePeriodCutsOffStuckCalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, interrupt := context.WithCancel(t.Context())
		var rec recorder
		b := &bulk{
			users: []string{"u1", "u2", "u3"}, concurrency: 1, grace: 30 * time.Second,
			call: func(ctx context.Context, user string) result {
				interrupt()
				start := time.Now()
				<-ctx.Done() // a call that never answers
				return newResult("p", opReset, user, ctx.Err(), 1, time.Since(start))
			},
			record: rec.record,
		}
		rep := b.run(ctx)

		assert.Equal(t, bulkReport{failed: 1, notStarted: 2, interrupted: true, exit: exitInterrupted}, rep)
		require.Len(t, rec.got, 1)
		assert.Equal(t, outcomeInterrupted, rec.got[0].Outcome)
		assert.Equal(t, "context.Canceled", rec.got[0].ErrorClass)
		assert.Equal(t, int64(30_000), rec.got[0].DurationMS, "cut off when the grace period ended")
	})
}

func TestBulkRunsEveryUserOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		calls := map[string]int{}
		var rec recorder
		users := []string{"a", "b", "c", "d", "e", "f", "g"}
		b := &bulk{users: users, concurrency: 3, grace: time.Second,
			call: func(_ context.Context, user string) result {
				mu.Lock()
				calls[user]++
				mu.Unlock()
				time.Sleep(time.Second)
				return newResult("p", opReset, user, nil, 1, time.Second)
			},
			record: rec.record,
		}
		rep := b.run(t.Context())
		assert.Equal(t, bulkReport{succeeded: 7, exit: exitOK}, rep)
		for _, u := range users {
			assert.Equal(t, 1, calls[u], u)
		}
	})
}

func TestWorseExitCode(t *testing.T) {
	assert.Equal(t, exitAuth, worse(exitFailed, exitAuth))
	assert.Equal(t, exitAuth, worse(exitAuth, exitRateLimited))
	assert.Equal(t, exitRateLimited, worse(exitFailed, exitRateLimited))
	assert.Equal(t, exitFailed, worse(exitOK, exitFailed))
	assert.Equal(t, exitOK, worse(exitOK, exitOK))
}
