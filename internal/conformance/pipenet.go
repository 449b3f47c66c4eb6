package conformance

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// pipeServer is an HTTP server and a client joined by net.Pipe instead of
// sockets, so a test can run inside a testing/synctest bubble: the bubble's
// fake clock makes a 30-second Retry-After instant and its elapsed time exact.
type pipeServer struct {
	URL    string
	Client *http.Client
	ln     *pipeListener
	srv    *http.Server
	tr     *http.Transport
}

func newPipeServer(h http.Handler) *pipeServer {
	ln := &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
	p := &pipeServer{URL: "http://127.0.0.1", ln: ln, srv: &http.Server{Handler: h}}
	p.tr = &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		c, s := net.Pipe()
		select {
		case ln.conns <- s:
			return c, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-ln.done:
			return nil, net.ErrClosed
		}
	}}
	p.Client = &http.Client{Transport: p.tr}
	go func() { _ = p.srv.Serve(ln) }()
	return p
}

// Close stops the server and the client's idle connections, so every
// goroutine of the bubble can end.
func (p *pipeServer) Close() {
	p.tr.CloseIdleConnections()
	_ = p.srv.Close()
}

// pipeListener hands the server the far ends of the client's pipes.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "pipe" }
