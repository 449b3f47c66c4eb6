package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/rocketchat"
)

// twoFactorConfig is how the Rocket.Chat client answers a 2FA challenge: a
// code given up front (--2fa-code, --2fa-method), and a prompt for when the
// server asks and stdin is a terminal (nil otherwise).
type twoFactorConfig struct {
	code, method string
	prompt       func(ctx context.Context, ch *rocketchat.ErrorDetails) (code, method string, err error)
}

// maxPrompts bounds how often one run asks: a wrong code is asked again,
// but a script stuck at a terminal must not loop forever.
const maxPrompts = 3

// twoFactorClient is a Rocket.Chat client that answers the 2FA challenge.
// Workers share it: when several meet the challenge at once, one prompts
// and the others wait for its answer, then every later call sends the code.
type twoFactorClient struct {
	base   *rocketchat.Client // without a code
	prompt func(ctx context.Context, ch *rocketchat.ErrorDetails) (code, method string, err error)

	mu      sync.Mutex
	current *rocketchat.Client
	prompts int
}

var (
	_ mfaclient.Resetter      = (*twoFactorClient)(nil)
	_ mfaclient.SelfResetter  = (*twoFactorClient)(nil)
	_ mfaclient.PrimarySetter = (*twoFactorClient)(nil)
)

func newTwoFactorClient(c *rocketchat.Client, cfg twoFactorConfig) *twoFactorClient {
	t := &twoFactorClient{base: c, current: c, prompt: cfg.prompt}
	if cfg.code != "" {
		t.current = withCode(c, cfg.code, cfg.method)
	}
	return t
}

// withCode answers with a code; for the password method the code is the
// password, and only its digest is kept.
func withCode(c *rocketchat.Client, code, method string) *rocketchat.Client {
	if method == rocketchat.TwoFactorPassword {
		return c.WithTwoFactorPassword(code)
	}
	return c.WithTwoFactorCode(code, method)
}

func (t *twoFactorClient) ResetMFA(ctx context.Context, userID string) error {
	return t.do(ctx, func(c *rocketchat.Client) error { return c.ResetMFA(ctx, userID) })
}

func (t *twoFactorClient) ResetOwnMFA(ctx context.Context) error {
	return t.do(ctx, func(c *rocketchat.Client) error { return c.ResetOwnMFA(ctx) })
}

func (t *twoFactorClient) SetPrimaryMFA(ctx context.Context, m mfaclient.Method) error {
	return t.do(ctx, func(c *rocketchat.Client) error { return c.SetPrimaryMFA(ctx, m) })
}

// do calls with the current client and, when the server answers the 2FA
// challenge and a prompt is possible, asks for a code and calls again.
func (t *twoFactorClient) do(ctx context.Context, call func(*rocketchat.Client) error) error {
	t.mu.Lock()
	c := t.current
	t.mu.Unlock()
	for {
		err := call(c)
		ch, ok := rocketchat.Challenge(err)
		if !ok || t.prompt == nil {
			return err
		}
		next, perr := t.answer(ctx, c, ch)
		if perr != nil {
			return errors.Join(err, perr)
		}
		if next == nil {
			return err
		}
		c = next
	}
}

// answer returns the client to call with after seen met the challenge: one
// another worker has answered meanwhile, or one with a code prompted for
// now. It returns nil when no more prompts are allowed.
func (t *twoFactorClient) answer(ctx context.Context, seen *rocketchat.Client, ch *rocketchat.ErrorDetails) (*rocketchat.Client, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current != seen {
		return t.current, nil
	}
	if t.prompts >= maxPrompts {
		return nil, nil
	}
	t.prompts++
	code, method, err := t.prompt(ctx, ch)
	if err != nil {
		t.prompts = maxPrompts // the terminal is gone; stop asking
		return nil, fmt.Errorf("reading the 2FA code: %w", err)
	}
	t.current = withCode(t.base, code, method)
	return t.current, nil
}

// terminalPrompt asks on stderr and reads the answer from the terminal on
// stdin: a password without echo, a TOTP or email code as typed. An
// interrupt ends the wait for the answer: a run must not hang at a prompt
// after Ctrl-C.
func terminalPrompt(stdin io.Reader, stderr io.Writer, readSecret func() (string, error)) func(context.Context, *rocketchat.ErrorDetails) (string, string, error) {
	ask := blockingPrompt(stdin, stderr, readSecret)
	return func(ctx context.Context, ch *rocketchat.ErrorDetails) (string, string, error) {
		type answer struct {
			code, method string
			err          error
		}
		got := make(chan answer, 1)
		go func() {
			code, method, err := ask(ch)
			got <- answer{code, method, err}
		}()
		select {
		case a := <-got:
			return a.code, a.method, a.err
		case <-ctx.Done():
			fmt.Fprintln(stderr)
			return "", "", ctx.Err()
		}
	}
}

// blockingPrompt asks and waits for the answer.
func blockingPrompt(stdin io.Reader, stderr io.Writer, readSecret func() (string, error)) func(*rocketchat.ErrorDetails) (string, string, error) {
	lines := bufio.NewReader(stdin)
	return func(ch *rocketchat.ErrorDetails) (string, string, error) {
		method := ch.Method
		if method == "" {
			method = rocketchat.TwoFactorTOTP
		}
		var answer string
		var err error
		switch method {
		case rocketchat.TwoFactorPassword:
			fmt.Fprint(stderr, "Rocket.Chat asks for your password as the second factor: ")
			answer, err = readSecret()
			fmt.Fprintln(stderr)
		default:
			fmt.Fprintf(stderr, "Rocket.Chat asks for a 2FA code (%s): ", method)
			answer, err = lines.ReadString('\n')
			if errors.Is(err, io.EOF) && answer != "" {
				err = nil
			}
		}
		if err != nil {
			return "", "", err
		}
		return strings.TrimSpace(answer), method, nil
	}
}
