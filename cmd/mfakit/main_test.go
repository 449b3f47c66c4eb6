package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// TestMain runs main itself when the test binary is started as mfakit.
func TestMain(m *testing.M) {
	if os.Getenv("MFAKIT_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Started in the background by a script, mfakit inherits SIGINT and
// SIGTERM ignored. The first SIGINT still interrupts (a message at once),
// and the second ends the process at once, with 130, though the call in
// flight would take a minute.
func TestSecondSignalEndsAtOnceEvenWhenSignalsWereIgnored(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh to start mfakit with signals ignored")
	}
	fb := mfatest.NewFlashback(t, mfatest.WithLatency(time.Minute))
	self, err := os.Executable()
	require.NoError(t, err)
	// trap '' ignores the signals; exec keeps them ignored in mfakit.
	cmd := exec.Command("sh", "-c", `trap '' INT TERM; exec "$0" "$@"`, self,
		"reset", "--provider", "flashback", "--concurrency", "1", fb.Member.ID, fb.Owner.ID)
	cmd.Env = append(os.Environ(), "MFAKIT_TEST_MAIN=1", "FLASHBACK_TOKEN="+fb.Admin.Token, "FLASHBACK_URL="+fb.URL())
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	require.Eventually(t, func() bool { return fb.Requests() == 1 }, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.Eventually(t, func() bool {
		return strings.Contains(stderr.String(), "mfakit: interrupted: starting nothing new; 1 call in flight")
	},
		10*time.Second, 5*time.Millisecond, stderr.String())
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))

	select {
	case err := <-done:
		var exit *exec.ExitError
		require.True(t, errors.As(err, &exit), "exit: %v", err)
		assert.Equal(t, 130, exit.ExitCode())
	case <-time.After(20 * time.Second):
		t.Fatalf("the second SIGINT did not end mfakit; stderr:\n%s", stderr.String())
	}
	assert.Contains(t, stderr.String(), "mfakit: second signal: stopping at once; calls in flight are not recorded\n")
	assert.Empty(t, stdout.String(), "the call in flight never finished")
	assert.Equal(t, 1, fb.Requests())
}
