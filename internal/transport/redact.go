package transport

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
)

// Stage 5 of a call: redact. The answer is redacted once, raw, before
// anything reads it: the classifier decodes a body that holds no credential,
// so the provider's decoded body, its code and message hold none either,
// and nothing is redacted again afterwards.

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

// Body redacts an answer's raw body: the credential as sent, and also a
// credential spelled with JSON escapes ("\u0065g-..."), which decoding would
// turn back into the credential. Each JSON string with an escape in it is
// decoded, redacted, and written back only when it held a credential; so a
// body without one stays byte for byte what the server sent.
func (r redactor) Body(body []byte) []byte {
	body = r.Bytes(body)
	if len(r) == 0 || bytes.IndexByte(body, '\\') < 0 {
		return body
	}
	var out []byte
	last := 0
	for i := 0; i < len(body); i++ {
		if body[i] != '"' {
			continue
		}
		end, escaped := stringEnd(body, i)
		if end < 0 {
			break
		}
		if escaped {
			var s string
			if json.Unmarshal(body[i:end+1], &s) == nil {
				if clean := r.String(s); clean != s {
					quoted, _ := json.Marshal(clean)
					out = append(append(out, body[last:i]...), quoted...)
					last = end + 1
				}
			}
		}
		i = end
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// stringEnd returns the index of the quote that closes the JSON string
// opening at body[start], or -1, and whether the string has an escape.
func stringEnd(body []byte, start int) (int, bool) {
	escaped := false
	for j := start + 1; j < len(body); j++ {
		switch body[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			return j, escaped
		}
	}
	return -1, escaped
}

// alwaysCredential are headers that carry credentials whatever the provider:
// they are never kept in an error. The headers a client sends its own
// credentials in (Config.Header, a call's Request.Header) are added to them.
var alwaysCredential = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// Header returns h without credential headers (the standard ones and every
// header named in sent, which an echoing server may send back), with known
// secrets redacted from every value: h itself when there is nothing to take
// out (the common case, and no allocation), else a copy.
func (r redactor) Header(h http.Header, sent ...http.Header) http.Header {
	if r.clean(h, sent) {
		return h
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		if isCredentialHeader(k, sent) {
			continue
		}
		clean := make([]string, len(vs))
		for i, v := range vs {
			clean[i] = r.String(v)
		}
		out[k] = clean
	}
	return out
}

// clean reports whether h has no credential header and no secret.
func (r redactor) clean(h http.Header, sent []http.Header) bool {
	for k, vs := range h {
		if isCredentialHeader(k, sent) {
			return false
		}
		for _, v := range vs {
			if r.String(v) != v {
				return false
			}
		}
	}
	return true
}

func isCredentialHeader(k string, sent []http.Header) bool {
	for _, c := range alwaysCredential {
		if strings.EqualFold(k, c) {
			return true
		}
	}
	for _, h := range sent {
		for name := range h {
			if strings.EqualFold(k, name) {
				return true
			}
		}
	}
	return false
}
