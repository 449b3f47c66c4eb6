package contract

import (
	"bytes"
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// creds are distinctive values for the fixtures' placeholders.
var creds = Credentials{Token: "contract-bearer-7f3a9c", UserID: "contract-uid-51b2", AuthToken: "contract-auth-d4e8f1"}

// minFixtures is the floor the suite promises; losing files fails the run.
const minFixtures = 40

// TestContract replays every fixture under testdata/ through the clients:
// the replay server checks the request the provider received, CheckOutcome
// the value or typed error the caller got.
func TestContract(t *testing.T) {
	fixtures, err := mfatest.LoadDir("../../testdata")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(fixtures), minFixtures)

	for _, f := range fixtures {
		t.Run(f.Path[len("../../testdata/"):], func(t *testing.T) {
			t.Parallel()
			creds := credsFor(f)
			srv := mfatest.NewReplayServer(t, f)
			srv.SetPlaceholders(creds.Placeholders().ForCall(f.Call))
			if !f.Expect.WantsRequest() {
				srv = mfatest.NewReplayServer(t) // any request at all is a mismatch
			}
			now := time.Now()
			err := Invoke(context.Background(), f, srv.URL, creds)
			// The error describes the last request; those before it succeeded.
			for _, d := range CheckOutcome(f, err, srv.Requests()-len(f.Before), now) {
				t.Error(d)
			}
		})
	}
}

// credsFor is creds for f's provider. Casdoor takes an application's client
// credentials (HTTP Basic, {{basic}}) or a user's access key pair (in the
// JSON body, {{accessKey}}), never both: a fixture recorded with an access
// key replays with one.
func credsFor(f *mfatest.Fixture) Credentials {
	if f.Provider != "casdoor" {
		return creds
	}
	if bytes.Contains(f.Request.Body, []byte("{{"+registry.KeyAccessKey+"}}")) {
		return casdoorKeyCreds("contract-access-key-3c9e", "contract-access-secret-8a1f")
	}
	return casdoorAppCreds("contract-client-id-5d2b", "contract-client-secret-e7a4")
}

func casdoorAppCreds(id, secret string) Credentials {
	return Credentials{Other: map[string]string{
		registry.KeyClientID: id, registry.KeyClientSecret: secret,
		mfatest.PlaceholderBasic: base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)),
	}}
}

func casdoorKeyCreds(key, secret string) Credentials {
	return Credentials{Other: map[string]string{registry.KeyAccessKey: key, registry.KeyAccessSecret: secret}}
}
