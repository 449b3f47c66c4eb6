package mattermost_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/mfakit/mfakit/mattermost"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// A system admin turns off another user's MFA; a member without
// edit_other_users gets the typed error naming the permission. The fake
// stands in for a Mattermost server.
func ExampleClient_ResetMFA() {
	fake, err := mfatest.StartMattermost()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	ctx := context.Background()

	admin, err := mattermost.New(fake.URL(), fake.Admin.Token)
	if err != nil {
		log.Fatal(err)
	}
	if err := admin.ResetMFA(ctx, fake.Member.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("reset as admin: ok")

	member, err := mattermost.New(fake.URL(), fake.Member.Token)
	if err != nil {
		log.Fatal(err)
	}
	err = member.ResetMFA(ctx, fake.Admin.ID)
	var fe *mfaclient.ForbiddenError
	if errors.As(err, &fe) {
		fmt.Println("reset as member:", fe.StatusCode, fe.Code, "requires", fe.Required)
	}
	// Output:
	// reset as admin: ok
	// reset as member: 403 api.context.permissions.app_error requires edit_other_users
}

// Any user may turn off their own MFA; Mattermost asks for no code.
func ExampleClient_ResetOwnMFA() {
	fake, err := mfatest.StartMattermost()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()

	me, err := mattermost.New(fake.URL(), fake.Member.Token)
	if err != nil {
		log.Fatal(err)
	}
	if err := me.ResetOwnMFA(context.Background()); err != nil {
		log.Fatal(err)
	}
	u, _ := fake.User(fake.Member.ID)
	fmt.Println("MFA on:", u.MFAEnabled)
	// Output:
	// MFA on: false
}
