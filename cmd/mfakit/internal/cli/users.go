package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// entry is one user ID as given, with where it came from for error
// messages: a file and line ("users.txt:14", "stdin:3"), or an argument.
type entry struct {
	id, src string
	line    int // 0 for an argument
}

// where is "users.txt:14" or "argument 2"; formatted only when reported.
func (e entry) where() string {
	if e.line == 0 {
		return e.src
	}
	return fmt.Sprintf("%s:%d", e.src, e.line)
}

// maxLine bounds one line of a user list or people file.
const maxLine = 1024 * 1024

// readUsers collects the users of a bulk run, in order and each once: the
// arguments ("-" among them reads stdin), then the --from file ("-" is
// stdin). In stdin and files, blank lines and lines starting with "#" are
// skipped. It reports whether stdin was read, so that it is not also used
// for a prompt.
func readUsers(args []string, from string, stdin io.Reader) (users []entry, readStdin bool, err error) {
	seen := make(map[string]bool)
	add := func(u, src string, line int) {
		u = strings.TrimSpace(u)
		if u == "" || strings.HasPrefix(u, "#") || seen[u] {
			return
		}
		seen[u] = true
		users = append(users, entry{id: u, src: src, line: line})
	}
	readFrom := func(name string, r io.Reader) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), maxLine)
		for n := 1; sc.Scan(); n++ {
			add(sc.Text(), name, n)
		}
		if err := sc.Err(); err != nil {
			return fmt.Errorf("reading users from %s: %w", name, err)
		}
		return nil
	}
	stdinOnce := func() error {
		if readStdin {
			return nil
		}
		readStdin = true
		return readFrom("stdin", stdin)
	}
	for i, a := range args {
		if a == "-" {
			if err := stdinOnce(); err != nil {
				return nil, readStdin, err
			}
			continue
		}
		add(a, fmt.Sprintf("argument %d", i+1), 0)
	}
	switch from {
	case "":
	case "-":
		err = stdinOnce()
	default:
		var f *os.File
		if f, err = os.Open(from); err != nil {
			return nil, readStdin, fmt.Errorf("reading users: %w", err)
		}
		defer f.Close()
		err = readFrom(from, f)
	}
	return users, readStdin, err
}

// maxReported bounds the bad lines listed: a garbage file must not flood
// the terminal.
const maxReported = 20

// badInput collects the lines refused before anything is sent.
type badInput struct {
	lines []string
	n     int
}

func (b *badInput) add(format string, args ...any) {
	b.n++
	if len(b.lines) < maxReported {
		b.lines = append(b.lines, fmt.Sprintf(format, args...))
	}
}

func (b *badInput) report(w io.Writer) {
	for _, l := range b.lines {
		fmt.Fprintf(w, "mfakit: %s\n", l)
	}
	if b.n > len(b.lines) {
		fmt.Fprintf(w, "mfakit: ... and %d more\n", b.n-len(b.lines))
	}
}
