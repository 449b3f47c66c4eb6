package transport

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/benchmarks"
	"github.com/mfakit/mfakit/mfaclient"
)

// connServer answers in turn 200, 404, 429, 500 and counts the TCP
// connections it accepts.
type connServer struct {
	*httptest.Server
	conns    *atomic.Int64
	requests atomic.Int64
}

var connScript = []int{http.StatusOK, http.StatusNotFound, http.StatusTooManyRequests, http.StatusInternalServerError}

func newConnServer(t *testing.T) *connServer {
	t.Helper()
	s := &connServer{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		status := connScript[(s.requests.Add(1)-1)%int64(len(connScript))]
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`{"status":` + strconv.Itoa(status) + `}`))
	}))
	s.conns = benchmarks.CountConnections(s.Server)
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// newConnClient makes every 429 and (idempotent) 500 end a Do in
// go-retryablehttp's failure path, the one that closes idle connections: the
// policy would retry, but go-retryablehttp's own bound is 0. (That is where
// a call ends whose paced 429s outran the loop's bound; with the policy's
// retries spent, checkRetry stops the loop itself and go-retryablehttp
// takes its success path, which closes nothing.) The pool is mfakit's
// default one unless opts bring an *http.Client.
func newConnClient(t *testing.T, baseURL string, opts ...mfaclient.Option) *Client {
	t.Helper()
	c, err := New(Config{
		Provider: "test",
		Settings: mfaclient.ApplyOptions(append([]mfaclient.Option{
			mfaclient.WithBaseURL(baseURL), mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1})}, opts...)...),
		Classify: func(a *Answer) Verdict {
			if a.StatusCode == http.StatusOK {
				return Verdict{}
			}
			return Verdict{Class: ClassForStatus(a.StatusCode)}
		},
	})
	require.NoError(t, err)
	c.rc.RetryMax = 0
	return c
}

// sendSequential makes n calls one after another and checks each outcome
// follows the script.
func sendSequential(t *testing.T, c *Client, n int) {
	t.Helper()
	for i := range n {
		err := c.Do(t.Context(), &Request{Operation: "ResetMFA", Method: http.MethodPost, Path: "/mfa/reset", Body: []byte(`{}`), Idempotent: true})
		if connScript[i%len(connScript)] == http.StatusOK {
			require.NoError(t, err, "call %d", i)
		} else {
			require.Error(t, err, "call %d", i)
		}
	}
}

// 1,000 sequential calls, a quarter of them 429s and a quarter 500s, use one
// connection, whether a call's first attempt skips http.Client (send.go) or
// goes through it and go-retryablehttp (a caller's client with a redirect
// policy of its own): go-retryablehttp's CloseIdleConnections after each
// failed Do does not reach the pool.
func TestSequentialCallsReuseOneConnection(t *testing.T) {
	for name, opts := range map[string][]mfaclient.Option{
		"FirstAttemptDirect": nil,
		"ThroughHTTPClient":  {mfaclient.WithHTTPClient(&http.Client{CheckRedirect: followAll})},
	} {
		t.Run(name, func(t *testing.T) {
			srv := newConnServer(t)
			c := newConnClient(t, srv.URL, opts...)
			assert.Equal(t, opts == nil, c.rt.direct)
			sendSequential(t, c, 1000)
			assert.EqualValues(t, 1000, srv.requests.Load())
			assert.EqualValues(t, 1, srv.conns.Load())
		})
	}
}

// followAll is a caller's redirect policy: it makes the client send every
// attempt through http.Client.
func followAll(*http.Request, []*http.Request) error { return nil }

// idleCloser is the transport without the fix: it passes
// CloseIdleConnections through, as a plain http.Transport would.
type idleCloser struct {
	*attemptTransport
	pool *http.Transport
}

func (c idleCloser) CloseIdleConnections() { c.pool.CloseIdleConnections() }

// The control: with CloseIdleConnections reachable, every failed call drops
// the pool and the next call dials again; this is what the test above
// would see if the fix were lost.
func TestClosingIdleConnectionsWouldReconnect(t *testing.T) {
	srv := newConnServer(t)
	pool := http.DefaultTransport.(*http.Transport).Clone()
	c := newConnClient(t, srv.URL, mfaclient.WithHTTPClient(&http.Client{Transport: pool, CheckRedirect: followAll}))
	c.rc.HTTPClient.Transport = idleCloser{attemptTransport: c.rt, pool: pool}
	sendSequential(t, c, 100)
	assert.EqualValues(t, 100, srv.requests.Load())
	// Calls 2, 3, 6, 7, … 99 fail; each but the last is followed by a dial.
	assert.EqualValues(t, 50, srv.conns.Load(), "one new connection after each failed call")
}

// At concurrency N, calls keep reusing their connections instead of
// churning through new ones (net/http's default transport keeps 2 idle per
// host, so 8 workers would dial on most calls). While the pool fills,
// net/http may dial more than N: a worker that finished its first call
// hands its connection to a worker still dialing, then dials itself; every
// such dial is one of the first N waiters', so never more than 2N.
func TestConcurrentCallsReuseTheirConnections(t *testing.T) {
	const workers, perWorker = 8, 50
	srv := newConnServer(t)
	c := newConnClient(t, srv.URL)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range perWorker {
				_ = c.Do(t.Context(), &Request{Operation: "ResetMFA", Method: http.MethodPost, Path: "/mfa/reset", Body: []byte(`{}`), Idempotent: true})
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, workers*perWorker, srv.requests.Load())
	assert.LessOrEqual(t, srv.conns.Load(), int64(2*workers))
}
