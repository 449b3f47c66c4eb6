package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usage is "mfakit --help". The exit codes and variables here are the
// contract scripts rely on; the README repeats them.
const usage = `mfakit resets users' MFA on Flashback, EntryGuard and Rocket.Chat.

Usage:
  mfakit demo
  mfakit reset --provider flashback|entryguard|rocketchat [--from FILE|-]
               [--concurrency N] [--resume FILE] [--output text|json] USER...
  mfakit reset-own --provider flashback|rocketchat [--output text|json]
  mfakit set-primary --provider flashback [--output text|json] totp|magic_link|passkey
  mfakit serve-fake [--addr 127.0.0.1:0]

Commands:
  demo         run the SDK against in-process fake providers and print a transcript
  reset        reset the MFA of each USER (IDs from the arguments, --from FILE, or - for stdin)
  reset-own    reset the MFA of the account the credentials belong to
  set-primary  set the primary MFA method of the account the credentials belong to
  serve-fake   run the three fake providers until interrupted; prints export lines for eval

Run "mfakit COMMAND --help" for a command's flags.

Credentials come from the environment only (flags land in shell history):
  FLASHBACK_TOKEN        Flashback bearer token
  FLASHBACK_URL          Flashback base URL (default https://backend.flashback.tech)
  ENTRYGUARD_TOKEN       EntryGuard bearer token
  ENTRYGUARD_URL         EntryGuard base URL (default https://api.entryguard.io)
  ROCKETCHAT_URL         Rocket.Chat server URL (required for rocketchat)
  ROCKETCHAT_USER_ID     Rocket.Chat user ID (X-User-Id)
  ROCKETCHAT_AUTH_TOKEN  Rocket.Chat auth token (X-Auth-Token)

Exit codes:
  0    all succeeded
  2    usage: bad flags or arguments, or a missing credential; nothing was sent
  3    some users failed (or the one operation failed)
  4    authentication or permission: nothing can succeed (401, 403, 2FA refused)
  5    rate-limited beyond the wait budget
  130  interrupted (SIGINT or SIGTERM); every finished user is recorded
`

// command is one subcommand's flags and help.
type command struct {
	name     string
	synopsis string
	fs       *flag.FlagSet
}

func newCommand(name, synopsis string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors and help are printed by parse, once
	return &command{name: name, synopsis: synopsis, fs: fs}
}

// help writes the command's usage and flags to w.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "Usage: mfakit %s\n\nFlags:\n", c.synopsis)
	c.fs.SetOutput(w)
	c.fs.PrintDefaults()
	c.fs.SetOutput(io.Discard)
	fmt.Fprint(w, "\nRun \"mfakit --help\" for the credential variables and exit codes.\n")
}

// errHelp is returned by parse when the user asked for help; the help has
// been printed and the command should exit 0.
var errHelp = errors.New("help requested")

// parse parses args with flags and positional arguments in any order
// ("reset alice --provider flashback bob"); "--" ends the flags. It prints
// a usage error itself.
func (c *command) parse(a *app, args []string) ([]string, error) {
	var positional []string
	for {
		err := c.fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			c.help(a.stdout)
			return nil, errHelp
		}
		if err != nil {
			a.usageError("%s: %v", c.name, err)
			return nil, err
		}
		rest := c.fs.Args()
		if consumed := args[:len(args)-len(rest)]; len(consumed) > 0 && consumed[len(consumed)-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// parseExit is the exit code for a parse error.
func parseExit(err error) int {
	if errors.Is(err, errHelp) {
		return exitOK
	}
	return exitUsage
}

// oneOf checks a flag value against its allowed values.
func oneOf(flagName, value string, allowed ...string) error {
	for _, v := range allowed {
		if value == v {
			return nil
		}
	}
	return fmt.Errorf("--%s must be one of %s, not %q", flagName, strings.Join(allowed, ", "), value)
}
