package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// resumeFile is the --resume file: the JSON lines of earlier runs, to which
// this run appends one line per user as it finishes. Each line is synced
// before the next user is recorded, so a crash or a second Ctrl-C loses at
// most the calls in flight, and never records a user that did not finish.
type resumeFile struct {
	f *os.File
}

// openResume reads path (a missing file is an empty one) and returns the
// users that already succeeded with this provider, and the file opened for
// appending. Lines that do not decode (a line cut by a crash) are skipped
// with a warning: at worst their users run again.
func openResume(path, provider string, warn io.Writer) (map[string]bool, *resumeFile, error) {
	done := make(map[string]bool)
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, fmt.Errorf("reading --resume file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r result
		if err := json.Unmarshal(line, &r); err != nil {
			fmt.Fprintf(warn, "mfakit: %s:%d: skipping a line that is not a result: %v\n", path, n, err)
			continue
		}
		if r.Provider == provider && r.Operation == opReset && r.Outcome == outcomeSucceeded {
			done[r.User] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("reading --resume file: %w", err)
	}
	// 0600: the file names users; it never holds a credential.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("opening --resume file: %w", err)
	}
	// A line cut short by a crash must not swallow the next one.
	if len(data) > 0 && data[len(data)-1] != '\n' {
		if _, err := f.Write([]byte{'\n'}); err != nil {
			f.Close()
			return nil, nil, fmt.Errorf("writing --resume file: %w", err)
		}
	}
	return done, &resumeFile{f: f}, nil
}

// record appends r and syncs it to disk.
func (rf *resumeFile) record(r result) error {
	if _, err := rf.f.Write(jsonLine(r)); err != nil {
		return fmt.Errorf("writing --resume file: %w", err)
	}
	if err := rf.f.Sync(); err != nil {
		return fmt.Errorf("syncing --resume file: %w", err)
	}
	return nil
}

func (rf *resumeFile) Close() error { return rf.f.Close() }
