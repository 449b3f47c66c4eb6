package conformance

import (
	"fmt"
	"net/http"
	"strings"
)

// The Provider knobs for providers that differ from the suite's first three
// in what the suite sends: the method of each operation (see also
// provider_shape.go), user IDs that are not UUIDs, and an error body of
// another shape.

// method is the HTTP method op must send: resetMethod for the resets, POST
// for SetPrimaryMFA.
func (p Provider) method(op operation) string {
	if op.Name == "SetPrimaryMFA" {
		return http.MethodPost
	}
	return p.resetMethod()
}

// loadID is the i-th load user's ID in the provider's format.
func (p Provider) loadID(i int) string {
	if p.LoadID != nil {
		return p.LoadID(i)
	}
	return p.idFor(loadID(i))
}

// findLoadID returns the load ID among the first n that s (a request's URI
// and body) carries, and its index; "" and -1 when none does.
func (p Provider) findLoadID(s string, n int) (string, int) {
	if p.LoadID == nil {
		var i int
		id := loadIDPattern.FindString(s)
		if _, err := fmt.Sscanf(id[max(len(id)-12, 0):], "%d", &i); err != nil || i >= n {
			return "", -1
		}
		return p.loadID(i), i
	}
	for i := range n {
		if id := p.loadID(i); strings.Contains(s, id) {
			return id, i
		}
	}
	return "", -1
}

// errorAnswer answers status (a 429, say) with the headers kv and the
// provider's error body for it when it has one, so that the answer keeps
// its status's class even when its hints are unusable.
func (p Provider) errorAnswer(w http.ResponseWriter, status int, kv ...string) {
	if p.ErrorBody == nil {
		statusJSON(w, status, `{"success":false,"error":"slow down"}`, kv...)
		return
	}
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	p.ErrorBody(w, status)
}
