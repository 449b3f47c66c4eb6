package conformance

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
	memAround(&before, &after, true, func() { err = c.ResetMFA(bg(), p.UserID) })
	apiErr := requireAPIError(t, err, http.StatusBadGateway, mfaclient.ErrServer, 1)
	kept := headerBytes(apiErr.Header)
	retained := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("%s: header bomb of %d KiB: the error keeps %d headers, %d KiB of them; the heap grew by %d KiB while the error is held",
		p.Name, n*size>>10, len(apiErr.Header), kept>>10, retained>>10)
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
