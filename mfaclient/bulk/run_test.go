package bulk

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// slowServer answers every request after delay with 200 and a request ID,
// without a network, so synctest controls its time.
type slowServer struct {
	delay time.Duration
	sent  atomic.Int32
}

func (s *slowServer) RoundTrip(req *http.Request) (*http.Response, error) {
	s.sent.Add(1)
	select {
	case <-time.After(s.delay):
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"X-Request-Id": {"req-" + req.URL.Path[1:]}},
		Body: http.NoBody, Request: req}, nil
}

// get sends one GET for t.User through hc; a gate of its own (a client's
// rate-limit wait) may hold it first.
func get(hc *http.Client, gate func(context.Context) error) func(context.Context, Task) error {
	return func(ctx context.Context, t Task) error {
		if gate != nil {
			if err := gate(ctx); err != nil {
				return err
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://provider.test/"+t.User, nil)
		if err != nil {
			return err
		}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		return resp.Body.Close()
	}
}

type sink struct {
	mu  sync.Mutex
	got []Result
}

func (s *sink) record(r Result) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.got = append(s.got, r)
	return nil
}

func tasks(provider string, users ...string) []Task {
	out := make([]Task, len(users))
	for i, u := range users {
		out[i] = Task{Provider: provider, User: u}
	}
	return out
}

// The first interrupt sends nothing new: the two calls on the wire finish
// and are recorded as done, the two waiting at a rate-limit gate are
// cancelled at once and never sent, the rest never start.
func TestInterruptSendsNothingNewAndLetsTheWireFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &slowServer{delay: 10 * time.Second}
		hc := &http.Client{Transport: Transport(srv)}
		var admitted atomic.Int32
		gate := func(ctx context.Context) error {
			if admitted.Add(1) <= 2 {
				return nil
			}
			<-ctx.Done() // the rate limit holds every later call
			return ctx.Err()
		}
		ctx, interrupt := context.WithCancel(t.Context())
		var inFlight []int
		var s sink
		r := &Runner{Do: get(hc, gate), Record: s.record, Concurrency: 4, Grace: time.Minute,
			OnInterrupt: func(n int) { inFlight = append(inFlight, n) }}
		go func() {
			time.Sleep(time.Second)
			synctest.Wait()
			interrupt()
		}()
		start := time.Now()
		rep := r.Run(ctx, tasks("p", "u1", "u2", "u3", "u4", "u5", "u6"))

		assert.Equal(t, []int{2}, inFlight, "told at once: two calls on the wire")
		assert.Equal(t, 10*time.Second, time.Since(start), "the wire finished; nothing waited for the gate")
		assert.Equal(t, int32(2), srv.sent.Load(), "no request after the interrupt")
		assert.True(t, rep.Interrupted)
		assert.Equal(t, []ProviderReport{{Provider: "p", Tasks: 6, Succeeded: 2, NotStarted: 4}}, rep.Providers)
		require.Len(t, s.got, 2)
		for _, res := range s.got {
			assert.Equal(t, Succeeded, res.Outcome)
			assert.Equal(t, 1, res.Attempts)
			assert.Equal(t, "req-"+res.User, res.RequestID)
		}
	})
}

// A call still on the wire when the grace period ends is cut off and
// recorded as Interrupted: its outcome is unknown.
func TestGraceCutsOffAndRecordsTheUnknown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := &slowServer{delay: time.Hour}
		hc := &http.Client{Transport: Transport(srv)}
		ctx, interrupt := context.WithCancel(t.Context())
		var s sink
		r := &Runner{Do: get(hc, nil), Record: s.record, Concurrency: 1, Grace: 30 * time.Second}
		go func() {
			time.Sleep(time.Second)
			interrupt()
		}()
		rep := r.Run(ctx, tasks("p", "u1", "u2"))

		require.Len(t, s.got, 1)
		assert.Equal(t, Interrupted, s.got[0].Outcome)
		assert.Equal(t, 31*time.Second, s.got[0].Duration)
		assert.Equal(t, []ProviderReport{{Provider: "p", Tasks: 2, Interrupted: 1, NotStarted: 1}}, rep.Providers)
	})
}

func classErr(class error) error {
	return &mfaclient.APIError{Provider: "p", Operation: "ResetMFA", StatusCode: 500, Class: class, Attempts: 1}
}

// Five failures in a row that say nothing about the users stop the
// provider's tasks; another provider in the same run goes on.
func TestBrakeStopsOneProvider(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls sync.Map
		var s sink
		r := &Runner{Concurrency: 1, Record: s.record, Do: func(_ context.Context, t Task) error {
			calls.Store(t.Provider+"/"+t.User, true)
			if t.Provider == "down" {
				return classErr(mfaclient.ErrServer)
			}
			return nil
		}}
		users := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
		rep := r.Run(t.Context(), append(tasks("down", users...), tasks("up", users...)...))

		require.Len(t, rep.Providers, 2)
		down := rep.Providers[0]
		require.NotNil(t, down.Stopped)
		assert.Equal(t, 5, down.Stopped.Brake)
		assert.ErrorIs(t, down.Stopped, mfaclient.ErrServer)
		assert.Contains(t, down.Stopped.Error(), "5 failures in a row that say nothing about the users (is the URL right? is the provider up?)")
		assert.Equal(t, ProviderReport{Provider: "down", Tasks: 8, Failed: 5, NotStarted: 3, Stopped: down.Stopped}, down)
		assert.Equal(t, ProviderReport{Provider: "up", Tasks: 8, Succeeded: 8}, rep.Providers[1])
		_, sixth := calls.Load("down/f")
		assert.False(t, sixth)
	})
}

// A user-specific failure between unrelated ones resets the brake; a fatal
// one stops at once.
func TestBrakeCountsOnlyFailuresInARowAndFatalStops(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errs := []error{classErr(mfaclient.ErrNetwork), classErr(mfaclient.ErrNetwork), classErr(mfaclient.ErrNotFound),
			classErr(mfaclient.ErrNetwork), classErr(mfaclient.ErrUnexpectedResponse), classErr(mfaclient.ErrForbidden), nil}
		var n atomic.Int32
		var s sink
		r := &Runner{Concurrency: 1, Brake: 3, Record: s.record, Do: func(context.Context, Task) error {
			return errs[n.Add(1)-1]
		}}
		rep := r.Run(t.Context(), tasks("p", "1", "2", "3", "4", "5", "6", "7"))
		require.NotNil(t, rep.Providers[0].Stopped)
		assert.Zero(t, rep.Providers[0].Stopped.Brake)
		assert.ErrorIs(t, rep.Providers[0].Stopped, mfaclient.ErrForbidden)
		assert.Equal(t, 6, rep.Providers[0].Failed)
		assert.Equal(t, 1, rep.Providers[0].NotStarted)
	})
}

func TestFatalClasses(t *testing.T) {
	for _, c := range []error{mfaclient.ErrUnauthorized, mfaclient.ErrForbidden, mfaclient.ErrSecondFactorRequired,
		mfaclient.ErrRateLimited, mfaclient.ErrUnsupported, mfaclient.ErrClientDefect} {
		assert.True(t, Fatal(classErr(c)), "%v", c)
		assert.False(t, Unrelated(classErr(c)), "%v", c)
	}
	for _, c := range []error{mfaclient.ErrNotFound, mfaclient.ErrInvalidInput, mfaclient.ErrMFANotEnabled} {
		assert.False(t, Fatal(classErr(c)), "%v", c)
		assert.False(t, Unrelated(classErr(c)), "%v", c)
	}
}

func TestAlreadyOffIsDone(t *testing.T) {
	err := classErr(mfaclient.ErrMFANotEnabled)
	assert.Equal(t, AlreadyOff, OutcomeOf(err))
	assert.True(t, AlreadyOff.Done())
	assert.True(t, Succeeded.Done())
	assert.False(t, Failed.Done())
	assert.False(t, Interrupted.Done())
	assert.Equal(t, Interrupted, OutcomeOf(&mfaclient.OpError{Err: context.Canceled}))

	var s sink
	r := &Runner{Record: s.record, Do: func(context.Context, Task) error { return err }}
	rep := r.Run(t.Context(), tasks("p", "a"))
	assert.Equal(t, []ProviderReport{{Provider: "p", Tasks: 1, AlreadyOff: 1}}, rep.Providers)
}

// What cannot be recorded must not go on.
func TestRecordErrorStopsTheRun(t *testing.T) {
	var started atomic.Int32
	r := &Runner{Concurrency: 1,
		Do:     func(context.Context, Task) error { started.Add(1); return nil },
		Record: func(Result) error { return errors.New("disk full") }}
	rep := r.Run(t.Context(), tasks("p", "a", "b", "c", "d"))
	assert.EqualError(t, rep.RecordErr, "disk full")
	assert.LessOrEqual(t, started.Load(), int32(2), "at most the one taken while the first was recorded")
	assert.False(t, strings.Contains(rep.RecordErr.Error(), "mfakit"))
}

// Without Transport the runner cannot tell a call on the wire from a
// waiting one: every started call gets the grace period, and nothing is
// cancelled before it ends.
func TestWithoutTransportEveryStartedCallGetsTheGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, interrupt := context.WithCancel(t.Context())
		var inFlight atomic.Int32
		var s sink
		r := &Runner{Concurrency: 2, Grace: time.Minute, Record: s.record,
			OnInterrupt: func(n int) { inFlight.Store(int32(n)) },
			Do: func(ctx context.Context, _ Task) error {
				select {
				case <-time.After(10 * time.Second):
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			}}
		go func() {
			time.Sleep(time.Second)
			interrupt()
		}()
		rep := r.Run(ctx, tasks("p", "a", "b", "c"))
		assert.Equal(t, int32(2), inFlight.Load())
		assert.Equal(t, []ProviderReport{{Provider: "p", Tasks: 3, Succeeded: 2, NotStarted: 1}}, rep.Providers)
	})
}
