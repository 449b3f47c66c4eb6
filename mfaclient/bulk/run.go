package bulk

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
)

// group is one provider's share of a run.
type group struct {
	tasks []Task
	// ctx ends the starting of this provider's tasks.
	ctx  context.Context
	stop context.CancelFunc

	mu      sync.Mutex
	streak  int // unrelated failures in a row
	stopped *StopError
}

// judge applies the stop rules to a finished call.
func (g *group) judge(provider string, brake int, res Result) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case res.Outcome == Interrupted:
		return
	case Fatal(res.Err):
		g.streak = 0
		if g.stopped == nil {
			g.stopped = &StopError{Provider: provider, Err: res.Err}
			g.stop()
		}
	case Unrelated(res.Err):
		g.streak++
		if brake > 0 && g.streak >= brake && g.stopped == nil {
			g.stopped = &StopError{Provider: provider, Brake: g.streak, Err: res.Err}
			g.stop()
		}
	default:
		g.streak = 0
	}
}

// Run runs every task and returns what happened. It returns when every
// started task has been recorded.
func (r *Runner) Run(ctx context.Context, tasks []Task) Report {
	conc := r.Concurrency
	if conc <= 0 {
		conc = DefaultConcurrency
	}
	grace := r.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	brake := r.Brake
	if brake == 0 {
		brake = DefaultBrake
	}

	// runCtx ends the starting of any task: an interrupt or a failed record.
	runCtx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	calls := newTracker(context.WithoutCancel(ctx))

	var order []string
	groups := make(map[string]*group)
	for _, t := range tasks {
		g, ok := groups[t.Provider]
		if !ok {
			g = new(group)
			g.ctx, g.stop = context.WithCancel(runCtx)
			defer g.stop()
			groups[t.Provider] = g
			order = append(order, t.Provider)
		}
		g.tasks = append(g.tasks, t)
	}

	finished, watched := make(chan struct{}), make(chan struct{})
	defer func() {
		close(finished)
		<-watched // OnInterrupt has returned before Run does
	}()
	go func() {
		defer close(watched)
		select {
		case <-ctx.Done():
		case <-finished:
			return
		}
		n := calls.interrupt()
		if r.OnInterrupt != nil {
			r.OnInterrupt(n)
		}
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-t.C:
			calls.cancelAll()
		case <-finished:
		}
	}()

	results := make(chan Result)
	var wg sync.WaitGroup
	for _, name := range order {
		g := groups[name]
		jobs := make(chan Task)
		wg.Go(func() {
			defer close(jobs)
			for _, t := range g.tasks {
				select {
				case jobs <- t:
				case <-g.ctx.Done():
					return
				}
			}
		})
		for range conc {
			wg.Go(func() {
				for t := range jobs {
					// A task taken just as the run stopped is not started.
					if g.ctx.Err() != nil {
						continue
					}
					c := calls.begin()
					if c == nil {
						continue
					}
					res, sent := r.call(c, t)
					calls.end(c)
					if !sent {
						continue // cancelled before any request left: not started
					}
					// Judge here, not when recorded: this worker must not
					// take another task of a stopped provider meanwhile.
					g.judge(name, brake, res)
					results <- res
				}
			})
		}
	}
	go func() {
		wg.Wait()
		close(results)
	}()

	rep := Report{Providers: make([]ProviderReport, len(order))}
	index := make(map[string]int, len(order))
	for i, name := range order {
		index[name] = i
		rep.Providers[i] = ProviderReport{Provider: name, Tasks: len(groups[name].tasks)}
	}
	for res := range results {
		if rep.RecordErr == nil {
			if err := r.Record(res); err != nil {
				rep.RecordErr = err
				stopAll()
			}
		}
		p := &rep.Providers[index[res.Provider]]
		switch res.Outcome {
		case Succeeded:
			p.Succeeded++
		case AlreadyOff:
			p.AlreadyOff++
		case Interrupted:
			p.Interrupted++
		default:
			p.Failed++
		}
	}
	for i, name := range order {
		p := &rep.Providers[i]
		p.NotStarted = p.Tasks - p.Succeeded - p.AlreadyOff - p.Failed - p.Interrupted
		p.Stopped = groups[name].stopped
	}
	rep.Interrupted = ctx.Err() != nil
	return rep
}

// call runs one task on c. It reports false when the task was cancelled
// before any request was sent (known only through Transport).
func (r *Runner) call(c *call, t Task) (Result, bool) {
	start := time.Now()
	err := r.Do(c.ctx, t)
	res := Result{Task: t, Outcome: OutcomeOf(err), Err: err, Start: start, Duration: time.Since(start)}
	attempts, requestID := c.counts()
	var api *mfaclient.APIError
	var op *mfaclient.OpError
	switch {
	case errors.As(err, &api):
		res.Attempts, res.RequestID = max(api.Attempts, attempts), api.RequestID
	case errors.As(err, &op):
		res.Attempts = max(op.Attempts, attempts)
	default:
		res.Attempts = attempts
	}
	if res.RequestID == "" {
		res.RequestID = requestID
	}
	if c.t.wired.Load() && res.Attempts == 0 && res.Outcome == Interrupted {
		return res, false
	}
	return res, true
}
