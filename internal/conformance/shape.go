package conformance

import (
	"cmp"
	"net/http"
	"strings"
)

// The Provider knobs for providers that differ from the suite's first three
// in what the suite sends: a reset that is not a POST, user IDs that are
// not UUIDs, and an error body of another shape.

// resetMethod is the HTTP method ResetMFA must send.
func (p Provider) resetMethod() string { return cmp.Or(p.ResetMethod, http.MethodPost) }

// loadID is the i-th load user's ID in the provider's format.
func (p Provider) loadID(i int) string {
	if p.LoadID != nil {
		return p.LoadID(i)
	}
	return loadID(i)
}

// findLoadID returns the load ID among the first n that s contains, and
// its index; "" and -1 when none does.
func (p Provider) findLoadID(s string, n int) (string, int) {
	for i := range n {
		if id := p.loadID(i); strings.Contains(s, id) {
			return id, i
		}
	}
	return "", -1
}

// notFound answers 404 in the provider's shape when it has one.
func (p Provider) notFound(w http.ResponseWriter) {
	if p.ErrorBody != nil {
		p.ErrorBody(w, http.StatusNotFound)
		return
	}
	statusJSON(w, http.StatusNotFound, `{"success":false,"error":"User not found"}`)
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
