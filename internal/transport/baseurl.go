package transport

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ParseBaseURL checks a base URL before anything is sent: an absolute https
// URL (http only to a loopback host, so a token never crosses a network in
// clear), with no userinfo, query or fragment. The path, if any, is kept as
// a prefix without its trailing slash.
func ParseBaseURL(raw string) (*url.URL, error) {
	if strings.TrimSpace(raw) != raw || raw == "" {
		return nil, fmt.Errorf("base URL %q is empty or has surrounding spaces", raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL does not parse: %v", err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("base URL scheme must be https, not %q", u.Scheme)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("base URL has no host")
	case u.User != nil:
		return nil, fmt.Errorf("base URL must not carry userinfo")
	case u.RawQuery != "" || u.ForceQuery:
		return nil, fmt.Errorf("base URL must not carry a query")
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("base URL must not carry a fragment")
	case u.Scheme == "http" && !IsLoopback(u.Hostname()):
		return nil, fmt.Errorf("plain http is allowed only to a loopback host, not %q", u.Hostname())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// IsLoopback reports whether host names this machine: "localhost" or an
// address in 127.0.0.0/8 or ::1.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// PathSegment escapes one path segment, so a user ID such as "../admin" or
// "a/b?c" stays one segment of the intended path. url.PathEscape leaves
// dots alone, so "." and ".." get their dots escaped: as they are, a server
// would resolve them to the current or the parent path.
func PathSegment(s string) string {
	if s == "." || s == ".." {
		return strings.ReplaceAll(s, ".", "%2E")
	}
	return url.PathEscape(s)
}
