package conformance

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// LostAnswer is one call whose answer a provider loses after carrying it
// out, for the one rule of internal/transport/outcome.go: a call is repeated
// after a lost answer only when it is idempotent; otherwise the caller gets
// the lost attempt's own error (ErrNetwork, or ErrServer for a gateway's
// 502) and never the answer a repeat would get because the first attempt
// succeeded.
type LostAnswer struct {
	Name string
	// Start starts a fake and returns it, the call (through the public
	// client, with retries allowed) and the count of changes the fake made.
	Start func(t *testing.T) (fake *mfatest.Fake, call func(context.Context) error, applied func() int)
	// Idempotent: the call is repeated and then succeeds.
	Idempotent bool
	// Again is the class a second call gets once the first took effect:
	// the false answer a repeat would have given. Nil when a second call
	// succeeds.
	Again error
}

// RunLostAnswers checks each case twice: the connection drops after the
// provider acted, and a gateway answers 502 after it acted.
func RunLostAnswers(t *testing.T, cases []LostAnswer) {
	for _, tc := range cases {
		for _, gateway := range []bool{false, true} {
			name := tc.Name + "/dropped"
			if gateway {
				name = tc.Name + "/gateway502"
			}
			t.Run(name, func(t *testing.T) {
				fake, call, applied := tc.Start(t)
				before, appliedBefore := fake.Requests(), applied()
				if gateway {
					fake.GatewayErrorAfter(http.StatusBadGateway)
				} else {
					fake.LoseAnswer()
				}
				err := call(context.Background())
				if tc.Idempotent {
					require.NoError(t, err, "the call is repeated and succeeds")
					assert.Equal(t, 2, fake.Requests()-before)
					assert.Equal(t, 2, applied()-appliedBefore)
					return
				}
				assert.Equal(t, 1, fake.Requests()-before, "not repeated after an attempt that reached the server")
				assert.Equal(t, 1, applied()-appliedBefore, "the provider carried the call out")
				if gateway {
					requireAPIError(t, err, http.StatusBadGateway, mfaclient.ErrServer, 1)
				} else {
					requireNetworkError(t, err, 1)
					assert.Contains(t, err.Error(), "outcome unknown")
				}
				// What a repeat would have answered: the reason it was not sent.
				again := call(context.Background())
				if tc.Again == nil {
					assert.NoError(t, again)
				} else {
					assert.True(t, isOnly(again, tc.Again), "a second call: %v", again)
					assert.False(t, errors.Is(err, tc.Again), "the first call's error is not the repeat's")
				}
			})
		}
	}
}
