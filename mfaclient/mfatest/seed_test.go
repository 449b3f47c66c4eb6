package mfatest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
