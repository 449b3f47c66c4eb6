package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadUsersOrderDedupeCommentsAndStdinOnce(t *testing.T) {
	stdin := strings.NewReader("c\n# comment\n\n  d  \na\n")
	users, readStdin, err := readUsers([]string{"a", "b", "-", " ", "a"}, "-", stdin)
	require.NoError(t, err)
	assert.True(t, readStdin)
	assert.Equal(t, "stdin:4", users[3].where())
	assert.Equal(t, []entry{{"a", "argument 1", 0}, {"b", "argument 2", 0}, {"c", "stdin", 1}, {"d", "stdin", 4}}, users)
}

func TestReadUsersWithoutStdinLeavesItUnread(t *testing.T) {
	stdin := strings.NewReader("x\n")
	users, readStdin, err := readUsers([]string{"a"}, "", stdin)
	require.NoError(t, err)
	assert.False(t, readStdin)
	assert.Equal(t, []entry{{"a", "argument 1", 0}}, users)
	assert.Equal(t, 2, stdin.Len(), "stdin stays free for the 2FA prompt")
}
