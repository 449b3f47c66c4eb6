package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/bulk"
)

// Operations, as results name them.
const (
	opReset      = "reset"
	opResetOwn   = "reset-own"
	opSetPrimary = "set-primary"
)

func (a *app) resetOwn(ctx context.Context, args []string) int {
	var rows []*registry.Provider
	for _, r := range registry.All() {
		if canSelfReset(r) {
			rows = append(rows, r)
		}
	}
	names := rowNames(rows)
	c := newCommand("reset-own", "reset-own --provider "+strings.Join(names, "|")+" [--output text|json]")
	var f commonFlags
	f.register(c.fs, strings.Join(names, ", ")+" (the providers with a self-reset)")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if err := f.check(); err != nil {
		return a.usageError("reset-own: %v", err)
	}
	row, err := f.lookup(rows)
	if err != nil {
		return a.usageError("reset-own: %v", err)
	}
	if len(positional) > 0 {
		return a.usageError("reset-own: takes no arguments (it resets the caller's own MFA)")
	}
	p, code := a.single1(row, &f)
	if p == nil {
		return code
	}
	if row.SelfResetEndsSession {
		fmt.Fprintf(a.stderr, "mfakit: warning: reset-own makes %s log this account out everywhere: the session in %s stops working; log in again afterwards\n", row.Title, secretEnvs(row))
	}
	return a.single(ctx, p, &f, opResetOwn, "", p.self.ResetOwnMFA)
}

func (a *app) setPrimary(ctx context.Context, args []string) int {
	names := registry.Names()
	methods := []string{string(mfaclient.MethodTOTP), string(mfaclient.MethodMagicLink), string(mfaclient.MethodPasskey), string(mfaclient.MethodEmail)}
	c := newCommand("set-primary", "set-primary --provider "+strings.Join(names, "|")+" [--output text|json] "+strings.Join(methods, "|"))
	var f commonFlags
	f.register(c.fs, strings.Join(names, ", ")+" (a provider without the method answers ErrUnsupported, exit 2, and nothing is sent)")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if err := f.check(); err != nil {
		return a.usageError("set-primary: %v", err)
	}
	row, err := f.lookup(registry.All())
	if err != nil {
		return a.usageError("set-primary: %v", err)
	}
	if len(positional) != 1 {
		return a.usageError("set-primary: give exactly one METHOD argument: %s", strings.Join(methods, ", "))
	}
	method := mfaclient.Method(positional[0])
	if err := oneOf("METHOD", string(method), methods...); err != nil {
		return a.usageError("set-primary: %v", err)
	}
	p, code := a.single1(row, &f)
	if p == nil {
		return code
	}
	return a.single(ctx, p, &f, opSetPrimary, string(method), func(ctx context.Context) error {
		return p.primary.SetPrimaryMFA(ctx, method)
	})
}

// single1 builds the one provider of a single operation, or reports why
// not (a nil provider and the exit code).
func (a *app) single1(row *registry.Provider, f *commonFlags) (*provider, int) {
	values, err := envValues([]*registry.Provider{row}, a.env)
	if err != nil {
		return nil, a.usageError("%v", err)
	}
	p, err := newProvider(row, values[row.Name], a.clientConfig(f, true, 1, secrets(values)))
	if err != nil {
		return nil, a.usageError("%v", err)
	}
	return p, 0
}

// single runs one operation, prints its result and returns its exit code.
func (a *app) single(ctx context.Context, p *provider, f *commonFlags, op, method string, call func(context.Context) error) int {
	cctx, n := withCounter(ctx)
	start := time.Now()
	err := call(cctx)
	r := fromBulk(bulk.Result{Task: bulk.Task{Provider: p.name}, Outcome: bulk.OutcomeOf(err), Err: err,
		Start: start, Duration: time.Since(start), Attempts: n.attempts()}, op, p.caller)
	var api *mfaclient.APIError
	var opErr *mfaclient.OpError
	switch {
	case errors.As(err, &api):
		r.Attempts, r.RequestID = max(r.Attempts, api.Attempts), api.RequestID
	case errors.As(err, &opErr):
		r.Attempts = max(r.Attempts, opErr.Attempts)
	}
	r.Method = method
	if errors.Is(err, mfaclient.ErrUnsupported) && r.Attempts == 0 {
		// Nothing was sent: the provider lacks the operation or method.
		return a.usageError("%s: %s", op, message(err))
	}
	if op == opSetPrimary && r.Outcome == outcomeAlreadyOff {
		r.Outcome = outcomeFailed // "already off" is an outcome of resets only
	}
	if err := (printer{w: a.stdout, json: f.output == "json"}).print(r); err != nil {
		fmt.Fprintf(a.stderr, "mfakit: writing the result: %v\n", err)
	}
	a.hints(f, p.row, map[string]bool{r.ErrorClass: true})
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return r.exitCode()
}

// hints name the fix for failures whose cause is the configuration, once
// each.
func (a *app) hints(f *commonFlags, row *registry.Provider, classes map[string]bool) {
	if classes["ErrSecondFactorRequired"] && f.twoFACode == "" {
		fmt.Fprintf(a.stderr, "mfakit: %s wants a second factor: pass --2fa-code CODE (with --2fa-method totp, email or password), or run on a terminal to be asked\n", row.Title)
	}
	if classes["ErrUnauthorized"] {
		fmt.Fprintf(a.stderr, "mfakit: %s refused the credentials: check %s\n", row.Title, secretEnvs(row))
	}
}

func rowNames(rows []*registry.Provider) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = r.Name
	}
	return out
}
