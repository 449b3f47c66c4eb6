package conformance

import (
	"cmp"
	"net/http"
	"strings"

	"github.com/mfakit/mfakit/mfaclient"
)

// The Provider knobs for providers that differ from the suite's first three
// in what the suite sends: a reset that is not a POST, user IDs that are
// not UUIDs, and error classes given only to the provider's error shape.

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

// plainClass is the class of an answer with status whose body is not the
// provider's documented error: statusClass, or ErrUnexpectedResponse for a
// 4xx of a provider that classes only its own error shape.
func (p Provider) plainClass(status int) error {
	if p.ErrorBody != nil && shapedStatus(status) {
		return mfaclient.ErrUnexpectedResponse
	}
	return statusClass(status)
}

// shapedStatus: the statuses whose class needs the provider's error shape.
// A 429 is a rate limit in any shape, a 5xx a server error in any shape
// (proxies answer both in their own).
func shapedStatus(status int) bool {
	return status >= 400 && status < 500 && status != http.StatusTooManyRequests
}
