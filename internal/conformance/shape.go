package conformance

import (
	"net/http"
	"strings"
)

// Knobs for providers whose IDs are not UUIDs and whose 429 has its own
// shape (Mattermost): the load test finds a user by the plain ID or the
// provider's form of it (Provider.IDFor), and a 429 is written in the
// provider's shape (Provider.RateLimited).

// findLoadID returns the plain load ID (loadID(i), i < n) whose plain or
// provider form (IDFor) s contains, and i; "" and -1 when none.
func (p Provider) findLoadID(s string, n int) (string, int) {
	for i := range n {
		plain := loadID(i)
		if strings.Contains(s, plain) || strings.Contains(s, p.idFor(plain)) {
			return plain, i
		}
	}
	return "", -1
}

// errorAnswer answers status with the headers kv: a 429 in the provider's
// own shape when it has one (RateLimited), so that the answer keeps its
// class even when its hints are unusable; else the suite's generic body.
func (p Provider) errorAnswer(w http.ResponseWriter, status int, kv ...string) {
	if status != http.StatusTooManyRequests || p.RateLimited == nil {
		statusJSON(w, status, `{"success":false,"error":"slow down"}`, kv...)
		return
	}
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	p.RateLimited(w)
}
