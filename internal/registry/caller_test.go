package registry

import (
	"encoding/base64"
	"testing"

	"github.com/stretchr/testify/assert"
)

func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"HS256"}`)) + "." + enc([]byte(payload)) + ".c2lnbmF0dXJl"
}

func TestBearerSubjectReadsSubWithoutVerifying(t *testing.T) {
	caller := BearerSubject("FLASHBACK_TOKEN")
	id, src := caller(Values{KeyToken: jwt(`{"sub":"usr-admin-2","exp":1}`)})
	assert.Equal(t, "usr-admin-2", id)
	assert.Equal(t, "the sub claim of FLASHBACK_TOKEN", src)
	for _, tok := range []string{"opaque-token", jwt(`{"sub":42}`), jwt(`not json`), "a.!!!.c", ""} {
		id, src = caller(Values{KeyToken: tok})
		assert.Empty(t, id, tok)
		assert.Empty(t, src, tok)
	}
}

func TestCallerOfEachRow(t *testing.T) {
	rc, err := Lookup("rocketchat")
	if assert.NoError(t, err) {
		id, src := rc.Caller(Values{KeyUserID: "me"})
		assert.Equal(t, "me", id)
		assert.Equal(t, "ROCKETCHAT_USER_ID", src)
		assert.True(t, rc.SelfResetEndsSession)
	}
	for _, name := range []string{"flashback", "entryguard"} {
		p, err := Lookup(name)
		if assert.NoError(t, err) && assert.NotNil(t, p.Caller, name) {
			id, _ := p.Caller(Values{KeyToken: jwt(`{"sub":"x"}`)})
			assert.Equal(t, "x", id)
		}
	}
}
