package mfaclient

import (
	"fmt"
	"strings"
	"time"
)

// SecondFactorChallenge is a provider asking for a second factor before it
// carries a call out (Rocket.Chat's totp-required and totp-invalid). A
// program holding any Resetter reaches it with errors.As on the call's
// error, which is also ErrSecondFactorRequired, and answers it through
// SecondFactorAnswerer:
//
//	var ch *mfaclient.SecondFactorChallenge
//	if errors.As(err, &ch) {
//		if a, ok := r.(mfaclient.SecondFactorAnswerer); ok {
//			err = a.WithSecondFactor(ch, code).ResetMFA(ctx, id)
//		}
//	}
//
// An ErrSecondFactorRequired without a SecondFactorChallenge is one that no
// code answers (Rocket.Chat's totp-max-attempts: too many wrong codes);
// calling again without a code starts over.
type SecondFactorChallenge struct {
	Provider string // "rocketchat"
	// Method is what to answer with: "totp" (an authenticator code, or a
	// backup code), "email" (the code the provider mailed) or "password"
	// (the caller's password; the provider client transforms it as its
	// provider needs); "" when the provider did not say, which
	// WithSecondFactor cannot answer.
	Method string
	// AvailableMethods are the second factors the challenged user has set
	// up, in the provider's order; empty when only the password applies.
	AvailableMethods []string
	// CodeSent is true when this very call made the provider send a code
	// (an email); false when an earlier one is still valid or the method
	// sends none.
	CodeSent bool
	// CodeExpires is when the sent code stops working; zero when unknown.
	CodeExpires time.Time
	// Recipient names whom the code went to (Rocket.Chat's
	// emailOrUsername); "" when the provider does not say.
	Recipient string
}

func (c *SecondFactorChallenge) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s asks for a second factor: method %s", c.Provider, printable(c.Method, 32))
	if c.CodeSent {
		b.WriteString(", a code was just sent")
	}
	return b.String()
}

// SecondFactorAnswerer is implemented by provider clients whose provider
// may ask for a second factor (Rocket.Chat). WithSecondFactor returns a
// Resetter of the same provider, with the same credentials and options,
// whose calls carry code as the answer to ch; the receiver is unchanged.
// An empty code or a nil ch makes the returned Resetter's calls fail with
// ErrInvalidInput, sending nothing. A code that verifies once (an email or
// backup code) makes the calls not repeated after a lost answer; see the
// provider's ResetMFA.
type SecondFactorAnswerer interface {
	WithSecondFactor(ch *SecondFactorChallenge, code string) Resetter
}
