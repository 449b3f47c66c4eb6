package cli

import (
	"fmt"
	"io"
	"sync"
	"time"

	// progressbar draws the bar. It is chosen over mpb because a bulk run
	// has one bar, not many: progressbar does that in a few options (count,
	// rate, ETA, a description changed on the fly), is safe for concurrent
	// use, and is widely used and maintained. mpb's container and decorator
	// model is meant for many concurrent bars.
	"github.com/schollz/progressbar/v3"
)

// progress shows a bulk run's progress on a terminal.
type progress struct {
	bar  *progressbar.ProgressBar
	stop chan struct{}
	wg   sync.WaitGroup
}

// waitingForRateLimit is the bar's description while the client's
// rate-limit gate holds every worker back.
const waitingForRateLimit = "waiting for rate limit"

// newProgress draws a bar of total users on w, and watches limitedUntil to
// say when the run is waiting for the provider's rate limit. It draws
// nothing when w is not a terminal: the bar's redraws would litter a log.
func newProgress(w io.Writer, onTerminal bool, total int, limitedUntil func() time.Time) *progress {
	if !onTerminal || total == 0 {
		return nil
	}
	p := &progress{
		bar: progressbar.NewOptions(total,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("resetting"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("users"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
		),
		stop: make(chan struct{}),
	}
	p.wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		waiting := false
		for {
			select {
			case <-p.stop:
				return
			case <-tick.C:
			}
			if now := time.Now().Before(limitedUntil()); now != waiting {
				waiting = now
				if waiting {
					p.bar.Describe(waitingForRateLimit)
				} else {
					p.bar.Describe("resetting")
				}
			}
		}
	})
	return p
}

// add counts one finished user. A nil progress does nothing.
func (p *progress) add() {
	if p != nil {
		_ = p.bar.Add(1)
	}
}

// close stops watching the gate and ends the bar's line, leaving it as it
// is (an interrupted run is not shown as complete).
func (p *progress) close() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	_ = p.bar.Exit()
}
