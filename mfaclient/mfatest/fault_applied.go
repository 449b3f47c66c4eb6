package mfatest

import "net/http"

// discard is the ResponseWriter of a request whose answer a Failure with
// Applied replaces: the provider's handler runs, its answer goes nowhere.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

// LoseAnswer makes the next request take effect and then lose its answer:
// the connection is closed before any byte of it is sent. It is
// FailNext(1, Failure{Applied: true, Drop: true}).
func (f *Fake) LoseAnswer() { f.FailNext(1, Failure{Applied: true, Drop: true}) }

// GatewayErrorAfter makes the next request take effect and then answers
// status (502, 504) with a gateway's HTML body in place of the provider's
// answer, as a reverse proxy whose upstream timed out after acting does.
func (f *Fake) GatewayErrorAfter(status int) {
	f.FailNext(1, Failure{Applied: true, Status: status, Body: "<html><body><h1>" + http.StatusText(status) + "</h1></body></html>",
		Header: http.Header{"Content-Type": {"text/html"}}})
}
