package conformance

// Helpers the guarantee files share: servers that misbehave on purpose,
// clients of a provider, and assertions on the typed errors.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// chain makes a transport that applies outer's header, then inner's.
func chain(inner http.RoundTripper, outer headerSetter) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r = r.Clone(r.Context())
		r.Header.Set(outer.k, outer.v)
		return inner.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// port is the port a test server listens on.
func port(t *testing.T, ts *httptest.Server) string {
	t.Helper()
	_, p, err := net.SplitHostPort(ts.Listener.Addr().String())
	require.NoError(t, err)
	return p
}

// inBubble runs f in a synctest bubble against a pipe server answering with
// answer, and closes the server before the bubble ends. Its clients are
// New's: a prelude is answered below the transport, unseen by answer.
func inBubble(t *testing.T, p Provider, answer func(n int, w http.ResponseWriter, r *http.Request), f func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client)) {
	inBubbleWith(t, p.New, answer, f)
}

// inServedBubble is inBubble whose answer sees every request the client
// sends, a prelude's included (NewServed): for the tests that count and time
// what the provider receives.
func inServedBubble(t *testing.T, p Provider, answer func(n int, w http.ResponseWriter, r *http.Request), f func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client)) {
	newc := p.New
	if len(p.PreludePaths) > 0 {
		require.NotNil(t, p.NewServed, "PreludePaths needs NewServed and Prelude")
		require.NotNil(t, p.Prelude, "PreludePaths needs NewServed and Prelude")
		newc = p.NewServed
	}
	inBubbleWith(t, newc, answer, f)
}

func inBubbleWith(t *testing.T, newc func(string, ...mfaclient.Option) (Client, error), answer func(n int, w http.ResponseWriter, r *http.Request), f func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client)) {
	synctest.Test(t, func(t *testing.T) {
		srv := newServer(answer)
		ps := newPipeServer(srv)
		defer ps.Close()
		newClient := func(opts ...mfaclient.Option) Client {
			c, err := newc(ps.URL, append([]mfaclient.Option{mfaclient.WithHTTPClient(ps.Client)}, opts...)...)
			require.NoError(t, err)
			return c
		}
		f(t, srv, newClient)
	})
}

// requireLostAnswer asserts err is an answer with status whose body was
// lost on the way (cut, or stalled past the attempt timeout): ErrNetwork
// and nothing else, an *APIError with the status and one attempt.
func requireLostAnswer(t *testing.T, err error, status int) *mfaclient.APIError {
	t.Helper()
	return requireAPIError(t, err, status, mfaclient.ErrNetwork, 1)
}

// noRetry makes one call one attempt, so a test sees exactly the answer it
// served.
var noRetry = mfaclient.WithRetry(mfaclient.RetryPolicy{})

// statusClass is the class the contract gives an answer whose body says
// nothing more specific. It is written out here, not taken from transport,
// so that a change there is caught.
func statusClass(status int) error {
	switch {
	case status >= 200 && status < 300:
		return mfaclient.ErrUnexpectedResponse
	case status == 400, status == 422:
		return mfaclient.ErrInvalidInput
	case status == 401:
		return mfaclient.ErrUnauthorized
	case status == 403:
		return mfaclient.ErrForbidden
	case status == 404:
		return mfaclient.ErrNotFound
	case status == 429:
		return mfaclient.ErrRateLimited
	case status >= 500:
		return mfaclient.ErrServer
	}
	return mfaclient.ErrUnexpectedResponse
}

// requireAPIError asserts err is the typed error for an answer with status
// and class, after attempts requests, and returns it.
func requireAPIError(t *testing.T, err error, status int, class error, attempts int) *mfaclient.APIError {
	t.Helper()
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, status, apiErr.StatusCode)
	assert.True(t, isOnly(err, class), "want only %v, got %v", class, err)
	assert.Equal(t, attempts, apiErr.Attempts)
	switch class {
	case mfaclient.ErrRateLimited:
		var rl *mfaclient.RateLimitError
		assert.ErrorAs(t, err, &rl)
	case mfaclient.ErrForbidden:
		var fe *mfaclient.ForbiddenError
		assert.ErrorAs(t, err, &fe)
	}
	return apiErr
}

// requireNetworkError asserts err is a network failure after attempts
// requests, not the caller's context.
func requireNetworkError(t *testing.T, err error, attempts int) {
	t.Helper()
	var op *mfaclient.OpError
	require.ErrorAs(t, err, &op)
	assert.True(t, isOnly(err, mfaclient.ErrNetwork), "%v", err)
	assert.False(t, errors.Is(err, context.DeadlineExceeded), "the caller's context did not end: %v", err)
	assert.Equal(t, attempts, op.Attempts)
}

// hijackAndStall writes raw bytes on the connection, then holds it open
// until the client closes it.
func hijackAndStall(w http.ResponseWriter, raw string) {
	conn, rw := hijack(w)
	if conn == nil {
		return
	}
	defer conn.Close()
	_, _ = rw.WriteString(raw)
	_ = rw.Flush()
	_, _ = io.Copy(io.Discard, conn) // until the client hangs up
}

func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	h, ok := w.(http.Hijacker)
	if !ok {
		return nil, nil
	}
	conn, rw, err := h.Hijack()
	if err != nil {
		return nil, nil
	}
	return conn, rw
}

// resetConn writes raw bytes, then closes the connection with a TCP RST.
func resetConn(w http.ResponseWriter, raw string) { closeAfterWith(w, raw, true) }

// answering is a client of p, with retries off, against a server that
// answers every request with answer.
func answering(t *testing.T, p Provider, answer func(w http.ResponseWriter), opts ...mfaclient.Option) Client {
	t.Helper()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { answer(w) }))
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, append([]mfaclient.Option{noRetry}, opts...)...)
	require.NoError(t, err)
	return c
}

// writeJSON writes body as a JSON answer with status.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// closeAfter writes raw bytes on the connection, then closes it cleanly
// (a FIN, not a reset): the answer simply stops.
func closeAfter(w http.ResponseWriter, raw string) { closeAfterWith(w, raw, false) }

func closeAfterWith(w http.ResponseWriter, raw string, reset bool) {
	conn, rw := hijack(w)
	if conn == nil {
		return
	}
	_, _ = rw.WriteString(raw)
	_ = rw.Flush()
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// fixtureDir is where a provider's recorded answers are, seen from the
// provider package's directory (where its tests run).
func fixtureDir(provider string) string { return filepath.Join("..", "testdata", provider) }

// isOnly reports whether err matches target and no other sentinel.
func isOnly(err, target error) bool {
	for _, s := range mfaclient.Classes() {
		if errors.Is(err, s) != (s == target) {
			return false
		}
	}
	return true
}

// headerSetter adds one header to every request, to steer the test server.
type headerSetter struct{ k, v string }

func (h headerSetter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.k, h.v)
	return http.DefaultTransport.RoundTrip(r)
}

// recordHandler keeps every record's attributes, for assertions.
type recordHandler struct {
	mu   sync.Mutex
	recs []map[string]any
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	m := map[string]any{"msg": r.Message, "level": r.Level.String()}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.Resolve().Any(); return true })
	h.mu.Lock()
	h.recs = append(h.recs, m)
	h.mu.Unlock()
	return nil
}

func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }

func (h *recordHandler) WithGroup(string) slog.Handler { return h }

func (h *recordHandler) all() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.recs...)
}

// syncWriter serialises writes from the client's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
