package transport

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strings"
)

const (
	// MaxBodyKept is how much of an answer's body is read and kept; the rest
	// is never buffered.
	MaxBodyKept = 64 << 10
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

// redactor replaces credentials in anything a server sends back, so that an
// echoing or hostile server cannot put a token into an error string, a log
// line or a recorded fixture.
type redactor []string

const redacted = "[REDACTED]"

// minSecretLen keeps a short value (a 1-character ID) from redacting half of
// every message; real credentials are far longer, 2FA codes are 6 digits.
const minSecretLen = 4

func newRedactor(secrets ...[]string) redactor {
	var r redactor
	for _, list := range secrets {
		for _, s := range list {
			if len(s) >= minSecretLen {
				r = append(r, s)
			}
		}
	}
	return r
}

func (r redactor) String(s string) string {
	for _, secret := range r {
		if strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, redacted)
		}
	}
	return s
}

func (r redactor) Bytes(b []byte) []byte {
	for _, secret := range r {
		if bytes.Contains(b, []byte(secret)) {
			b = bytes.ReplaceAll(b, []byte(secret), []byte(redacted))
		}
	}
	return b
}

// credentialHeaders are never kept in an error, whatever their value.
var credentialHeaders = []string{
	"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
	"X-Auth-Token", "X-User-Id", "X-2fa-Code", "Www-Authenticate",
}

// Header returns a copy of h without credential headers and with known
// secrets redacted from every value.
func (r redactor) Header(h http.Header) http.Header {
	out := h.Clone()
	for _, k := range credentialHeaders {
		out.Del(k)
	}
	for k, vs := range out {
		for i, v := range vs {
			vs[i] = r.String(v)
		}
		out[k] = vs
	}
	return out
}
