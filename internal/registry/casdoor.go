package registry

import (
	"strings"

	"github.com/mfakit/mfakit/casdoor"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// Casdoor's credential keys, also the placeholder names of its fixtures:
// an application's client ID and secret, or a user's access key pair.
const (
	KeyClientID     = "clientId"
	KeyClientSecret = "clientSecret"
	KeyAccessKey    = "accessKey"
	KeyAccessSecret = "accessSecret"
)

var casdoorRow = &Provider{
	Name:    "casdoor",
	Title:   "Casdoor",
	DocsURL: "https://casdoor.org/docs/basic/public-api",
	Settings: []Setting{
		{Key: KeyURL, Env: "CASDOOR_URL", Required: true, Help: "server URL"},
		{Key: KeyClientID, Env: "CASDOOR_CLIENT_ID", Secret: true, Help: "application's client ID (or use an access key)"},
		{Key: KeyClientSecret, Env: "CASDOOR_CLIENT_SECRET", Secret: true, Help: "application's client secret"},
		{Key: KeyAccessKey, Env: "CASDOOR_ACCESS_KEY", Secret: true, Help: "user's access key (or use client credentials)"},
		{Key: KeyAccessSecret, Env: "CASDOOR_ACCESS_SECRET", Secret: true, Help: "user's access secret"},
	},
	New: func(v Values, opts ...mfaclient.Option) (*Client, error) {
		return clientOf(casdoor.New(v[KeyURL], casdoor.Credentials{
			ClientID: v[KeyClientID], ClientSecret: v[KeyClientSecret],
			AccessKey: v[KeyAccessKey], AccessSecret: v[KeyAccessSecret],
		}, opts...))
	},
	StartFake: func(opts ...mfatest.FakeOption) (*Fake, error) {
		f, err := mfatest.StartCasdoor(opts...)
		if err != nil {
			return nil, err
		}
		return &Fake{
			URL:     f.URL(),
			Values:  Values{KeyURL: f.URL(), KeyClientID: f.App.ClientID, KeyClientSecret: f.App.ClientSecret},
			AdminID: f.Admin.ID, MemberID: f.Member.ID,
			UnknownID: owner(f.Admin.ID) + "/nobody",
			Server:    f,
		}, nil
	},
}

// owner is the organization of a Casdoor user ID "owner/name".
func owner(id string) string {
	o, _, _ := strings.Cut(id, "/")
	return o
}
