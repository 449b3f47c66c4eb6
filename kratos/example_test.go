package kratos_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mfakit/mfakit/kratos"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// Resetting an identity's second factors, then a second reset that finds
// nothing to remove. The fake stands in for a self-hosted Kratos admin API
// on loopback, which needs no token; on Ory Network, pass the project API
// key as Credentials.Token and the project URL as the admin URL.
func ExampleClient_ResetMFA() {
	fake, err := mfatest.StartKratos()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	ctx := context.Background()

	c, err := kratos.New(fake.URL(), kratos.Credentials{})
	if err != nil {
		log.Fatal(err)
	}
	if err := c.ResetMFA(ctx, fake.Alice.ID); err != nil {
		log.Fatal(err)
	}
	creds, _ := fake.Credentials(fake.Alice.ID)
	fmt.Println("TOTP:", creds.TOTP, "lookup secrets:", creds.LookupSecret, "password:", creds.Password)

	err = c.ResetMFA(ctx, fake.Alice.ID)
	fmt.Println("again:", errors.Is(err, mfaclient.ErrMFANotEnabled))

	// A reset that removed some second factors and then failed says so.
	var partial *kratos.PartialResetError
	if errors.As(err, &partial) {
		fmt.Println("removed:", partial.Removed, "failed:", partial.Failed)
	}
	// Output:
	// TOTP: false lookup secrets: false password: true
	// again: true
}

// Without a token, a non-loopback admin URL is refused unless the caller
// says the admin API has no authentication on purpose.
func ExampleNew() {
	_, err := kratos.New("https://kratos-admin.internal", kratos.Credentials{})
	fmt.Println(errors.Is(err, mfaclient.ErrInvalidInput))

	_, err = kratos.New("https://kratos-admin.internal", kratos.Credentials{Unauthenticated: true})
	fmt.Println(err)
	// Output:
	// true
	// <nil>
}
