package benchmarks

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// Flashback's documented answers, byte for byte as the fake sends them.
const (
	resetOK       = `{"success":true,"message":"MFA reset successfully"}`
	notFound      = `{"success":false,"error":"User not found"}`
	tooMany       = `{"success":false,"error":"Too many requests"}`
	internalError = `{"success":false,"error":"Internal server error"}`
)

// answer is one scripted reply.
type answer struct {
	status int
	body   string
}

// countingServer answers POST /mfa/reset like Flashback with the script's
// answers in turn (the success when the script is empty), and counts the TCP
// connections it accepts. It does the least work a server can, so that what
// a benchmark measures is the client.
type countingServer struct {
	*httptest.Server
	script   []answer
	conns    *atomic.Int64
	requests atomic.Int64
}

func newCountingServer(tb testing.TB, script ...answer) *countingServer {
	tb.Helper()
	s := &countingServer{script: script}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.handle))
	s.conns = CountConnections(s.Server)
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

var jsonType = []string{"application/json"}

func (s *countingServer) handle(w http.ResponseWriter, r *http.Request) {
	n := s.requests.Add(1) - 1
	_, _ = io.Copy(io.Discard, r.Body)
	a := answer{http.StatusOK, resetOK}
	if len(s.script) > 0 {
		a = s.script[n%int64(len(s.script))]
	}
	h := w.Header()
	h["Content-Type"] = jsonType
	if a.status == http.StatusTooManyRequests {
		h["Retry-After"] = []string{"0"}
	}
	w.WriteHeader(a.status)
	_, _ = io.WriteString(w, a.body)
}
