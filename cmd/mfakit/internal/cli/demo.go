package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// demoRetry keeps the demo short: the rate-limit step waits about a second.
var demoRetry = mfaclient.RetryPolicy{MaxRetries: 2, MinWait: 100 * time.Millisecond, MaxWait: 5 * time.Second}

// demo walks through the SDK against every provider's fake, through the
// same mfaclient interfaces, and prints what each call did. Every step
// checks the outcome it shows, so a broken SDK makes the demo fail (exit 3)
// instead of printing a misleading transcript.
func (a *app) demo(ctx context.Context, args []string) int {
	c := newCommand("demo", "demo")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if len(positional) > 0 {
		return a.usageError("demo: takes no arguments")
	}
	rows := registry.All()
	var titles []string
	for _, r := range rows {
		titles = append(titles, r.Title)
	}
	fmt.Fprintf(a.stdout, "mfakit demo: the SDK against fake %s servers in this process.\n", strings.Join(titles, ", "))
	// The providers run side by side (each waits out a rate limit) and are
	// printed in the registry's order.
	runs := make([]*demoRun, len(rows))
	var wg sync.WaitGroup
	for i, row := range rows {
		runs[i] = &demoRun{w: new(bytes.Buffer), ctx: ctx}
		wg.Go(func() { runs[i].provider(row) })
	}
	wg.Wait()
	var first error
	for _, d := range runs {
		_, _ = a.stdout.Write(d.w.Bytes())
		if first == nil {
			first = d.err
		}
	}
	if first != nil {
		fmt.Fprintf(a.stderr, "mfakit: demo: %v\n", first)
		return exitFailed
	}
	fmt.Fprintln(a.stdout, "\nEvery call above went through the same mfaclient interfaces and typed errors.")
	return exitOK
}

// demoRun prints steps and remembers the first that went wrong.
type demoRun struct {
	w   *bytes.Buffer
	ctx context.Context
	err error
}

// fakeState is what every fake lets the demo check and change.
type fakeState interface {
	User(id string) (mfatest.FakeUser, bool)
	SetRateLimit(requests int, window time.Duration, hints mfatest.RateLimitHints)
	RateLimited() int
}

func (d *demoRun) provider(row *registry.Provider) {
	if d.err != nil {
		return
	}
	// The demo calls as an automation account whose token skips the
	// second-factor challenge, as a bypass-2FA personal access token does,
	// and whose role is rate limited (Rocket.Chat exempts admins unless the
	// workspace takes that permission away), so the 429 step shows a 429.
	f, err := row.StartFake(mfatest.WithoutTwoFactorChallenge(), mfatest.WithoutRateLimitBypass())
	if err != nil {
		d.err = fmt.Errorf("starting the %s fake: %w", row.Name, err)
		return
	}
	defer f.Close()
	// A fake that is not an mfatest fake is shown through the interfaces
	// alone, without the state checks and the rate-limit step.
	state, stateful := f.Server.(fakeState)
	c, err := row.New(f.Values, append(clientConfig{concurrency: 1}.options(), mfaclient.WithRetry(demoRetry))...)
	if err != nil {
		d.err = err
		return
	}
	fmt.Fprintf(d.w, "\n%s (fake at %s, calling as %s)\n", row.Title, f.URL, f.AdminID)
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", f.MemberID),
		func(ctx context.Context) error { return c.Resetter.ResetMFA(ctx, f.MemberID) },
		func(err error) (string, error) {
			if !stateful {
				return "ok", err
			}
			if u, _ := state.User(f.MemberID); err == nil && u.MFAEnabled {
				err = errors.New("the fake still has MFA on")
			}
			return "ok; the fake now has MFA off for " + f.MemberID, err
		})
	d.step(fmt.Sprintf("ResetMFA(ctx, %q) again", f.MemberID),
		func(ctx context.Context) error { return c.Resetter.ResetMFA(ctx, f.MemberID) },
		func(err error) (string, error) {
			if errors.Is(err, mfaclient.ErrMFANotEnabled) {
				return "errors.Is ErrMFANotEnabled: nothing left to reset (mfakit reset says already-off)\n       " + message(err), nil
			}
			return "ok; the provider accepts a reset of a user without MFA", err
		})
	nobody := f.Nobody()
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)  (no such user)", nobody),
		func(ctx context.Context) error { return c.Resetter.ResetMFA(ctx, nobody) },
		expectClass(mfaclient.ErrNotFound, func(err error) string {
			return "errors.Is ErrNotFound\n       " + message(err)
		}))
	d.step("SetPrimaryMFA(ctx, mfaclient.MethodPasskey)",
		func(ctx context.Context) error { return c.Primary.SetPrimaryMFA(ctx, mfaclient.MethodPasskey) },
		func(err error) (string, error) {
			if errors.Is(err, mfaclient.ErrUnsupported) {
				return "errors.Is ErrUnsupported: " + row.Title + " has no such endpoint; nothing was sent", nil
			}
			if !stateful {
				return "ok", err
			}
			u, _ := state.User(f.AdminID)
			return "ok; the primary method is now " + u.PrimaryMethod, err
		})
	if !stateful {
		return
	}

	// One request per second: the first call spends it, the second gets a
	// 429 with Retry-After, waits and is retried. Both reset the member
	// again: nothing is left to reset, so either answer is fine.
	state.SetRateLimit(1, time.Second, mfatest.HintRetryAfterSeconds)
	defer state.SetRateLimit(0, 0, mfatest.HintRetryAfterSeconds)
	fmt.Fprintln(d.w, "  the fake now allows 1 request per second; the same reset twice more:")
	// done is the outcome of a reset with nothing left to reset.
	done := func(err error) (string, error) {
		if errors.Is(err, mfaclient.ErrMFANotEnabled) {
			return "already off (errors.Is ErrMFANotEnabled)", nil
		}
		return "ok", err
	}
	reset := func(ctx context.Context) error { return c.Resetter.ResetMFA(ctx, f.MemberID) }
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", f.MemberID), reset, done)
	// A client that learned the limit from the first answer's headers
	// waits for the window instead of spending a request on a 429.
	learned := c.RateLimitedUntil != nil && time.Now().Before(c.RateLimitedUntil())
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", f.MemberID), reset,
		func(err error) (string, error) {
			text, err := done(err)
			switch {
			case err != nil:
			case state.RateLimited() > 0:
				text += ": the 429 was honoured (its Retry-After waited out) and the call retried"
			case learned:
				text += ": the client learned the limit from the first answer and waited for the window, spending no request on a 429"
			default:
				// Rocket.Chat exempts callers with its rate-limit bypass
				// permission (administrators), and its fake does too.
				text += ": no 429; the provider does not rate-limit this caller"
			}
			return text, err
		})
}

// step runs call, prints the call and what came back, and checks it with
// want (nil: must succeed).
func (d *demoRun) step(label string, call func(context.Context) error, want func(error) (string, error)) {
	if d.err != nil {
		return
	}
	ctx, n := withCounter(d.ctx)
	start := time.Now()
	err := call(ctx)
	took := time.Since(start)
	if want == nil {
		want = func(err error) (string, error) { return "ok", err }
	}
	text, bad := want(err)
	if bad != nil {
		d.err = fmt.Errorf("%s: %w", label, bad)
		fmt.Fprintf(d.w, "  %s\n    UNEXPECTED: %v\n", label, bad)
		return
	}
	fmt.Fprintf(d.w, "  %s\n    -> %s\n", label, text)
	if trace := d.trace(n, took); trace != "" {
		fmt.Fprintf(d.w, "    %s\n", trace)
	}
}

// trace shows the requests of a call that took more than one.
func (d *demoRun) trace(n *attemptCounter, took time.Duration) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.statuses) < 2 {
		return ""
	}
	parts := make([]string, len(n.statuses))
	for i, s := range n.statuses {
		parts[i] = fmt.Sprintf("HTTP %d", s)
		if n.hints[i] != "" {
			parts[i] += " (Retry-After: " + n.hints[i] + ")"
		}
	}
	return fmt.Sprintf("requests: %s; %s in all", strings.Join(parts, ", then "), took.Round(100*time.Millisecond))
}

// expectClass accepts an error of class sentinel, described by describe.
func expectClass(sentinel error, describe func(error) string) func(error) (string, error) {
	return func(err error) (string, error) {
		if !errors.Is(err, sentinel) {
			return "", fmt.Errorf("want %v, got %v", sentinel, err)
		}
		return describe(err), nil
	}
}
