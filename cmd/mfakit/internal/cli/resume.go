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
	"slices"
)

// resumeFile is the --resume file: the JSON lines of earlier runs, to which
// this run appends one line per user as it finishes. Each line is synced
// before the next user is recorded, so a crash or a second Ctrl-C loses at
// most the calls in flight, and never records a user that did not finish.
type resumeFile struct {
	f *os.File
}

// doneKey is a user on a provider.
type doneKey struct{ provider, user string }

// readResume reads path (a missing file is an empty one) and returns the
// users an earlier run finished: reset with outcome succeeded or
// already-off. The file must be this tool's results: a line that is not one
// (the --from file, garbage, another tool's file) refuses the whole file, so
// that a mistaken path cannot silently skip or rerun users. Only the last
// line may be cut short without a newline (a crash mid-write): it is
// skipped with a warning, and its user runs again.
func readResume(path string, warn io.Writer) (map[doneKey]bool, error) {
	done := make(map[doneKey]bool)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return done, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading --resume file: %w", err)
	}
	complete := len(data) == 0 || data[len(data)-1] == '\n'
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	lines := bytes.Count(data, []byte{'\n'})
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		r, why := resultLine(line)
		if why != "" {
			if !complete && n == lines+1 {
				fmt.Fprintf(warn, "mfakit: %s:%d: skipping the last line, cut short (%s); its user runs again\n", path, n, why)
				continue
			}
			return nil, fmt.Errorf("--resume %s:%d is not a line of mfakit's results (%s): is this the --from file? Give the file an earlier run wrote with --resume", path, n, why)
		}
		if r.Operation == opReset && (r.Outcome == outcomeSucceeded || r.Outcome == outcomeAlreadyOff) {
			done[doneKey{r.Provider, r.User}] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading --resume file %s: %w", path, err)
	}
	return done, nil
}

// resultLine decodes one line of this tool's results, or says why it is
// not one.
func resultLine(line []byte) (result, string) {
	var r result
	if err := json.Unmarshal(line, &r); err != nil {
		return r, "not JSON"
	}
	switch {
	case r.Provider == "" || r.User == "" && r.Operation == opReset:
		return r, "no provider or user"
	case !slices.Contains([]string{opReset, opResetOwn, opSetPrimary}, r.Operation):
		return r, fmt.Sprintf("operation %q", r.Operation)
	case !slices.Contains([]string{outcomeSucceeded, outcomeAlreadyOff, outcomeFailed, outcomeInterrupted}, r.Outcome):
		return r, fmt.Sprintf("outcome %q", r.Outcome)
	}
	return r, ""
}

// openResume opens path for appending (creating it 0600: it names users,
// never a credential), ending a line cut short by a crash first.
func openResume(path string) (*resumeFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening --resume file: %w", err)
	}
	if st, err := f.Stat(); err == nil && st.Size() > 0 {
		last := make([]byte, 1)
		if _, err := f.ReadAt(last, st.Size()-1); err == nil && last[0] != '\n' {
			if _, err := f.Write([]byte{'\n'}); err != nil {
				f.Close()
				return nil, fmt.Errorf("writing --resume file: %w", err)
			}
		}
	}
	return &resumeFile{f: f}, nil
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
