package registry

import (
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

var rocketchatRow = &Provider{
	Name:    "rocketchat",
	Title:   "Rocket.Chat",
	DocsURL: "https://developer.rocket.chat/apidocs/reset-users-totp",
	Settings: []Setting{
		{Key: KeyURL, Env: "ROCKETCHAT_URL", Required: true, Help: "server URL"},
		{Key: KeyUserID, Env: "ROCKETCHAT_USER_ID", Required: true, Secret: true, Help: "caller's user ID (X-User-Id)"},
		{Key: KeyAuthToken, Env: "ROCKETCHAT_AUTH_TOKEN", Required: true, Secret: true, Help: "caller's auth token (X-Auth-Token)"},
	},
	New: func(v Values, opts ...mfaclient.Option) (*Client, error) {
		return clientOf(rocketchat.New(v[KeyURL], rocketchat.Credentials{UserID: v[KeyUserID], AuthToken: v[KeyAuthToken]}, opts...))
	},
	StartFake: func(opts ...mfatest.FakeOption) (*Fake, error) {
		f, err := mfatest.StartRocketChat(opts...)
		if err != nil {
			return nil, err
		}
		return &Fake{
			URL:     f.URL(),
			Values:  Values{KeyURL: f.URL(), KeyUserID: f.Admin.ID, KeyAuthToken: f.Admin.Token},
			AdminID: f.Admin.ID, MemberID: f.Member.ID,
			Server: f,
			Notes:  []string{"Rocket.Chat asks the admin for a second factor: --2fa-code " + f.Admin.TOTPCode + " --2fa-method totp"},
		}, nil
	},
	Caller: func(v Values) (string, string) { return v[KeyUserID], "ROCKETCHAT_USER_ID" },
	// Resetting one's own TOTP logs the user out everywhere.
	SelfResetEndsSession: true,
}
