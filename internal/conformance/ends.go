package conformance

// Guarantee "Bounded time: every call ends" (README, Security and
// reliability).

import (
	"context"
	"errors"
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
			apiErr := requireAPIError(t, err, http.StatusSwitchingProtocols, mfaclient.ErrUnexpectedResponse, 1)
			assert.Contains(t, apiErr.Detail, "protocol switch nobody asked for")
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

func testContext(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testContextOf(t, p, op) })
}

func testContextOf(t *testing.T, p Provider, op operation) {
	t.Run("CancelEndsRateLimitWait", func(t *testing.T) {
		inBubble(t, p, rateLimitedOnce(p, "Retry-After", "30"), func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			ctx, cancel := context.WithCancel(bg())
			time.AfterFunc(2*time.Second, cancel)
			start := time.Now()
			err := op.Call(ctx, newClient())
			assert.ErrorIs(t, err, context.Canceled)
			assert.True(t, isOnly(err, nil), "a context error matches no sentinel: %v", err)
			assert.Equal(t, 2*time.Second, time.Since(start))
			assert.Len(t, srv.requests(), 1)
		})
	})
	t.Run("DeadlineWhileServerHangs", func(t *testing.T) {
		hang := func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
		inBubble(t, p, hang, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			ctx, cancel := context.WithTimeout(bg(), 3*time.Second)
			defer cancel()
			start := time.Now()
			err := op.Call(ctx, newClient())
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 3*time.Second, time.Since(start))
		})
	})
	if op.Name == "ResetMFA" { // ResetIdempotent describes ResetMFA
		t.Run("AttemptTimeout", func(t *testing.T) {
			hang := func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
			inBubble(t, p, hang, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
				start := time.Now()
				c := newClient(mfaclient.WithAttemptTimeout(2*time.Second), mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1, MinWait: time.Second, MaxWait: time.Second}))
				err := c.ResetMFA(bg(), p.UserID)
				var op *mfaclient.OpError
				require.ErrorAs(t, err, &op)
				assert.True(t, isOnly(err, mfaclient.ErrNetwork), "%v", err)
				assert.False(t, errors.Is(err, context.DeadlineExceeded), "the caller's context did not end")
				if p.ResetIdempotent {
					assert.Equal(t, 2, op.Attempts)
					elapsed := time.Since(start) // 2s attempt, a jittered wait in [0.5s, 1s], 2s attempt
					assert.True(t, elapsed >= 4500*time.Millisecond && elapsed <= 5*time.Second, "elapsed %s", elapsed)
				} else {
					assert.Equal(t, 1, op.Attempts, "a reset that may have reached the server is not repeated")
					assert.Equal(t, 2*time.Second, time.Since(start))
				}
			})
		})
	}
	t.Run("AlreadyCancelled", func(t *testing.T) {
		srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		c, err := p.New(ts.URL)
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(bg())
		cancel()
		assert.ErrorIs(t, op.Call(ctx, c), context.Canceled)
		assert.Empty(t, srv.requests())
	})
}

// testStalledAnswers: headers or a body that never come end at the attempt
// timeout (by default 30s, or WithAttemptTimeout, or the caller's
// http.Client.Timeout), or when the caller's context ends.
func testStalledAnswers(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testStalledAnswersOf(t, p, op) })
}

func testStalledAnswersOf(t *testing.T, p Provider, op operation) {
	hang := func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	t.Run("DefaultAttemptTimeout", func(t *testing.T) {
		inBubble(t, p, hang, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			start := time.Now()
			err := op.Call(bg(), newClient(noRetry))
			requireNetworkError(t, err, 1)
			assert.Equal(t, mfaclient.DefaultAttemptTimeout, time.Since(start), "no option: the default bounds the attempt")
			assert.Len(t, srv.requests(), 1)
		})
	})
	t.Run("HTTPClientTimeoutIsAttemptTimeout", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			ps := newPipeServer(newServer(hang))
			defer ps.Close()
			hc := *ps.Client
			hc.Timeout = 7 * time.Second
			c, err := p.New(ps.URL, mfaclient.WithHTTPClient(&hc), noRetry)
			require.NoError(t, err)
			start := time.Now()
			requireNetworkError(t, op.Call(bg(), c), 1)
			assert.Equal(t, 7*time.Second, time.Since(start))
		})
	})

	// A status line and part of the headers, then nothing.
	partialHeaders := func(_ int, w http.ResponseWriter, _ *http.Request) {
		hijackAndStall(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: stalled\r\n")
	}
	t.Run("HeadersNeverEnd", func(t *testing.T) {
		inBubble(t, p, partialHeaders, func(t *testing.T, _ *server, newClient func(...mfaclient.Option) Client) {
			start := time.Now()
			err := op.Call(bg(), newClient(noRetry, mfaclient.WithAttemptTimeout(5*time.Second)))
			requireNetworkError(t, err, 1)
			assert.Equal(t, 5*time.Second, time.Since(start))
		})
	})
	t.Run("HeadersNeverEndContextWins", func(t *testing.T) {
		inBubble(t, p, partialHeaders, func(t *testing.T, _ *server, newClient func(...mfaclient.Option) Client) {
			ctx, cancel := context.WithTimeout(bg(), 3*time.Second)
			defer cancel()
			start := time.Now()
			err := op.Call(ctx, newClient(noRetry))
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.True(t, isOnly(err, nil), "a context error matches no sentinel: %v", err)
			assert.Equal(t, 3*time.Second, time.Since(start))
		})
	})

	// Whole headers, then a body that stops after a few bytes.
	stalledBody := func(status int) func(int, http.ResponseWriter, *http.Request) {
		return func(_ int, w http.ResponseWriter, _ *http.Request) {
			hijackAndStall(w, "HTTP/1.1 "+strconv.Itoa(status)+" "+http.StatusText(status)+
				"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"success\":")
		}
	}
	for _, status := range []int{200, 404, 500} {
		t.Run("BodyStalls"+strconv.Itoa(status), func(t *testing.T) {
			inBubble(t, p, stalledBody(status), func(t *testing.T, _ *server, newClient func(...mfaclient.Option) Client) {
				start := time.Now()
				err := op.Call(bg(), newClient(noRetry, mfaclient.WithAttemptTimeout(5*time.Second)))
				apiErr := requireLostAnswer(t, err, status)
				assert.Equal(t, `{"success":`, string(apiErr.Body), "what came is kept")
				assert.Contains(t, apiErr.Detail, "cut", "the error says the answer was lost")
				assert.Equal(t, 5*time.Second, time.Since(start), "the attempt timeout also bounds the body")
			})
		})
	}
	t.Run("BodyStallsContextWins", func(t *testing.T) {
		inBubble(t, p, stalledBody(200), func(t *testing.T, _ *server, newClient func(...mfaclient.Option) Client) {
			ctx, cancel := context.WithTimeout(bg(), 3*time.Second)
			defer cancel()
			start := time.Now()
			err := op.Call(ctx, newClient(noRetry))
			assert.ErrorIs(t, err, context.DeadlineExceeded, "the caller's context ended before the answer was whole")
			assert.True(t, isOnly(err, nil), "a context error matches no sentinel: %v", err)
			assert.Equal(t, 3*time.Second, time.Since(start))
		})
	})
}
