package transport

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
)

func newTestClient(t *testing.T, opts ...mfaclient.Option) *Client {
	t.Helper()
	c, err := New(Config{
		Provider:       "test",
		DefaultBaseURL: "https://provider.test/prefix/",
		Settings:       mfaclient.ApplyOptions(opts...),
		Classify:       func(*Answer) Verdict { return Verdict{} },
	})
	require.NoError(t, err)
	return c
}

// go-retryablehttp's default logger is one process-wide stderr logger that
// prints full URLs; it captured os.Stderr at init, so only the configuration
// can show it is never used. An untyped nil skips all of its logging; our own
// records come from attemptTransport, with or without WithLogger.
func TestNeverTheLibraryLogger(t *testing.T) {
	for _, c := range []*Client{
		newTestClient(t),
		newTestClient(t, mfaclient.WithLogger(slog.New(slog.DiscardHandler))),
	} {
		assert.True(t, c.rc.Logger == nil, "Logger must be an untyped nil, got %T", c.rc.Logger)
		assert.NotNil(t, c.rc.ErrorHandler, "the final response must reach the classifier")
		assert.Equal(t, "https://provider.test/prefix", c.base)
	}
}

// The caller's *http.Client is copied, never modified, and its own
// CheckRedirect still runs after ours.
func TestHTTPClientIsCopied(t *testing.T) {
	calls := 0
	user := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { calls++; return nil }}
	c := newTestClient(t, mfaclient.WithHTTPClient(user))
	assert.Nil(t, user.Transport, "the caller's client is not modified")
	hc := c.rc.HTTPClient
	assert.NotSame(t, user, hc)
	first, _ := http.NewRequest(http.MethodPost, "https://provider.test/a", nil)
	next, _ := http.NewRequest(http.MethodPost, "https://provider.test/b", nil)
	next.Response = &http.Response{StatusCode: http.StatusTemporaryRedirect}
	require.NoError(t, hc.CheckRedirect(next, []*http.Request{first}))
	assert.Equal(t, 1, calls)
	elsewhere, _ := http.NewRequest(http.MethodPost, "https://evil.test/b", nil)
	elsewhere.Response = next.Response
	assert.ErrorIs(t, hc.CheckRedirect(elsewhere, []*http.Request{first}), http.ErrUseLastResponse)
	assert.Equal(t, 1, calls, "a refused redirect never reaches the caller's policy")
}
