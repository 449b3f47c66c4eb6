package registry

import (
	"fmt"
	"strconv"

	"github.com/mfakit/mfakit/kratos"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// KeyUnauthenticated is Kratos's "the admin API needs no token" switch
// (kratos.Credentials.Unauthenticated), "true" or "false".
const KeyUnauthenticated = "unauthenticated"

var kratosRow = &Provider{
	Name:    "kratos",
	Title:   "Ory Kratos",
	DocsURL: "https://www.ory.sh/docs/reference/api#tag/identity/operation/deleteIdentityCredentials",
	Settings: []Setting{
		{Key: KeyURL, Env: "KRATOS_ADMIN_URL", Required: true, Help: "admin API URL (self-hosted admin port, or https://<project>.projects.oryapis.com)"},
		{Key: KeyToken, Env: "KRATOS_TOKEN", Secret: true, Help: "Ory Network API key (Bearer); self-hosted Kratos needs none"},
		{Key: KeyUnauthenticated, Env: "KRATOS_UNAUTHENTICATED", Help: `"true": call a non-loopback admin URL without a token`},
	},
	New: func(v Values, opts ...mfaclient.Option) (*Client, error) {
		creds := kratos.Credentials{Token: v[KeyToken]}
		if s := v[KeyUnauthenticated]; s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, &mfaclient.OpError{Provider: "kratos", Operation: "New",
					Err: fmt.Errorf("%w: %s %q is not true or false", mfaclient.ErrInvalidInput, KeyUnauthenticated, s)}
			}
			creds.Unauthenticated = b
		}
		return clientOf(kratos.New(v[KeyURL], creds, opts...))
	},
	StartFake: func(opts ...mfatest.FakeOption) (*Fake, error) {
		f, err := mfatest.StartKratos(opts...)
		if err != nil {
			return nil, err
		}
		return &Fake{
			URL:    f.URL(),
			Values: Values{KeyURL: f.URL()},
			// Kratos has no roles on the admin API: both identities are
			// people whose MFA an operator resets.
			AdminID: f.Alice.ID, MemberID: f.Bob.ID,
			Server: f,
		}, nil
	},
}
