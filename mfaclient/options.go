package mfaclient

import (
	"log/slog"
	"net/http"
	"time"
)

// RetryPolicy says how often and how long a client retries. The zero value
// means no retry; DefaultRetryPolicy is what a client uses without WithRetry.
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt; 0 means
	// no retry.
	MaxRetries int
	// MinWait is the first backoff wait; each later one doubles, with jitter.
	MinWait time.Duration
	// MaxWait caps every wait, the provider's own hints included: a 429 that
	// asks for longer returns a *RateLimitError at once instead of sleeping.
	MaxWait time.Duration
}

// DefaultRetryPolicy is 3 retries (4 attempts), waits from 500ms, and at most
// 60s: long enough to wait out Rocket.Chat's 60-second rate-limit window, short
// enough that a caller without a deadline is not parked for an hour by a
// hostile Retry-After.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 3, MinWait: 500 * time.Millisecond, MaxWait: 60 * time.Second}
}

// DefaultAttemptTimeout bounds one attempt, from sending the request to
// reading the body; the caller's context bounds the whole call.
const DefaultAttemptTimeout = 30 * time.Second

// Option configures a client; pass any number to a provider's New.
type Option func(*Settings)

// Settings is the resolved form of a list of Options. Provider packages read
// it when they build a client; programs set it through the With functions.
type Settings struct {
	// BaseURL replaces the provider's default base URL. It must be https, or
	// http to a loopback host, with no userinfo, query or fragment.
	// Default: the provider's documented URL.
	BaseURL string
	// BaseURLSet says WithBaseURL was given, so that WithBaseURL("") (an
	// unset environment variable) is an error, never the production host.
	BaseURLSet bool
	// HTTPClient sends the requests. mfakit wraps a copy of it (its Transport,
	// Timeout and Jar are kept; redirects to another host are refused).
	// Default: a pooled client of mfakit's own.
	HTTPClient *http.Client
	// Retry is the retry policy. Default: DefaultRetryPolicy().
	Retry RetryPolicy
	// UserAgent is the caller's product token, sent before "mfakit/<version>".
	// Default: "" (the header is "mfakit/<version>").
	UserAgent string
	// Logger receives one record per attempt and per wait, never a
	// credential. Default: nil, nothing is logged.
	Logger *slog.Logger
	// AttemptTimeout bounds each attempt. Default: DefaultAttemptTimeout;
	// when WithHTTPClient gives a client with its own Timeout, that one.
	AttemptTimeout time.Duration
	// RateLimit is the provider's rate in requests per second, when the
	// caller knows it: requests are spaced at it from the first one. A 429
	// can still slow the client down, never speed it past RateLimit.
	// Default: 0, the rate is learned from the provider's 429s.
	RateLimit float64
	// RateBurst is how many requests may go back to back before the spacing
	// applies, with RateLimit. Default: 0, the same as 1 (no burst).
	RateBurst int
}

// ApplyOptions resolves opts over the defaults.
func ApplyOptions(opts ...Option) Settings {
	s := Settings{Retry: DefaultRetryPolicy()}
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	if s.AttemptTimeout == 0 {
		s.AttemptTimeout = DefaultAttemptTimeout
		if s.HTTPClient != nil && s.HTTPClient.Timeout > 0 {
			s.AttemptTimeout = s.HTTPClient.Timeout
		}
	}
	return s
}

// WithBaseURL sends requests to baseURL instead of the provider's default,
// for a self-hosted deployment, a proxy or a test server. A path prefix
// ("https://host/chat") is kept. An empty baseURL is ErrInvalidInput from
// New: WithBaseURL(os.Getenv("X")) with X unset must not mean production.
func WithBaseURL(baseURL string) Option {
	return func(s *Settings) { s.BaseURL, s.BaseURLSet = baseURL, true }
}

// WithHTTPClient sends requests through c (for a proxy, custom TLS or
// instrumentation). A nil c keeps the default.
func WithHTTPClient(c *http.Client) Option { return func(s *Settings) { s.HTTPClient = c } }

// WithRetry replaces DefaultRetryPolicy. RetryPolicy{} disables retries.
func WithRetry(p RetryPolicy) Option { return func(s *Settings) { s.Retry = p } }

// WithUserAgent puts the caller's product token ("helpdesk-bot/2.1") before
// mfakit's own in the User-Agent header.
func WithUserAgent(ua string) Option { return func(s *Settings) { s.UserAgent = ua } }

// WithLogger logs each attempt (operation, path, status, attempt, wait) at
// Debug level, and waits for a rate limit at Info level. Nil disables logging.
func WithLogger(l *slog.Logger) Option { return func(s *Settings) { s.Logger = l } }

// WithRateLimit spaces requests at rate per second, allowing burst of them
// back to back, from the first request: for a provider whose limit the
// caller knows (it may differ per deployment). Without it a client learns the
// rate from the provider's 429s. Hints a provider sends (Retry-After,
// X-RateLimit-*) are still obeyed.
func WithRateLimit(rate float64, burst int) Option {
	return func(s *Settings) { s.RateLimit, s.RateBurst = rate, burst }
}

// WithAttemptTimeout bounds each attempt (default DefaultAttemptTimeout). A
// timed-out attempt counts as a network failure and is retried when the
// operation is safe to retry.
func WithAttemptTimeout(d time.Duration) Option {
	return func(s *Settings) { s.AttemptTimeout = d }
}
