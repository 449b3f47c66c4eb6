package transport

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
)

// endedAt starts an attempt and reports, on the channel, the bubble time its
// context ended and why.
type ending struct {
	at    time.Time
	cause error
}

func startAttempt(d *deadlines, parent context.Context) (*attemptClock, <-chan ending) {
	a := new(attemptClock)
	ctx := d.start(parent, a)
	ended := make(chan ending, 1)
	go func() {
		<-ctx.Done()
		ended <- ending{time.Now(), context.Cause(ctx)}
	}()
	return a, ended
}

// The one timer is armed for the oldest attempt; when it fires for one
// that already ended, the next attempt still gets exactly its own timeout,
// not the remainder of the first one's.
func TestDeadlinesBoundAnAttemptThatStartedAfterTheTimerWasArmed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &deadlines{timeout: 10 * time.Second}
		start := time.Now()
		first, firstEnded := startAttempt(d, context.Background())
		time.Sleep(3 * time.Second)
		d.stop(first)
		time.Sleep(2 * time.Second)
		_, ended := startAttempt(d, context.Background()) // at 5 s; the timer is due at 10 s

		e := <-ended
		assert.Equal(t, 15*time.Second, e.at.Sub(start), "the second attempt's deadline is 5 s + 10 s")
		assert.Equal(t, errAttemptTimeout, e.cause)
		assert.Equal(t, context.Canceled, (<-firstEnded).cause, "an attempt that ended is never a timeout")
	})
}

// Attempts in flight together each end at their own deadline, in order.
func TestDeadlinesBoundConcurrentAttemptsEachAtItsOwnTime(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &deadlines{timeout: 10 * time.Second}
		start := time.Now()
		var ended []<-chan ending
		for range 3 {
			_, e := startAttempt(d, context.Background())
			ended = append(ended, e)
			time.Sleep(time.Second)
		}
		for i, e := range ended {
			got := <-e
			assert.Equal(t, time.Duration(10+i)*time.Second, got.at.Sub(start), "attempt %d", i)
			assert.Equal(t, errAttemptTimeout, got.cause, "attempt %d", i)
		}
		assert.Nil(t, d.q.head, "the queue is empty once every attempt ended")
	})
}

// After the timer found nothing left to bound and was not armed again, the
// next attempt arms it: a client idle for a while still bounds its calls.
func TestDeadlinesBoundAnAttemptAfterAnIdleClient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &deadlines{timeout: 10 * time.Second}
		a, _ := startAttempt(d, context.Background())
		d.stop(a)
		time.Sleep(time.Minute) // the timer fired at 10 s and found no attempt
		synctest.Wait()
		assert.False(t, d.q.armed)

		start := time.Now()
		_, ended := startAttempt(d, context.Background())
		e := <-ended
		assert.Equal(t, 10*time.Second, e.at.Sub(start))
		assert.Equal(t, errAttemptTimeout, e.cause)
	})
}

// The caller's context ends an attempt at once, and that is not a timeout.
func TestDeadlinesCallerContextEndsTheAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &deadlines{timeout: 10 * time.Second}
		parent, cancel := context.WithCancel(context.Background())
		start := time.Now()
		a := new(attemptClock)
		ctx := d.start(parent, a)
		time.Sleep(time.Second)
		cancel()
		<-ctx.Done()
		assert.Equal(t, time.Second, time.Since(start))
		assert.False(t, timedOut(ctx, parent))
		d.stop(a)
		assert.Nil(t, d.q.head)
	})
}

// A client that sends without pause arms the timer about once per timeout,
// not once per attempt: that is the point of the queue.
func TestDeadlinesArmOneTimerPerTimeoutNotPerAttempt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		d := &deadlines{timeout: 10 * time.Second}
		start := time.Now()
		for range 10_000 {
			a := new(attemptClock)
			d.start(context.Background(), a)
			time.Sleep(10 * time.Millisecond)
			d.stop(a)
		}
		elapsed := time.Since(start) // 100 s
		assert.LessOrEqual(t, d.arms, 1+int(elapsed/d.timeout), "timers armed for 10,000 attempts over %s", elapsed)
	})
}

// A client used outside a synctest bubble, then inside one, then outside
// again (a test suite's shared client) still bounds every attempt on the
// clock it runs on: a timer belongs to the clock it was armed on, so an
// attempt inside the bubble must not wait for one armed outside it (which
// fires in real time, outside the bubble), and one after the bubble must
// not wait for one armed inside it (which never fires once the bubble is
// gone).
func TestDeadlinesSurviveASynctestBubble(t *testing.T) {
	d := &deadlines{timeout: 50 * time.Millisecond}
	a, _ := startAttempt(d, context.Background())
	d.stop(a) // the real-time timer is still armed

	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		_, ended := startAttempt(d, context.Background())
		e := <-ended
		assert.Equal(t, 50*time.Millisecond, e.at.Sub(start), "ended on the bubble's clock")
		assert.Equal(t, errAttemptTimeout, e.cause)
	})

	_, ended := startAttempt(d, context.Background())
	select {
	case e := <-ended:
		assert.Equal(t, errAttemptTimeout, e.cause)
	case <-time.After(10 * time.Second):
		t.Fatal("an attempt after the bubble was never bounded: it waited for the bubble's timer")
	}
}
