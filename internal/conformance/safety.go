package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/transport"
	"github.com/mfakit/mfakit/mfaclient"
)

// testRedirects: a redirect to another host is never followed, so no
// credential reaches it; 301/302/303 (which would turn the POST into a GET)
// are not followed either; a 307 to the same host is.
func testRedirects(t *testing.T, p Provider) {
	other := newServer(func(_ int, w http.ResponseWriter, _ *http.Request) { p.Success(w) })
	ots := httptest.NewServer(other)
	t.Cleanup(ots.Close)
	_, otherPort, err := net.SplitHostPort(ots.Listener.Addr().String())
	require.NoError(t, err)

	var originURL string
	origin := newServer(func(_ int, w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("to") {
		case "":
			switch {
			case strings.HasSuffix(r.URL.Path, "/followed"):
				p.Success(w)
			case r.Header.Get("X-Case") == "other-host":
				w.Header().Set("Location", "http://localhost:"+otherPort+r.URL.Path)
				w.WriteHeader(http.StatusTemporaryRedirect)
			case r.Header.Get("X-Case") == "302":
				w.Header().Set("Location", originURL+"/followed")
				w.WriteHeader(http.StatusFound)
			default:
				w.Header().Set("Location", originURL+"/followed")
				w.WriteHeader(http.StatusTemporaryRedirect)
			}
		}
	})
	ts := httptest.NewServer(origin)
	t.Cleanup(ts.Close)
	originURL = ts.URL

	for _, tc := range []struct {
		name, header string
		status       int
	}{
		{"OtherHost", "other-host", http.StatusTemporaryRedirect},
		{"Found", "302", http.StatusFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hc := &http.Client{Transport: headerSetter{"X-Case", tc.header}}
			c, err := p.New(ts.URL, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(fastRetry))
			require.NoError(t, err)
			err = c.ResetMFA(bg(), p.UserID)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "%v", err)
			assert.Equal(t, tc.status, apiErr.StatusCode)
			assert.Equal(t, 1, apiErr.Attempts, "a redirect is an answer, not retried")
		})
	}
	assert.Empty(t, other.requests(), "nothing, and so no credential, reached the other host")

	t.Run("SameHost307", func(t *testing.T) {
		c, err := p.New(ts.URL)
		require.NoError(t, err)
		require.NoError(t, c.ResetMFA(bg(), p.UserID))
		reqs := origin.requests()
		last := reqs[len(reqs)-1]
		assert.True(t, strings.HasSuffix(last.Path, "/followed"))
		assert.Equal(t, p.resetMethod(), last.Method, "307 keeps the method")
		assert.Equal(t, reqs[len(reqs)-2].Body, last.Body, "and the body")
	})
}

// headerSetter adds one header to every request, to steer the test server.
type headerSetter struct{ k, v string }

func (h headerSetter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set(h.k, h.v)
	return http.DefaultTransport.RoundTrip(r)
}

// testBounds: a huge body is read through the bound; a non-JSON answer is
// classified by its status.
func testBounds(t *testing.T, p Provider) {
	huge := bytes.Repeat([]byte("x"), 5<<20)
	srv := newServer(func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write(huge)
			return
		}
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>hello</html>"))
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, mfaclient.WithRetry(mfaclient.RetryPolicy{}))
	require.NoError(t, err)

	err = c.ResetMFA(bg(), p.UserID)
	var apiErr *mfaclient.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, isOnly(err, mfaclient.ErrServer), "%v", err)
	assert.Len(t, apiErr.Body, transport.MaxBodyKept)

	err = c.ResetMFA(bg(), p.UserID)
	require.ErrorAs(t, err, &apiErr)
	assert.True(t, isOnly(err, mfaclient.ErrUnexpectedResponse), "a 200 that is not the documented success: %v", err)
	assert.Equal(t, http.StatusOK, apiErr.StatusCode)
}

// echoServer answers status with every request header value echoed in the
// body's message fields and in response headers. With disguise, the body
// spells each echoed character as a JSON \u escape, so the credential is in
// the decoded body but never in its raw bytes.
func echoServer(status int, disguise bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var vals []string
		for k, vs := range r.Header {
			for _, v := range vs {
				vals = append(vals, k+"="+v)
				w.Header().Add("X-Echo", v)
			}
		}
		w.Header().Set("Set-Cookie", "session="+strings.Join(vals, ";"))
		echo := strings.ReplaceAll(strings.Join(vals, " "), `"`, `'`)
		if disguise {
			var b strings.Builder
			for _, c := range echo {
				fmt.Fprintf(&b, `\u%04x`, c)
			}
			echo = b.String()
		}
		statusJSON(w, status, fmt.Sprintf(`{"success":false,"error":"%s [x]","errorType":"%s","message":"%s","error_code":"%s"}`, echo, echo, echo, echo))
	}
}

// testSecrets: an echoing server cannot put a credential into an error
// string, an APIError field, or a log record.
func testSecrets(t *testing.T, p Provider) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, disguise := range []bool{false, true} {
		for _, status := range []int{400, 401, 403, 404, 429, 500} {
			ts := httptest.NewServer(echoServer(status, disguise))
			c, err := p.New(ts.URL, mfaclient.WithLogger(logger), mfaclient.WithRetry(fastRetry))
			require.NoError(t, err)
			err = c.ResetMFA(bg(), p.UserID)
			ts.Close()
			require.Error(t, err)
			var apiErr *mfaclient.APIError
			require.ErrorAs(t, err, &apiErr)
			texts := []string{err.Error(), fmt.Sprintf("%+v", err), apiErr.Code, apiErr.Message, string(apiErr.Body), fmt.Sprint(apiErr.Header)}
			for _, e := range apiErr.Unwrap() { // the provider's decoded body, as a program would print it
				texts = append(texts, e.Error(), fmt.Sprintf("%+v", e))
			}
			var body any // the kept body, as a program would decode it
			if json.Unmarshal(apiErr.Body, &body) == nil {
				texts = append(texts, fmt.Sprint(body))
			}
			for _, secret := range p.Secrets {
				for i, s := range texts {
					assert.NotContains(t, s, secret, "status %d, disguised %v, text #%d", status, disguise, i)
				}
			}
			for _, h := range append([]string{"Set-Cookie"}, p.CredentialHeaders...) {
				assert.Empty(t, apiErr.Header.Values(h), "credential header %s kept", h)
			}
		}
	}
	require.NotZero(t, logs.Len(), "the logger was used")
	for _, secret := range p.Secrets {
		assert.NotContains(t, logs.String(), secret)
	}
}

// testLogging: WithLogger records each attempt and each wait; without it,
// nothing is written anywhere (see transport's tests for the default logger).
func testLogging(t *testing.T, p Provider) {
	srv := newServer(func(n int, w http.ResponseWriter, _ *http.Request) {
		if n == 0 {
			statusJSON(w, http.StatusTooManyRequests, `{}`)
			return
		}
		p.Success(w)
	})
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	h := &recordHandler{}
	c, err := p.New(ts.URL, mfaclient.WithLogger(slog.New(h)), mfaclient.WithRetry(fastRetry))
	require.NoError(t, err)
	require.NoError(t, c.ResetMFA(bg(), p.UserID))

	recs := h.all()
	var attempts, waits []map[string]any
	for _, r := range recs {
		if slices.Contains(p.PreludePaths, fmt.Sprint(r["path"])) {
			continue
		}
		switch r["msg"] {
		case "mfakit: attempt":
			attempts = append(attempts, r)
		case "mfakit: retry wait":
			waits = append(waits, r)
		}
	}
	require.Len(t, attempts, 2, "%v", recs)
	require.Len(t, waits, 1, "%v", recs)
	for i, a := range attempts {
		assert.Equal(t, p.Name, a["provider"])
		assert.Equal(t, "ResetMFA", a["operation"])
		assert.Equal(t, p.ResetPath, strings.SplitN(fmt.Sprint(a["path"]), "?", 2)[0], "the path; a query is the provider's (Carries)")
		assert.EqualValues(t, i+1, a["attempt"])
	}
	assert.EqualValues(t, 429, attempts[0]["status"])
	success := httptest.NewRecorder()
	p.Success(success)
	assert.EqualValues(t, success.Code, attempts[1]["status"])
	assert.EqualValues(t, 429, waits[0]["status"])
	assert.Contains(t, waits[0], "wait")
}

// testConnections: sequential calls, successes and error answers alike,
// share one connection. (net/http returns a connection to the pool before a
// read at EOF returns, so this holds exactly. How many connections N workers
// open is a property of net/http's dialer under load and is measured, with
// the transport settings that bound it, in internal/benchmarks.)
func testConnections(t *testing.T, p Provider) {
	srv := newServer(func(n int, w http.ResponseWriter, _ *http.Request) {
		switch n % 3 {
		case 0:
			p.Success(w)
		case 1:
			statusJSON(w, http.StatusNotFound, `{"success":false,"error":"User not found"}`)
		default:
			statusJSON(w, http.StatusTooManyRequests, `{}`) // retried, then the retry succeeds or fails
		}
	})
	ts := httptest.NewUnstartedServer(srv)
	var conns atomic.Int32
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	c, err := p.New(ts.URL, mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 1, MinWait: 0, MaxWait: 0}))
	require.NoError(t, err)
	for range 60 {
		_ = c.ResetMFA(bg(), p.UserID)
	}
	assert.Greater(t, len(srv.requests()), 60, "some calls were retried after a 429")
	assert.EqualValues(t, 1, conns.Load(), "sequential calls reuse one connection, also after 429s and 404s")

}

// recordHandler keeps every record's attributes, for assertions.
type recordHandler struct {
	mu   sync.Mutex
	recs []map[string]any
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	m := map[string]any{"msg": r.Message, "level": r.Level.String()}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value.Resolve().Any(); return true })
	h.mu.Lock()
	h.recs = append(h.recs, m)
	h.mu.Unlock()
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }
func (h *recordHandler) all() []map[string]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]map[string]any(nil), h.recs...)
}

// syncWriter serialises writes from the client's goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(b)
}
