package mfatest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// A test replays a recorded fixture: the server checks the request the
// client sends (reporting any mismatch on t) and answers as recorded.
func ExampleNewReplayServer() {
	var t *testing.T // the test's *testing.T

	f, err := mfatest.Load("testdata/rocketchat/error-not-allowed.json")
	if err != nil {
		t.Fatal(err)
	}
	s := mfatest.NewReplayServer(t, f)
	// The real credentials the client under test uses.
	s.SetPlaceholders(mfatest.Placeholders{
		mfatest.PlaceholderUserID:    "test-user",
		mfatest.PlaceholderAuthToken: "test-token",
	}.ForCall(f.Call))

	// Normally: rocketchat.New(s.URL, creds, ...) and client.ResetMFA.
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/api/v1/users.resetTOTP",
		strings.NewReader(`{"userId":"GonjPyg3gB3Z9ur9s"}`))
	req.Header.Set("X-User-Id", "test-user")
	req.Header.Set("X-Auth-Token", "test-token")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// resp is the recorded 400 error-not-allowed; the client under test
	// must turn it into the error f.Expect describes.
}
