package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress shows a bulk run's progress on stderr: on a terminal, one line
// redrawn in place and cleared before each result line, so the two never
// mix; off a terminal, a plain line every so often, for a log.
type progress struct {
	w        io.Writer
	terminal bool
	total    int
	waiting  func() bool // a provider's rate-limit gate is closed
	start    time.Time

	mu    sync.Mutex
	done  int
	drawn bool

	stop chan struct{}
	wg   sync.WaitGroup
}

// waitingForRateLimit is added to the bar while a rate limit holds the
// workers back.
const waitingForRateLimit = "waiting for rate limit"

// barRedraw is how often the bar is redrawn between results, to show a
// rate-limit wait as it happens.
const barRedraw = 200 * time.Millisecond

// newProgress starts showing the progress of total users: a bar when
// onTerminal, else a line every `every`. It returns nil (which shows
// nothing) when disabled or when there is nothing to run.
func newProgress(w io.Writer, onTerminal, enabled bool, every time.Duration, total int, waiting func() bool) *progress {
	if !enabled || total == 0 {
		return nil
	}
	p := &progress{w: w, terminal: onTerminal, total: total, waiting: waiting, start: time.Now(), stop: make(chan struct{})}
	tick := every
	if onTerminal {
		tick = barRedraw
	}
	p.wg.Go(func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
			p.mu.Lock()
			if p.terminal {
				p.draw()
			} else {
				fmt.Fprintf(p.w, "mfakit: progress: %s\n", p.status())
			}
			p.mu.Unlock()
		}
	})
	return p
}

// status is "3/6 users, 1.5 users/s, ETA 2s". The rate is done over the
// time since the start, rate-limit waits included, so the ETA counts them;
// before the first second and the first user there is no rate and no ETA.
func (p *progress) status() string {
	s := fmt.Sprintf("%d/%d users", p.done, p.total)
	elapsed := time.Since(p.start)
	// A rate over less than a second is noise (the first user's 1ms
	// answer is not 1,000 users/s): none is shown before.
	if p.done > 0 && elapsed >= time.Second {
		rate := float64(p.done) / elapsed.Seconds()
		eta := time.Duration(float64(p.total-p.done) / rate * float64(time.Second))
		s += fmt.Sprintf(", %.1f users/s, ETA %s", rate, eta.Round(time.Second))
	}
	if p.waiting != nil && p.waiting() {
		s += ", " + waitingForRateLimit
	}
	return s
}

// draw redraws the bar; the caller holds mu.
func (p *progress) draw() {
	fmt.Fprintf(p.w, "\r\x1b[Kresetting %s", p.status())
	p.drawn = true
}

// add counts one finished user.
func (p *progress) add() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if p.terminal {
		p.draw()
	}
}

// clear removes the bar before a result line is written.
func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// close stops the progress and ends the bar's line, leaving it as it is
// (an interrupted run is not shown as complete).
func (p *progress) close() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.terminal {
		p.draw()
		fmt.Fprintln(p.w)
	}
}
