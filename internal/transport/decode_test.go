package transport

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

type decodeInner struct {
	Method string `json:"method"`
}

type decodeBase struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

type decodeDoc struct {
	decodeBase
	Error   string            `json:"error"`
	Details *decodeInner      `json:"details"`
	List    []decodeInner     `json:"list"`
	Errors  map[string]string `json:"errors"`
	Raw     json.RawMessage   `json:"raw"`
	Untag   string
	Skip    string `json:"-"`
}

func TestDecodeObjectStrict(t *testing.T) {
	for _, tc := range []struct {
		body string
		ok   bool
	}{
		{`{"success":true,"message":"m"}`, true},
		{` {"success":true} ` + "\n", true},
		{`{"success":true,"unknown":{"Success":1,"x":[1,{"y":2}]}}`, true}, // unknown keys are the provider's to add
		{`{"details":{"method":"totp"},"list":[{"method":"a"},{"method":"b"}],"errors":{"Message":"x","message":"y"}}`, true},
		{`{"Untag":"x","raw":{"a":1}}`, true},
		{`{"success":false,"success":true}`, false},
		{`{"Success":true}`, false},
		{`{"SUCCESS":true,"error":"x"}`, false},
		{`{"ſuccess":true}`, false},
		{`{"\u0053uccess":true}`, false},                 // escaped fold
		{`{"succes\u0073":true,"success":false}`, false}, // escaped duplicate
		{`{"Message":"promoted from the embedded struct"}`, false},
		{`{"details":{"Method":"totp"}}`, false},
		{`{"list":[{"method":"a"},{"METHOD":"b"}]}`, false},
		{`{"errors":{"a":"x","a":"y"}}`, false},
		{`{"raw":{"a":1,"a":2}}`, false},
		{`{"untag":"x"}`, false},
		{`{"skip":"x","Skip":"y"}`, true}, // "-" fields are no names
		{`{"success":true} x`, false},
		{`{"success":true}{"success":true}`, false},
		{`{"success":tru`, false},
		{`{"a":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`, false},
		{`[]`, false},
		{``, false},
	} {
		var d decodeDoc
		assert.Equal(t, tc.ok, DecodeObject([]byte(tc.body), &d), "%.80s", tc.body)
	}
}

func TestStrictScanDoesNotAllocate(t *testing.T) {
	body := []byte(`{"success":true,"message":"MFA reset successfully","details":{"method":"totp"},"list":[{"method":"a"}]}`)
	typ := reflect.TypeOf(&decodeDoc{})
	jsonFields(reflect.TypeOf(decodeDoc{})) // the field cache is filled once per type
	var ok bool
	allocs := testing.AllocsPerRun(100, func() { ok = strictKeys(body, typ) })
	assert.True(t, ok)
	assert.Zero(t, allocs, "the strict scan adds nothing to encoding/json's own allocations")
}

// FuzzDecodeObject: the strict scan never panics, and never accepts what
// encoding/json rejects or a body with a key twice in one object.
func FuzzDecodeObject(f *testing.F) {
	for _, s := range []string{`{"success":true}`, `{"details":{"method":"x"},"list":[{}]}`, `{"a":"\u0041\"","b":[1,2,{"c":null}]}`, `{"success":false,"success":true}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var d decodeDoc
		if !DecodeObject(b, &d) {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("accepted %q that is not an object", b)
		}
		seen := map[string]bool{}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("accepted %q: %v", b, err)
			}
			key := tok.(string)
			if seen[key] {
				t.Fatalf("accepted %q with the key %q twice", b, key)
			}
			seen[key] = true
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("accepted %q: %v", b, err)
			}
		}
	})
}
