package transport

// Stage 4 of a call: read and bound the answer. At most MaxBodyKept bytes
// of the body and MaxHeaderKept bytes of headers go further; a body cut on
// the way is reported, never passed on as if whole.

import (
	"io"
	"net/http"
	"slices"
)

const (
	// MaxBodyKept is how much of an answer's body is read and kept; the rest
	// is never buffered.
	MaxBodyKept = 64 << 10
	// MaxHeaderKept is how much of an answer's headers (names and values)
	// goes into an error: net/http accepts up to 10 MiB of them, and an
	// error a caller holds (a bulk run keeps one per user) must not pin that.
	MaxHeaderKept = 64 << 10
	// maxDrain is how much more is read and thrown away so the connection can
	// be reused; a longer body costs the connection instead of the time.
	maxDrain = 256 << 10
)

// readBounded reads at most MaxBodyKept bytes of body, drains a bounded
// remainder for connection reuse, and closes it. more reports a body longer
// than what was kept; err is a read that failed before the end of the body
// (a connection reset, a Content-Length not reached, a chunked body without
// its final chunk, the attempt timeout): the answer was lost on the way,
// and what was read is only part of it.
//
// size is the Content-Length, -1 when unknown. A known size is read into one
// buffer of exactly that size plus one byte (so the read that reports EOF
// needs no growth), which is one allocation where a bytes.Buffer behind an
// io.LimitReader makes three; reading up to EOF is what lets net/http put
// the connection back in the pool.
func readBounded(body io.ReadCloser, size int64) (data []byte, more bool, err error) {
	n := 512
	if size >= 0 && size < MaxBodyKept {
		n = int(size) + 1
	}
	buf := make([]byte, 0, n)
	for {
		if len(buf) >= MaxBodyKept {
			// The rest is too long to keep. One more byte says whether there
			// is a rest at all.
			var one [1]byte
			m, err := io.ReadFull(body, one[:])
			drainAndClose(body)
			switch {
			case m > 0:
				return buf, true, nil
			case err == io.EOF:
				return buf, false, nil
			}
			return buf, false, err
		}
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, min(cap(buf), MaxBodyKept-len(buf)))
		}
		m, err := body.Read(buf[len(buf):min(cap(buf), MaxBodyKept)])
		buf = buf[:len(buf)+m]
		if err != nil {
			_ = body.Close() // at EOF nothing is left to drain; after an error nothing can be
			if err == io.EOF {
				err = nil
			}
			return buf, false, err
		}
	}
}

func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, maxDrain))
	_ = body.Close()
}

// readHeaders are the headers mfakit itself reads from an answer; they are
// kept first when the headers are bounded.
var readHeaders = append([]string{
	"Content-Type", "Location", "Www-Authenticate",
	"Retry-After", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset",
}, requestIDHeaders...)

// boundHeader returns h when it holds at most MaxHeaderKept bytes of names
// and values, else a copy with what fits: first the headers mfakit reads,
// then the others in order of name, each header whole or not at all. What
// does not fit is dropped.
func boundHeader(h http.Header) http.Header {
	if headerSize(h) <= MaxHeaderKept {
		return h
	}
	out := make(http.Header)
	left := MaxHeaderKept
	keep := func(k string) {
		vs, ok := h[k]
		if !ok {
			return
		}
		if _, done := out[k]; done {
			return
		}
		if n := entrySize(k, vs); n <= left {
			out[k] = vs
			left -= n
		}
	}
	for _, k := range readHeaders {
		keep(k)
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		if left <= 0 {
			break
		}
		keep(k)
	}
	return out
}

func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		n += entrySize(k, vs)
	}
	return n
}

func entrySize(k string, vs []string) int {
	n := 0
	for _, v := range vs {
		n += len(k) + len(v)
	}
	return n
}
