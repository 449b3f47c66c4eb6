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
// without being that name. It only scans: b is decoded afterwards by
// encoding/json, which rejects anything that is not valid JSON, so here
// invalid JSON only has to end the scan, never to be diagnosed.
func strictKeys(b []byte, t reflect.Type) bool {
	_, ok := scanValue(b, skipSpace(b, 0), t, 0)
	return ok
}

// maxDepth is encoding/json's own nesting limit.
const maxDepth = 10000

// scanValue scans the value at b[i:] (t is the Go type it will decode into,
// nil when unknown: then only duplicate keys are checked below it) and
// returns the index after it.
func scanValue(b []byte, i int, t reflect.Type, depth int) (int, bool) {
	if i >= len(b) || depth > maxDepth {
		return i, false
	}
	switch b[i] {
	case '{':
		return scanObject(b, i+1, deref(t), depth+1)
	case '[':
		var elem reflect.Type
		if t = deref(t); t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
			elem = t.Elem()
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = scanValue(b, i, elem, depth+1); !ok {
				return i, false
			}
			i = skipSpace(b, i)
			if i >= len(b) {
				return i, false
			}
			if b[i] == ']' {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i = skipSpace(b, i+1)
		}
	case '"':
		end, _ := stringEnd(b, i)
		return end + 1, end > 0
	}
	for i < len(b) && !strings.ContainsRune(" \t\r\n,]}", rune(b[i])) {
		i++ // a number or a literal
	}
	return i, true
}

func scanObject(b []byte, i int, t reflect.Type, depth int) (int, bool) {
	var fields *structFields
	var elem reflect.Type
	switch {
	case t == nil:
	case t.Kind() == reflect.Struct:
		fields = jsonFields(t)
	case t.Kind() == reflect.Map:
		elem = t.Elem()
	}
	var small [16][]byte
	keys := small[:0] // this object's keys so far, raw; on the stack for most objects
	i = skipSpace(b, i)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return i, false
		}
		end, escaped := stringEnd(b, i)
		if end < 0 {
			return i, false
		}
		key := b[i+1 : end]
		if escaped {
			// A key spelled with escapes ("\u0073uccess") is compared as
			// encoding/json reads it.
			var s string
			if json.Unmarshal(b[i:end+1], &s) != nil {
				return i, false
			}
			key = []byte(s)
		}
		for _, k := range keys {
			if bytes.Equal(k, key) {
				return i, false // a duplicate: encoding/json would keep the last
			}
		}
		keys = append(keys, key)
		ft := elem
		if fields != nil {
			var exact bool
			ft, exact = fields.byName[string(key)]
			if !exact && fields.folds(key) {
				return i, false
			}
		}
		i = skipSpace(b, end+1)
		if i >= len(b) || b[i] != ':' {
			return i, false
		}
		var ok bool
		if i, ok = scanValue(b, skipSpace(b, i+1), ft, depth); !ok {
			return i, false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return i, false
		}
		if b[i] == '}' {
			return i + 1, true
		}
		if b[i] != ',' {
			return i, false
		}
		i = skipSpace(b, i+1)
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

func deref(t reflect.Type) reflect.Type {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// structFields is what the strict scan needs of a struct type: its JSON
// field names with their types, and the names as bytes for folding.
type structFields struct {
	byName map[string]reflect.Type
	names  [][]byte
}

// folds reports whether key matches a field name the way encoding/json
// matches names (Unicode simple folding, as bytes.EqualFold).
func (f *structFields) folds(key []byte) bool {
	for _, name := range f.names {
		if bytes.EqualFold(key, name) {
			return true
		}
	}
	return false
}

var fieldCache sync.Map // reflect.Type -> *structFields

// jsonFields is the JSON names of struct t's fields, embedded structs'
// promoted fields included (the shallower name wins, as in encoding/json),
// with each field's type.
func jsonFields(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{byName: map[string]reflect.Type{}}
	addFields(f.byName, t, 0)
	for name := range f.byName {
		f.names = append(f.names, []byte(name))
	}
	fieldCache.Store(t, f)
	return f
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
