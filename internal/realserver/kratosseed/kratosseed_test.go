//go:build realserver

package kratosseed

import (
	"encoding/base32"
	"testing"
	"time"
)

// RFC 6238 Appendix B, SHA-1 rows (the 8-digit values' last 6 digits).
func TestTOTPVectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		got, err := TOTP(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("TOTP at %d = %q, %v; want %q", unix, got, err, want)
		}
	}
}
