package rocketchat_test

import (
	"context"
	"fmt"
	"log"

	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// A 2FA round trip: the first call is challenged, the second answers with
// the admin's TOTP code on a copy of the client.
func ExampleClient_WithTwoFactorCode() {
	fake, err := mfatest.StartRocketChat()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()

	rc, err := rocketchat.New(fake.URL(), rocketchat.Credentials{UserID: fake.Admin.ID, AuthToken: fake.Admin.Token})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	err = rc.ResetMFA(ctx, fake.Member.ID)
	ch, ok := rocketchat.Challenge(err)
	fmt.Println("challenged:", ok, "method:", ch.Method)

	code := fake.Admin.TOTPCode // in real life: from the admin's authenticator app
	err = rc.WithTwoFactorCode(code, ch.Method).ResetMFA(ctx, fake.Member.ID)
	fmt.Println("reset:", err, "- resets counted by the server:", fake.Resets(fake.Member.ID))
	// Output:
	// challenged: true method: totp
	// reset: <nil> - resets counted by the server: 1
}
