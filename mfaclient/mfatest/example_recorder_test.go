package mfatest_test

import (
	"context"
	"net/http"
	"os"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// Record real interactions with your own tenant once, then replay the files
// in CI. The recorder writes placeholders instead of credentials and scrubs
// every secret it knows from what it writes.
func ExampleRecorder() {
	rec := &mfatest.Recorder{
		Dir:      "testdata/rocketchat",
		Provider: "rocketchat",
		// Anything else that must not reach the disk.
		Secrets: mfatest.Placeholders{"email": os.Getenv("RC_TARGET_EMAIL")},
	}
	// Give the client this http.Client (mfaclient.WithHTTPClient) and turn
	// retries off, so that one call is one interaction.
	httpClient := &http.Client{Transport: rec}
	_ = httpClient

	ctx := mfatest.RecordAs(context.Background(), "reset-userid-200",
		mfatest.Call{Operation: "ResetMFA", UserID: "GonjPyg3gB3Z9ur9s"})
	var err error // err = client.ResetMFA(ctx, "GonjPyg3gB3Z9ur9s")
	if err := rec.Outcome(ctx, err); err != nil {
		panic(err)
	}
	// testdata/rocketchat/reset-userid-200.json now holds the request, the
	// response and the outcome; review it and fill in source before
	// committing.
}
