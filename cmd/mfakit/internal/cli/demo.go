package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// demoRetry keeps the demo short: the rate-limit step waits about a second.
var demoRetry = mfaclient.RetryPolicy{MaxRetries: 2, MinWait: 100 * time.Millisecond, MaxWait: 5 * time.Second}

// demo walks through the SDK against the fakes and prints what each call
// did. Every step checks the outcome it shows, so a broken SDK makes the
// demo fail (exit 3) instead of printing a misleading transcript.
func (a *app) demo(ctx context.Context, args []string) int {
	c := newCommand("demo", "demo")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if len(positional) > 0 {
		return a.usageError("demo: takes no arguments")
	}
	f, err := startFakes([3]string{})
	if err != nil {
		fmt.Fprintf(a.stderr, "mfakit: demo: %v\n", err)
		return exitFailed
	}
	defer f.Close()
	d := &demoRun{w: a.stdout, ctx: ctx}
	fmt.Fprintln(d.w, "mfakit demo: the SDK against fake Flashback, EntryGuard and Rocket.Chat servers in this process.")
	d.flashback(f.fb)
	d.entryGuard(f.eg)
	d.rocketChat(f.rc)
	if d.err != nil {
		fmt.Fprintf(a.stderr, "mfakit: demo: %v\n", d.err)
		return exitFailed
	}
	fmt.Fprintln(d.w, "\nEvery call above went through the same mfaclient interfaces and typed errors.")
	return exitOK
}

// demoRun prints steps and remembers the first that went wrong.
type demoRun struct {
	w   io.Writer
	ctx context.Context
	err error
}

func (d *demoRun) section(name, url, who string) {
	fmt.Fprintf(d.w, "\n%s (fake at %s, calling as %s)\n", name, url, who)
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

func (d *demoRun) flashback(fb *mfatest.FlashbackFake) {
	admin, err1 := flashback.New(fb.Admin.Token, d.opts(fb.URL())...)
	member, err2 := flashback.New(fb.Member.Token, d.opts(fb.URL())...)
	if !d.built(err1, err2) {
		return
	}
	d.section("Flashback", fb.URL(), fb.Admin.ID+" (ADMINISTRATOR)")
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", fb.Member.ID),
		func(ctx context.Context) error { return admin.ResetMFA(ctx, fb.Member.ID) },
		func(err error) (string, error) {
			u, _ := fb.User(fb.Member.ID)
			if err == nil && u.MFAEnabled {
				err = errors.New("the fake still has MFA on")
			}
			return fmt.Sprintf("ok; the fake now has MFA off for %s", fb.Member.ID), err
		})
	d.step("SetPrimaryMFA(ctx, mfaclient.MethodPasskey)",
		func(ctx context.Context) error { return admin.SetPrimaryMFA(ctx, mfaclient.MethodPasskey) },
		func(err error) (string, error) {
			u, _ := fb.User(fb.Admin.ID)
			if err == nil && u.PrimaryMethod != "PASSKEY" {
				err = fmt.Errorf("the fake has primary method %q", u.PrimaryMethod)
			}
			return "ok; Flashback's primary method is now " + u.PrimaryMethod, err
		})
	fmt.Fprintf(d.w, "  now calling as %s (MEMBER):\n", fb.Member.ID)
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", fb.Owner.ID),
		func(ctx context.Context) error { return member.ResetMFA(ctx, fb.Owner.ID) },
		func(err error) (string, error) {
			var fe *mfaclient.ForbiddenError
			if !errors.As(err, &fe) || fe.Required == "" {
				return "", fmt.Errorf("want a *mfaclient.ForbiddenError naming a role, got %v", err)
			}
			return fmt.Sprintf("*mfaclient.ForbiddenError (errors.Is ErrForbidden), Required: %q\n       %v", fe.Required, err), nil
		})

	// One request per second: the first call spends it, the second gets a
	// 429 with Retry-After, waits and is retried.
	fb.SetRateLimit(1, time.Second, mfatest.HintRetryAfterSeconds)
	defer fb.SetRateLimit(0, 0, mfatest.HintRetryAfterSeconds)
	fmt.Fprintln(d.w, "  the fake now allows 1 request per second; calling as the administrator twice:")
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", fb.Owner.ID),
		func(ctx context.Context) error { return admin.ResetMFA(ctx, fb.Owner.ID) }, nil)
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", fb.Member.ID),
		func(ctx context.Context) error { return admin.ResetMFA(ctx, fb.Member.ID) },
		func(err error) (string, error) {
			if err == nil && fb.RateLimited() == 0 {
				err = errors.New("the fake sent no 429")
			}
			return "ok: the 429 was honoured (its Retry-After waited out) and the call retried", err
		})
}

func (d *demoRun) entryGuard(eg *mfatest.EntryGuardFake) {
	c, err := entryguard.New(eg.Admin.Token, d.opts(eg.URL())...)
	if !d.built(err) {
		return
	}
	d.section("EntryGuard", eg.URL(), eg.Admin.ID+" (ORG_ADMIN)")
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", eg.Member.ID),
		func(ctx context.Context) error { return c.ResetMFA(ctx, eg.Member.ID) }, nil)
	d.step(fmt.Sprintf("ResetMFA(ctx, %q) again", eg.Member.ID),
		func(ctx context.Context) error { return c.ResetMFA(ctx, eg.Member.ID) },
		expectClass(mfaclient.ErrMFANotEnabled, func(err error) string {
			return fmt.Sprintf("errors.Is ErrMFANotEnabled: nothing left to reset\n       %v", err)
		}))
}

func (d *demoRun) rocketChat(rc *mfatest.RocketChatFake) {
	c, err := rocketchat.New(rc.URL(), rocketchat.Credentials{UserID: rc.Admin.ID, AuthToken: rc.Admin.Token}, d.opts("")...)
	if !d.built(err) {
		return
	}
	d.section("Rocket.Chat", rc.URL(), rc.Admin.ID+" (admin)")
	var challenge *rocketchat.ErrorDetails
	d.step(fmt.Sprintf("ResetMFA(ctx, %q)", rc.Member.ID),
		func(ctx context.Context) error { return c.ResetMFA(ctx, rc.Member.ID) },
		func(err error) (string, error) {
			ch, ok := rocketchat.Challenge(err)
			if !ok {
				return "", fmt.Errorf("want the 2FA challenge, got %v", err)
			}
			challenge = ch
			return fmt.Sprintf("errors.Is ErrSecondFactorRequired; rocketchat.Challenge says method %q", ch.Method), nil
		})
	if challenge == nil {
		return
	}
	d.step(fmt.Sprintf("WithTwoFactorCode(%q, %q).ResetMFA(ctx, %q)  (the code from the admin's authenticator)", rc.Admin.TOTPCode, challenge.Method, rc.Member.ID),
		func(ctx context.Context) error {
			return c.WithTwoFactorCode(rc.Admin.TOTPCode, challenge.Method).ResetMFA(ctx, rc.Member.ID)
		},
		func(err error) (string, error) {
			if err == nil && rc.Resets(rc.Member.ID) != 1 {
				err = errors.New("the fake carried out no reset")
			}
			return "ok; challenge answered, TOTP reset", err
		})
}

// opts are the demo clients' options; baseURL "" leaves it out (Rocket.Chat
// takes its URL in New).
func (d *demoRun) opts(baseURL string) []mfaclient.Option {
	opts := append(clientOptions(1), mfaclient.WithRetry(demoRetry))
	if baseURL != "" {
		opts = append(opts, mfaclient.WithBaseURL(baseURL))
	}
	return opts
}

// built records a failed New as the demo's error and reports whether the
// demo goes on.
func (d *demoRun) built(errs ...error) bool {
	if err := errors.Join(errs...); err != nil && d.err == nil {
		d.err = err
	}
	return d.err == nil
}
