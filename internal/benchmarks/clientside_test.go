package benchmarks

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/mfakit/mfakit/mfaclient"
)

// cannedTransport answers every request with Flashback's documented success
// without a network, so the benchmark below measures only client-side work.
type cannedTransport struct{}

const cannedBody = `{"success":true,"message":"MFA reset successfully"}`

func (cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Header:        http.Header{"Content-Type": {"application/json"}},
		Body:          io.NopCloser(strings.NewReader(cannedBody)),
		ContentLength: int64(len(cannedBody)),
		Request:       r,
	}, nil
}

// BenchmarkClientSideCost is the SDK's own cost per call next to the
// hand-written baseline's, both over an in-memory RoundTripper: what the SDK
// adds to a call, without the loopback network's noise (which is larger than
// the difference on a 2-core machine).
func BenchmarkClientSideCost(b *testing.B) {
	hc := &http.Client{Transport: cannedTransport{}}
	benchSDKAndBaseline(b, "https://backend.flashback.test", hc, mfaclient.WithHTTPClient(hc))
}
