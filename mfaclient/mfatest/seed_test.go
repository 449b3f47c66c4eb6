package mfatest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/casdoor"
)

func TestSeedUsersArePredictableAndResettable(t *testing.T) {
	eg := NewEntryGuard(t)
	ids := SeedUsers(eg, 3)
	assert.Equal(t, []string{
		"00000000-0000-4000-8000-000000000001",
		"00000000-0000-4000-8000-000000000002",
		"00000000-0000-4000-8000-000000000003",
	}, ids)
	for _, id := range ids {
		u, ok := eg.User(id)
		require.True(t, ok)
		assert.True(t, u.MFAEnabled)
	}
	assert.Len(t, eg.Users(), 5, "the two seeded by the fake, and three")
}

// Mattermost's seeded users have IDs of Mattermost's form (its client
// refuses a UUID); the CLI's serve-fake rehearsal resets them through it.
func TestSeedUsersMattermostIDs(t *testing.T) {
	mm := NewMattermost(t)
	ids := SeedUsers(mm, 2)
	assert.Equal(t, []string{"seed0000000000000000000001", "seed0000000000000000000002"}, ids)
	for _, id := range ids {
		u, ok := mm.User(id)
		require.True(t, ok)
		assert.True(t, u.MFAEnabled)
		assert.Equal(t, "system_user", u.Role, "no role that may reset others")
	}
	assert.Len(t, mm.Users(), 4, "the two seeded by the fake, and two")
}

// Casdoor's seeded users are "owner/name" in the fake's organization, and
// the Casdoor client resets them.
func TestSeedUsersCasdoorIDs(t *testing.T) {
	cd := NewCasdoor(t)
	ids := SeedUsers(cd, 2)
	assert.Equal(t, []string{"mfakit/seed-000001", "mfakit/seed-000002"}, ids)
	c, err := casdoor.New(cd.URL(), casdoor.Credentials{ClientID: cd.App.ClientID, ClientSecret: cd.App.ClientSecret})
	require.NoError(t, err)
	for _, id := range ids {
		u, ok := cd.User(id)
		require.True(t, ok)
		assert.True(t, u.MFAEnabled)
		assert.Equal(t, "user", u.Role, "no role that may reset others")
		require.NoError(t, c.ResetMFA(t.Context(), id))
		u, _ = cd.User(id)
		assert.False(t, u.MFAEnabled, "%s reset", id)
	}
}
