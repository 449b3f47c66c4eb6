package conformance

// Connection reuse: sequential calls share one connection.

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

// testConnections: sequential calls, successes and error answers alike,
// share one connection. (net/http returns a connection to the pool before a
// read at EOF returns, so this holds exactly. How many connections N workers
// open is a property of net/http's dialer under load and is measured, with
// the transport settings that bound it, in internal/benchmarks.)
func testConnections(t *testing.T, p Provider) {
	srv := newServer(func(n int, w http.ResponseWriter, _ *http.Request) {
		switch n % 3 {
		case 0:
			p.Success(w)
		case 1:
			statusJSON(w, http.StatusNotFound, `{"success":false,"error":"User not found"}`)
		default:
			statusJSON(w, http.StatusTooManyRequests, `{}`) // retried, then the retry succeeds or fails
		}
	})
	ts := httptest.NewUnstartedServer(srv)
	var conns atomic.Int32
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1, MinWait: 0, MaxWait: 0}))
	require.NoError(t, err)
	for range 60 {
		_ = c.ResetMFA(bg(), p.UserID)
	}
	assert.Greater(t, len(srv.requests()), 60, "some calls were retried after a 429")
	assert.EqualValues(t, 1, conns.Load(), "sequential calls reuse one connection, also after 429s and 404s")

}
