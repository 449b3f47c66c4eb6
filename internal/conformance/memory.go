package conformance

// Guarantee "Bounded memory" (README, Security and reliability).

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// maxHeaderKept is what an *APIError keeps of an answer's headers, names and
// values together, as the contract says (the same 64 KiB as the body).
const maxHeaderKept = 64 << 10

// testHeaderBomb: an answer with 9,000 headers of 1 KB each (8.8 MiB, under
// net/http's own 10 MiB limit) gives an *APIError that keeps at most 64 KiB
// of them, so an error a caller holds on to (a bulk run keeps one per user)
// does not pin megabytes. The headers mfakit reads (request ID, rate-limit
// hints) are read before anything is dropped.
func testHeaderBomb(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testHeaderBombOf(t, p, op) })
}

func testHeaderBombOf(t *testing.T, p Provider, op operation) {
	const n, size = 9000, 1000
	value := strings.Repeat("v", size)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		for i := range n {
			h[fmt.Sprintf("X-Bomb-%04d", i)] = []string{value}
		}
		h.Set("X-Request-Id", "bomb-42")
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = w.Write([]byte("<html>bad gateway</html>"))
	}))
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, noRetry)
	require.NoError(t, err)

	var before, after runtime.MemStats
	memAround(&before, &after, true, func() { err = op.Call(bg(), c) })
	apiErr := requireAPIError(t, err, http.StatusBadGateway, mfaclient.ErrServer, 1)
	kept := headerBytes(apiErr.Header)
	retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%s %s: header bomb of %d KiB: the error keeps %d headers, %d KiB of them; the heap grew by %d KiB while the error is held",
		p.Name, op.Name, n*size>>10, len(apiErr.Header), kept>>10, retained>>10)
	assert.LessOrEqual(t, kept, maxHeaderKept, "header bytes kept in the error")
	assert.NotEmpty(t, apiErr.Header, "what fits is kept")
	assert.Equal(t, "bomb-42", apiErr.RequestID, "read before anything is dropped")
	assert.Less(t, retained, int64(2<<20), "heap held by the error (before the bound: about 9 MiB)")
	runtime.KeepAlive(err)
}

// headerBytes is the size of h: every name and every value.
func headerBytes(h http.Header) int {
	total := 0
	for k, vs := range h {
		for _, v := range vs {
			total += len(k) + len(v)
		}
	}
	return total
}

// memAround reads the memory statistics before and after f, after a
// collection (and, with collect, another one after f: what is still held).
func memAround(before, after *runtime.MemStats, collect bool, f func()) {
	runtime.GC()
	runtime.ReadMemStats(before)
	f()
	if collect {
		runtime.GC()
	}
	runtime.ReadMemStats(after)
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
	eachOperation(t, p, func(t *testing.T, op operation) {
		t.Run("ContentLength", func(t *testing.T) { testGiBBodyOf(t, p, op, true) })
		t.Run("Chunked", func(t *testing.T) { testGiBBodyOf(t, p, op, false) })
	})
}

func testGiBBodyOf(t *testing.T, p Provider, op operation, declared bool) {
	const size = 1 << 30
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
	memAround(&before, &after, false, func() { err = op.Call(bg(), c) })
	ts.Close() // waits for the handler, so written is final

	apiErr := requireAPIError(t, err, http.StatusBadGateway, mfaclient.ErrServer, 1)
	assert.Len(t, apiErr.Body, transport.MaxBodyKept)
	allocated := after.TotalAlloc - before.TotalAlloc
	t.Logf("%s %s: 1 GiB body: the call allocated %d KiB (client and server together); the server wrote %d KiB before the client hung up",
		p.Name, op.Name, allocated>>10, written.Load()>>10)
	assert.Less(t, allocated, uint64(4<<20), "memory the call allocated")
	assert.Less(t, written.Load(), int64(64<<20), "the client stopped reading long before 1 GiB")
}

// testBounds: a huge body is read through the bound; a non-JSON answer is
// classified by its status.
func testBounds(t *testing.T, p Provider) {
	eachOperation(t, p, func(t *testing.T, op operation) { testBoundsOf(t, p, op) })
}

func testBoundsOf(t *testing.T, p Provider, op operation) {
	huge := bytes.Repeat([]byte("x"), 5<<20)
	srv := newServer(func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(huge)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>hello</html>"))
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, mfaclient.WithRetry(mfaclient.RetryPolicy{}))
	require.NoError(t, err)

	err = op.Call(bg(), c)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, isOnly(err, mfaclient.ErrServer), "%v", err)
	assert.Len(t, apiErr.Body, transport.MaxBodyKept)

	err = op.Call(bg(), c)
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "a 200 that is not the documented success: %v", err)
	assert.Equal(t, http.StatusOK, apiErr.StatusCode)
}
