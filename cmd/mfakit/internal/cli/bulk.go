package cli

import (
	"context"
	"sync"
	"time"
)

// interruptGrace is how long the calls in flight may still run after an
// interrupt. They are not cancelled at once: a call cut off after it
// reached the provider has an unknown outcome, and a resumed run would send
// that reset again. Each call is bounded anyway by the SDK's per-attempt
// timeout and wait budget; a second signal ends the process at once.
const interruptGrace = 30 * time.Second

// bulk runs one call per user on a fixed number of workers.
type bulk struct {
	users       []string
	concurrency int
	grace       time.Duration
	// call runs one user. Its context is not cancelled by an interrupt, only
	// when the grace period after it has passed.
	call func(ctx context.Context, user string) result
	// record is called for each result as it finishes, on one goroutine.
	// An error stops the run: what cannot be recorded must not go on.
	record func(result) error
	// done is called after each result is recorded, for the progress bar.
	done func()
}

// bulkReport is what a bulk run did.
type bulkReport struct {
	succeeded, failed, notStarted int
	interrupted                   bool
	exit                          int
	// stopped says why the run stopped starting users early, "" if it did not.
	stopped string
}

// run starts users in order until all have run, ctx is cancelled (an
// interrupt), or a result shows that no later call can succeed (401, 403,
// 2FA refused, a rate limit beyond the budget). Users already started always
// finish and are recorded.
func (b *bulk) run(ctx context.Context) bulkReport {
	// stopCtx ends the starting of users; callCtx ends the calls themselves,
	// only a grace period after an interrupt.
	stopCtx, stop := context.WithCancel(ctx)
	defer stop()
	callCtx, hardStop := context.WithCancel(context.WithoutCancel(ctx))
	defer hardStop()
	finished := make(chan struct{})
	defer close(finished)
	go func() {
		select {
		case <-ctx.Done():
		case <-finished:
			return
		}
		t := time.NewTimer(b.grace)
		defer t.Stop()
		select {
		case <-t.C:
			hardStop()
		case <-finished:
		}
	}()

	jobs := make(chan string)
	go func() {
		defer close(jobs)
		for _, u := range b.users {
			if stopCtx.Err() != nil {
				return
			}
			select {
			case jobs <- u:
			case <-stopCtx.Done():
				return
			}
		}
	}()
	results := make(chan result)
	var wg sync.WaitGroup
	for range max(b.concurrency, 1) {
		wg.Go(func() {
			for u := range jobs {
				// A job taken just as the run stopped is not started.
				if stopCtx.Err() != nil {
					continue
				}
				r := b.call(callCtx, u)
				// Stop here, not when the result is recorded: this worker
				// must not take another user meanwhile.
				if _, fatal := r.exitCode(); fatal {
					stop()
				}
				results <- r
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	rep := bulkReport{exit: exitOK}
	for r := range results {
		if err := b.record(r); err != nil {
			rep.exit = max(rep.exit, exitFailed)
			rep.stopped = err.Error()
			stop()
		}
		if b.done != nil {
			b.done()
		}
		if r.Outcome == outcomeSucceeded {
			rep.succeeded++
			continue
		}
		rep.failed++
		code, fatal := r.exitCode()
		rep.exit = worse(rep.exit, code)
		if fatal && rep.stopped == "" {
			rep.stopped = r.ErrorClass + " from " + r.Provider + ": no later user can succeed"
		}
	}
	rep.notStarted = len(b.users) - rep.succeeded - rep.failed
	if ctx.Err() != nil {
		rep.interrupted = true
		rep.exit = exitInterrupted
	}
	return rep
}

// worse picks the exit code that tells the caller more: authentication over
// rate limiting over plain failures.
func worse(a, b int) int {
	rank := func(c int) int {
		switch c {
		case exitInterrupted:
			return 5
		case exitUsage:
			return 4
		case exitAuth:
			return 3
		case exitRateLimited:
			return 2
		case exitFailed:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}
