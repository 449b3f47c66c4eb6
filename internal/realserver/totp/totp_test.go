package totp

import (
	"encoding/base32"
	"testing"
	"time"
)

// RFC 6238 Appendix B, SHA-1 rows (the 8-digit values' last 6 digits).
func TestCodeVectors(t *testing.T) {
	secret := base32.StdEncoding.EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1234567890: "005924", 2000000000: "279037"} {
		got, err := Code(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("Code at %d = %q, %v; want %q", unix, got, err, want)
		}
	}
}

func TestCodeBadSecret(t *testing.T) {
	if _, err := Code("not base32!", time.Unix(59, 0)); err == nil {
		t.Error("a secret that is not base32 is an error")
	}
}
