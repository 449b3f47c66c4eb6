package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/bulk"
)

// provider is one configured client, seen through the operations the CLI
// uses. Everything provider-specific comes from its registry row.
type provider struct {
	row     *registry.Provider
	name    string
	reset   mfaclient.Resetter
	self    mfaclient.SelfResetter // nil where the provider has no self-reset
	primary mfaclient.PrimarySetter
	// limitedUntil is the client's rate-limit gate, for the progress bar.
	limitedUntil func() time.Time
	// caller is the caller's own user ID, and where it was read; "" when
	// it cannot be known before a call.
	caller, callerFrom string
}

// configError is a missing or bad setting: exit 2, nothing sent. Its text
// names the variable, never its value.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

// clientConfig is what every command's flags say about the clients.
type clientConfig struct {
	twoFactor   twoFactorConfig
	concurrency int
	maxWait     time.Duration // RetryPolicy.MaxWait
	timeout     time.Duration // per-attempt bound
	logger      *slog.Logger  // --verbose; nil logs nothing
}

// envValues reads a row's settings from the environment and checks them
// before anything is built: every missing variable is listed at once, and a
// bad URL names its variable.
func envValues(rows []*registry.Provider, env func(string) string) (map[string]registry.Values, error) {
	var missing, bad []string
	out := make(map[string]registry.Values, len(rows))
	for _, row := range rows {
		v := row.FromEnv(env)
		for _, s := range row.Missing(v) {
			missing = append(missing, s.Env)
		}
		for _, s := range row.Settings {
			if s.Key != registry.KeyURL || v[s.Key] == "" {
				continue
			}
			if _, err := transport.ParseBaseURL(v[s.Key]); err != nil {
				bad = append(bad, fmt.Sprintf("%s: %v", s.Env, err))
			}
		}
		out[row.Name] = v
	}
	var msgs []string
	switch len(missing) {
	case 0:
	case 1:
		msgs = append(msgs, missing[0]+" is not set (credentials come from the environment only)")
	default:
		msgs = append(msgs, strings.Join(missing, ", ")+" are not set (credentials come from the environment only)")
	}
	msgs = append(msgs, bad...)
	if len(msgs) > 0 {
		return nil, &configError{strings.Join(msgs, "; ")}
	}
	return out, nil
}

// newProvider builds a row's client from checked values.
func newProvider(row *registry.Provider, v registry.Values, cfg clientConfig) (*provider, error) {
	c, err := row.New(v, cfg.options()...)
	if err != nil {
		return nil, &configError{message(err)}
	}
	p := &provider{row: row, name: row.Name, reset: c.Resetter, self: c.Self, primary: c.Primary, limitedUntil: c.RateLimitedUntil}
	if row.Caller != nil {
		p.caller, p.callerFrom = row.Caller(v)
	}
	// A provider that may ask for a second factor answers the challenge
	// through mfaclient's neutral interface.
	if a, ok := c.Resetter.(mfaclient.SecondFactorAnswerer); ok {
		r := newTwoFactorClient(row.Title, row.Name, c.Resetter, a, cfg.twoFactor)
		p.reset, p.primary = r, r
		if p.self != nil {
			p.self = r
		}
	}
	return p, nil
}

// options are the SDK options of every command's clients: a pool with
// enough idle connections for the workers, bulk's transport (so an
// interrupt cancels calls that sent nothing) and the attempt counter.
func (cfg clientConfig) options() []mfaclient.Option {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(cfg.concurrency, 2)
	retry := mfaclient.DefaultRetryPolicy()
	if cfg.maxWait > 0 {
		retry.MaxWait = cfg.maxWait
		retry.MinWait = min(retry.MinWait, cfg.maxWait)
	}
	opts := []mfaclient.Option{
		mfaclient.WithHTTPClient(&http.Client{Transport: bulk.Transport(countingTransport{base: t})}),
		mfaclient.WithUserAgent("mfakit-cli/" + mfaclient.Version),
		mfaclient.WithRetry(retry),
		mfaclient.WithLogger(cfg.logger),
	}
	if cfg.timeout > 0 {
		opts = append(opts, mfaclient.WithAttemptTimeout(cfg.timeout))
	}
	return opts
}

// idChecker returns the provider's own check of a user ID, run without
// sending anything: the row's client, built from placeholder values, is
// called with a context that has already ended and a transport that refuses
// every request, so only its input checks can answer. Any provider's rules
// (EntryGuard's UUIDs) apply without the CLI knowing them.
func idChecker(row *registry.Provider) func(id string) error {
	c, err := row.New(placeholders(row), mfaclient.WithHTTPClient(&http.Client{Transport: refuse{}}), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	return func(id string) error {
		if err := transport.CheckUserID(row.Name, "ResetMFA", id); err != nil {
			return err
		}
		if c == nil || err != nil {
			return nil
		}
		if err := c.Resetter.ResetMFA(ended, id); errors.Is(err, mfaclient.ErrInvalidInput) {
			return err
		}
		return nil
	}
}

// refuse is a transport that sends nothing.
type refuse struct{}

func (refuse) RoundTrip(req *http.Request) (*http.Response, error) {
	return nil, errors.New("mfakit: validation sends nothing")
}

// invalidReason is the reason an ID was refused, without the SDK's
// provider, operation and class prefix.
func invalidReason(err error) string {
	var op *mfaclient.OpError
	if errors.As(err, &op) {
		return strings.TrimPrefix(op.Err.Error(), mfaclient.ErrInvalidInput.Error()+": ")
	}
	return message(err)
}

// canSelfReset reports whether the row's client has a self-reset, built
// from placeholder values (nothing is sent).
func canSelfReset(row *registry.Provider) bool {
	c, err := row.New(placeholders(row))
	return err == nil && c.Self != nil
}

// placeholders are values that build a row's client for what it checks
// locally; a client built from them never sends a request. Only required
// settings and the URL are filled: an optional switch keeps its default.
func placeholders(row *registry.Provider) registry.Values {
	v := make(registry.Values, len(row.Settings))
	for _, s := range row.Settings {
		switch {
		case s.Key == registry.KeyURL:
			v[s.Key] = "https://validate.invalid"
		case s.Required:
			v[s.Key] = "placeholder"
		}
	}
	return v
}

// attemptCounter counts the requests one call sends, with each answer's
// status and Retry-After, for the demo's trace.
type attemptCounter struct {
	mu       sync.Mutex
	statuses []int    // one per answer; 0 for an attempt with no answer
	hints    []string // the Retry-After of each answer, "" when none
}

func (c *attemptCounter) attempts() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.statuses)
}

type counterKey struct{}

// withCounter returns a context whose calls are counted in a new counter.
func withCounter(ctx context.Context) (context.Context, *attemptCounter) {
	c := new(attemptCounter)
	return context.WithValue(ctx, counterKey{}, c), c
}

// countingTransport records every attempt against the counter in its
// request's context.
type countingTransport struct{ base http.RoundTripper }

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if c, ok := req.Context().Value(counterKey{}).(*attemptCounter); ok {
		status, hint := 0, ""
		if resp != nil {
			status, hint = resp.StatusCode, resp.Header.Get("Retry-After")
		}
		c.mu.Lock()
		c.statuses = append(c.statuses, status)
		c.hints = append(c.hints, hint)
		c.mu.Unlock()
	}
	return resp, err
}
