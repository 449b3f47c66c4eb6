package bulk

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
)

// Transport returns an http.RoundTripper that sends through base (nil:
// http.DefaultTransport) and tells a Runner when each of its calls has a
// request on the wire, how many requests it sent, and the provider's request
// ID. Build the clients a Runner calls with it:
//
//	hc := &http.Client{Transport: bulk.Transport(nil)}
//	c, err := flashback.New(token, mfaclient.WithHTTPClient(hc))
//
// Requests made outside a Runner's calls pass through untouched.
func Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return transport{base: base}
}

type transport struct{ base http.RoundTripper }

type callKey struct{}

func (t transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c, ok := req.Context().Value(callKey{}).(*call)
	if !ok {
		return t.base.RoundTrip(req)
	}
	if !c.send() {
		// The run was stopped before this request left: it is never sent.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, context.Canceled
	}
	resp, err := t.base.RoundTrip(req)
	c.answered(resp)
	return resp, err
}

// requestIDHeaders are where providers put their request ID.
var requestIDHeaders = []string{"X-Request-Id", "X-Correlation-Id", "Request-Id", "X-Amzn-Requestid"}

// call is one running task, as the tracker and Transport see it.
type call struct {
	ctx    context.Context
	cancel context.CancelFunc
	t      *tracker

	mu          sync.Mutex
	stopped     bool // the run was interrupted: send nothing more
	outstanding int  // requests sent and not yet answered
	attempts    int
	requestID   string
}

// send is called before a request leaves; false means it must not.
func (c *call) send() bool {
	c.t.wired.Store(true)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		c.cancel()
		return false
	}
	c.outstanding++
	c.attempts++
	return true
}

// answered is called when a request's answer (or its failure) came back.
func (c *call) answered(resp *http.Response) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.outstanding--
	if resp == nil {
		return
	}
	for _, h := range requestIDHeaders {
		if v := resp.Header.Get(h); v != "" {
			c.requestID = v
			break
		}
	}
}

func (c *call) counts() (attempts int, requestID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.attempts, c.requestID
}

// tracker knows every running call of a run.
type tracker struct {
	base  context.Context // not cancelled by the run's context
	wired atomic.Bool     // some call's requests go through Transport

	mu       sync.Mutex
	stopping bool
	active   map[*call]struct{}
}

func newTracker(base context.Context) *tracker {
	return &tracker{base: base, active: make(map[*call]struct{})}
}

// begin starts a call, or returns nil once the run is interrupted.
func (t *tracker) begin() *call {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopping {
		return nil
	}
	c := &call{t: t}
	c.ctx, c.cancel = context.WithCancel(t.base)
	c.ctx = context.WithValue(c.ctx, callKey{}, c)
	t.active[c] = struct{}{}
	return c
}

func (t *tracker) end(c *call) {
	t.mu.Lock()
	delete(t.active, c)
	t.mu.Unlock()
	c.cancel()
}

// interrupt stops every call from sending anything more, cancels those with
// no request on the wire, and returns how many are left in flight. Without
// Transport the runner cannot tell, and every running call is in flight.
func (t *tracker) interrupt() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopping = true
	wired := t.wired.Load()
	n := 0
	for c := range t.active {
		c.mu.Lock()
		c.stopped = true
		if wired && c.outstanding == 0 {
			c.cancel()
		} else {
			n++
		}
		c.mu.Unlock()
	}
	return n
}

// cancelAll cuts off every call still running: the grace period is over.
func (t *tracker) cancelAll() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for c := range t.active {
		c.cancel()
	}
}
