package mfatest

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A Fixture is one recorded interaction: the call a program made, the request
// the provider must receive, the provider's answer, and what the caller must
// see. One fixture is one JSON file; the format is documented in
// testdata/README.md.
type Fixture struct {
	// Path is the file the fixture was read from (not part of the JSON).
	Path string `json:"-"`

	Provider    string `json:"provider"` // "flashback", "entryguard", "rocketchat"
	Description string `json:"description,omitempty"`
	Source      Source `json:"source"`
	Call        Call   `json:"call"`
	// Before are the requests the call sends before Request, with their
	// answers, in order; empty for a call of one request. The caller's
	// outcome (Expect) follows the last answer.
	Before   []Exchange `json:"before,omitempty"`
	Request  Request    `json:"request"`
	Response Response   `json:"response"`
	Expect   Outcome    `json:"expect"`
}

// Source says where a fixture's shape comes from.
type Source struct {
	// Doc is where the shape is documented: the provider's public docs page
	// or source file ("https://..."); for a fixture recorded from a real
	// server, "<server> v<version>, <source file>"; for a case composed by
	// mfakit (a proxy's page), "README.md", whose error table states the
	// rule.
	Doc string `json:"doc"`
	// Section names the part of Doc: "403 Response", "REST rate limiter".
	Section string `json:"section,omitempty"`
	// URL is the public source behind a reference entry, when there is one.
	URL string `json:"url,omitempty"`
	// Note says what is undocumented or assumed, when anything is.
	Note string `json:"note,omitempty"`
}

// Call is the SDK call the fixture makes.
type Call struct {
	// Operation: "ResetMFA", "ResetOwnMFA", "SetPrimaryMFA", or for
	// Rocket.Chat's typed request "ResetTOTP" (with Username).
	Operation string `json:"operation"`
	UserID    string `json:"userID,omitempty"`
	Username  string `json:"username,omitempty"`
	Method    string `json:"method,omitempty"` // SetPrimaryMFA: an mfaclient.Method
	// Rocket.Chat second factor: WithTwoFactorCode(Code, Method) or
	// WithTwoFactorPassword(Password).
	TwoFactorCode     string `json:"twoFactorCode,omitempty"`
	TwoFactorMethod   string `json:"twoFactorMethod,omitempty"`
	TwoFactorPassword string `json:"twoFactorPassword,omitempty"`
}

// Request is what the provider must receive.
type Request struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	// Headers must be present with exactly these values. Credentials are
	// written as placeholders ({{token}}, {{userId}}, {{authToken}},
	// {{2faCode}}), never as values.
	Headers map[string]string `json:"headers,omitempty"`
	// AbsentHeaders must not be sent at all (e.g. Content-Type without a body).
	AbsentHeaders []string `json:"absentHeaders,omitempty"`
	// Body is the JSON the provider must receive, compared as JSON; absent or
	// null means no body at all.
	Body json.RawMessage `json:"body,omitempty"`
}

// HasBody reports whether the request must carry a body.
func (r Request) HasBody() bool {
	return len(r.Body) > 0 && string(r.Body) != "null"
}

// Response is the provider's answer.
type Response struct {
	Status int `json:"status"`
	// Headers are sent as given, after Expand (time templates such as
	// {{now+42s:epochms}}).
	Headers map[string]string `json:"headers,omitempty"`
	// Body is a JSON body, sent byte for byte as written in the file.
	Body json.RawMessage `json:"body,omitempty"`
	// BodyText is a raw body (HTML, truncated JSON); used when Body is absent.
	BodyText string `json:"bodyText,omitempty"`
}

// BodyBytes returns the body to send.
func (r Response) BodyBytes() []byte {
	if len(r.Body) > 0 {
		return []byte(r.Body)
	}
	return []byte(r.BodyText)
}

// Outcome is what the caller must see.
type Outcome struct {
	Success bool `json:"success,omitempty"`
	// Error is the sentinel's name in package mfaclient ("ErrForbidden").
	Error      string `json:"error,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Code       string `json:"code,omitempty"`
	Message    string `json:"message,omitempty"`
	RequestID  string `json:"requestID,omitempty"`
	// Type is the typed error the caller gets: "APIError", "RateLimitError",
	// "ForbiddenError" or "OpError".
	Type string `json:"type,omitempty"`
	// Required is ForbiddenError.Required.
	Required string `json:"required,omitempty"`
	// RetryAfter is RateLimitError.RetryAfter as a Go duration ("42s"),
	// compared within one second because it is computed from the clock.
	RetryAfter string `json:"retryAfter,omitempty"`
	Limit      *int   `json:"limit,omitempty"`
	Remaining  *int   `json:"remaining,omitempty"`
	// Reset is RateLimitError.Reset as a template ("{{now+42s}}") or RFC 3339.
	Reset string `json:"reset,omitempty"`
	// TwoFactor is Rocket.Chat's decoded challenge details.
	TwoFactor *TwoFactor `json:"twoFactor,omitempty"`
	// Sent is false when the call must send nothing (input errors,
	// ErrUnsupported); the request and response are then ignored.
	Sent *bool `json:"sent,omitempty"`
}

// WantsRequest reports whether the call must reach the server.
func (o Outcome) WantsRequest() bool { return o.Sent == nil || *o.Sent }

// TwoFactor is the expected 2FA challenge details.
type TwoFactor struct {
	Method           string   `json:"method"`
	CodeGenerated    bool     `json:"codeGenerated"`
	AvailableMethods []string `json:"availableMethods"`
	CodeExpires      []string `json:"codeExpires,omitempty"` // RFC 3339
	EmailOrUsername  string   `json:"emailOrUsername,omitempty"`
}

// Load reads one fixture file.
func Load(path string) (*Fixture, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f := new(Fixture)
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(f); err != nil {
		return nil, fmt.Errorf("mfatest: %s: %w", path, err)
	}
	f.Path = path
	if f.Provider == "" || f.Call.Operation == "" || f.Source.Doc == "" {
		return nil, fmt.Errorf("mfatest: %s: provider, call.operation and source.doc are required", path)
	}
	if !f.Expect.Success && f.Expect.Error == "" {
		return nil, fmt.Errorf("mfatest: %s: expect needs success or error", path)
	}
	return f, nil
}

// LoadDir reads every *.json fixture below dir, sorted by path.
func LoadDir(dir string) ([]*Fixture, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "fuzz" {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".json") {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	out := make([]*Fixture, 0, len(paths))
	for _, p := range paths {
		f, err := Load(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// Expand replaces the time templates in s, relative to now:
//
//	{{now+42s:epochms}}  Unix epoch milliseconds (Rocket.Chat's X-RateLimit-Reset)
//	{{now+42s:epoch}}    Unix epoch seconds
//	{{now+2s:httpdate}}  an HTTP date (Retry-After's date form)
//	{{now+42s}}          RFC 3339 with milliseconds
//
// The offset may be negative ({{now-5s:httpdate}}) or absent ({{now}}).
func Expand(s string, now time.Time) string {
	for {
		i := strings.Index(s, "{{now")
		if i < 0 {
			return s
		}
		j := strings.Index(s[i:], "}}")
		if j < 0 {
			return s
		}
		expr := s[i+len("{{now") : i+j]
		format := ""
		if k := strings.IndexByte(expr, ':'); k >= 0 {
			expr, format = expr[:k], expr[k+1:]
		}
		t := now
		if expr != "" {
			d, err := time.ParseDuration(strings.TrimPrefix(expr, "+"))
			if err != nil {
				return s
			}
			t = now.Add(d)
		}
		var v string
		switch format {
		case "epochms":
			v = strconv.FormatInt(t.UnixMilli(), 10)
		case "epoch":
			v = strconv.FormatInt(t.Unix(), 10)
		case "httpdate":
			v = t.UTC().Format(http1TimeFormat)
		default:
			v = t.UTC().Format("2006-01-02T15:04:05.000Z07:00")
		}
		s = s[:i] + v + s[i+j+2:]
	}
}

const http1TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"
