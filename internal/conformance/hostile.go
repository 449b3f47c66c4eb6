package conformance

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// testHostile: a server that misbehaves (a huge body, a body that is not the
// provider's, headers or a body that never come, a reset connection) gives a
// typed error with the status it sent, in bounded time and memory.
func testHostile(t *testing.T, p Provider) {
	t.Run("GiBBodyStreamed", func(t *testing.T) { testGiBBody(t, p) })
	t.Run("MalformedBodies", func(t *testing.T) { testMalformedBodies(t, p) })
	t.Run("WrongTypes", func(t *testing.T) { testWrongTypes(t, p) })
	t.Run("StalledAnswers", func(t *testing.T) { testStalledAnswers(t, p) })
	t.Run("ResetMidBody", func(t *testing.T) { testResetMidBody(t, p) })
	t.Run("CrossHostRedirects", func(t *testing.T) { testCrossHostRedirects(t, p) })
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

// repeatByte is an endless body: a 1 GiB answer is generated as it is sent,
// never held in memory.
type repeatByte byte

func (b repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

// testGiBBody: a 1 GiB error body, declared or chunked, is read through the
// bound. The call allocates a few hundred KiB, not the body, and the server
// gets to write only what the socket buffers hold before the client hangs up.
func testGiBBody(t *testing.T, p Provider) {
	const size = 1 << 30
	for _, declared := range []bool{true, false} {
		name := map[bool]string{true: "ContentLength", false: "Chunked"}[declared]
		t.Run(name, func(t *testing.T) {
			var written atomic.Int64
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if declared {
					w.Header().Set("Content-Length", strconv.Itoa(size))
				}
				w.WriteHeader(http.StatusBadGateway)
				n, _ := io.Copy(w, io.LimitReader(repeatByte('x'), size))
				written.Store(n)
			}))
			c, err := p.New(ts.URL, noRetry)
			require.NoError(t, err)

			var before, after runtime.MemStats
			memAround(&before, &after, false, func() { err = c.ResetMFA(bg(), p.UserID) })
			ts.Close() // waits for the handler, so written is final

			apiErr := requireAPIError(t, err, http.StatusBadGateway, mfaclient.ErrServer, 1)
			assert.Len(t, apiErr.Body, transport.MaxBodyKept)
			allocated := after.TotalAlloc - before.TotalAlloc
			t.Logf("%s: 1 GiB body: the call allocated %d KiB (client and server together); the server wrote %d KiB before the client hung up",
				p.Name, allocated>>10, written.Load()>>10)
			assert.Less(t, allocated, uint64(4<<20), "memory the call allocated")
			assert.Less(t, written.Load(), int64(64<<20), "the client stopped reading long before 1 GiB")
		})
	}
}

// malformedBodies are answers no provider documents. None of them is a
// success, whatever the status.
var malformedBodies = map[string]string{
	"HTML":           "<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>",
	"garbage":        "\x00\xff\xfe\x1b[31mgarbage\x7f",
	"truncated JSON": `{"success":true,"message":"MFA reset succ`,
	"null":           "null",
	"array":          `[{"success":true,"message":"MFA reset successfully"}]`,
	"string":         `"success"`,
	"number":         `200`,
	"true":           `true`,
	"empty":          "",
	"whitespace":     " \r\n\t ",
	"BOM":            "\ufeff{\"success\":true,\"message\":\"MFA reset successfully\"}",
	"two objects":    `{"success":false}{"success":true,"message":"MFA reset successfully"}`,
	"deep nesting":   `{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "}",
	"wrong types":    `{"success":"true","message":1,"error":[],"errorType":{},"status":"x","details":7}`,
	"all null":       `{"success":null,"message":null,"error":null,"errorType":null,"status":null,"details":null}`,
}

// testMalformedBodies: each malformed body, at each status, is the typed
// error of the status, with the body kept as sent.
func testMalformedBodies(t *testing.T, p Provider) {
	var status atomic.Int32
	var body atomic.Value
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(int(status.Load()))
		_, _ = io.WriteString(w, body.Load().(string))
	}))
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, noRetry)
	require.NoError(t, err)

	for _, code := range []int{200, 201, 400, 401, 403, 404, 409, 418, 429, 500, 502, 503} {
		for name, b := range malformedBodies {
			status.Store(int32(code))
			body.Store(b)
			err := c.ResetMFA(bg(), p.UserID)
			require.Error(t, err, "%d %s is not the documented success", code, name)
			apiErr := requireAPIError(t, err, code, shapelessClass(code), 1)
			assert.True(t, bytes.Equal([]byte(b), apiErr.Body), "%d %s: the body is kept as sent", code, name)
		}
	}
}

// testStalledAnswers: headers or a body that never come end at the attempt
// timeout (by default 30s, or WithAttemptTimeout, or the caller's
// http.Client.Timeout), or when the caller's context ends.
func testStalledAnswers(t *testing.T, p Provider) {
	hang := func(_ int, _ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	t.Run("DefaultAttemptTimeout", func(t *testing.T) {
		inBubble(t, p, hang, func(t *testing.T, srv *server, newClient func(...mfaclient.Option) Client) {
			start := time.Now()
			err := newClient(noRetry).ResetMFA(bg(), p.UserID)
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
			requireNetworkError(t, c.ResetMFA(bg(), p.UserID), 1)
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
			err := newClient(noRetry, mfaclient.WithAttemptTimeout(5*time.Second)).ResetMFA(bg(), p.UserID)
			requireNetworkError(t, err, 1)
			assert.Equal(t, 5*time.Second, time.Since(start))
		})
	})
	t.Run("HeadersNeverEndContextWins", func(t *testing.T) {
		inBubble(t, p, partialHeaders, func(t *testing.T, _ *server, newClient func(...mfaclient.Option) Client) {
			ctx, cancel := context.WithTimeout(bg(), 3*time.Second)
			defer cancel()
			start := time.Now()
			err := newClient(noRetry).ResetMFA(ctx, p.UserID)
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
				err := newClient(noRetry, mfaclient.WithAttemptTimeout(5*time.Second)).ResetMFA(bg(), p.UserID)
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
			err := newClient(noRetry).ResetMFA(ctx, p.UserID)
			assert.ErrorIs(t, err, context.DeadlineExceeded, "the caller's context ended before the answer was whole")
			assert.True(t, isOnly(err, nil), "a context error matches no sentinel: %v", err)
			assert.Equal(t, 3*time.Second, time.Since(start))
		})
	})
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
func resetConn(w http.ResponseWriter, raw string) {
	conn, rw := hijack(w)
	if conn == nil {
		return
	}
	_, _ = rw.WriteString(raw)
	_ = rw.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// testResetMidBody: a connection reset in the middle of the body is an
// answer lost on the way: ErrNetwork with the status that came and what
// came of the body, never the status's class or a success read from part
// of it; a reset before any answer is a network failure, retried only when
// the operation is safe to repeat.
func testResetMidBody(t *testing.T, p Provider) {
	for _, status := range []int{200, 404, 500} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			partial := `{"success":true,"message":"MFA reset successf`
			srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) {
				resetConn(w, "HTTP/1.1 "+strconv.Itoa(status)+" "+http.StatusText(status)+
					"\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"+partial)
			})
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			c, err := p.New(ts.URL, noRetry)
			require.NoError(t, err)
			apiErr := requireLostAnswer(t, c.ResetMFA(bg(), p.UserID), status)
			assert.Equal(t, partial, string(apiErr.Body))
		})
	}
	t.Run("BeforeAnyAnswer", func(t *testing.T) {
		srv := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { resetConn(w, "") })
		ts := httptest.NewServer(srv)
		t.Cleanup(ts.Close)
		c, err := p.New(ts.URL, mfaclient.WithRetry(fastRetry))
		require.NoError(t, err)
		want := 1 // the request reached the server: the reset may have happened
		if p.ResetIdempotent {
			want = fastRetry.MaxRetries + 1
		}
		requireNetworkError(t, c.ResetMFA(bg(), p.UserID), want)
		assert.Len(t, srv.requests(), want)
	})
}
