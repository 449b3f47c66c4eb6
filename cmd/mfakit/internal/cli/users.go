package cli

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
)

// readUsers collects the users of a bulk run, in order and each once: the
// arguments ("-" among them reads stdin), then the --from file ("-" is
// stdin). In stdin and files, blank lines and lines starting with "#" are
// skipped. It reports whether stdin was read, so that it is not also used
// for a prompt.
func readUsers(args []string, from string, stdin io.Reader) (users []string, readStdin bool, err error) {
	seen := make(map[string]bool)
	add := func(u string) {
		u = strings.TrimSpace(u)
		if u == "" || strings.HasPrefix(u, "#") || seen[u] {
			return
		}
		seen[u] = true
		users = append(users, u)
	}
	readFrom := func(name string, r io.Reader) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		for sc.Scan() {
			add(sc.Text())
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
	for _, a := range args {
		if a == "-" {
			if err := stdinOnce(); err != nil {
				return nil, readStdin, err
			}
			continue
		}
		add(a)
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
