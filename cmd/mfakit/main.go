// Command mfakit resets users' MFA across identity providers, one user or
// thousands, and runs the SDK's demo and fake providers. Run "mfakit --help"
// for the commands and exit codes.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mfakit/mfakit/cmd/mfakit/internal/cli"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	// The first SIGINT/SIGTERM cancels ctx: the command sends nothing new
	// and records what is in flight. The second ends the process at once.
	// The handler stays installed for both, never handing the signal back
	// to its inherited disposition: a process started in the background by
	// a script inherits SIG_IGN for SIGINT, and restoring that would make
	// the second Ctrl-C do nothing. (signal.Notify also overrides an
	// inherited SIG_IGN.)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "mfakit: second signal: stopping at once; calls in flight are not recorded")
		os.Exit(130)
	}()
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	os.Exit(code)
}
