package casdoor_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mfakit/mfakit/casdoor"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// A reset of a user's MFA with an application's credentials, and the typed
// error a user who is no administrator gets with its access key. The fake
// stands in for a Casdoor server.
func ExampleClient_ResetMFA() {
	fake, err := mfatest.StartCasdoor()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	ctx := context.Background()

	app, err := casdoor.New(fake.URL(), casdoor.Credentials{ClientID: fake.App.ClientID, ClientSecret: fake.App.ClientSecret})
	if err != nil {
		log.Fatal(err)
	}
	if err := app.ResetMFA(ctx, "mfakit/bob"); err != nil {
		log.Fatal(err)
	}
	fmt.Println("reset as application: ok")

	member, err := casdoor.New(fake.URL(), casdoor.Credentials{AccessKey: fake.AccessKey(fake.Member.ID), AccessSecret: fake.Member.Token})
	if err != nil {
		log.Fatal(err)
	}
	err = member.ResetMFA(ctx, "mfakit/admin")
	var fe *mfaclient.ForbiddenError
	if errors.As(err, &fe) {
		fmt.Printf("reset as member: HTTP %d %q\n", fe.StatusCode, fe.Message)
	}
	// Output:
	// reset as application: ok
	// reset as member: HTTP 200 "Unauthorized operation"
}

// Setting another user's preferred method through the provider-neutral
// interface; Casdoor has no passkey MFA.
func ExampleClient_SetUserPrimaryMFA() {
	fake, err := mfatest.StartCasdoor()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	c, err := casdoor.New(fake.URL(), casdoor.Credentials{ClientID: fake.App.ClientID, ClientSecret: fake.App.ClientSecret})
	if err != nil {
		log.Fatal(err)
	}
	var setter mfaclient.UserPrimarySetter = c
	fmt.Println(setter.SetUserPrimaryMFA(context.Background(), "mfakit/bob", mfaclient.MethodEmail))
	bob, _ := fake.User("mfakit/bob")
	fmt.Println(bob.PrimaryMethod)
	err = setter.SetUserPrimaryMFA(context.Background(), "mfakit/bob", mfaclient.MethodPasskey)
	fmt.Println(errors.Is(err, mfaclient.ErrUnsupported), fake.Requests())
	// Output:
	// <nil>
	// email
	// true 1
}
