package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/mfakit/mfakit/internal/registry"
)

// usage is "mfakit --help". The exit codes and variables here are the
// contract scripts rely on; the README repeats them. Providers and their
// variables come from the registry.
func usage() string {
	var b strings.Builder
	names := strings.Join(registry.Names(), "|")
	var titles []string
	for _, p := range registry.All() {
		titles = append(titles, p.Title)
	}
	fmt.Fprintf(&b, "mfakit resets users' MFA on %s.\n\n", strings.Join(titles, ", "))
	fmt.Fprintf(&b, `Usage:
  mfakit demo
  mfakit reset --provider %s [--from FILE|-] [--dry-run] [--max N] [--yes]
               [--concurrency N] [--resume FILE] [--output text|json] USER...
  mfakit reset --people FILE [--dry-run] [--max N] [--yes] [--resume FILE] [PERSON...]
  mfakit reset-own --provider NAME [--output text|json]
  mfakit set-primary --provider NAME [--output text|json] METHOD
  mfakit serve-fake [--addr 127.0.0.1:0] [--users N --people FILE] [--rate-limit N/PERIOD] [--latency D]
  mfakit version

Commands:
  demo         run the SDK against in-process fake providers and print a transcript
  reset        reset the MFA of each USER (IDs from the arguments, --from FILE, or - for stdin),
               or of each PERSON of a --people file on every provider where they have an ID
  reset-own    reset the MFA of the account the credentials belong to
  set-primary  set the primary MFA method (totp, magic_link, passkey, email) of that account
  serve-fake   run every fake provider until interrupted; prints export lines for eval
  version      print mfakit's version (also --version)

Run "mfakit COMMAND --help" for a command's flags.

Credentials come from the environment only (flags land in shell history):
`, names)
	for _, p := range registry.All() {
		for _, s := range p.Settings {
			req := ""
			if s.Required {
				req = ", required"
			}
			fmt.Fprintf(&b, "  %-22s %s %s (%s%s)\n", s.Env, p.Title, s.Help, p.Name, req)
		}
	}
	b.WriteString(`
Outcomes (the "outcome" of each result line):
  succeeded    the provider carried out the operation
  already-off  the user had no MFA to reset; counted as done
  failed       the provider refused, or the call failed; error_class says why
  interrupted  cut off by Ctrl-C; whether the provider acted is unknown (--resume tries it again)

Exit codes:
  0    all succeeded (or were already off)
  2    usage: bad flags, arguments, user IDs or configuration, or a refused
       confirmation; nothing was sent
  3    some users failed (or the one operation failed), or the brake stopped a run
  4    authentication or permission: nothing can succeed (401, 403, 2FA refused)
  5    rate-limited beyond the wait budget (--max-wait)
  130  interrupted (SIGINT or SIGTERM); every finished user is recorded
`)
	return b.String()
}

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

// help writes the command's usage and its own flags, as they are typed
// (--flag), to w.
func (c *command) help(w io.Writer) {
	fmt.Fprintf(w, "Usage: mfakit %s\n\nFlags:\n", c.synopsis)
	c.fs.VisitAll(func(f *flag.Flag) {
		arg, text := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if arg != "" {
			line += " " + arg
		}
		switch f.DefValue {
		case "", "0", "false", "0s":
		default:
			text += " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n        %s\n", line, text)
	})
	fmt.Fprint(w, "\nRun \"mfakit --help\" for the credential variables, outcomes and exit codes.\n")
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
			a.usageError("%s: %s", c.name, dashes(err.Error()))
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

// dashes rewrites the flag package's "-name" to "--name", as the help and
// the README write flags.
func dashes(msg string) string {
	msg = strings.Replace(msg, "flag provided but not defined: -", "unknown flag --", 1)
	msg = strings.Replace(msg, "flag needs an argument: -", "flag needs an argument: --", 1)
	if i := strings.Index(msg, " for flag -"); i >= 0 {
		msg = msg[:i] + " for flag --" + msg[i+len(" for flag -"):]
	}
	return msg
}

// parseExit is the exit code for a parse error.
func parseExit(err error) int {
	if errors.Is(err, errHelp) {
		return exitOK
	}
	return exitUsage
}

// oneOf checks a value against its allowed values; what names it as the
// user typed it ("--output", "METHOD").
func oneOf(what, value string, allowed ...string) error {
	for _, v := range allowed {
		if value == v {
			return nil
		}
	}
	return fmt.Errorf("%s must be one of %s, not %q", what, strings.Join(allowed, ", "), value)
}
