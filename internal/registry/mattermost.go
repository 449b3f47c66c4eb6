package registry

import (
	"github.com/mfakit/mfakit/mattermost"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

var mattermostRow = &Provider{
	Name:    "mattermost",
	Title:   "Mattermost",
	DocsURL: "https://api.mattermost.com/#tag/users/operation/UpdateUserMfa",
	Settings: []Setting{
		{Key: KeyURL, Env: "MATTERMOST_URL", Required: true, Help: "server URL"},
		{Key: KeyToken, Env: "MATTERMOST_TOKEN", Required: true, Secret: true, Help: "session or personal access token (Bearer)"},
	},
	New: func(v Values, opts ...mfaclient.Option) (*Client, error) {
		return clientOf(mattermost.New(v[KeyURL], v[KeyToken], opts...))
	},
	StartFake: func(opts ...mfatest.FakeOption) (*Fake, error) {
		f, err := mfatest.StartMattermost(opts...)
		if err != nil {
			return nil, err
		}
		return &Fake{
			URL:     f.URL(),
			Values:  Values{KeyURL: f.URL(), KeyToken: f.Admin.Token},
			AdminID: f.Admin.ID, MemberID: f.Member.ID,
			UnknownID: mfatest.NewMattermostID(), // well-formed, and no user has it
			Server:    f,
		}, nil
	},
}
