package mfaclient_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// resetAnswering resets id through r, answering second-factor challenges
// with codes from ask, whatever the provider: the neutral loop. It gives
// up after three challenges, and when a challenge cannot be answered.
func resetAnswering(ctx context.Context, r mfaclient.Resetter, id string, ask func(*mfaclient.SecondFactorChallenge) string) error {
	for range 3 {
		err := r.ResetMFA(ctx, id)
		var ch *mfaclient.SecondFactorChallenge
		a, canAnswer := r.(mfaclient.SecondFactorAnswerer)
		if !canAnswer || !errors.As(err, &ch) {
			return err // success, or a failure no code answers
		}
		fmt.Printf("  %s asks for %s (code sent: %v)\n", ch.Provider, ch.Method, ch.CodeSent)
		r = a.WithSecondFactor(ch, ask(ch)) // same provider, same credentials
	}
	return errors.New("too many second-factor challenges")
}

// A program that holds its providers as []mfaclient.Resetter answers a
// second-factor challenge without knowing which provider asked.
func ExampleSecondFactorAnswerer() {
	rcFake, err := mfatest.StartRocketChat()
	if err != nil {
		log.Fatal(err)
	}
	defer rcFake.Close()
	egFake, err := mfatest.StartEntryGuard()
	if err != nil {
		log.Fatal(err)
	}
	defer egFake.Close()

	rc, err := rocketchat.New(rcFake.URL(), rocketchat.Credentials{UserID: rcFake.Admin.ID, AuthToken: rcFake.Admin.Token})
	if err != nil {
		log.Fatal(err)
	}
	eg, err := entryguard.New(egFake.Admin.Token, mfaclient.WithBaseURL(egFake.URL()))
	if err != nil {
		log.Fatal(err)
	}
	targets := []struct {
		name string
		r    mfaclient.Resetter
		id   string
	}{
		{"entryguard", eg, egFake.Member.ID},
		{"rocketchat", rc, rcFake.Member.ID},
	}
	// In real life: prompt the operator, or read the authenticator.
	ask := func(ch *mfaclient.SecondFactorChallenge) string { return rcFake.Admin.TOTPCode }

	for _, t := range targets {
		fmt.Println(t.name + ":")
		err := resetAnswering(context.Background(), t.r, t.id, ask)
		fmt.Println("  reset:", err)
	}
	// Output:
	// entryguard:
	//   reset: <nil>
	// rocketchat:
	//   rocketchat asks for totp (code sent: false)
	//   reset: <nil>
}
