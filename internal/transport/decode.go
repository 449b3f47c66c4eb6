package transport

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
)

// DecodeObject is the one place an answer's body is decoded: every
// provider's classifier calls it. It decodes body into v when body is
// exactly one JSON object that fits v's types, and strictly: a key that
// appears twice in one object, or that is not one of v's field names but
// that encoding/json would match to one case-insensitively or by Unicode
// folding ("Success", "SUCCESS", "ſuccess" for "success"), makes the body
// not decode. encoding/json alone would keep the last duplicate and match
// folded keys, so {"success":false,"success":true} or {"SUCCESS":true}
// would read as a success the provider never sent.
//
// Anything else (HTML, null, an array, truncated JSON, trailing data, a
// field of the wrong type) reports false too, and the classifier treats
// the answer as one without the provider's shape.
func DecodeObject(body []byte, v any) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	if !strictKeys(b, reflect.TypeOf(v)) {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

// strictKeys reports whether the JSON value b has no duplicate key in any
// object and no key that folds to a field name of t (at the same depth)
// without being that name.
func strictKeys(b []byte, t reflect.Type) bool {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return walkValue(dec, t)
}

// walkValue reads one value from dec; t is the Go type it will decode
// into, nil when unknown (then only duplicate keys are checked below it).
func walkValue(dec *json.Decoder, t reflect.Type) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	d, ok := tok.(json.Delim)
	if !ok {
		return true
	}
	t = deref(t)
	switch d {
	case '{':
		return walkObject(dec, t)
	case '[':
		var elem reflect.Type
		if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		for dec.More() {
			if !walkValue(dec, elem) {
				return false
			}
		}
		_, err := dec.Token()
		return err == nil
	}
	return false
}

func walkObject(dec *json.Decoder, t reflect.Type) bool {
	var fields map[string]reflect.Type
	var elem reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Struct:
		fields = jsonFields(t)
	case t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		key, _ := tok.(string)
		if seen[key] {
			return false
		}
		seen[key] = true
		ft := elem
		if fields != nil {
			var exact bool
			ft, exact = fields[key]
			if !exact && foldsToField(key, fields) {
				return false
			}
		}
		if !walkValue(dec, ft) {
			return false
		}
	}
	_, err := dec.Token()
	return err == nil
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// foldsToField reports whether key matches a field name the way
// encoding/json matches names (Unicode simple folding, as strings.EqualFold).
func foldsToField(key string, fields map[string]reflect.Type) bool {
	for name := range fields {
		if strings.EqualFold(key, name) {
			return true
		}
	}
	return false
}

var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// jsonFields is the JSON names of struct t's fields, embedded structs'
// promoted fields included (the shallower name wins, as in encoding/json),
// with each field's type.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	addFields(fields, t, 0)
	fieldCache.Store(t, fields)
	return fields
}

func addFields(fields map[string]reflect.Type, t reflect.Type, depth int) {
	if depth > 8 {
		return
	}
	var embedded []reflect.Type
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if et := deref(f.Type); et.Kind() == reflect.Struct {
				embedded = append(embedded, et)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if _, taken := fields[name]; !taken {
			fields[name] = f.Type
		}
	}
	for _, et := range embedded {
		addFields(fields, et, depth+1)
	}
}
