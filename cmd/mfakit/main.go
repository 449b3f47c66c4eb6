// Command mfakit resets users' MFA across identity providers (Flashback,
// EntryGuard, Rocket.Chat), one user or thousands, and runs the SDK's demo
// and fake providers. Run "mfakit --help" for the commands and exit codes.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/mfakit/mfakit/cmd/mfakit/internal/cli"
)

func main() {
	// The first SIGINT/SIGTERM cancels ctx: the command stops starting new
	// work and records what is in flight. Stopping the notification then
	// restores the default action, so a second signal ends the process at
	// once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	context.AfterFunc(ctx, stop)
	code := cli.Run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
