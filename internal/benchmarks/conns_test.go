package benchmarks

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
)

// mixedScript answers successes and errors, a quarter of them 429s.
var mixedScript = []answer{
	{http.StatusOK, resetOK},
	{http.StatusNotFound, notFound},
	{http.StatusTooManyRequests, tooMany},
	{http.StatusOK, resetOK},
	{http.StatusInternalServerError, internalError},
	{http.StatusOK, resetOK},
	{http.StatusTooManyRequests, tooMany},
	{http.StatusOK, resetOK},
}

// connImpls make one call each; the answer's status is the script's, so
// errors are expected and ignored. Retries are off everywhere so that each
// call is one request.
var connImpls = []struct {
	name string
	new  func(url string) resetFunc
}{
	{"sdk", func(url string) resetFunc {
		c, err := flashback.New(benchToken, mfaclient.WithBaseURL(url), mfaclient.WithRetry(mfaclient.RetryPolicy{}))
		if err != nil {
			panic(err)
		}
		return c.ResetMFA
	}},
	// go-retryablehttp as it comes: its transport has CloseIdleConnections,
	// which Do calls after every 429 it gives up on.
	{"retryablehttp-unwrapped", func(url string) resetFunc {
		rc := retryablehttp.NewClient()
		rc.Logger = nil
		rc.RetryMax = 0
		rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
		hc := rc.StandardClient()
		return func(ctx context.Context, userID string) error { return handReset(ctx, hc, url, benchToken, userID) }
	}},
	{"nethttp", func(url string) resetFunc {
		hc := handClient()
		return func(ctx context.Context, userID string) error { return handReset(ctx, hc, url, benchToken, userID) }
	}},
}

// BenchmarkConnections is 1,000 calls, sequential (c=1) and at concurrency
// 16, with successes, 404s, 500s and 429s; conns is the number of TCP
// connections the server accepted per 1,000 calls.
func BenchmarkConnections(b *testing.B) {
	const calls = 1000
	for _, c := range []int{1, 16} {
		for _, impl := range connImpls {
			b.Run(fmt.Sprintf("c=%d/impl=%s", c, impl.name), func(b *testing.B) {
				var conns int64
				for b.Loop() {
					srv := newCountingServer(b, mixedScript...)
					reset := impl.new(srv.URL)
					var wg sync.WaitGroup
					for w := range c {
						wg.Go(func() {
							for i := w; i < calls; i += c {
								_ = reset(context.Background(), benchUserID)
							}
						})
					}
					wg.Wait()
					conns += srv.conns.Load()
					srv.Close()
				}
				b.ReportMetric(float64(conns)/float64(b.N), "conns")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*calls), "ns/call")
			})
		}
	}
}
