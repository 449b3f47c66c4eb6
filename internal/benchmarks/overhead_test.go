package benchmarks

import (
	"context"
	"net/http"
	"testing"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
)

const (
	benchToken  = "tok-0123456789abcdef"
	benchUserID = "usr-admin-2"
)

// BenchmarkResetMFA is one successful reset, sequentially, through the SDK
// and through the hand-written net/http baseline, against the same server.
func BenchmarkResetMFA(b *testing.B) {
	srv := newCountingServer(b)
	benchSDKAndBaseline(b, srv.URL, handClient())
}

// benchSDKAndBaseline runs one successful reset per op through the SDK
// (impl=sdk) and through handReset over hc (impl=nethttp), against baseURL.
func benchSDKAndBaseline(b *testing.B, baseURL string, hc *http.Client, sdkOpts ...mfaclient.Option) {
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c, err := flashback.New(benchToken, append([]mfaclient.Option{mfaclient.WithBaseURL(baseURL)}, sdkOpts...)...)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if err := c.ResetMFA(ctx, benchUserID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("impl=nethttp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := handReset(ctx, hc, baseURL, benchToken, benchUserID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
