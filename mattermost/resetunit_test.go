package mattermost_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mattermost"
	"github.com/mfakit/mfakit/mfaclient"
)

// Mattermost's X-Ratelimit-Reset is always seconds from now
// (app/ratelimit.go: ceil(ResetAfter)), so the client reads it in that unit
// and never guesses: a value that would be a time near now as a Unix epoch
// is a wait of decades, beyond any hint, and is ignored as if absent.
func TestRateLimitResetIsNeverReadAsAnEpoch(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		epochLike := strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10)
		hc := answering(http.StatusTooManyRequests, "limit exceeded\n", "Content-Type", "text/plain; charset=utf-8",
			"X-Ratelimit-Limit", "21", "X-Ratelimit-Remaining", "0", "X-Ratelimit-Reset", epochLike)
		c, err := mattermost.New("https://chat.example.com", testToken, mfaclient.WithHTTPClient(hc), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
		require.NoError(t, err)
		err = c.ResetMFA(context.Background(), testUserID)
		var rl *mfaclient.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.True(t, rl.Reset.IsZero(), "not read as an epoch: %s", rl.Reset)
		assert.Zero(t, rl.RetryAfter)
		assert.Equal(t, 21, rl.Limit)
		assert.Equal(t, 0, rl.Remaining)
	})
}
