package mfatest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
)

// A Recorder is an http.RoundTripper that sends each request through
// Transport and writes the interaction to Dir as a fixture file in the
// format of testdata/README.md, so that a user can record once against
// their own tenant and replay the files in CI with NewReplayServer.
//
// Nothing secret reaches the disk:
//   - only an allowlist of headers is kept (Content-Type, Accept,
//     Retry-After, X-RateLimit-*, request IDs, the credential headers and
//     x-2fa-method);
//   - the credential headers are written as placeholders: Authorization as
//     "Bearer {{token}}" (HTTP Basic as "Basic {{basic}}"), X-Auth-Token as
//     {{authToken}}, X-User-Id as {{userId}}, x-2fa-code as {{2faCode}};
//   - the credential fields of a JSON request body (accessKey,
//     accessSecret) are written as {{accessKey}} and {{accessSecret}};
//   - every occurrence of a secret value (the credential header values
//     seen on the wire, and every value in Secrets), also JSON- or
//     URL-escaped, is replaced by {{name}} in the path, bodies and kept
//     header values, also when a server echoes it back; its hex SHA-256
//     becomes {{name:sha256}}.
//
// Name each call with RecordAs before making it, and report its result
// with Outcome afterwards:
//
//	ctx := mfatest.RecordAs(ctx, "reset-200", mfatest.Call{Operation: "ResetMFA", UserID: id})
//	err := client.ResetMFA(ctx, id)
//	rec.Outcome(ctx, err)
//
// A request made without RecordAs is written as "recorded-<n>.json" with an
// empty call and expect; Load refuses such a file until it is filled in,
// which is the point: every recording is reviewed before it is committed.
// Record with retries off, so that one call is one interaction; a second
// request under the same name is written as "<name>-2.json".
type Recorder struct {
	// Transport sends the requests; nil means http.DefaultTransport.
	Transport http.RoundTripper
	// Dir is where fixtures are written, e.g. "testdata/rocketchat". It is
	// created if needed; files of the same name are replaced.
	Dir string
	// Provider is written into every fixture: "flashback", "entryguard" or
	// "rocketchat".
	Provider string
	// Secrets maps placeholder names to secret values that must not be
	// written (passwords, the target's e-mail, anything else). Credential
	// headers need not be listed: their values are scrubbed anyway.
	Secrets Placeholders
	// MultiRequest records every request made under one RecordAs name
	// into one fixture, the earlier ones under "before": for a provider
	// whose one call sends several requests (Kratos's ResetMFA reads the
	// identity, then deletes each second factor). Default false: a second
	// request under a name is written as "<name>-2.json".
	MultiRequest bool

	mu      sync.Mutex
	unnamed int
	byName  map[string]*recorded
	learned map[string]string // credential value seen on the wire -> placeholder name
}

type recorded struct {
	fixture *Fixture
	path    string
	count   int
}

type recordingKey struct{}

type recordingName struct {
	name string
	call Call
}

// RecordAs names the interactions of the call made with ctx: they are
// written as <name>.json with call as the fixture's call. The call's
// TwoFactorCode and TwoFactorPassword are written as placeholders.
func RecordAs(ctx context.Context, name string, call Call) context.Context {
	return context.WithValue(ctx, recordingKey{}, recordingName{name: name, call: call})
}

// maxRecordedBody bounds what is read from a response.
const maxRecordedBody = 1 << 20

// RoundTrip implements http.RoundTripper. A file that cannot be written
// fails the request, so that a recording session never silently records
// nothing.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("mfatest: recorder: reading request body: %w", err)
		}
		reqBody = b
	}
	out := req.Clone(req.Context())
	out.Body = nil
	if req.Body != nil {
		out.Body = io.NopCloser(bytes.NewReader(reqBody))
	}

	next := r.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(out)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, maxRecordedBody))
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("mfatest: recorder: reading response body: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))

	if err := r.record(req, reqBody, resp, respBody, time.Now()); err != nil {
		return nil, err
	}
	return resp, nil
}

// Outcome fills in the expect of the fixture last recorded under ctx's
// name from the result of the call. When no request was recorded under
// that name (the call failed before sending), it writes a fixture with
// "sent": false. It does nothing for a ctx without RecordAs.
func (r *Recorder) Outcome(ctx context.Context, err error) error {
	n, ok := ctx.Value(recordingKey{}).(recordingName)
	if !ok {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.byName[n.name]
	if rec == nil {
		f := r.newFixture(n.call)
		rec = &recorded{fixture: f, path: filepath.Join(r.Dir, n.name+".json")}
		r.remember(n.name, rec)
		f.Expect = OutcomeOf(err)
		if f.Expect.WantsRequest() {
			return fmt.Errorf("mfatest: recorder: %s: the call sent no request but ended with %v", n.name, err)
		}
	} else {
		f := rec.fixture
		f.Expect = OutcomeOf(err)
		if f.Expect.Error == "ErrSecondFactorRequired" {
			f.Expect.TwoFactor = twoFactorFromBody(f.Response.Body)
		}
		// An SDK error message can quote the body: scrub it too.
		f.Expect.Message = r.scrub(f.Expect.Message)
		f.Expect.RequestID = r.scrub(f.Expect.RequestID)
	}
	return writeFixture(rec.path, rec.fixture)
}

func (r *Recorder) record(req *http.Request, reqBody []byte, resp *http.Response, respBody []byte, now time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.learnSecrets(req.Header)
	r.learnBodySecrets(reqBody)

	n, named := req.Context().Value(recordingKey{}).(recordingName)
	if !named {
		r.unnamed++
		n.name = fmt.Sprintf("recorded-%d", r.unnamed)
	}
	f := r.newFixture(n.call)
	f.Request = Request{
		Method:  req.Method,
		Path:    r.scrub(req.URL.RequestURI()),
		Headers: r.requestHeaders(req.Header),
	}
	if len(reqBody) > 0 {
		f.Request.Body = r.jsonOrString(reqBody)
	} else if req.Header.Get("Content-Type") == "" {
		f.Request.AbsentHeaders = append(f.Request.AbsentHeaders, "Content-Type")
	}
	if r.Provider == "rocketchat" && req.Header.Get("X-2fa-Code") == "" {
		f.Request.AbsentHeaders = append(f.Request.AbsentHeaders, "x-2fa-code", "x-2fa-method")
	}
	f.Response = Response{Status: resp.StatusCode, Headers: r.responseHeaders(resp.Header, now)}
	if b := r.scrub(string(respBody)); b != "" {
		if json.Valid([]byte(b)) {
			f.Response.Body = json.RawMessage(b)
		} else {
			f.Response.BodyText = b
		}
	}

	rec := r.byName[n.name]
	path := filepath.Join(r.Dir, n.name+".json")
	if rec != nil && r.MultiRequest && named {
		prev := rec.fixture
		f.Before = append(prev.Before, Exchange{Request: prev.Request, Response: prev.Response})
		rec.fixture = f
		return writeFixture(rec.path, f)
	}
	if rec != nil {
		rec.count++
		path = filepath.Join(r.Dir, fmt.Sprintf("%s-%d.json", n.name, rec.count))
		rec.fixture, rec.path = f, path
	} else {
		r.remember(n.name, &recorded{fixture: f, path: path, count: 1})
	}
	return writeFixture(path, f)
}

func (r *Recorder) remember(name string, rec *recorded) {
	if r.byName == nil {
		r.byName = map[string]*recorded{}
	}
	r.byName[name] = rec
}

func (r *Recorder) newFixture(call Call) *Fixture {
	if call.TwoFactorCode != "" {
		call.TwoFactorCode = "{{" + Placeholder2FACode + "}}"
	}
	if call.TwoFactorPassword != "" {
		call.TwoFactorPassword = "{{password}}"
	}
	call.UserID, call.Username = r.scrub(call.UserID), r.scrub(call.Username)
	return &Fixture{
		Provider: r.Provider,
		Source: Source{
			Doc:  "recorded",
			Note: "Recorded by mfatest.Recorder on " + time.Now().UTC().Format(time.DateOnly) + "; review call and expect, then cite the provider's docs.",
		},
		Call: call,
	}
}

// credentialPlaceholders maps a credential header to its placeholder.
var credentialPlaceholders = map[string]string{
	"Authorization": PlaceholderToken,
	"X-Auth-Token":  PlaceholderAuthToken,
	"X-User-Id":     PlaceholderUserID,
	"X-2fa-Code":    Placeholder2FACode,
}

// learnSecrets adds the credentials a request carries to the values that
// are scrubbed, so that an echo of them is caught even when the caller did
// not list them in Secrets. Every value seen is kept: a token refreshed
// mid-session must be scrubbed as well as the first.
func (r *Recorder) learnSecrets(h http.Header) {
	for header, name := range credentialPlaceholders {
		v := h.Get(header)
		if header == "Authorization" {
			name = authPlaceholder(v)
			if _, cred, ok := strings.Cut(v, " "); ok {
				v = cred
			}
		}
		r.learn(v, name)
	}
}

func (r *Recorder) learn(value, name string) {
	if value == "" {
		return
	}
	if r.learned == nil {
		r.learned = map[string]string{}
	}
	r.learned[value] = name
}

// authPlaceholder is the placeholder of an Authorization value: {{basic}}
// for HTTP Basic (base64 of "user:password"), {{token}} for the others.
func authPlaceholder(v string) string {
	if scheme, _, _ := strings.Cut(v, " "); strings.EqualFold(scheme, "Basic") {
		return PlaceholderBasic
	}
	return PlaceholderToken
}

// credentialFields are JSON request-body fields that carry credentials
// (Casdoor's access key pair); their values are scrubbed like credential
// headers, written as {{<field>}}.
var credentialFields = []string{"accessKey", "accessSecret"}

// learnBodySecrets adds the credentials a JSON request body carries.
func (r *Recorder) learnBodySecrets(body []byte) {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return
	}
	for _, f := range credentialFields {
		if v, ok := m[f].(string); ok {
			r.learn(v, f)
		}
	}
}

func (r *Recorder) requestHeaders(h http.Header) map[string]string {
	out := map[string]string{}
	for name, vals := range h {
		if len(vals) == 0 {
			continue
		}
		switch name {
		case "Authorization":
			scheme, _, _ := strings.Cut(vals[0], " ")
			out[name] = scheme + " {{" + authPlaceholder(vals[0]) + "}}"
		case "X-Auth-Token", "X-User-Id":
			out[name] = "{{" + credentialPlaceholders[name] + "}}"
		case "X-2fa-Code":
			out["x-2fa-code"] = "{{" + Placeholder2FACode + "}}"
		case "X-2fa-Method":
			out["x-2fa-method"] = r.scrub(vals[0])
		case "Content-Type", "Accept":
			out[name] = r.scrub(vals[0])
		}
	}
	return out
}

// keptResponseHeader reports whether a response header is worth keeping:
// what the SDK reads, and nothing a server might put a session in.
func keptResponseHeader(name string) bool {
	switch name {
	case "Content-Type", "Retry-After", "X-Request-Id", "X-Correlation-Id", "Request-Id":
		return true
	}
	return strings.HasPrefix(name, "X-Ratelimit-")
}

func (r *Recorder) responseHeaders(h http.Header, now time.Time) map[string]string {
	out := map[string]string{}
	for name, vals := range h {
		if len(vals) == 0 || !keptResponseHeader(name) {
			continue
		}
		v := r.scrub(vals[0])
		switch name {
		case "Retry-After":
			if t, err := http.ParseTime(v); err == nil {
				v = timeTemplate(t.Sub(now), "httpdate")
			}
		case "X-Ratelimit-Reset":
			v = resetTemplate(v, now)
			name = "X-RateLimit-Reset"
		}
		if strings.HasPrefix(name, "X-Ratelimit-") {
			name = "X-RateLimit-" + strings.TrimPrefix(name, "X-Ratelimit-")
		}
		out[name] = v
	}
	return out
}

// resetTemplate turns an absolute reset time (epoch milliseconds or
// seconds) into a template relative to the response, so that the fixture
// still means "in 42 seconds" when it is replayed next year.
func resetTemplate(v string, now time.Time) string {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return v
	}
	switch {
	case n >= 1e12:
		return timeTemplate(time.UnixMilli(n).Sub(now), "epochms")
	case n >= 1e9:
		return timeTemplate(time.Unix(n, 0).Sub(now), "epoch")
	}
	return v // seconds from now, already relative
}

func timeTemplate(d time.Duration, format string) string {
	d = d.Round(time.Second)
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	if format != "" {
		format = ":" + format
	}
	return fmt.Sprintf("{{now%s%s%s}}", sign, d, format)
}

// jsonOrString keeps a JSON body as JSON and anything else as a JSON
// string, so that the file stays valid.
func (r *Recorder) jsonOrString(b []byte) json.RawMessage {
	s := r.scrub(string(b))
	if json.Valid([]byte(s)) {
		return json.RawMessage(s)
	}
	q, _ := json.Marshal(s)
	return q
}

// scrub replaces every secret value, raw and in the escaped forms it can
// take in a body or a URL, by its placeholder. Longer secrets go first so
// that a secret containing another is replaced whole.
func (r *Recorder) scrub(s string) string {
	type pair struct{ from, to string }
	var pairs []pair
	values := make(map[string]string, len(r.Secrets)+len(r.learned))
	for v, name := range r.learned {
		values[v] = name
	}
	for name, v := range r.Secrets {
		values[v] = name
	}
	for v, name := range values {
		if v == "" {
			continue
		}
		ph := "{{" + name + "}}"
		q, _ := json.Marshal(v)
		sum := sha256.Sum256([]byte(v))
		sumHex := hex.EncodeToString(sum[:])
		for _, form := range []string{v, string(q[1 : len(q)-1]), url.QueryEscape(v), url.PathEscape(v)} {
			pairs = append(pairs, pair{form, ph})
		}
		hashPH := "{{" + name + ":sha256}}"
		pairs = append(pairs, pair{sumHex, hashPH}, pair{strings.ToUpper(sumHex), hashPH})
	}
	sort.Slice(pairs, func(i, j int) bool { return len(pairs[i].from) > len(pairs[j].from) })
	for _, p := range pairs {
		s = strings.ReplaceAll(s, p.from, p.to)
	}
	return s
}

func writeFixture(path string, f *Fixture) error {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // bodies as the server sent them
	enc.SetIndent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("mfatest: recorder: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("mfatest: recorder: %w", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("mfatest: recorder: %w", err)
	}
	return nil
}

// OutcomeOf describes err as a fixture's expect: success for nil, else the
// mfaclient sentinel it matches, its typed error and fields. An error that
// carries no HTTP answer (no *APIError) and no sent attempt is recorded as
// sent: false. The
// Rocket.Chat challenge details are not part of mfaclient's errors; the
// Recorder fills them in from the recorded body.
func OutcomeOf(err error) Outcome {
	if err == nil {
		return Outcome{Success: true}
	}
	o := Outcome{Error: mfaclient.ClassName(err)}
	var (
		apiErr  *mfaclient.APIError
		rateErr *mfaclient.RateLimitError
		forbErr *mfaclient.ForbiddenError
		opErr   *mfaclient.OpError
	)
	switch {
	case errors.As(err, &rateErr):
		o.Type = "RateLimitError"
		o.RetryAfter = rateErr.RetryAfter.Round(time.Second).String()
		limit, remaining := rateErr.Limit, rateErr.Remaining
		o.Limit, o.Remaining = &limit, &remaining
		if !rateErr.Reset.IsZero() {
			o.Reset = timeTemplate(time.Until(rateErr.Reset), "")
		}
	case errors.As(err, &forbErr):
		o.Type = "ForbiddenError"
		o.Required = forbErr.Required
	case errors.As(err, &apiErr):
		o.Type = "APIError"
	case errors.As(err, &opErr):
		o.Type = "OpError"
	}
	switch {
	case errors.As(err, &apiErr):
		o.StatusCode, o.Code, o.Message, o.RequestID = apiErr.StatusCode, apiErr.Code, apiErr.Message, apiErr.RequestID
	case opErr != nil && opErr.Attempts > 0:
		// Sent, but no answer came back (a network failure).
	default:
		o.Sent = new(bool)
	}
	return o
}

// twoFactorFromBody decodes Rocket.Chat's challenge details; codeExpires
// may be one date or a list of them.
func twoFactorFromBody(body []byte) *TwoFactor {
	var b struct {
		Details *struct {
			Method           string          `json:"method"`
			CodeGenerated    bool            `json:"codeGenerated"`
			AvailableMethods []string        `json:"availableMethods"`
			CodeExpires      json.RawMessage `json:"codeExpires"`
			EmailOrUsername  string          `json:"emailOrUsername"`
		} `json:"details"`
	}
	if json.Unmarshal(body, &b) != nil || b.Details == nil {
		return nil
	}
	d := b.Details
	tf := &TwoFactor{Method: d.Method, CodeGenerated: d.CodeGenerated, AvailableMethods: d.AvailableMethods, EmailOrUsername: d.EmailOrUsername}
	var one string
	if json.Unmarshal(d.CodeExpires, &one) == nil {
		tf.CodeExpires = []string{one}
	} else {
		_ = json.Unmarshal(d.CodeExpires, &tf.CodeExpires)
	}
	if tf.AvailableMethods == nil {
		tf.AvailableMethods = []string{}
	}
	return tf
}
