package mfatest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// post sends a JSON POST with the given headers and prints the answer.
func post(url, body string, header map[string]string) {
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, string(b))
}

func ExampleStartFlashback() {
	fb, err := mfatest.StartFlashback()
	if err != nil {
		log.Fatal(err)
	}
	defer fb.Close()

	member := map[string]string{"Authorization": "Bearer " + fb.Member.Token}
	admin := map[string]string{"Authorization": "Bearer " + fb.Admin.Token}
	body := `{"resetUserId":"` + fb.Owner.ID + `"}`
	post(fb.URL()+"/mfa/reset", body, member)
	post(fb.URL()+"/mfa/reset", body, admin)
	post(fb.URL()+"/mfa/primary", `{"mfaType":"PASSKEY"}`, member)

	owner, _ := fb.User(fb.Owner.ID)
	fmt.Println("owner MFA:", owner.MFAEnabled, "resets:", fb.Resets(fb.Owner.ID))
	// Output:
	// 403 {"success":false,"error":"Insufficient permissions. OWNER or ADMINISTRATOR role required to reset another user's MFA."}
	// 200 {"success":true,"message":"MFA reset successfully"}
	// 200 {"success":true,"message":"Primary MFA method updated"}
	// owner MFA: false resets: 1
}

func ExampleStartEntryGuard() {
	// A fixed clock makes the error bodies' timestamps predictable.
	docTime := time.Date(2026, 2, 18, 10, 30, 0, 0, time.UTC)
	eg, err := mfatest.StartEntryGuard(mfatest.WithClock(func() time.Time { return docTime }))
	if err != nil {
		log.Fatal(err)
	}
	defer eg.Close()

	admin := map[string]string{"Authorization": "Bearer " + eg.Admin.Token}
	url := eg.URL() + "/api/v1/users/" + eg.Member.ID + "/reset-mfa"
	post(url, "", admin)
	post(url, "", admin) // MFA is off now
	fmt.Println("resets:", eg.Resets(eg.Member.ID))
	// Output:
	// 200 {"message":"MFA reset successfully"}
	// 400 {"timestamp":"2026-02-18T10:30:00Z","status":400,"error":"Bad Request","message":"MFA is not enabled for this user","path":"/api/v1/users/770e8400-e29b-41d4-a716-446655440004/reset-mfa"}
	// resets: 1
}

func ExampleStartRocketChat() {
	rc, err := mfatest.StartRocketChat()
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()

	admin := map[string]string{"X-User-Id": rc.Admin.ID, "X-Auth-Token": rc.Admin.Token}
	url := rc.URL() + "/api/v1/users.resetTOTP"
	body := `{"username":"alice"}`
	post(url, body, admin) // challenged for the admin's TOTP code
	admin["x-2fa-code"], admin["x-2fa-method"] = rc.Admin.TOTPCode, "totp"
	post(url, body, admin)
	fmt.Println("resets:", rc.Resets(rc.Member.ID))
	// Output:
	// 400 {"success":false,"error":"TOTP Required [totp-required]","errorType":"totp-required","details":{"method":"totp","codeGenerated":false,"availableMethods":["totp"]}}
	// 200 {"success":true}
	// resets: 1
}

// A reset that takes effect but whose answer is lost: what a program gets,
// and why it must not take a later answer for the truth about the first.
func ExampleFake_LoseAnswer() {
	rc, err := mfatest.StartRocketChat(mfatest.WithoutTwoFactorChallenge())
	if err != nil {
		log.Fatal(err)
	}
	defer rc.Close()
	c, err := rocketchat.New(rc.URL(), rocketchat.Credentials{UserID: rc.Member.ID, AuthToken: rc.Member.Token})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()

	rc.LoseAnswer()
	err = c.ResetOwnMFA(ctx)
	fmt.Println("network failure:", errors.Is(err, mfaclient.ErrNetwork), "- resets done:", rc.Resets(rc.Member.ID))
	err = c.ResetOwnMFA(ctx) // the reset wiped the caller's token
	fmt.Println("then unauthorized:", errors.Is(err, mfaclient.ErrUnauthorized))
	// Output:
	// network failure: true - resets done: 1
	// then unauthorized: true
}
