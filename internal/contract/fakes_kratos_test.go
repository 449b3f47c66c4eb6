package contract

import (
	"net/http"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// The Kratos fixtures were recorded from a real Kratos v1.3.1, whose
// identities carry timestamps and URLs of their own: krSeeded gives the
// fake the identity as the fixture's read recorded it.

var krAlice who = func(r *fakeRun) mfatest.FakeUser { return r.kr.Alice }

// krSeeded gives the Kratos fake the identity the fixture's read (its GET
// answered 200) recorded, and calls as anyone: the admin API has no users.
func krSeeded(r *fakeRun) Credentials {
	for _, step := range r.f.Steps() {
		if step.Request.Method == http.MethodGet && step.Response.Status == http.StatusOK {
			_, err := r.kr.SeedIdentity(step.Response.Body)
			require.NoError(r.t, err)
		}
	}
	return r.creds(r.kr.Alice)
}

// krReset checks that the fixture's identity is left with no second factor
// and was reset n times.
func krReset(n int) func(*fakeRun) {
	return func(r *fakeRun) {
		id := r.f.Call.UserID
		c, ok := r.kr.Credentials(id)
		require.True(r.t, ok)
		assert.Equal(r.t, mfatest.KratosCredentials{Password: true}, c, "credentials of %s", id)
		assert.Equal(r.t, n, r.kr.Resets(id), "resets of %s", id)
	}
}
