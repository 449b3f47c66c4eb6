package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"
)

// call is the per-call state that travels in the request context, so the
// shared RoundTripper, retry policy and backoff know which operation an
// attempt belongs to. Attempts of one call run one after another on the
// caller's goroutine, so the counter needs no lock.
type call struct {
	operation  string
	path       string
	idempotent bool
	attempts   int
	retryCount // retry.go
}

type callKey struct{}

// callContext carries the call in the request context. It is one allocation
// where context.WithValue and a separate *call would be two, on every call.
type callContext struct {
	context.Context
	call call
}

func newCallContext(ctx context.Context, req *Request) *callContext {
	return &callContext{Context: ctx, call: call{operation: req.Operation, path: req.Path, idempotent: req.Idempotent}}
}

func (c *callContext) Value(key any) any {
	if key == (callKey{}) {
		return &c.call
	}
	return c.Context.Value(key)
}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// errAttemptTimeout is one attempt running past the per-attempt timeout
// while the caller's context is still alive.
var errAttemptTimeout = errors.New("attempt timed out")

// attemptTransport wraps the real RoundTripper. It waits at the client's
// rate-limit gate before each attempt, bounds the attempt by the per-attempt
// timeout (here, not in http.Client.Timeout, so that a gate wait does not eat
// the attempt's time), learns rate-limit hints from every answer, counts and
// logs attempts.
//
// It deliberately has no CloseIdleConnections method: go-retryablehttp calls
// http.Client.CloseIdleConnections after every failed Do, which would drop
// the whole pool on each 429.
type attemptTransport struct {
	inner    http.RoundTripper
	gate     *gate
	timeout  time.Duration
	maxWait  time.Duration
	logger   *slog.Logger
	provider string
	policy   // policy.go
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	parent := req.Context()
	st := callFrom(parent)
	tk, err := t.gate.acquire(parent, t.maxWait, func(d time.Duration) { t.logGateWait(parent, st, d) })
	if err != nil {
		return nil, err
	}
	if st != nil {
		st.attempts++
	}
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	start := time.Now()
	resp, err := t.inner.RoundTrip(req.WithContext(ctx))
	if err != nil {
		t.gate.forget(tk)
		// Only our own deadline, with the caller's context alive, is a timeout;
		// test it before cancel, which would make every error look like one.
		timedOut := errors.Is(ctx.Err(), context.DeadlineExceeded) && parent.Err() == nil
		cancel()
		if timedOut {
			err = fmt.Errorf("%w after %s", errAttemptTimeout, t.timeout)
		}
		t.logAttempt(parent, st, 0, time.Since(start), err)
		return nil, err
	}
	now := time.Now()
	paced := t.gate.learn(tk, resp.StatusCode, t.hints(resp.Header, now), now)
	if st != nil {
		st.lastPaced = paced
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	t.logAttempt(parent, st, resp.StatusCode, now.Sub(start), nil)
	return resp, nil
}

// cancelOnClose ends the attempt's timeout context once the body is closed,
// as http.Client does for its own Timeout.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

func (t *attemptTransport) logAttempt(ctx context.Context, st *call, status int, d time.Duration, err error) {
	if t.logger == nil || !t.logger.Enabled(ctx, slog.LevelDebug) || st == nil {
		return
	}
	attrs := []slog.Attr{
		slog.String("provider", t.provider),
		slog.String("operation", st.operation),
		slog.String("path", st.path),
		slog.Int("attempt", st.attempts),
		slog.Duration("duration", d),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	} else {
		attrs = append(attrs, slog.Int("status", status))
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "mfakit: attempt", attrs...)
}

func (t *attemptTransport) logGateWait(ctx context.Context, st *call, d time.Duration) {
	if t.logger == nil || st == nil {
		return
	}
	t.logger.LogAttrs(ctx, slog.LevelInfo, "mfakit: waiting for rate limit",
		slog.String("provider", t.provider),
		slog.String("operation", st.operation),
		slog.String("path", st.path),
		slog.Duration("wait", d))
}

// logRetryWait records the backoff before a retry.
func (t *attemptTransport) logRetryWait(ctx context.Context, st *call, status int, d time.Duration) {
	if t.logger == nil || st == nil {
		return
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "mfakit: retry wait",
		slog.String("provider", t.provider),
		slog.String("operation", st.operation),
		slog.String("path", st.path),
		slog.Int("attempt", st.attempts),
		slog.Int("status", status),
		slog.Duration("wait", d))
}
