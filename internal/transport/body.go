package transport

import (
	"bytes"
	"io"
	"net/http"
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
// remainder for connection reuse, and closes it. A read error (a connection
// reset mid-body) leaves what was read: the status is still the answer.
func readBounded(body io.ReadCloser) []byte {
	defer drainAndClose(body)
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(io.LimitReader(body, MaxBodyKept))
	return buf.Bytes()
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
