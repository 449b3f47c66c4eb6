package conformance

// Guarantee "Errors are classifiable" (README, Security and reliability):
// the fuzz targets every provider runs.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// Answer is one HTTP answer a fuzz target serves to a provider client: the
// status, the headers the SDK reads, and the body.
type Answer struct {
	Status     int
	RetryAfter string // Retry-After
	Reset      string // X-RateLimit-Reset
	RequestID  string // X-Request-Id
	Body       []byte
}

// NewAnswer builds an Answer from fuzzed values; an int outside 100..599
// is folded into it.
func NewAnswer(status int, retryAfter, reset, requestID string, body []byte) Answer {
	if status < 100 || status > 599 {
		status = 100 + int(uint(status)%500)
	}
	return Answer{Status: status, RetryAfter: retryAfter, Reset: reset, RequestID: requestID, Body: body}
}

// RoundTrip serves a as the answer to any request, without a network, so a
// fuzz target runs thousands of calls a second through the whole client.
func (a Answer) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	h := http.Header{}
	for k, v := range map[string]string{"Retry-After": a.RetryAfter, "X-Ratelimit-Reset": a.Reset, "X-Request-Id": a.RequestID} {
		if v != "" {
			h[k] = []string{v}
		}
	}
	return &http.Response{
		Status: strconv.Itoa(a.Status) + " " + http.StatusText(a.Status), StatusCode: a.Status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(a.Body)), ContentLength: int64(len(a.Body)),
		Request: r,
	}, nil
}

// AnswerRules are what a provider's answers may mean beyond their status.
type AnswerRules struct {
	// Secrets must never be readable from an error.
	Secrets []string
	// Refined400 are the classes a 400 may have besides ErrInvalidInput,
	// from the provider's codes.
	Refined400 []error
	// Refined401 are the classes a 401 may have besides ErrUnauthorized
	// (Rocket.Chat 9.0 answers a missing permission with 401 "forbidden").
	Refined401 []error
	// Refined2xx are the classes a 2xx may have besides
	// ErrUnexpectedResponse, from a provider that reports errors in a 200's
	// body (Casdoor).
	Refined2xx []error
}

// SeedAnswers adds to f's corpus every recorded answer of the provider
// (its testdata fixtures, as seen from the provider package), hostile
// variants of their headers, malformed bodies, and bodies and headers that
// echo secrets. The fuzz function's arguments are
// (op uint8, status int, retryAfter, reset, requestID string, body []byte).
func SeedAnswers(f *testing.F, provider string, secrets ...string) {
	fixtures, err := mfatest.LoadDir(fixtureDir(provider))
	if err != nil {
		f.Fatal(err)
	}
	now := time.Now()
	for i, fx := range fixtures {
		if !fx.Expect.WantsRequest() {
			continue
		}
		h := fx.Response.Headers
		f.Add(uint8(i), fx.Response.Status, mfatest.Expand(h["Retry-After"], now), mfatest.Expand(h["X-RateLimit-Reset"], now),
			h["X-Request-Id"], fx.Response.BodyBytes())
	}
	hints := []string{"999999999999", "99999999999999999999999", "-5", "soon", "1.5", "0", " 7 ",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT", strconv.FormatInt(now.Add(time.Minute).UnixMilli(), 10)}
	for i, v := range hints {
		f.Add(uint8(i), http.StatusTooManyRequests, v, hints[len(hints)-1-i], "", []byte(`{"success":false}`))
	}
	i := uint8(0)
	for _, b := range malformedBodies {
		for _, status := range []int{200, 400, 500} {
			f.Add(i, status, "", "", "", []byte(b))
			i++
		}
	}
	for _, s := range secrets {
		echo, _ := json.Marshal(map[string]any{"success": false, "error": "token " + s + " [" + s + "]", "errorType": s, "message": s,
			"error_code": s, "details": map[string]any{"method": s, "message": s}})
		for _, status := range []int{200, 400, 401, 403, 429, 500} {
			f.Add(i, status, s, s, s, echo)
			i++
		}
	}
}

// FuzzAnswers is a provider's answer-classification fuzz target: it seeds
// f with SeedAnswers and checks every answer with CheckAnswer. call makes
// operation op (any uint8; the provider folds it into its operations) on a
// client that sends through hc with retries off; rules says what the
// answers to op may mean.
func FuzzAnswers(f *testing.F, provider string, secrets []string, rules func(op uint8) AnswerRules,
	call func(t *testing.T, hc *http.Client, op uint8) error) {
	SeedAnswers(f, provider, secrets...)
	f.Fuzz(func(t *testing.T, op uint8, status int, retryAfter, reset, requestID string, body []byte) {
		CheckAnswer(t, NewAnswer(status, retryAfter, reset, requestID, body), rules(op), func(hc *http.Client) error {
			return call(t, hc, op)
		})
	})
}

// CheckAnswer serves a to call (which makes one client call through the
// given *http.Client, with retries off) and asserts what every answer must
// give, whatever it is: no panic; success only from a 2xx whose body is a
// JSON object; otherwise exactly one class, the status's own or (for a
// 400) one the provider's codes allow, on an *APIError with the status and
// one attempt, a *RateLimitError with a sane RetryAfter for a 429, a
// *ForbiddenError for ErrForbidden; and no secret in any text of the error.
func CheckAnswer(t *testing.T, a Answer, rules AnswerRules, call func(hc *http.Client) error) {
	t.Helper()
	err := call(&http.Client{Transport: a})
	if err == nil {
		if a.Status < 200 || a.Status > 299 {
			t.Fatalf("success from status %d", a.Status)
		}
		if b := bytes.TrimLeft(a.Body, " \t\r\n"); len(b) == 0 || b[0] != '{' || !json.Valid(b) {
			t.Fatalf("success from a body that is not a JSON object: %q", a.Body)
		}
		return
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a context error with a live context: %v", err)
	}
	var classes []error
	for _, c := range mfaclient.Classes() {
		if errors.Is(err, c) {
			classes = append(classes, c)
		}
	}
	if len(classes) != 1 {
		t.Fatalf("status %d: %d classes %v for %v", a.Status, len(classes), classes, err)
	}
	class := classes[0]
	want := statusClass(a.Status)
	allowed := class == want || class == shapelessClass(a.Status) // the status's class needs the provider's shape
	refined := map[int][]error{http.StatusBadRequest: rules.Refined400, http.StatusUnauthorized: rules.Refined401}
	for _, c := range refined[a.Status] {
		allowed = allowed || class == c
	}
	if a.Status >= 200 && a.Status <= 299 {
		for _, c := range rules.Refined2xx {
			allowed = allowed || class == c
		}
	}
	if !allowed {
		t.Fatalf("status %d gave %v, want %v", a.Status, class, want)
	}
	var apiErr *mfaclient.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("not an *APIError: %T %v", err, err)
	}
	if apiErr.StatusCode != a.Status || apiErr.Attempts != 1 || len(apiErr.Body) > len(a.Body) {
		t.Fatalf("APIError status %d attempts %d body %d bytes, for status %d and a %d-byte body",
			apiErr.StatusCode, apiErr.Attempts, len(apiErr.Body), a.Status, len(a.Body))
	}
	switch class {
	case mfaclient.ErrRateLimited:
		var rl *mfaclient.RateLimitError
		if !errors.As(err, &rl) {
			t.Fatalf("a 429 that is not a *RateLimitError: %v", err)
		}
		if rl.RetryAfter < 0 || rl.RetryAfter > maxSaneHint || rl.Limit < -1 || rl.Remaining < -1 {
			t.Fatalf("RetryAfter %s, Limit %d, Remaining %d from Retry-After %q, reset %q", rl.RetryAfter, rl.Limit, rl.Remaining, a.RetryAfter, a.Reset)
		}
	case mfaclient.ErrForbidden:
		var fe *mfaclient.ForbiddenError
		if !errors.As(err, &fe) {
			t.Fatalf("ErrForbidden that is not a *ForbiddenError: %v", err)
		}
	}
	for i, text := range errorTexts(err) {
		for _, s := range rules.Secrets {
			if strings.Contains(text, s) {
				t.Fatalf("secret %q in text #%d of the error: %s", s, i, text)
			}
		}
	}
}
