package transport

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const secret = "tok-5ecret-77"

// escaped spells s as JSON \u escapes, as a hostile server would to get it
// past a byte-level redaction.
func escaped(s string) string {
	out := ""
	for _, c := range s {
		out += fmt.Sprintf(`\u%04x`, c)
	}
	return out
}

func TestRedactBodyDecodesEscapes(t *testing.T) {
	r := newRedactor([]string{secret})
	body := []byte(`{"error":"bad ` + escaped(secret) + `","list":["` + escaped(secret) + `",1],"nested":{"m":"Bearer ` + escaped(secret) + `"},"` + escaped(secret) + `":1}`)

	got := r.Body(body)
	var doc any
	require.NoError(t, json.Unmarshal(got, &doc), "still JSON")
	assert.NotContains(t, fmt.Sprint(doc), secret, "the decoded body holds no credential, keys included")
	assert.Contains(t, fmt.Sprint(doc), redacted)
	assert.Equal(t, `{"error":"bad [REDACTED]","list":["[REDACTED]",1],"nested":{"m":"Bearer [REDACTED]"},"[REDACTED]":1}`, string(got),
		"only the strings that held a credential are rewritten, in place")

	plain := []byte(`{"error":"a \"quoted\" \n message","x":"\u0041"}`)
	assert.Equal(t, plain, r.Body(plain), "a body without a credential stays byte for byte")
	assert.Equal(t, []byte(`<html>`+redacted+`</html>`), r.Body([]byte(`<html>`+secret+`</html>`)))
	assert.Equal(t, []byte(`{"a":"\u0074ok-5ec`), r.Body([]byte(`{"a":"\u0074ok-5ec`)), "a cut string is left alone")
}

func TestRedactHeaderDropsSentCredentialHeaders(t *testing.T) {
	r := newRedactor([]string{secret})
	h := http.Header{
		"X-Auth-Token": {secret}, "X-Echo": {"a " + secret}, "Set-Cookie": {"s=1"},
		"X-Custom-Cred": {"c"}, "Www-Authenticate": {`Bearer realm="x"`},
	}
	got := r.Header(h, http.Header{"X-Auth-Token": {"x"}}, http.Header{"x-custom-cred": {"y"}})
	assert.Equal(t, http.Header{"X-Echo": {"a " + redacted}, "Www-Authenticate": {`Bearer realm="x"`}}, got)
	assert.Equal(t, secret, h.Get("X-Auth-Token"), "the answer's own header is not modified")
}

func TestRedactCleanHeaderIsNotCopied(t *testing.T) {
	r := newRedactor([]string{secret})
	h := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"abc"}}
	sent := http.Header{"Authorization": {"Bearer " + secret}}
	var got http.Header
	allocs := testing.AllocsPerRun(100, func() { got = r.Header(h, sent) })
	assert.Zero(t, allocs, "an answer without credentials costs nothing to redact")
	assert.Equal(t, h, got)
}
