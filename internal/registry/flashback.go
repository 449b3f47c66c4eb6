package registry

import (
	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

var flashbackRow = &Provider{
	Name:    "flashback",
	Title:   "Flashback",
	DocsURL: "https://docs.flashback.tech/support-reference/platform-api-reference/mfa-multi-factor-authentication/post__mfa_reset",
	Settings: []Setting{
		{Key: KeyToken, Env: "FLASHBACK_TOKEN", Required: true, Secret: true, Help: "API token (Bearer)"},
		{Key: KeyURL, Env: "FLASHBACK_URL", Help: "base URL (default: production)"},
	},
	New: func(v Values, opts ...mfaclient.Option) (*Client, error) {
		return clientOf(flashback.New(v[KeyToken], withURL(v, opts)...))
	},
	StartFake: func(opts ...mfatest.FakeOption) (*Fake, error) {
		f, err := mfatest.StartFlashback(opts...)
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
	Caller: BearerSubject("FLASHBACK_TOKEN"),
}
