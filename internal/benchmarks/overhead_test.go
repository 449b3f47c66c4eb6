package benchmarks

import (
	"context"
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
	ctx := context.Background()
	b.Run("impl=sdk", func(b *testing.B) {
		c, err := flashback.New(benchToken, mfaclient.WithBaseURL(srv.URL))
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
		hc := handClient()
		b.ReportAllocs()
		for b.Loop() {
			if err := handReset(ctx, hc, srv.URL, benchToken, benchUserID); err != nil {
				b.Fatal(err)
			}
		}
	})
}
