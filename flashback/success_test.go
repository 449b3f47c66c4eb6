package flashback

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every declared success body is one the classifier reads as a success, so
// the client keeps them all (a typo would be dropped, and only cost speed).
func TestSuccessBodiesAreAllKept(t *testing.T) {
	c, err := New("tok-0123456789abcdef")
	require.NoError(t, err)
	assert.Equal(t, successBodies, c.t.SuccessBodies())
}
