package kratos

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode"
)

// decodeStrict decodes body into v only when body is exactly one JSON
// object with no key repeated in any object, also not in another letter
// case: encoding/json keeps the last of duplicate keys and matches field
// names case-insensitively, so {"credentials":{…},"Credentials":{}} would
// otherwise hide an identity's second factors and turn into a false
// ErrMFANotEnabled. json.Unmarshal itself refuses trailing data.
func decodeStrict(body []byte, v any) bool {
	b := bytes.TrimLeft(body, " \t\r\n")
	if len(b) == 0 || b[0] != '{' {
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if !uniqueKeys(dec) {
		return false
	}
	return json.Unmarshal(b, v) == nil
}

// uniqueKeys reads one JSON value from dec and reports whether every object
// in it has distinct keys, compared case-insensitively.
func uniqueKeys(dec *json.Decoder) bool {
	tok, err := dec.Token()
	if err != nil {
		return false
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return false
			}
			key, ok := k.(string)
			if !ok || seen[foldKey(key)] {
				return false
			}
			seen[foldKey(key)] = true
			if !uniqueKeys(dec) {
				return false
			}
		}
		_, err = dec.Token() // '}'
		return err == nil
	case json.Delim('['):
		for dec.More() {
			if !uniqueKeys(dec) {
				return false
			}
		}
		_, err = dec.Token() // ']'
		return err == nil
	}
	return true
}

// foldKey maps every rune to the smallest rune of its case-folding orbit,
// the equivalence encoding/json matches field names by ("ſ" is "s", the
// Kelvin sign is "k").
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		return least
	}, s)
}
