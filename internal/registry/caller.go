package registry

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// BearerSubject is a Caller for providers whose token may be a JWT: the
// token's "sub" claim, read without verifying the signature (it only guards
// against a mistake; the provider decides who the caller is). A token that
// is not a JWT, or has no string sub, tells nothing.
func BearerSubject(env string) func(v Values) (id, source string) {
	return func(v Values) (string, string) {
		if sub := jwtSubject(v[KeyToken]); sub != "" {
			return sub, "the sub claim of " + env
		}
		return "", ""
	}
}

// jwtSubject returns the sub claim of a compact JWS, unverified.
func jwtSubject(token string) string {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > 8192 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var claims struct {
		Sub any `json:"sub"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return ""
	}
	sub, _ := claims.Sub.(string)
	return sub
}
