package benchmarks

import (
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
)

// CountConnections makes an unstarted srv count the TCP connections it
// accepts; connection reuse is measured where the connections arrive, not
// where a client thinks it dialed.
func CountConnections(srv *httptest.Server) *atomic.Int64 {
	n := new(atomic.Int64)
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			n.Add(1)
		}
	}
	return n
}
