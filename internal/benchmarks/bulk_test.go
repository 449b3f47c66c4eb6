package benchmarks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// The provider's limit in every bulk run: 200 requests per 1 s window.
const (
	windowLimit = 200
	window      = time.Second
)

// hintStyles are the ways a limiter says when to come back.
var hintStyles = []struct {
	name  string
	hints mfatest.RateLimitHints
}{
	{"retry-after-seconds+quota", mfatest.HintBoth},       // the fake
	{"rocketchat-epoch-ms", mfatest.HintRateLimitHeaders}, // no Retry-After
	{"retry-after-http-date+quota", mfatest.HintBothDate}, // the fake, Retry-After as a date
	{"retry-after-http-date", mfatest.HintRetryAfterDate}, // no quota headers: the worst case
}

// resetFunc resets one user's MFA; nil on the provider's success.
type resetFunc func(ctx context.Context, userID string) error

// bulkResult is one bulk run as the server and the caller saw it.
type bulkResult struct {
	wall      time.Duration
	requests  int
	throttled int
	failures  int64
}

// runBulk resets n users with c workers against a fresh fake limited to
// windowLimit per window. The fake's first window starts with its first
// request, so the clock starts just before the workers do.
func runBulk(b *testing.B, n, c int, hints mfatest.RateLimitHints, client func(fb *mfatest.FlashbackFake) resetFunc) bulkResult {
	fb, err := mfatest.StartFlashback(mfatest.WithRateLimit(windowLimit, window, hints))
	if err != nil {
		b.Fatal(err)
	}
	defer fb.Close()
	reset := client(fb)
	ctx := context.Background()
	var next, failures atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if err := reset(ctx, fb.Member.ID); err != nil {
					failures.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return bulkResult{wall: time.Since(start), requests: fb.Requests(), throttled: fb.RateLimited(), failures: failures.Load()}
}

// idealBulk is the time of the whole windows n resets need.
func idealBulk(n int) time.Duration {
	return time.Duration((n+windowLimit-1)/windowLimit) * window
}

// report averages the runs of one benchmark into its metrics.
func report(b *testing.B, n int, runs []bulkResult) {
	var sum bulkResult
	for _, r := range runs {
		sum.wall += r.wall
		sum.requests += r.requests
		sum.throttled += r.throttled
		sum.failures += r.failures
	}
	k := float64(len(runs))
	b.ReportMetric(sum.wall.Seconds()/k, "wall-s")
	b.ReportMetric(sum.wall.Seconds()/k/idealBulk(n).Seconds(), "x-ideal")
	b.ReportMetric(float64(sum.throttled)/k, "429s")
	b.ReportMetric(100*float64(sum.throttled)/float64(sum.requests), "429-%")
	b.ReportMetric(float64(sum.failures)/k, "failures")
	b.ReportMetric(0, "ns/op") // one op is a whole bulk run; wall-s says it
}

// sdkReset is mfakit with its defaults.
func sdkReset(fb *mfatest.FlashbackFake) resetFunc {
	c, err := flashback.New(fb.Admin.Token, mfaclient.WithBaseURL(fb.URL()))
	if err != nil {
		panic(err)
	}
	return c.ResetMFA
}

// retryableReset is the baseline: go-retryablehttp with its defaults (logger
// off, RetryMax 20) and the JSON a user would write by hand.
func retryableReset(fb *mfatest.FlashbackFake) resetFunc {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	rc.RetryMax = 20
	url, auth := fb.URL()+"/mfa/reset", "Bearer "+fb.Admin.Token
	return func(ctx context.Context, userID string) error {
		body, err := json.Marshal(resetRequest{ResetUserID: userID})
		if err != nil {
			return err
		}
		req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, url, body)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", auth)
		req.Header.Set("Content-Type", "application/json")
		return readReset(rc.Do(req))
	}
}

var impls = []struct {
	name   string
	client func(*mfatest.FlashbackFake) resetFunc
}{
	{"sdk", sdkReset},
	{"retryablehttp", retryableReset},
}

func benchBulk(b *testing.B, n, c int, hints mfatest.RateLimitHints, client func(*mfatest.FlashbackFake) resetFunc) {
	var runs []bulkResult
	for b.Loop() {
		runs = append(runs, runBulk(b, n, c, hints, client))
	}
	report(b, n, runs)
}

// BenchmarkBulk is 2,000 resets at concurrency 16 under 200 requests per
// 1 s window, for each hint style, mfakit and go-retryablehttp side by side.
// Run with -benchtime=1x: one op is one whole bulk run.
func BenchmarkBulk(b *testing.B) {
	for _, style := range hintStyles {
		for _, impl := range impls {
			b.Run("hints="+style.name+"/impl="+impl.name, func(b *testing.B) {
				benchBulk(b, 2000, 16, style.hints, impl.client)
			})
		}
	}
}

// BenchmarkBulkScaling is mfakit's bulk run at three sizes and three
// concurrency levels, with the hints.
func BenchmarkBulkScaling(b *testing.B) {
	for _, n := range []int{500, 1000, 2000} {
		for _, c := range []int{4, 16, 64} {
			b.Run(fmt.Sprintf("n=%d/c=%d", n, c), func(b *testing.B) {
				benchBulk(b, n, c, mfatest.HintBoth, sdkReset)
			})
		}
	}
}
