package mattermost

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The declared success body is one the classifier reads as a success, so
// the client keeps it (a typo would be dropped, and only cost speed).
func TestSuccessBodiesAreAllKept(t *testing.T) {
	c, err := New("https://mm.example.test", "tok-0123456789abcdef")
	require.NoError(t, err)
	assert.Equal(t, []string{`{"status":"OK"}`}, c.t.SuccessBodies())
}
