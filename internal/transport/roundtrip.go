package transport

// Stage 3 of a call: one attempt. Each attempt waits at the client's
// rate-limit gate (gate.go), runs under the per-attempt timeout, has its
// answer's body bounded by that timeout and the caller's context, and is
// logged; retry.go decides whether another attempt follows.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"
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
	// redact is the call's redactor: every string logged or returned goes
	// through it.
	redact redactor
	// location is the last answer's Location when it did not parse, kept
	// out of http.Client's sight (see hideUnparseableLocation).
	location   []string
	retryCount // retry.go
}

type callKey struct{}

// callContext carries the call in the request context. It is one allocation
// where context.WithValue and a separate *call would be two, on every call.
type callContext struct {
	context.Context
	call      call
	retryable retryablehttp.Request // request.go
}

func newCallContext(ctx context.Context, req *Request, r redactor) *callContext {
	return &callContext{Context: ctx, call: call{operation: req.Operation, path: req.Path, idempotent: req.Idempotent, redact: r}}
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
	inner   http.RoundTripper
	gate    *gate
	maxWait time.Duration
	// deadlines bounds each attempt by the attempt timeout (deadline.go).
	deadlines deadlines
	// direct says a call's first attempt may skip http.Client: it has no
	// cookie jar and no redirect policy of the caller's (send.go).
	direct   bool
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
	a := &attemptBody{parent: parent, deadlines: &t.deadlines, stopWatch: noStop}
	ctx := t.deadlines.start(parent, &a.clock)
	a.ctx = ctx
	start := time.Now()
	out := req.WithContext(ctx)
	if err := rewind(out, st); err != nil {
		t.gate.forget(tk)
		t.deadlines.stop(&a.clock)
		return nil, err
	}
	resp, err := t.inner.RoundTrip(out)
	resp, err = keptToContract(t.inner, out, resp, err)
	if err != nil {
		t.gate.forget(tk)
		// Only our own deadline, with the caller's context alive, is a timeout;
		// test it before stop, which ends the context too.
		if timedOut(ctx, parent) {
			err = fmt.Errorf("%w after %s", errAttemptTimeout, t.deadlines.timeout)
		}
		t.deadlines.stop(&a.clock)
		t.logAttempt(parent, st, 0, time.Since(start), err)
		return nil, err
	}
	now := time.Now()
	paced := t.gate.learn(tk, resp.StatusCode, t.hints(resp.Header, now), now)
	if st != nil {
		st.lastPaced = paced
	}
	hideUnparseableLocation(req, resp, st)
	if resp.StatusCode == http.StatusSwitchingProtocols && req.Header.Get("Upgrade") == "" {
		// net/http hands a 101's raw connection over as the body, which no
		// context bounds; nobody asked for an upgrade, so nothing of it is
		// read: the answer is the status alone.
		_ = resp.Body.Close()
		resp.Body, resp.ContentLength = http.NoBody, 0
	}
	_, bounded := t.inner.(*http.Transport)
	a.watch(resp.Body, !bounded)
	resp.Body = a
	t.logAttempt(parent, st, resp.StatusCode, now.Sub(start), nil)
	return resp, nil
}

// keptToContract reads what a RoundTripper returned as http.Client reads
// it, so that one breaking the http.RoundTripper contract (a caller's mock,
// a proxy library with a bug) gets an error, not a panic: no response and
// no error is a failure; a response that came with an error is dropped and
// closed; a nil body is an empty one, unless the response says it has
// content. http.Client checks the same, but only after this transport, which
// reads the answer first.
func keptToContract(rt http.RoundTripper, req *http.Request, resp *http.Response, err error) (*http.Response, error) {
	switch {
	case err != nil:
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		return nil, err
	case resp == nil:
		return nil, fmt.Errorf("http: RoundTripper %T returned no response and no error", rt)
	case resp.Body == nil && resp.ContentLength > 0 && req.Method != http.MethodHead:
		return nil, fmt.Errorf("http: RoundTripper %T returned a response with Content-Length %d and no body", rt, resp.ContentLength)
	case resp.Body == nil:
		resp.Body = http.NoBody
	}
	return resp, nil
}

// rewind gives a retry its body again: the previous attempt consumed it.
// The first attempt's body is fresh, and so is a redirect's (http.Client
// made it from GetBody and set Response).
func rewind(req *http.Request, st *call) error {
	if st == nil || st.attempts == 1 || req.Response != nil || req.GetBody == nil {
		return nil
	}
	body, err := req.GetBody()
	if err != nil {
		return err
	}
	req.Body = body
	return nil
}

// attemptBody bounds every read of an answer's body by the attempt's
// context (the caller's context and the attempt timeout), whatever the
// body is. An *http.Transport does it itself (it closes the connection when
// the request's context ends, which ends a blocked Read); any other
// RoundTripper (a caller's proxy library, instrumentation) may ignore the
// context, so its body is watched: closed when the context ends. A 101's
// raw connection, which nothing bounds, never gets here (see RoundTrip).
// Close ends the attempt and its timeout, as http.Client does for its own
// Timeout. It is allocated when the attempt starts, so an attempt's clock
// and its body's wrapper are one allocation.
type attemptBody struct {
	io.ReadCloser
	ctx, parent context.Context
	clock       attemptClock
	deadlines   *deadlines
	stopWatch   func() bool
	// ended is set when the context ended and closed the body: whatever a
	// Read then reports, EOF included, the body did not end by itself.
	ended atomic.Bool
}

func (b *attemptBody) watch(body io.ReadCloser, watch bool) {
	b.ReadCloser = body
	if watch {
		b.stopWatch = context.AfterFunc(b.ctx, func() {
			b.ended.Store(true)
			_ = body.Close()
		})
	}
}

func noStop() bool { return false }

// Read reports the attempt timeout as errAttemptTimeout, and the caller's
// context as its error, whatever the closed body gave.
func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && (err != io.EOF || b.ended.Load()) {
		switch {
		case b.parent.Err() != nil:
			err = b.parent.Err()
		case timedOut(b.ctx, b.parent):
			err = fmt.Errorf("%w after %s", errAttemptTimeout, b.deadlines.timeout)
		}
	}
	return n, err
}

func (b *attemptBody) Close() error {
	b.stopWatch()
	err := b.ReadCloser.Close()
	b.deadlines.stop(&b.clock)
	return err
}

func (t *attemptTransport) logAttempt(ctx context.Context, st *call, status int, d time.Duration, err error) {
	if t.logger == nil || !t.logger.Enabled(ctx, slog.LevelDebug) || st == nil {
		return
	}
	attrs := append(t.callAttrs(st), slog.Int("attempt", st.attempts), slog.Duration("duration", d))
	if err != nil {
		// A network error can quote what the server sent (net/http quotes a
		// malformed status line), so it is redacted like a returned error.
		attrs = append(attrs, slog.String("error", st.redact.String(err.Error())))
	} else {
		attrs = append(attrs, slog.Int("status", status))
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "mfakit: attempt", attrs...)
}

func (t *attemptTransport) logGateWait(ctx context.Context, st *call, d time.Duration) {
	if t.logger == nil || st == nil {
		return
	}
	t.logger.LogAttrs(ctx, slog.LevelInfo, "mfakit: waiting for rate limit", append(t.callAttrs(st), slog.Duration("wait", d))...)
}

// logRetryWait records the backoff before a retry.
func (t *attemptTransport) logRetryWait(ctx context.Context, st *call, status int, d time.Duration) {
	if t.logger == nil || st == nil {
		return
	}
	t.logger.LogAttrs(ctx, slog.LevelDebug, "mfakit: retry wait", append(t.callAttrs(st),
		slog.Int("attempt", st.attempts), slog.Int("status", status), slog.Duration("wait", d))...)
}

// callAttrs are what every record of a call says; the path is redacted
// like everything else logged.
func (t *attemptTransport) callAttrs(st *call) []slog.Attr {
	return append(make([]slog.Attr, 0, 8),
		slog.String("provider", t.provider),
		slog.String("operation", st.operation),
		slog.String("path", st.redact.String(st.path)))
}

// hideUnparseableLocation takes a redirect's Location that does not parse
// out of the answer before http.Client sees it, and keeps it in the call.
// http.Client would otherwise fail the whole call with "failed to parse
// Location header", no answer at all, which go-retryablehttp retries as a
// network failure: four requests and ErrNetwork for one redirect we would
// never have followed. Without it, the client returns the 3xx itself, and
// Do puts the Location back for the error.
func hideUnparseableLocation(req *http.Request, resp *http.Response, st *call) {
	if st != nil {
		st.location = nil
	}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return
	}
	if _, err := req.URL.Parse(loc); err == nil || st == nil {
		return
	}
	st.location = resp.Header["Location"]
	resp.Header.Del("Location")
}
