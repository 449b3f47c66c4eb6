package conformance

// WithLogger: one record per attempt and per wait.

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

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
	assert.EqualValues(t, successStatus(p), attempts[1]["status"])
	assert.EqualValues(t, 429, waits[0]["status"])
	assert.Contains(t, waits[0], "wait")
}
