package cli

import (
	"bufio"
	"flag"
	"log/slog"
	"strings"
	"time"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient"
)

// commonFlags are the flags every provider command has.
type commonFlags struct {
	provider, output       string
	twoFACode, twoFAMethod string
	verbose                bool
	maxWait, timeout       time.Duration
}

func (f *commonFlags) register(fs *flag.FlagSet, providerHelp string) {
	fs.StringVar(&f.provider, "provider", "", "the `NAME` of the provider: "+providerHelp)
	fs.StringVar(&f.output, "output", "text", "`FORMAT`: text, or json for one JSON object per line")
	fs.StringVar(&f.twoFACode, "2fa-code", "", "the `CODE` that answers the provider's second-factor challenge (Rocket.Chat asks for one); on a terminal, mfakit asks when needed")
	fs.StringVar(&f.twoFAMethod, "2fa-method", methodTOTP, "the `METHOD` of --2fa-code: totp, email or password")
	fs.BoolVar(&f.verbose, "verbose", false, "log every request, wait and retry to stderr (debug level; credentials redacted)")
	fs.DurationVar(&f.maxWait, "max-wait", mfaclient.DefaultRetryPolicy().MaxWait, "the longest `DURATION` a call waits for a rate limit or between retries; a provider asking for longer fails the call with ErrRateLimited (exit 5)")
	fs.DurationVar(&f.timeout, "timeout", mfaclient.DefaultAttemptTimeout, "bounds each request, from sending it to reading the answer (`DURATION`)")
}

// check validates the flag values.
func (f *commonFlags) check() error {
	if err := oneOf("--output", f.output, "text", "json"); err != nil {
		return err
	}
	if f.maxWait < 0 || f.timeout <= 0 {
		return errorf("--max-wait must not be negative and --timeout must be positive")
	}
	return oneOf("--2fa-method", f.twoFAMethod, methodTOTP, methodEmail, methodPassword)
}

// lookup returns the --provider row, among rows when given.
func (f *commonFlags) lookup(rows []*registry.Provider) (*registry.Provider, error) {
	if f.provider == "" {
		return nil, errorf("--provider is required")
	}
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.Name
		if r.Name == f.provider {
			return r, nil
		}
	}
	return nil, oneOf("--provider", f.provider, names...)
}

// clientConfig is what the flags say about the clients. The 2FA prompt is
// offered only when stdin is a terminal and was not used for the user list.
func (a *app) clientConfig(f *commonFlags, stdinFree bool, concurrency int, secrets []string) clientConfig {
	cfg := clientConfig{
		twoFactor:   twoFactorConfig{code: f.twoFACode, method: f.twoFAMethod},
		concurrency: concurrency, maxWait: f.maxWait, timeout: f.timeout,
	}
	if a.tty.stdin && stdinFree {
		cfg.twoFactor.prompt = terminalPrompt(a.lines(), a.stderr, a.tty.readSecret)
	}
	if f.verbose {
		cfg.logger = redactedLogger(a, append(secrets, f.twoFACode))
	}
	return cfg
}

// lines is the one buffered reader of stdin: the confirmation and the 2FA
// prompt share it, so neither swallows the other's answer.
func (a *app) lines() *bufio.Reader {
	if a.stdinLines == nil {
		a.stdinLines = bufio.NewReader(a.stdin)
	}
	return a.stdinLines
}

// redactedLogger logs the SDK's records at debug level to stderr. The SDK
// logs no credential; as a second line of defence any text equal to one of
// secrets is replaced.
func redactedLogger(a *app, secrets []string) *slog.Logger {
	var keep []string
	for _, s := range secrets {
		if len(s) >= 4 {
			keep = append(keep, s)
		}
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{
		Level: slog.LevelDebug,
		ReplaceAttr: func(_ []string, at slog.Attr) slog.Attr {
			if at.Value.Kind() != slog.KindString {
				return at
			}
			s := at.Value.String()
			for _, sec := range keep {
				s = strings.ReplaceAll(s, sec, "[REDACTED]")
			}
			at.Value = slog.StringValue(s)
			return at
		},
	}))
}

// secrets are the values of the rows' secret settings.
func secrets(values map[string]registry.Values) []string {
	var out []string
	for name, v := range values {
		row, err := registry.Lookup(name)
		if err != nil {
			continue
		}
		for _, s := range row.Settings {
			if s.Secret && v[s.Key] != "" {
				out = append(out, v[s.Key])
			}
		}
	}
	return out
}

// secretEnvs names the row's credential variables, for messages.
func secretEnvs(row *registry.Provider) string {
	var out []string
	for _, s := range row.Settings {
		if s.Secret {
			out = append(out, s.Env)
		}
	}
	return strings.Join(out, " and ")
}

// urlEnv names the row's URL variable, or "" when it has none.
func urlEnv(row *registry.Provider) string {
	for _, s := range row.Settings {
		if s.Key == registry.KeyURL {
			return s.Env
		}
	}
	return ""
}
