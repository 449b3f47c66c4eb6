package cli

import (
	"context"
	"fmt"
	"net"
	"strconv"
)

func (a *app) serveFake(ctx context.Context, args []string) int {
	c := newCommand("serve-fake", "serve-fake [--addr 127.0.0.1:0]")
	addr := c.fs.String("addr", "127.0.0.1:0", "where the Flashback fake listens; with a fixed port P, EntryGuard gets P+1 and Rocket.Chat P+2")
	positional, err := c.parse(a, args)
	if err != nil {
		return parseExit(err)
	}
	if len(positional) > 0 {
		return a.usageError("serve-fake: takes no arguments")
	}
	addrs, err := fakeAddrs(*addr)
	if err != nil {
		return a.usageError("serve-fake: --addr: %v", err)
	}
	f, err := startFakes(addrs)
	if err != nil {
		fmt.Fprintf(a.stderr, "mfakit: serve-fake: %v\n", err)
		return exitUsage
	}
	defer f.Close()

	// Only the fakes' own test credentials are printed: they are made up at
	// start and open nothing but these fakes.
	fmt.Fprintf(a.stdout, `# mfakit fake providers; stop with Ctrl-C. Load with: eval "$(cat FILE)"
export FLASHBACK_URL=%s
export FLASHBACK_TOKEN=%s
export ENTRYGUARD_URL=%s
export ENTRYGUARD_TOKEN=%s
export ROCKETCHAT_URL=%s
export ROCKETCHAT_USER_ID=%s
export ROCKETCHAT_AUTH_TOKEN=%s
# Flashback users: %s (OWNER), %s (ADMINISTRATOR, the token above), %s (MEMBER)
# EntryGuard users: %s (ORG_ADMIN, the token above), %s (MEMBER)
# Rocket.Chat users: %s "admin" (the credentials above), %s "alice"
# Rocket.Chat asks admin for a second factor: --2fa-code %s --2fa-method totp
`,
		shellQuote(f.fb.URL()), shellQuote(f.fb.Admin.Token),
		shellQuote(f.eg.URL()), shellQuote(f.eg.Admin.Token),
		shellQuote(f.rc.URL()), shellQuote(f.rc.Admin.ID), shellQuote(f.rc.Admin.Token),
		f.fb.Owner.ID, f.fb.Admin.ID, f.fb.Member.ID,
		f.eg.Admin.ID, f.eg.Member.ID,
		f.rc.Admin.ID, f.rc.Member.ID, f.rc.Admin.TOTPCode)
	fmt.Fprintln(a.stderr, "mfakit: serve-fake: running until interrupted")
	<-ctx.Done()
	fmt.Fprintln(a.stderr, "mfakit: serve-fake: stopped")
	return exitOK
}

// fakeAddrs turns --addr into the three fakes' addresses: all on free ports
// for port 0, else on three consecutive ports.
func fakeAddrs(addr string) ([3]string, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return [3]string{}, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65533 {
		return [3]string{}, fmt.Errorf("port %q is not a number from 0 to 65533", portStr)
	}
	var out [3]string
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
	out := "'"
	for _, r := range s {
		if r == '\'' {
			out += `'\''`
			continue
		}
		out += string(r)
	}
	return out + "'"
}
