package bulk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
)

// Task is one call: one user on one provider.
type Task struct {
	// Provider names the client the task runs on. Tasks of one provider
	// share workers, stop rules and the brake; different providers run
	// side by side.
	Provider string
	// User is the user's ID on that provider.
	User string
	// Person is an optional label for who the user is ("alice"), carried
	// into the Result for runs over people rather than IDs.
	Person string
}

// Outcome is what became of one task.
type Outcome string

const (
	// Succeeded: the provider carried out the operation.
	Succeeded Outcome = "succeeded"
	// AlreadyOff: the provider said there was no MFA to reset
	// (mfaclient.ErrMFANotEnabled). The user is in the state a reset
	// leaves, so it counts as done: re-running a finished batch succeeds.
	AlreadyOff Outcome = "already-off"
	// Failed: the provider refused, or the call failed; Err says why.
	Failed Outcome = "failed"
	// Interrupted: the call was cut off by a stop. Whether the provider
	// acted is unknown, so a resumed run tries the user again.
	Interrupted Outcome = "interrupted"
)

// Done reports whether the user needs nothing more: Succeeded or AlreadyOff.
func (o Outcome) Done() bool { return o == Succeeded || o == AlreadyOff }

// OutcomeOf is the Outcome of a call that returned err.
func OutcomeOf(err error) Outcome {
	switch {
	case err == nil:
		return Succeeded
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		return Interrupted
	case errors.Is(err, mfaclient.ErrMFANotEnabled):
		return AlreadyOff
	}
	return Failed
}

// Result is one finished task.
type Result struct {
	Task
	Outcome Outcome
	// Err is the call's error; nil when it succeeded. An AlreadyOff result
	// keeps its ErrMFANotEnabled.
	Err error
	// Start is when the task started; Duration how long it ran.
	Start    time.Time
	Duration time.Duration
	// Attempts is the number of requests sent, retries included: counted by
	// Transport when the client sends through it, else from the error.
	Attempts int
	// RequestID is the provider's request ID of the last answer, when it
	// sent one.
	RequestID string
}

// Defaults of the Runner's zero fields.
const (
	DefaultConcurrency = 4
	DefaultGrace       = 30 * time.Second
	DefaultBrake       = 5
)

// Runner runs tasks. Do and Record are required; every other field has a
// default.
type Runner struct {
	// Do runs one task. Its context ends when the run is stopped (see the
	// package doc) or when its parent does.
	Do func(ctx context.Context, t Task) error
	// Record receives every Result as it finishes, on one goroutine. An
	// error stops the whole run: what cannot be recorded must not go on.
	Record func(Result) error
	// Concurrency is the number of tasks of one provider run at once.
	// Default DefaultConcurrency.
	Concurrency int
	// Grace is how long a call whose request is on the wire may still run
	// after the run is interrupted. Default DefaultGrace.
	Grace time.Duration
	// Brake is the number of failures in a row that say nothing about the
	// user after which a provider's tasks stop. Default DefaultBrake;
	// negative turns the brake off.
	Brake int
	// OnInterrupt, if set, is called once, at once, when Run's context ends
	// before the run does, with the number of calls still running.
	OnInterrupt func(inFlight int)
}

// ProviderReport is what a run did on one provider.
type ProviderReport struct {
	Provider                      string
	Tasks                         int
	Succeeded, AlreadyOff, Failed int
	Interrupted                   int // cut off; outcome unknown
	NotStarted                    int
	// Stopped says why the provider's tasks stopped early; nil if they did
	// not.
	Stopped *StopError
}

// Report is what a run did.
type Report struct {
	// Providers in the order their first task came.
	Providers []ProviderReport
	// Interrupted: Run's context ended before the run did.
	Interrupted bool
	// RecordErr is Record's error, which stopped the run.
	RecordErr error
}

// StopError says why a provider's tasks stopped before all had run.
type StopError struct {
	Provider string
	// Brake is the number of failures in a row that tripped the brake; 0
	// when a single failure stopped the tasks.
	Brake int
	// Err is the failure that stopped them.
	Err error
}

func (e *StopError) Error() string {
	if e.Brake > 0 {
		return fmt.Sprintf("%s: %d failures in a row that say nothing about the users (is the URL right? is the provider up?); the last: %v", e.Provider, e.Brake, e.Err)
	}
	return fmt.Sprintf("%s: no later user can succeed: %v", e.Provider, e.Err)
}

func (e *StopError) Unwrap() error { return e.Err }

// Fatal reports whether err means no later call on the same client can
// succeed: the credentials, the permissions, the second factor, a rate limit
// beyond the wait budget, an operation the provider lacks, or a request
// shape the provider refuses (ErrClientDefect: the same for every user).
func Fatal(err error) bool {
	for _, s := range []error{mfaclient.ErrUnauthorized, mfaclient.ErrForbidden, mfaclient.ErrSecondFactorRequired,
		mfaclient.ErrRateLimited, mfaclient.ErrUnsupported, mfaclient.ErrClientDefect} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// Unrelated reports whether err says nothing about the user it was for: an
// answer of no documented shape, no answer, or the provider failing. Many
// in a row trip the brake.
func Unrelated(err error) bool {
	return errors.Is(err, mfaclient.ErrUnexpectedResponse) || errors.Is(err, mfaclient.ErrNetwork) ||
		errors.Is(err, mfaclient.ErrServer)
}
