package benchmarks

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
)

// BenchmarkResetMFAInterleaved times the SDK and the hand-written baseline
// call by call, alternating, against the same server, and reports each one's
// time per call and their ratio. Run one after the other (BenchmarkResetMFA),
// the two sides see a 2-core machine in different states and the drift
// between them is larger than the difference being measured; alternating
// gives both the same conditions.
func BenchmarkResetMFAInterleaved(b *testing.B) {
	// timeout=none is the baseline as written (no timeout at all);
	// timeout=30s gives it http.Client.Timeout, which a hand-written client
	// meant for production sets, and which is what the SDK's per-attempt
	// timeout is. Those two give both calls context.Background(), which
	// nothing can cancel; ctx=cancelable (no timeout) gives both a context
	// that can end, as a program's signal.NotifyContext can.
	for _, tc := range []struct {
		name       string
		timeout    time.Duration
		cancelable bool
	}{
		{"timeout=none", 0, false},
		{"timeout=30s", 30 * time.Second, false},
		{"ctx=cancelable", 0, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			hc := handClient()
			hc.Timeout = tc.timeout
			ctx := context.Background()
			if tc.cancelable {
				c, cancel := context.WithCancel(ctx)
				defer cancel()
				ctx = c
			}
			interleave(b, ctx, hc)
		})
	}
}

func interleave(b *testing.B, ctx context.Context, hc *http.Client) {
	srv := newCountingServer(b)
	c, err := flashback.New(benchToken, mfaclient.WithBaseURL(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	sdkCall := func() error { return c.ResetMFA(ctx, benchUserID) }
	baseCall := func() error { return handReset(ctx, hc, srv.URL, benchToken, benchUserID) }
	var sdk, base time.Duration
	for i := 0; b.Loop(); i++ {
		// Alternate which goes first too, so neither always pays for what the
		// other left behind (a server goroutine still finishing, GC assist).
		first, second, t1, t2 := sdkCall, baseCall, &sdk, &base
		if i%2 == 1 {
			first, second, t1, t2 = baseCall, sdkCall, &base, &sdk
		}
		start := time.Now()
		if err := first(); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if err := second(); err != nil {
			b.Fatal(err)
		}
		*t1 += mid.Sub(start)
		*t2 += time.Since(mid)
	}
	n := float64(b.N)
	b.ReportMetric(float64(sdk.Nanoseconds())/n, "sdk-ns/call")
	b.ReportMetric(float64(base.Nanoseconds())/n, "nethttp-ns/call")
	b.ReportMetric(float64(sdk)/float64(base), "sdk/nethttp")
}
