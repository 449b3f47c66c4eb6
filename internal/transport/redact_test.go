package transport

import (
	"encoding/json"
	"fmt"
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

func TestRedactJSONBodyDecodesEscapes(t *testing.T) {
	r := newRedactor([]string{secret})
	body := []byte(`{"error":"bad ` + escaped(secret) + `","list":["` + escaped(secret) + `",1],"nested":{"m":"Bearer ` + escaped(secret) + `"}}`)

	got := r.JSONBody(body)
	var doc any
	require.NoError(t, json.Unmarshal(got, &doc), "still JSON")
	assert.NotContains(t, fmt.Sprint(doc), secret, "the decoded body holds no credential")
	assert.Contains(t, fmt.Sprint(doc), redacted)

	plain := []byte(`{"error":"a \"quoted\" \n message"}`)
	assert.Equal(t, plain, r.JSONBody(plain), "a body without a credential stays byte for byte")
	assert.Equal(t, []byte(`<html>`+redacted+`</html>`), r.JSONBody([]byte(`<html>`+secret+`</html>`)))
}

type named string

type decoded struct {
	Message string
	Named   named
	Map     map[string]string
	List    []string
	Inner   *struct{ Text string }
	Any     any
	hidden  string
}

func TestRedactValue(t *testing.T) {
	r := newRedactor([]string{secret})
	v := &decoded{
		Message: "x " + secret,
		Named:   named(secret),
		Map:     map[string]string{"k": secret},
		List:    []string{secret},
		Inner:   &struct{ Text string }{secret},
		Any:     map[string]any{"deep": []any{secret}},
		hidden:  secret,
	}
	r.Value(v)
	assert.Equal(t, "x "+redacted, v.Message)
	assert.Equal(t, named(redacted), v.Named)
	assert.Equal(t, redacted, v.Map["k"])
	assert.Equal(t, redacted, v.List[0])
	assert.Equal(t, redacted, v.Inner.Text)
	assert.Equal(t, map[string]any{"deep": []any{redacted}}, v.Any)
	assert.Equal(t, secret, v.hidden, "unexported fields are not reachable (and providers have none)")
	assert.NotPanics(t, func() { r.Value(nil); r.Value((*decoded)(nil)); r.Value(decoded{}) })
}
