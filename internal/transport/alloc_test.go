package transport

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Rate-limit headers sent in any case are found: net/http canonicalizes the
// keys it receives, and ParseHints looks them up in canonical form.
func TestParseHintsFindsHeadersSentInAnyCase(t *testing.T) {
	reset := time.Now().Add(3 * time.Second).Truncate(time.Millisecond)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h["x-ratelimit-limit"] = []string{"200"} // raw keys, sent as written
		h["X-RATELIMIT-REMAINING"] = []string{"7"}
		h["x-RateLimit-reset"] = []string{strconv.FormatInt(reset.UnixMilli(), 10)}
		h["retry-after"] = []string{"2"}
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	t.Cleanup(srv.Close)
	resp, err := http.Get(srv.URL)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())

	hs := ParseHints(resp.Header, time.Now())
	assert.Equal(t, 200, hs.Limit)
	assert.Equal(t, 7, hs.Remaining)
	assert.True(t, hs.Reset.Equal(reset), "reset %s, want %s", hs.Reset, reset)
	assert.True(t, hs.HasRetryAfter)
	assert.Equal(t, 2*time.Second, hs.RetryAfter)
}

// ParseHints runs on every answer; with numeric values it allocates nothing.
func TestParseHintsDoesNotAllocate(t *testing.T) {
	now := time.Now()
	h := http.Header{}
	h.Set("Retry-After", "1")
	h.Set("X-RateLimit-Limit", "200")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Second).UnixMilli(), 10))
	var hs Hints
	allocs := testing.AllocsPerRun(100, func() { hs = ParseHints(h, now) })
	assert.Zero(t, allocs)
	assert.Equal(t, 0, hs.Remaining)
}

// rewindBody is a response body that can be read again, so AllocsPerRun
// counts only what readBounded allocates.
type rewindBody struct {
	r      bytes.Reader
	data   []byte
	closed bool
}

func (b *rewindBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *rewindBody) Close() error               { b.closed = true; return nil }
func (b *rewindBody) rewind()                    { b.r.Reset(b.data); b.closed = false }

func TestReadBoundedKnownSizeIsOneAllocation(t *testing.T) {
	body := &rewindBody{data: []byte(`{"success":true,"message":"MFA reset successfully"}`)}
	var got []byte
	allocs := testing.AllocsPerRun(100, func() {
		body.rewind()
		got, _, _ = readBounded(body, int64(len(body.data)))
	})
	assert.Equal(t, 1.0, allocs)
	assert.Equal(t, string(body.data), string(got))
	assert.True(t, body.closed)
}

func TestReadBoundedSizes(t *testing.T) {
	long := strings.Repeat("x", MaxBodyKept+1000)
	for _, tc := range []struct {
		name string
		body string
		size int64
		want string
		more bool
	}{
		{"unknown size", `{"a":1}`, -1, `{"a":1}`, false},
		{"empty", "", 0, "", false},
		{"size understated", `{"a":1}`, 2, `{"a":1}`, false}, // read to EOF, not to the header's word
		{"exactly what is kept", long[:MaxBodyKept], -1, long[:MaxBodyKept], false},
		{"longer than kept, unknown size", long, -1, long[:MaxBodyKept], true},
		{"longer than kept, known size", long, int64(len(long)), long[:MaxBodyKept], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := &rewindBody{data: []byte(tc.body)}
			body.rewind()
			got, more, err := readBounded(body, tc.size)
			require.NoError(t, err)
			assert.Equal(t, tc.more, more, "the body is longer than what is kept")
			assert.Equal(t, tc.want, string(got))
			assert.True(t, body.closed)
			assert.Zero(t, body.r.Len(), "the rest is drained for connection reuse")
		})
	}
}

// The call travels in one context value that keeps the caller's deadline,
// cancellation and values.
func TestCallContext(t *testing.T) {
	type key struct{}
	parent, cancel := context.WithTimeout(context.WithValue(context.Background(), key{}, "v"), time.Hour)
	cc := newCallContext(parent, &Request{Operation: "ResetMFA", Path: "/mfa/reset", Idempotent: true}, nil)
	st := callFrom(cc)
	require.NotNil(t, st)
	assert.Equal(t, call{operation: "ResetMFA", path: "/mfa/reset", idempotent: true}, *st)
	assert.Same(t, st, callFrom(cc), "every attempt counts on the same call")
	assert.Equal(t, "v", cc.Value(key{}))
	d1, _ := parent.Deadline()
	d2, ok := cc.Deadline()
	assert.True(t, ok)
	assert.Equal(t, d1, d2)
	cancel()
	<-cc.Done()
	assert.ErrorIs(t, cc.Err(), context.Canceled)
	assert.Nil(t, callFrom(context.Background()))
}
