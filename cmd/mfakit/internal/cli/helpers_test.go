package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// outcome is what one invocation printed and returned.
type outcome struct {
	stdout, stderr string
	code           int
}

// invocation sets up one call of the CLI.
type invocation struct {
	env   map[string]string
	stdin string
	// stdinReader, when set, is stdin instead of the string.
	stdinReader io.Reader
	tty         terminal
	// stdout, when set, receives stdout instead of a plain buffer; stderr,
	// when set, stderr (the same buffer for both: one terminal).
	stdout, stderr *syncBuffer
	// grace and progressEvery replace the defaults when set.
	grace, progressEvery time.Duration
}

// run calls the CLI as main would, with the invocation's environment only.
func (in invocation) run(ctx context.Context, args ...string) outcome {
	stdout := in.stdout
	if stdout == nil {
		stdout = new(syncBuffer)
	}
	if in.stdinReader == nil {
		in.stdinReader = strings.NewReader(in.stdin)
	}
	stderr := in.stderr
	if stderr == nil {
		stderr = new(syncBuffer)
	}
	a := &app{
		env:    func(k string) string { return in.env[k] },
		stdin:  in.stdinReader,
		stdout: stdout,
		stderr: stderr,
		tty:    in.tty,
		grace:  in.grace, progressEvery: in.progressEvery,
	}
	code := a.run(ctx, args)
	return outcome{stdout: stdout.String(), stderr: stderr.String(), code: code}
}

// syncBuffer is a buffer safe for a writer and a concurrent reader, with a
// hook called after each write.
type syncBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	onWrite func(written string)
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	n, err := b.buf.Write(p)
	s, hook := b.buf.String(), b.onWrite
	b.mu.Unlock()
	if hook != nil {
		hook(s)
	}
	return n, err
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// results decodes JSON lines, failing t on any line that is not a result.
func results(t *testing.T, s string) []result {
	t.Helper()
	var out []result
	for _, line := range strings.Split(strings.TrimSpace(s), "\n") {
		if line == "" {
			continue
		}
		var r result
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		require.NoError(t, dec.Decode(&r), "line %q", line)
		out = append(out, r)
	}
	return out
}

// byUser indexes results by user.
func byUser(rs []result) map[string]result {
	m := make(map[string]result, len(rs))
	for _, r := range rs {
		m[r.User] = r
	}
	return m
}

// audited checks the audit fields of r (an RFC 3339 time within the last
// minute) and returns r without its time, for comparing the rest.
func audited(t *testing.T, r result) result {
	t.Helper()
	at, err := time.Parse(time.RFC3339, r.Time)
	require.NoError(t, err, "time %q", r.Time)
	assert.WithinDuration(t, time.Now(), at, time.Minute)
	r.Time = ""
	return r
}
