package cli

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mfakit/mfakit/internal/registry"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// readyLine ends serve-fake's output: a script waits for it instead of
// sleeping (see the README's rehearsal recipe).
const readyLine = "# ready"

func (a *app) serveFake(ctx context.Context, args []string) int {
	c := newCommand("serve-fake", "serve-fake [--addr 127.0.0.1:0] [--users N --people FILE] [--rate-limit N/PERIOD] [--latency DURATION]")
	addr := c.fs.String("addr", "127.0.0.1:0", "where the first fake listens (`HOST:PORT`); with a fixed port P, the next providers get P+1, P+2, ...")
	users := c.fs.Int("users", 0, "seed `N` more users on every fake, with MFA on and predictable IDs (00000000-0000-4000-8000-000000000001, ...)")
	people := c.fs.String("people", "", "write the seeded users to `FILE` as a reset --people file (person seed-1 ... seed-N)")
	rate := c.fs.String("rate-limit", "", "limit every fake to `N/PERIOD` requests (100/1s, 60/1m), answering 429 with the providers' hints beyond it")
	latency := c.fs.Duration("latency", 0, "delay every answer by `DURATION`")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if len(positional) > 0 {
		return a.usageError("serve-fake: takes no arguments")
	}
	rows := registry.All()
	addrs, err := fakeAddrs(*addr, len(rows))
	if err != nil {
		return a.usageError("serve-fake: --addr: %v", err)
	}
	switch {
	case *users < 0:
		return a.usageError("serve-fake: --users must not be negative")
	case *people != "" && *users == 0:
		return a.usageError("serve-fake: --people writes the users of --users N: give both")
	case *latency < 0:
		return a.usageError("serve-fake: --latency must not be negative")
	}
	var opts []mfatest.FakeOption
	if *rate != "" {
		n, period, err := parseRate(*rate)
		if err != nil {
			return a.usageError("serve-fake: --rate-limit: %v", err)
		}
		opts = append(opts, mfatest.WithRateLimit(n, period, mfatest.HintBoth))
	}
	if *latency > 0 {
		opts = append(opts, mfatest.WithLatency(*latency))
	}
	fakes, err := startFakes(rows, addrs, opts...)
	if err != nil {
		fmt.Fprintf(a.stderr, "mfakit: serve-fake: %v\n", err)
		return exitUsage
	}
	defer closeFakes(fakes)
	seeded := make([][]string, len(fakes))
	for i, f := range fakes {
		if *users == 0 {
			continue
		}
		// A fake that cannot seed users gets none; its column stays empty.
		if s, ok := f.Server.(mfatest.Seeder); ok {
			seeded[i] = mfatest.SeedUsers(s, *users)
		}
	}
	if *people != "" {
		if err := writePeople(*people, rows, seeded); err != nil {
			fmt.Fprintf(a.stderr, "mfakit: serve-fake: --people: %v\n", err)
			return exitUsage
		}
	}

	// Only the fakes' own test credentials are printed: they are made up at
	// start and open nothing but these fakes.
	fmt.Fprintln(a.stdout, `# mfakit fake providers; stop with Ctrl-C. Load with: eval "$(cat FILE)"`)
	for i, f := range fakes {
		for _, s := range rows[i].Settings {
			if v := f.Values[s.Key]; v != "" {
				fmt.Fprintf(a.stdout, "export %s=%s\n", s.Env, shellQuote(v))
			}
		}
	}
	for i, f := range fakes {
		fmt.Fprintf(a.stdout, "# %s at %s: admin %s (the credentials above), member %s", rows[i].Title, f.URL, f.AdminID, f.MemberID)
		switch {
		case len(seeded[i]) > 0:
			fmt.Fprintf(a.stdout, ", and %d seeded users %s ... %s", len(seeded[i]), seeded[i][0], seeded[i][len(seeded[i])-1])
		case *users > 0:
			fmt.Fprint(a.stdout, "; its fake cannot seed users")
		}
		fmt.Fprintln(a.stdout)
		for _, n := range f.Notes {
			fmt.Fprintf(a.stdout, "# %s\n", n)
		}
	}
	if *people != "" {
		fmt.Fprintf(a.stdout, "# seeded users: mfakit reset --people %s\n", shellQuote(*people))
	}
	fmt.Fprintln(a.stdout, readyLine)
	if s, ok := a.stdout.(interface{ Sync() error }); ok {
		_ = s.Sync()
	}
	fmt.Fprintln(a.stderr, "mfakit: serve-fake: running until interrupted")
	<-ctx.Done()
	fmt.Fprintln(a.stderr, "mfakit: serve-fake: stopped")
	return exitOK
}

// startFakes starts every row's fake (addrs[i] for row i; "" is a free
// loopback port), or none of them.
func startFakes(rows []*registry.Provider, addrs []string, opts ...mfatest.FakeOption) ([]*registry.Fake, error) {
	var out []*registry.Fake
	for i, row := range rows {
		o := append([]mfatest.FakeOption(nil), opts...)
		if addrs != nil && addrs[i] != "" {
			o = append(o, mfatest.WithAddr(addrs[i]))
		}
		f, err := row.StartFake(o...)
		if err != nil {
			closeFakes(out)
			return nil, fmt.Errorf("starting the %s fake: %w", row.Name, err)
		}
		out = append(out, f)
	}
	return out, nil
}

func closeFakes(fs []*registry.Fake) {
	for _, f := range fs {
		f.Close()
	}
}

// writePeople writes the seeded users as a --people CSV file.
func writePeople(path string, rows []*registry.Provider, seeded [][]string) error {
	var b strings.Builder
	b.WriteString("person")
	for _, r := range rows {
		b.WriteString("," + r.Name)
	}
	b.WriteString("\n")
	n := 0
	for _, ids := range seeded {
		n = max(n, len(ids))
	}
	for i := range n {
		fmt.Fprintf(&b, "seed-%d", i+1)
		for j := range rows {
			b.WriteString(",")
			if i < len(seeded[j]) {
				b.WriteString(seeded[j][i])
			}
		}
		b.WriteString("\n")
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

// parseRate reads N/PERIOD ("100/1s", "60/1m", "5/s").
func parseRate(s string) (int, time.Duration, error) {
	n, per, ok := strings.Cut(s, "/")
	count, err := strconv.Atoi(n)
	if !ok || err != nil || count < 1 {
		return 0, 0, fmt.Errorf("%q is not N/PERIOD (100/1s)", s)
	}
	if per != "" && (per[0] < '0' || per[0] > '9') {
		per = "1" + per
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return 0, 0, fmt.Errorf("%q is not N/PERIOD (100/1s): the period must be a positive duration", s)
	}
	return count, d, nil
}

// fakeAddrs turns --addr into n fakes' addresses: all on free ports for
// port 0, else on n consecutive ports.
func fakeAddrs(addr string, n int) ([]string, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535-(n-1) {
		return nil, fmt.Errorf("port %q is not a number from 0 to %d", portStr, 65535-(n-1))
	}
	out := make([]string, n)
	for i := range out {
		p := 0
		if port != 0 {
			p = port + i
		}
		out[i] = net.JoinHostPort(host, strconv.Itoa(p))
	}
	return out, nil
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
