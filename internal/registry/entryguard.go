package registry

import (
	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

var entryguardRow = &Provider{
	Name:    "entryguard",
	Title:   "EntryGuard",
	DocsURL: "https://docs.entryguard.io/api-reference/users/reset-mfa",
	Settings: []Setting{
		{Key: KeyToken, Env: "ENTRYGUARD_TOKEN", Required: true, Secret: true, Help: "API token (Bearer)"},
		{Key: KeyURL, Env: "ENTRYGUARD_URL", Help: "base URL (default: production)"},
	},
	New: func(v Values, opts ...mfaclient.Option) (*Client, error) {
		return clientOf(entryguard.New(v[KeyToken], withURL(v, opts)...))
	},
	StartFake: func(opts ...mfatest.FakeOption) (*Fake, error) {
		f, err := mfatest.StartEntryGuard(opts...)
		if err != nil {
			return nil, err
		}
		return &Fake{
			URL:     f.URL(),
			Values:  Values{KeyURL: f.URL(), KeyToken: f.Admin.Token},
			AdminID: f.Admin.ID, MemberID: f.Member.ID,
			Server: f,
		}, nil
	},
	Caller: BearerSubject("ENTRYGUARD_TOKEN"),
}
