package contract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// An exchange is one request as the client put it on the wire and the
// answer it got, both bodies read.
type exchange struct {
	req      *http.Request
	reqBody  []byte
	resp     *http.Response
	respBody []byte
}

// capture is the innermost RoundTripper of a client (given with
// mfaclient.WithHTTPClient): it sees what goes over the wire, below the
// SDK's own transport, and keeps a copy of every exchange.
type capture struct {
	inner http.RoundTripper
	mu    sync.Mutex
	got   []exchange
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		var err error
		if reqBody, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := c.inner.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	c.mu.Lock()
	c.got = append(c.got, exchange{req: req, reqBody: reqBody, resp: resp, respBody: respBody})
	c.mu.Unlock()
	return resp, nil
}

func (c *capture) exchanges() []exchange {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]exchange(nil), c.got...)
}

// testClock is a fake's clock (mfatest.WithClock) that a test sets.
type testClock struct{ ns atomic.Int64 }

func newTestClock(t time.Time) *testClock {
	c := new(testClock)
	c.Set(t)
	return c
}

func (c *testClock) Set(t time.Time)     { c.ns.Store(t.UnixNano()) }
func (c *testClock) Now() time.Time      { return time.Unix(0, c.ns.Load()) }
func (c *testClock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

// send makes f's request n times without the SDK, with creds in its
// headers: the traffic of a client that came before.
func send(t *testing.T, baseURL string, f *mfatest.Fixture, creds Credentials, n int) {
	t.Helper()
	vars := creds.Placeholders().ForCall(f.Call)
	for range n {
		var body io.Reader
		if f.Request.HasBody() {
			body = bytes.NewReader(f.Request.Body)
		}
		req, err := http.NewRequest(f.Request.Method, baseURL+f.Request.Path, body)
		if err != nil {
			t.Fatal(err)
		}
		for name, v := range f.Request.Headers {
			for k, val := range vars {
				v = strings.ReplaceAll(v, "{{"+k+"}}", val)
			}
			req.Header.Set(name, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// rateLimitHeaders are compared as numbers or times: their values are
// computed from the clock, so the same state never prints the same twice.
var rateLimitHeaders = []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}

// checkResponse compares a fake's answer with f.Response: status, the body
// (as JSON when the fixture's is JSON, byte for byte otherwise) and the
// headers a client acts on. A header the fixture does not list must be
// absent, except that X-RateLimit-* may come with any Rocket.Chat answer
// (it sends them on every response of a limited route; Rocket.Chat apps/meteor/server/api/ApiClass.ts).
func checkResponse(f *mfatest.Fixture, ex exchange, now time.Time) []string {
	want := f.Response
	var diffs []string
	add := func(format string, args ...any) { diffs = append(diffs, fmt.Sprintf(format, args...)) }

	if ex.resp.StatusCode != want.Status {
		add("response status %d, want %d", ex.resp.StatusCode, want.Status)
	}
	if msg := compareBody(want, ex.respBody); msg != "" {
		add("response body: %s", msg)
	}
	wantHeader := func(name string) (string, bool) {
		for k, v := range want.Headers {
			if strings.EqualFold(k, name) {
				return mfatest.Expand(v, now), true
			}
		}
		return "", false
	}
	for _, name := range append([]string{"Content-Type", "Retry-After"}, rateLimitHeaders...) {
		w, listed := wantHeader(name)
		got := ex.resp.Header.Values(name)
		switch {
		case !listed && len(got) == 0:
		case !listed && f.Provider == "rocketchat" && strings.HasPrefix(name, "X-RateLimit-"):
		case !listed:
			add("response header %s: %q, want absent", name, got)
		case len(got) != 1:
			add("response header %s: %q, want %q once", name, got, w)
		case name == "Content-Type":
			if got[0] != w {
				add("response header %s: %q, want %q", name, got[0], w)
			}
		default:
			if msg := compareHint(name, got[0], w, now); msg != "" {
				add("response header %s: %s", name, msg)
			}
		}
	}
	return diffs
}

func compareBody(want mfatest.Response, got []byte) string {
	if len(want.Body) == 0 {
		if !bytes.Equal(got, []byte(want.BodyText)) {
			return fmt.Sprintf("%q, want %q", got, want.BodyText)
		}
		return ""
	}
	var w, g any
	if err := json.Unmarshal(want.Body, &w); err != nil {
		return "fixture: " + err.Error()
	}
	if err := json.Unmarshal(got, &g); err != nil {
		return fmt.Sprintf("%q is not JSON, want %s", got, want.Body)
	}
	if !reflect.DeepEqual(w, g) {
		var compact bytes.Buffer
		_ = json.Compact(&compact, want.Body)
		return fmt.Sprintf("%s, want %s", got, compact.Bytes())
	}
	return ""
}

// compareHint compares a rate-limit hint by meaning: counts as integers,
// X-RateLimit-Reset as a time (epoch seconds or milliseconds), Retry-After
// as a delay or an HTTP date, times within clockSlack.
func compareHint(name, got, want string, now time.Time) string {
	if name == "X-RateLimit-Limit" || name == "X-RateLimit-Remaining" {
		g, gerr := strconv.Atoi(got)
		w, werr := strconv.Atoi(want)
		if gerr != nil || werr != nil || g != w {
			return fmt.Sprintf("%q, want %q", got, want)
		}
		return ""
	}
	g, gform := hintTime(name, got, now)
	w, wform := hintTime(name, want, now)
	if gform == "" || gform != wform {
		return fmt.Sprintf("%q, want %q (not the same form)", got, want)
	}
	if d := g.Sub(w); d > clockSlack || d < -clockSlack {
		return fmt.Sprintf("%q (%s), want %q (%s)", got, g.Format(time.RFC3339Nano), want, w.Format(time.RFC3339Nano))
	}
	return ""
}

// hintTime reads a hint as the moment it points at, and names its form
// ("" when it is unreadable): Retry-After in seconds or as an HTTP date,
// X-RateLimit-Reset in epoch seconds or milliseconds, or seconds from now.
func hintTime(name, v string, now time.Time) (time.Time, string) {
	n, err := strconv.ParseInt(v, 10, 64)
	switch {
	case name == "Retry-After" && err == nil:
		return now.Add(time.Duration(n) * time.Second), "delay"
	case name == "Retry-After":
		t, err := http.ParseTime(v)
		if err != nil {
			return t, ""
		}
		return t, "date"
	case err != nil:
		return time.Time{}, ""
	case n < 1e9: // seconds from now (Mattermost)
		return now.Add(time.Duration(n) * time.Second), "delay"
	case n > 1e12:
		return time.UnixMilli(n), "epochms"
	default:
		return time.Unix(n, 0), "epoch"
	}
}
