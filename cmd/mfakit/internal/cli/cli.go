// Package cli is the mfakit command-line tool: argument parsing, credentials
// from the environment, the bulk runner with its resume file, output, and
// the demo and serve-fake commands. The main package only wires Run to the
// process, so tests drive Run directly and read what it printed and the exit
// code it returned.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"golang.org/x/term"
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
}

// terminal says which streams are a terminal and reads a secret without
// echo. Tests set it by hand to exercise the prompt and the progress bar.
type terminal struct {
	stdin, stderr bool
	// readSecret reads one line from the terminal without echoing it.
	readSecret func() (string, error)
}

// Run runs mfakit with args (without the program name) and returns the exit
// code. Cancelling ctx is an interrupt: a bulk run stops starting users,
// lets the calls in flight finish, records them and returns 130.
func Run(ctx context.Context, args []string, env func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{env: env, stdin: stdin, stdout: stdout, stderr: stderr, tty: detectTerminal(stdin, stderr)}
	return a.run(ctx, args)
}

// detectTerminal checks the real file descriptors; anything that is not an
// *os.File (a test's buffer, a pipe wrapper) is not a terminal.
func detectTerminal(stdin io.Reader, stderr io.Writer) terminal {
	var t terminal
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		t.stdin = true
		t.readSecret = func() (string, error) {
			b, err := term.ReadPassword(int(f.Fd()))
			return string(b), err
		}
	}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		t.stderr = true
	}
	return t
}

func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(a.stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(a.stdout, usage)
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

// usageError reports a usage problem and returns exitUsage.
func (a *app) usageError(format string, args ...any) int {
	fmt.Fprintf(a.stderr, "mfakit: "+format+"\n", args...)
	fmt.Fprintln(a.stderr, `Run "mfakit --help" for usage.`)
	return exitUsage
}
