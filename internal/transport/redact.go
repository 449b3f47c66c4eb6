package transport

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Redaction of what a provider's classifier decoded. Byte-level redaction of
// the body (redactor.Bytes) misses a credential a server spells with JSON
// escapes ("\u0065g-..."): decoding turns it back into the credential. So
// the decoded strings are redacted too, wherever they are.

// Value replaces known secrets in every string reachable from v through
// pointers, structs, slices, arrays, maps and interfaces, in place. It only
// touches what it can set (exported fields, map values), which is all a
// provider's decoded body holds.
func (r redactor) Value(v any) {
	if len(r) == 0 || v == nil {
		return
	}
	r.walk(reflect.ValueOf(v))
}

func (r redactor) walk(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			r.walk(v.Elem())
		}
	case reflect.Interface:
		// What an interface holds cannot be set in place: walk a copy and
		// put it back.
		if v.IsNil() {
			return
		}
		cp := reflect.New(v.Elem().Type()).Elem()
		cp.Set(v.Elem())
		r.walk(cp)
		if v.CanSet() {
			v.Set(cp)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				r.walk(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			r.walk(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			r.walk(e)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(r.String(v.String()))
		}
	}
}

// JSONBody returns body with secrets redacted from its decoded form too.
// Only a body with escapes can hide one from Bytes, and only when one is
// found is the body re-encoded (then it is no longer byte for byte what the
// server sent, but it holds no credential).
func (r redactor) JSONBody(body []byte) []byte {
	body = r.Bytes(body)
	if len(r) == 0 || bytes.IndexByte(body, '\\') < 0 {
		return body
	}
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return body
	}
	before, _ := json.Marshal(doc)
	r.walk(reflect.ValueOf(&doc))
	after, err := json.Marshal(doc)
	if err != nil || bytes.Equal(before, after) {
		return body
	}
	return after
}
