package cli

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/rocketchat"
)

// The providers, as --provider names them.
const (
	provFlashback  = "flashback"
	provEntryGuard = "entryguard"
	provRocketChat = "rocketchat"
)

var providerNames = []string{provFlashback, provEntryGuard, provRocketChat}

// provider is one configured client, seen through the operations the CLI
// uses. self is nil where the provider has no self-reset.
type provider struct {
	name    string
	reset   mfaclient.Resetter
	self    mfaclient.SelfResetter
	primary mfaclient.PrimarySetter
	// limitedUntil is the client's rate-limit gate, for the progress bar.
	limitedUntil func() time.Time
}

// configError is a missing or bad setting: exit 2, nothing sent. Its text
// names the variable, never its value.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

// newProvider builds the named provider's client from the environment.
// Credentials come only from the environment; a missing one is a
// configError naming the variable.
func newProvider(name string, env func(string) string, rc twoFactorConfig, opts ...mfaclient.Option) (*provider, error) {
	need := func(vars ...string) error {
		for _, v := range vars {
			if env(v) == "" {
				return &configError{fmt.Sprintf("%s is not set (credentials come from the environment only)", v)}
			}
		}
		return nil
	}
	withURL := func(variable string) []mfaclient.Option {
		if u := env(variable); u != "" {
			return append(opts, mfaclient.WithBaseURL(u))
		}
		return opts
	}
	switch name {
	case provFlashback:
		if err := need("FLASHBACK_TOKEN"); err != nil {
			return nil, err
		}
		c, err := flashback.New(env("FLASHBACK_TOKEN"), withURL("FLASHBACK_URL")...)
		if err != nil {
			return nil, &configError{err.Error()}
		}
		return &provider{name: name, reset: c, self: c, primary: c, limitedUntil: c.RateLimitedUntil}, nil
	case provEntryGuard:
		if err := need("ENTRYGUARD_TOKEN"); err != nil {
			return nil, err
		}
		c, err := entryguard.New(env("ENTRYGUARD_TOKEN"), withURL("ENTRYGUARD_URL")...)
		if err != nil {
			return nil, &configError{err.Error()}
		}
		return &provider{name: name, reset: c, primary: c, limitedUntil: c.RateLimitedUntil}, nil
	case provRocketChat:
		if err := need("ROCKETCHAT_URL", "ROCKETCHAT_USER_ID", "ROCKETCHAT_AUTH_TOKEN"); err != nil {
			return nil, err
		}
		c, err := rocketchat.New(env("ROCKETCHAT_URL"), rocketchat.Credentials{
			UserID: env("ROCKETCHAT_USER_ID"), AuthToken: env("ROCKETCHAT_AUTH_TOKEN"),
		}, opts...)
		if err != nil {
			return nil, &configError{err.Error()}
		}
		r := newTwoFactorClient(c, rc)
		return &provider{name: name, reset: r, self: r, primary: r, limitedUntil: c.RateLimitedUntil}, nil
	}
	return nil, &configError{oneOf("provider", name, providerNames...).Error()}
}

// attemptCounter counts the requests one call sends. The SDK reports
// Attempts on errors only; counting at the transport gives the same number
// for successes too.
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
// request's context. The SDK puts it behind its rate-limit gate and
// per-attempt timeout, so it sees exactly the requests that were sent.
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

// clientOptions are the SDK options every command uses: a pool with enough
// idle connections for the workers, and the attempt counter.
func clientOptions(concurrency int) []mfaclient.Option {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = max(concurrency, 2)
	return []mfaclient.Option{
		mfaclient.WithHTTPClient(&http.Client{Transport: countingTransport{base: t}}),
		mfaclient.WithUserAgent("mfakit-cli/" + mfaclient.Version),
	}
}
