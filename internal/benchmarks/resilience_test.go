package benchmarks

import (
	"context"
	"flag"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
)

// realWaits runs the outage rows with both clients' default waits (mfakit
// 0.5-1-2 s, go-retryablehttp 1-2-4-8 s: about 150 s per go-retryablehttp
// run). Without it their waits are scaled down a hundredfold: the request
// counts do not depend on how long a client sleeps between attempts, and
// each run takes a second or two.
var realWaits = flag.Bool("resilience.realwaits", false, "outage rows: the clients' default waits, unscaled")

// The bare-429 scenarios: 1,000 resets at concurrency 16 against a
// provider that allows 100 requests per second and says nothing but "429".
const (
	bareCalls   = 1000
	bareWorkers = 16
	bareRate    = 100
)

// The outage scenarios: 64 goroutines × 10 calls each for the total outage.
// Half failing, each call succeeds with a probability near the target (15
// in 16 with 3 retries), so 640 calls would put the figure within ±1 point
// by chance alone; 64 × 50 calls bring that to ±0.4.
const (
	outageWorkers  = 64
	outagePerCall  = 10
	halfPerCall    = 50
	outageFailRate = 0.5
)

// scenarioServer answers Flashback's reset with answer and counts what it
// sent.
type scenarioServer struct {
	*httptest.Server
	requests, throttled, failed atomic.Int64
}

// newScenarioServer: answer returns the status to send (200, 429, 503).
func newScenarioServer(b *testing.B, answer func() int) *scenarioServer {
	s := &scenarioServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		_, _ = io.Copy(io.Discard, r.Body)
		h := w.Header()
		h["Content-Type"] = jsonType
		switch status := answer(); status {
		case http.StatusTooManyRequests:
			s.throttled.Add(1)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(tooMany))
		case http.StatusOK:
			_, _ = w.Write([]byte(resetOK))
		default:
			s.failed.Add(1)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(internalError))
		}
	}))
	b.Cleanup(s.Close)
	return s
}

// resilienceImpl is one client under test, built for a server URL.
type resilienceImpl struct {
	name string
	new  func(url string) resetFunc
}

// sdkDefaults is mfakit with its defaults; outage rows scale its waits
// unless -resilience.realwaits.
func sdkDefaults(scaled bool) func(url string) resetFunc {
	return func(url string) resetFunc {
		opts := []mfaclient.Option{mfaclient.WithBaseURL(url)}
		if scaled && !*realWaits {
			p := mfaclient.DefaultRetryPolicy()
			p.MinWait /= 100
			opts = append(opts, mfaclient.WithRetry(p)) // MaxWait stays: it only caps
		}
		c, err := flashback.New(benchToken, opts...)
		if err != nil {
			panic(err)
		}
		return c.ResetMFA
	}
}

// sdkKnownRate is mfakit told the provider's limit (WithRateLimit): the
// "perfect knowledge" column. A fixed window allows no burst on top of its
// rate (100 at once and then 100 per second would be 200 in its first
// window), so its burst is 1; the token bucket's is its own.
func sdkKnownRate(burst int) func(url string) resetFunc {
	return func(url string) resetFunc {
		c, err := flashback.New(benchToken, mfaclient.WithBaseURL(url), mfaclient.WithRateLimit(bareRate, burst))
		if err != nil {
			panic(err)
		}
		return c.ResetMFA
	}
}

// retryableDefaults is go-retryablehttp's NewClient as it comes (logger off)
// and the JSON a user would write by hand.
func retryableDefaults(scaled bool) func(url string) resetFunc {
	return func(url string) resetFunc {
		rc := retryablehttp.NewClient()
		rc.Logger = nil
		if scaled && !*realWaits {
			rc.RetryWaitMin /= 100
			rc.RetryWaitMax /= 100
		}
		hc := rc.StandardClient()
		return func(ctx context.Context, userID string) error { return handReset(ctx, hc, url, benchToken, userID) }
	}
}

// runCalls makes n calls with c workers and returns how many failed and the
// wall time.
func runCalls(reset resetFunc, n, c int) (failed int64, wall time.Duration) {
	var next, fails atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range c {
		wg.Go(func() {
			for next.Add(1) <= int64(n) {
				if reset(context.Background(), benchUserID) != nil {
					fails.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return fails.Load(), time.Since(start)
}

// BenchmarkResilience reproduces every row of the table, mfakit and
// go-retryablehttp side by side in one run. Run with -benchtime=1x: one op
// is one whole scenario.
//
//	bare429/fixed-window, bare429/token-bucket: x-ideal (wall over 1,000 / 100 s),
//	  429-% of the requests, failed resets;
//	outage (64 × 10 calls, always 503), half-failing (64 × 50 calls, 503 at
//	  random half the time): req/call and success-%;
//	overhead: sdk/nethttp, call by call (see BenchmarkResetMFAInterleaved).
func BenchmarkResilience(b *testing.B) {
	for _, shape := range []struct {
		name    string
		limiter func() Limiter
		burst   int
	}{
		{"fixed-window", func() Limiter { return &FixedWindow{Limit: bareRate, Window: time.Second} }, 1},
		{"token-bucket", func() Limiter { return &TokenBucket{Rate: bareRate, Burst: 10} }, 10},
	} {
		for _, impl := range []resilienceImpl{
			{"sdk", sdkDefaults(false)},
			{"retryablehttp", retryableDefaults(false)},
			{"sdk-withratelimit", sdkKnownRate(shape.burst)},
		} {
			b.Run("row=bare429-"+shape.name+"/impl="+impl.name, func(b *testing.B) {
				benchBare429(b, shape.limiter, impl)
			})
		}
	}
	for _, row := range []struct {
		name      string
		failRate  float64
		perWorker int
	}{{"outage", 1, outagePerCall}, {"half-failing", outageFailRate, halfPerCall}} {
		for _, impl := range []resilienceImpl{
			{"sdk", sdkDefaults(true)},
			{"retryablehttp", retryableDefaults(true)},
		} {
			b.Run("row="+row.name+"/impl="+impl.name, func(b *testing.B) {
				benchFailing(b, row.failRate, row.perWorker, impl)
			})
		}
	}
	b.Run("row=overhead/impl=sdk-vs-nethttp", func(b *testing.B) { interleave(b, context.Background(), handClient()) })
}

func benchBare429(b *testing.B, newLimiter func() Limiter, impl resilienceImpl) {
	var wall time.Duration
	var requests, throttled, failed int64
	for b.Loop() {
		l := newLimiter()
		srv := newScenarioServer(b, func() int {
			if l.Allow(time.Now()) {
				return http.StatusOK
			}
			return http.StatusTooManyRequests
		})
		f, w := runCalls(impl.new(srv.URL), bareCalls, bareWorkers)
		wall += w
		failed += f
		requests += srv.requests.Load()
		throttled += srv.throttled.Load()
		srv.Close()
	}
	n := float64(b.N)
	ideal := float64(bareCalls) / bareRate
	b.ReportMetric(wall.Seconds()/n/ideal, "x-ideal")
	b.ReportMetric(100*float64(throttled)/float64(requests), "429-%")
	b.ReportMetric(float64(failed)/n, "failed")
	b.ReportMetric(0, "ns/op")
}

func benchFailing(b *testing.B, failRate float64, perWorker int, impl resilienceImpl) {
	calls := outageWorkers * perWorker
	var requests, failed int64
	for b.Loop() {
		srv := newScenarioServer(b, func() int {
			if rand.Float64() < failRate {
				return http.StatusServiceUnavailable
			}
			return http.StatusOK
		})
		f, _ := runCalls(impl.new(srv.URL), calls, outageWorkers)
		failed += f
		requests += srv.requests.Load()
		srv.Close()
	}
	n := float64(b.N)
	b.ReportMetric(float64(requests)/n/float64(calls), "req/call")
	b.ReportMetric(100*(1-float64(failed)/n/float64(calls)), "success-%")
	b.ReportMetric(0, "ns/op")
}
