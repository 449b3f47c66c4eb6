package flashback_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// A reset of another user's MFA, and the typed error a caller without the
// role gets. The fake provider stands in for https://backend.flashback.tech.
func ExampleClient_ResetMFA() {
	fake, err := mfatest.StartFlashback()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	ctx := context.Background()

	admin, err := flashback.New(fake.Admin.Token, mfaclient.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}
	if err := admin.ResetMFA(ctx, fake.Owner.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("reset as admin: ok")

	member, err := flashback.New(fake.Member.Token, mfaclient.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}
	err = member.ResetMFA(ctx, fake.Owner.ID)
	var fe *mfaclient.ForbiddenError
	if errors.As(err, &fe) {
		fmt.Println("reset as member:", fe.StatusCode, "requires", fe.Required)
	}
	// Output:
	// reset as admin: ok
	// reset as member: 403 requires OWNER or ADMINISTRATOR
}

// Setting the caller's primary method; Flashback has no email method.
func ExampleClient_SetPrimaryMFA() {
	fake, err := mfatest.StartFlashback()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()

	c, err := flashback.New(fake.Member.Token, mfaclient.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.SetPrimaryMFA(context.Background(), mfaclient.MethodPasskey))
	err = c.SetPrimaryMFA(context.Background(), mfaclient.MethodEmail)
	fmt.Println(errors.Is(err, mfaclient.ErrUnsupported), fake.Requests())
	// Output:
	// <nil>
	// true 1
}
