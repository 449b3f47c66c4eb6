package conformance

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testEveryCallEnds: the caller's context and the per-attempt timeout bound
// every read of every answer, whatever its status, also when the body is
// not one net/http bounds itself (a 101's raw connection, a RoundTripper
// that ignores the context).
func testEveryCallEnds(t *testing.T, p Provider) {
	t.Run("SwitchingProtocolsStall", func(t *testing.T) { testSwitchingProtocols(t, p) })
	t.Run("BodyIgnoresContext", func(t *testing.T) { testBodyIgnoresContext(t, p) })
}

// switchingProtocols is a 101 nobody asked for, then silence: net/http hands
// the raw connection over as the body, which no context or timeout bounds.
const switchingProtocols = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n"

// testSwitchingProtocols: a 101 to a request that asked for no upgrade is
// ErrUnexpectedResponse at once, one attempt, for every operation.
func testSwitchingProtocols(t *testing.T, p Provider) {
	stall := func(_ int, w http.ResponseWriter, _ *http.Request) { hijackAndStall(w, switchingProtocols) }
	eachOperation(t, p, func(t *testing.T, op operation) {
		inBubble(t, p, stall, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			ctx, cancel := context.WithTimeout(bg(), time.Hour)
			defer cancel()
			start := time.Now()
			err := op.Call(ctx, newClient(noRetry, mfaclient.WithAttemptTimeout(time.Minute)))
			requireAPIError(t, err, http.StatusSwitchingProtocols, mfaclient.ErrUnexpectedResponse, 1)
			assert.Zero(t, time.Since(start), "at once: neither the attempt timeout nor the context had to end it")
			assert.Len(t, srv.requests(), 1)
		})
	})
	// The same on a real socket, for the wall-clock figure in the log.
	t.Run("RealSocket", func(t *testing.T) {
		ts := httptest.NewServer(newServer(stall))
		t.Cleanup(ts.Close)
		c, err := p.New(ts.URL, noRetry)
		require.NoError(t, err)
		start := time.Now()
		err = c.ResetMFA(bg(), p.UserID)
		t.Logf("%s: an unasked 101 then silence ended in %s (before: never)", p.Name, time.Since(start))
		requireAPIError(t, err, http.StatusSwitchingProtocols, mfaclient.ErrUnexpectedResponse, 1)
	})
}

// silentBody is a body that never sends a byte and ignores every context;
// only Close ends a Read.
type silentBody struct {
	r *io.PipeReader
	w *io.PipeWriter
}

func newSilentBody() *silentBody {
	r, w := io.Pipe()
	return &silentBody{r: r, w: w}
}

func (b *silentBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *silentBody) Close() error {
	_ = b.w.Close()
	return b.r.Close()
}

// silentTransport answers every request with status and a body that never
// comes, ignoring the request's context: a caller's RoundTripper (a proxy
// library, instrumentation) can do this.
func silentTransport(status int) http.RoundTripper {
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: status, Status: strconv.Itoa(status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: newSilentBody(), ContentLength: -1, Request: r}, nil
	})
}

// testBodyIgnoresContext: a body that ignores the context still ends when
// the caller's context ends (its error is the outcome) or at the attempt
// timeout (the answer was lost: ErrNetwork, never a class guessed from it).
func testBodyIgnoresContext(t *testing.T, p Provider) {
	for _, status := range []int{200, 404, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			eachOperation(t, p, func(t *testing.T, op operation) {
				t.Run("AttemptTimeout", func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						c, err := p.New("http://127.0.0.1", noRetry, mfaclient.WithAttemptTimeout(5*time.Second),
							mfaclient.WithHTTPClient(&http.Client{Transport: silentTransport(status)}))
						require.NoError(t, err)
						start := time.Now()
						err = op.Call(bg(), c)
						requireLostAnswer(t, err, status)
						assert.Equal(t, 5*time.Second, time.Since(start))
					})
				})
				t.Run("ContextWins", func(t *testing.T) {
					synctest.Test(t, func(t *testing.T) {
						c, err := p.New("http://127.0.0.1", noRetry,
							mfaclient.WithHTTPClient(&http.Client{Transport: silentTransport(status)}))
						require.NoError(t, err)
						ctx, cancel := context.WithTimeout(bg(), 3*time.Second)
						defer cancel()
						start := time.Now()
						err = op.Call(ctx, c)
						assert.ErrorIs(t, err, context.DeadlineExceeded)
						assert.True(t, isOnly(err, nil), "a context error matches no sentinel: %v", err)
						assert.Equal(t, 3*time.Second, time.Since(start))
					})
				})
			})
		})
	}
}

// requireLostAnswer asserts err is an answer with status whose body was
// lost on the way (cut, or stalled past the attempt timeout): ErrNetwork
// and nothing else, an *APIError with the status and one attempt.
func requireLostAnswer(t *testing.T, err error, status int) *mfaclient.APIError {
	t.Helper()
	return requireAPIError(t, err, status, mfaclient.ErrNetwork, 1)
}
