package casdoor

import (
	"strings"

	"github.com/mfakit/mfakit/internal/transport"
)

// splitUserID checks a Casdoor user ID, "owner/name" (the organization and
// the user's name), and splits it. Casdoor's own IDs have exactly one slash
// (util.GetOwnerAndNameFromId); anything else would name a different user
// or none, so it is rejected before sending.
func splitUserID(op, id string) (owner, name string, err error) {
	if err := transport.CheckUserID(provider, op, id); err != nil {
		return "", "", err
	}
	owner, name, ok := strings.Cut(id, "/")
	switch {
	case !ok || strings.Contains(name, "/"):
		return "", "", transport.InvalidInputFor(provider, op, id, "user ID must be \"owner/name\" with one slash")
	case strings.TrimSpace(owner) == "" || strings.TrimSpace(name) == "":
		return "", "", transport.InvalidInputFor(provider, op, id, "user ID must be \"owner/name\" with both parts non-empty")
	case strings.TrimSpace(owner) != owner || strings.TrimSpace(name) != name:
		return "", "", transport.InvalidInputFor(provider, op, id, "user ID has spaces around its owner or name")
	}
	return owner, name, nil
}
