package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"slices"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/rocketchat"
)

// Operations, as results name them.
const (
	opReset      = "reset"
	opResetOwn   = "reset-own"
	opSetPrimary = "set-primary"
)

// commonFlags are the flags every provider command has.
type commonFlags struct {
	provider, output       string
	twoFACode, twoFAMethod string
}

func (f *commonFlags) register(fs *flag.FlagSet, providers string) {
	fs.StringVar(&f.provider, "provider", "", providers+" (required)")
	fs.StringVar(&f.output, "output", "text", "text, or json for one JSON object per line")
	fs.StringVar(&f.twoFACode, "2fa-code", "", "Rocket.Chat: the 2FA code to answer its challenge with (on a terminal, mfakit asks when needed)")
	fs.StringVar(&f.twoFAMethod, "2fa-method", rocketchat.TwoFactorTOTP, "Rocket.Chat: the 2FA method of --2fa-code: totp, email or password")
}

// check validates the flag values against the providers a command accepts.
func (f *commonFlags) check(providers ...string) error {
	if f.provider == "" {
		return errors.New("--provider is required")
	}
	if err := oneOf("provider", f.provider, providers...); err != nil {
		return err
	}
	if err := oneOf("output", f.output, "text", "json"); err != nil {
		return err
	}
	return oneOf("2fa-method", f.twoFAMethod, rocketchat.TwoFactorTOTP, rocketchat.TwoFactorEmail, rocketchat.TwoFactorPassword)
}

// client builds the provider's client. The 2FA prompt is offered only when
// stdin is a terminal and was not used for the user list.
func (a *app) client(f *commonFlags, stdinFree bool, concurrency int) (*provider, error) {
	tf := twoFactorConfig{code: f.twoFACode, method: f.twoFAMethod}
	if a.tty.stdin && stdinFree {
		tf.prompt = terminalPrompt(a.stdin, a.stderr, a.tty.readSecret)
	}
	return newProvider(f.provider, a.env, tf, clientOptions(concurrency)...)
}

func (a *app) reset(ctx context.Context, args []string) int {
	c := newCommand("reset", "reset --provider flashback|entryguard|rocketchat [--from FILE|-] [--concurrency N] [--resume FILE] [--output text|json] USER...")
	var f commonFlags
	f.register(c.fs, "flashback, entryguard or rocketchat")
	from := c.fs.String("from", "", "read users from FILE, one per line (- for stdin); blank lines and # comments are skipped")
	concurrency := c.fs.Int("concurrency", 4, "users reset at once; they share one client, so a rate-limit wait pauses all")
	resumePath := c.fs.String("resume", "", "JSON-lines FILE of earlier runs: skip users that succeeded there, append this run's results")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if err := f.check(providerNames...); err != nil {
		return a.usageError("reset: %v", err)
	}
	if *concurrency < 1 {
		return a.usageError("reset: --concurrency must be at least 1")
	}
	users, readStdin, err := readUsers(positional, *from, a.stdin)
	if err != nil {
		return a.usageError("reset: %v", err)
	}
	if len(users) == 0 {
		return a.usageError("reset: no users given (arguments, --from FILE, or - for stdin)")
	}
	// Resetting the caller on Rocket.Chat ends its logins, and with them
	// every later call of the run.
	if self := a.env("ROCKETCHAT_USER_ID"); f.provider == provRocketChat && self != "" && slices.Contains(users, self) {
		return a.usageError("reset: %s is the caller (ROCKETCHAT_USER_ID); resetting it would end this run's session: use reset-own", self)
	}
	p, err := a.client(&f, !readStdin, *concurrency)
	if err != nil {
		return a.usageError("reset: %v", err)
	}

	todo, skipped := users, 0
	var rf *resumeFile
	if *resumePath != "" {
		var done map[string]bool
		if done, rf, err = openResume(*resumePath, p.name, a.stderr); err != nil {
			return a.usageError("reset: %v", err)
		}
		defer rf.Close()
		todo = todo[:0:0]
		for _, u := range users {
			if !done[u] {
				todo = append(todo, u)
			}
		}
		skipped = len(users) - len(todo)
	}

	out := printer{w: a.stdout, json: f.output == "json"}
	bar := newProgress(a.stderr, a.tty.stderr, len(todo), p.limitedUntil)
	start := time.Now()
	b := &bulk{
		users:       todo,
		concurrency: *concurrency,
		grace:       interruptGrace,
		call: func(ctx context.Context, user string) result {
			cctx, n := withCounter(ctx)
			t := time.Now()
			err := p.reset.ResetMFA(cctx, user)
			return newResult(p.name, opReset, user, err, n.attempts(), time.Since(t))
		},
		record: func(r result) error {
			// The resume file first: a user shown as done is a user recorded.
			if rf != nil {
				if err := rf.record(r); err != nil {
					return err
				}
			}
			return out.print(r)
		},
		done: bar.add,
	}
	rep := b.run(ctx)
	bar.close()

	fmt.Fprintf(a.stderr, "mfakit: reset on %s: %s: %d succeeded, %d failed, %d skipped (already succeeded), %d not started (%s)\n",
		p.name, plural(len(users), "user"), rep.succeeded, rep.failed, skipped, rep.notStarted,
		time.Since(start).Round(time.Millisecond))
	if rep.stopped != "" {
		fmt.Fprintf(a.stderr, "mfakit: stopped early: %s\n", rep.stopped)
	}
	if rep.interrupted {
		hint := "run again with --resume FILE to record progress and skip finished users"
		if rf != nil {
			hint = "run the same command again to finish (--resume " + *resumePath + " skips the users that succeeded)"
		}
		fmt.Fprintf(a.stderr, "mfakit: interrupted; %s\n", hint)
	}
	return rep.exit
}

func (a *app) resetOwn(ctx context.Context, args []string) int {
	c := newCommand("reset-own", "reset-own --provider flashback|rocketchat [--output text|json]")
	var f commonFlags
	f.register(c.fs, "flashback or rocketchat (EntryGuard has no self-reset)")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if err := f.check(provFlashback, provRocketChat); err != nil {
		return a.usageError("reset-own: %v", err)
	}
	if len(positional) > 0 {
		return a.usageError("reset-own: takes no arguments (it resets the caller's own MFA)")
	}
	p, err := a.client(&f, true, 1)
	if err != nil {
		return a.usageError("reset-own: %v", err)
	}
	return a.single(ctx, p, &f, opResetOwn, "", p.self.ResetOwnMFA)
}

func (a *app) setPrimary(ctx context.Context, args []string) int {
	c := newCommand("set-primary", "set-primary --provider flashback [--output text|json] totp|magic_link|passkey")
	var f commonFlags
	f.register(c.fs, "flashback (the only provider with a primary-method endpoint)")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if err := f.check(provFlashback); err != nil {
		return a.usageError("set-primary: %v", err)
	}
	if len(positional) != 1 {
		return a.usageError("set-primary: give exactly one method: totp, magic_link or passkey")
	}
	method := mfaclient.Method(positional[0])
	if err := oneOf("method", string(method), string(mfaclient.MethodTOTP), string(mfaclient.MethodMagicLink), string(mfaclient.MethodPasskey)); err != nil {
		return a.usageError("set-primary: %v", err)
	}
	p, err := a.client(&f, true, 1)
	if err != nil {
		return a.usageError("set-primary: %v", err)
	}
	return a.single(ctx, p, &f, opSetPrimary, string(method), func(ctx context.Context) error {
		return p.primary.SetPrimaryMFA(ctx, method)
	})
}

// single runs one operation, prints its result and returns its exit code.
func (a *app) single(ctx context.Context, p *provider, f *commonFlags, op, method string, call func(context.Context) error) int {
	cctx, n := withCounter(ctx)
	start := time.Now()
	err := call(cctx)
	r := newResult(p.name, op, "", err, n.attempts(), time.Since(start))
	r.Method = method
	if err := (printer{w: a.stdout, json: f.output == "json"}).print(r); err != nil {
		fmt.Fprintf(a.stderr, "mfakit: writing the result: %v\n", err)
	}
	if ctx.Err() != nil {
		return exitInterrupted
	}
	code, _ := r.exitCode()
	return code
}
