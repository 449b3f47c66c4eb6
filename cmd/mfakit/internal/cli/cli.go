// Package cli is the mfakit command-line tool: flag parsing, credentials
// from the environment, the guards around a destructive run, output, and the
// demo and serve-fake commands. The bulk machinery is mfaclient/bulk; the
// providers come from internal/registry. The main package only wires Run to
// the process, so tests drive Run directly and read what it printed and the
// exit code it returned.
package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"golang.org/x/term"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/bulk"
)

// Exit codes, documented in the usage text and the README. Scripts branch on
// them, so they never change meaning.
const (
	exitOK          = 0   // everything succeeded
	exitUsage       = 2   // bad flags, arguments or configuration; nothing was sent
	exitFailed      = 3   // some users (or the one operation) failed
	exitAuth        = 4   // authentication or permission: nothing can succeed
	exitRateLimited = 5   // rate-limited beyond the wait budget
	exitInterrupted = 130 // SIGINT or SIGTERM; what ran is recorded
)

// app is one invocation: its streams, its environment and what it knows
// about the terminal.
type app struct {
	env    func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	tty    terminal
	// grace is how long calls in flight may finish after an interrupt;
	// progressEvery is how often a run off a terminal reports progress.
	grace, progressEvery time.Duration
	stdinLines           *bufio.Reader // see lines
}

// terminal says which streams are a terminal and reads a secret without
// echo. Tests set it by hand to exercise the prompts and the progress bar.
type terminal struct {
	stdin, stdout, stderr bool
	// readSecret reads one line from the terminal without echoing it.
	readSecret func() (string, error)
}

// Run runs mfakit with args (without the program name) and returns the exit
// code. Cancelling ctx is an interrupt: a bulk run sends nothing new, lets
// the calls on the wire finish for a grace period, records them and returns
// 130.
func Run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{env: env, stdin: stdin, stdout: stdout, stderr: stderr, tty: detectTerminal(stdin, stdout, stderr)}
	return a.run(ctx, args)
}

// detectTerminal checks the real file descriptors; anything that is not an
// *os.File (a test's buffer, a pipe wrapper) is not a terminal.
func detectTerminal(stdin io.Reader, stdout, stderr io.Writer) terminal {
	var t terminal
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		t.stdin = true
		t.readSecret = func() (string, error) {
			b, err := term.ReadPassword(int(f.Fd()))
			return string(b), err
		}
	}
	isTerm := func(w io.Writer) bool {
		f, ok := w.(*os.File)
		return ok && term.IsTerminal(int(f.Fd()))
	}
	t.stdout, t.stderr = isTerm(stdout), isTerm(stderr)
	return t
}

func (a *app) run(ctx context.Context, args []string) int {
	if a.grace == 0 {
		a.grace = bulk.DefaultGrace
	}
	if a.progressEvery == 0 {
		a.progressEvery = 10 * time.Second
	}
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage())
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, usage())
		return exitOK
	case "version", "--version", "-version":
		fmt.Fprintf(a.stdout, "mfakit %s (%s)\n", mfaclient.Version, runtime.Version())
		return exitOK
	case "demo":
		return a.demo(ctx, rest)
	case "reset":
		return a.reset(ctx, rest)
	case "reset-own":
		return a.resetOwn(ctx, rest)
	case "set-primary":
		return a.setPrimary(ctx, rest)
	case "serve-fake":
		return a.serveFake(ctx, rest)
	}
	return a.usageError("unknown command %q", cmd)
}

// errorf is fmt.Errorf, for messages that wrap nothing.
func errorf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// usageError reports a usage problem and returns exitUsage.
func (a *app) usageError(format string, args ...any) int {
	fmt.Fprintf(a.stderr, "mfakit: "+format+"\n", args...)
	fmt.Fprintln(a.stderr, `Run "mfakit --help" for usage.`)
	return exitUsage
}
