// Package totp computes RFC 6238 codes for the real-server suites, which
// enrol TOTP on real servers (Mattermost, Casdoor, Ory Kratos) the way a
// person does: read the server's secret, answer with the current code. It is
// test tooling; mfakit's clients never compute a code.
package totp

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// Code is the RFC 6238 code (HMAC-SHA1, 30-second steps, 6 digits) of a
// base32 secret (padded or not, either case) at t, as Mattermost's
// dgoogauth, Casdoor and Kratos check it.
func Code(secret string, t time.Time) (string, error) {
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.ToUpper(strings.TrimRight(secret, "=")))
	if err != nil {
		return "", fmt.Errorf("TOTP secret: %w", err)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/30))
	mac := hmac.New(sha1.New, key)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000), nil
}
