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
)

// Second-factor methods, as --2fa-method and mfaclient.SecondFactorChallenge
// name them.
const (
	methodTOTP     = "totp"
	methodEmail    = "email"
	methodPassword = "password"
)

// twoFactorConfig is how a client answers a provider's second-factor
// challenge: a code given up front (--2fa-code, --2fa-method), and a prompt
// for when the provider asks and stdin is a terminal (nil otherwise).
type twoFactorConfig struct {
	code, method string
	prompt       func(ctx context.Context, title string, ch *mfaclient.SecondFactorChallenge) (code string, err error)
}

// maxPrompts bounds how often one run asks: a wrong code is asked again,
// but a script stuck at a terminal must not loop forever.
const maxPrompts = 3

// twoFactorClient answers the second-factor challenge of any provider whose
// client is an mfaclient.SecondFactorAnswerer. Workers share it: when
// several meet the challenge at once, one prompts and the others wait for
// its answer, then every later call sends the code.
type twoFactorClient struct {
	title    string // the provider, as people write it, for the prompt
	base     mfaclient.Resetter
	answerer mfaclient.SecondFactorAnswerer
	prompt   func(ctx context.Context, title string, ch *mfaclient.SecondFactorChallenge) (string, error)

	mu      sync.Mutex
	current mfaclient.Resetter
	prompts int
}

var (
	_ mfaclient.Resetter      = (*twoFactorClient)(nil)
	_ mfaclient.SelfResetter  = (*twoFactorClient)(nil)
	_ mfaclient.PrimarySetter = (*twoFactorClient)(nil)
)

// newTwoFactorClient wraps base. A code given up front answers the method
// the user named, from the first call on: no request is spent on meeting
// the challenge first.
func newTwoFactorClient(title, provider string, base mfaclient.Resetter, a mfaclient.SecondFactorAnswerer, cfg twoFactorConfig) *twoFactorClient {
	t := &twoFactorClient{title: title, base: base, answerer: a, current: base, prompt: cfg.prompt}
	if cfg.code != "" {
		t.current = a.WithSecondFactor(&mfaclient.SecondFactorChallenge{Provider: provider, Method: cfg.method}, cfg.code)
	}
	return t
}

func (t *twoFactorClient) ResetMFA(ctx context.Context, userID string) error {
	return t.do(ctx, func(r mfaclient.Resetter) error { return r.ResetMFA(ctx, userID) })
}

func (t *twoFactorClient) ResetOwnMFA(ctx context.Context) error {
	return t.do(ctx, func(r mfaclient.Resetter) error {
		s, ok := r.(mfaclient.SelfResetter)
		if !ok {
			return fmt.Errorf("%w: %s has no self-reset", mfaclient.ErrUnsupported, t.title)
		}
		return s.ResetOwnMFA(ctx)
	})
}

func (t *twoFactorClient) SetPrimaryMFA(ctx context.Context, m mfaclient.Method) error {
	return t.do(ctx, func(r mfaclient.Resetter) error {
		p, ok := r.(mfaclient.PrimarySetter)
		if !ok {
			return fmt.Errorf("%w: %s has no primary method", mfaclient.ErrUnsupported, t.title)
		}
		return p.SetPrimaryMFA(ctx, m)
	})
}

// do calls with the current client and, when the provider answers with a
// challenge and a prompt is possible, asks for a code and calls again.
func (t *twoFactorClient) do(ctx context.Context, call func(mfaclient.Resetter) error) error {
	t.mu.Lock()
	c := t.current
	t.mu.Unlock()
	for {
		err := call(c)
		var ch *mfaclient.SecondFactorChallenge
		if !errors.As(err, &ch) || t.prompt == nil {
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
func (t *twoFactorClient) answer(ctx context.Context, seen mfaclient.Resetter, ch *mfaclient.SecondFactorChallenge) (mfaclient.Resetter, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.current != seen {
		return t.current, nil
	}
	if t.prompts >= maxPrompts {
		return nil, nil
	}
	t.prompts++
	code, err := t.prompt(ctx, t.title, ch)
	if err != nil {
		t.prompts = maxPrompts // the terminal is gone; stop asking
		return nil, fmt.Errorf("reading the 2FA code: %w", err)
	}
	t.current = t.answerer.WithSecondFactor(ch, code)
	return t.current, nil
}

// terminalPrompt asks on stderr and reads the answer from the terminal on
// stdin: a password without echo, a TOTP or email code as typed. An
// interrupt ends the wait for the answer: a run must not hang at a prompt
// after Ctrl-C.
func terminalPrompt(stdin io.Reader, stderr io.Writer, readSecret func() (string, error)) func(context.Context, string, *mfaclient.SecondFactorChallenge) (string, error) {
	ask := blockingPrompt(stdin, stderr, readSecret)
	return func(ctx context.Context, title string, ch *mfaclient.SecondFactorChallenge) (string, error) {
		type answer struct {
			code string
			err  error
		}
		got := make(chan answer, 1)
		go func() {
			code, err := ask(title, ch)
			got <- answer{code, err}
		}()
		select {
		case a := <-got:
			return a.code, a.err
		case <-ctx.Done():
			fmt.Fprintln(stderr)
			return "", ctx.Err()
		}
	}
}

// blockingPrompt asks and waits for the answer.
func blockingPrompt(stdin io.Reader, stderr io.Writer, readSecret func() (string, error)) func(string, *mfaclient.SecondFactorChallenge) (string, error) {
	lines := bufio.NewReader(stdin)
	return func(title string, ch *mfaclient.SecondFactorChallenge) (string, error) {
		method := ch.Method
		if method == "" {
			method = methodTOTP
		}
		var answer string
		var err error
		switch method {
		case methodPassword:
			fmt.Fprintf(stderr, "%s asks for your password as the second factor: ", title)
			answer, err = readSecret()
			fmt.Fprintln(stderr)
		default:
			fmt.Fprintf(stderr, "%s asks for a 2FA code (%s): ", title, method)
			if ch.CodeSent && ch.Recipient != "" {
				fmt.Fprintf(stderr, "(sent to %s) ", ch.Recipient)
			}
			answer, err = lines.ReadString('\n')
			if errors.Is(err, io.EOF) && answer != "" {
				err = nil
			}
		}
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(answer), nil
	}
}
