// Package registry is the one list of providers mfakit knows. Everything
// that lists providers — the CLI's --provider names, environment variables
// and demo, the contract runner that replays testdata/, the fakes — reads
// this list, so adding a provider is its package, its fixtures, its fake,
// and one row here (a file named for the provider plus its entry in all).
package registry

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// Keys of Values shared by several providers. Credential keys are the
// placeholder names fixtures use (mfatest.Placeholder*), so a fixture's
// {{token}} and a row's "token" are the same value.
const (
	KeyURL       = "url"                        // base URL
	KeyToken     = mfatest.PlaceholderToken     // Bearer token
	KeyUserID    = mfatest.PlaceholderUserID    // Rocket.Chat X-User-Id
	KeyAuthToken = mfatest.PlaceholderAuthToken // Rocket.Chat X-Auth-Token
)

// Setting is one value a provider's client is built from.
type Setting struct {
	Key      string // key in Values
	Env      string // environment variable the CLI reads it from
	Required bool   // New fails without it
	Secret   bool   // a credential: never printed
	Help     string // one line for --help
}

// Values are settings by Setting.Key.
type Values map[string]string

// Client is one provider's client seen through the mfaclient interfaces.
type Client struct {
	Resetter mfaclient.Resetter
	// Self is nil where the provider has no self-reset.
	Self mfaclient.SelfResetter
	// Primary is every client's SetPrimaryMFA; where the provider has no
	// such operation it answers ErrUnsupported and sends nothing.
	Primary mfaclient.PrimarySetter
	// UserPrimary sets another user's preferred method; nil where the
	// provider cannot (all but Casdoor).
	UserPrimary mfaclient.UserPrimarySetter
	// RateLimitedUntil is the client's rate-limit gate.
	RateLimitedUntil func() time.Time
	// Native is the provider package's own *Client, for what only it offers
	// (Rocket.Chat's WithTwoFactorCode).
	Native any
}

// providerClient is what every provider package's *Client is.
type providerClient interface {
	mfaclient.Resetter
	mfaclient.PrimarySetter
	RateLimitedUntil() time.Time
}

// clientOf wraps a provider's New: the interfaces it offers are read off
// the client itself (Self and UserPrimary by type assertion), so a row
// cannot forget one.
func clientOf[C providerClient](c C, err error) (*Client, error) {
	if err != nil {
		return nil, err
	}
	cl := &Client{Resetter: c, Primary: c, RateLimitedUntil: c.RateLimitedUntil, Native: c}
	cl.Self, _ = any(c).(mfaclient.SelfResetter)
	cl.UserPrimary, _ = any(c).(mfaclient.UserPrimarySetter)
	return cl, nil
}

// Fake is a running stateful fake of a provider (mfaclient/mfatest) with
// the values of its seeded administrator.
type Fake struct {
	URL    string
	Values Values // the admin's credentials and URL, ready for New
	// AdminID and MemberID are seeded users: one that may reset others,
	// one that may not.
	AdminID, MemberID string
	// UnknownID is a well-formed user ID of no user on the fake; "" means
	// mfatest.SeedID(999_999), a UUID, which fits providers whose IDs are
	// plain strings or UUIDs.
	UnknownID string
	// Server is the provider's fake (*mfatest.FlashbackFake, ...).
	Server interface{ Close() }
	// Notes are lines for a person using the fake (optional): how to
	// answer its second-factor challenge, say.
	Notes []string
}

// Nobody returns UnknownID, or its default.
func (f *Fake) Nobody() string {
	if f.UnknownID != "" {
		return f.UnknownID
	}
	return mfatest.SeedID(999_999)
}

// Close stops the fake.
func (f *Fake) Close() { f.Server.Close() }

// Provider is one row of the table.
type Provider struct {
	Name    string // as --provider, fixtures and APIError.Provider name it
	Title   string // as people write it
	DocsURL string // the provider's API documentation
	// Settings lists what New reads, in the order they are reported.
	Settings []Setting
	// New builds a client from v (checked with Missing first) and opts.
	New func(v Values, opts ...mfaclient.Option) (*Client, error)
	// StartFake starts the provider's stateful fake on loopback.
	StartFake func(opts ...mfatest.FakeOption) (*Fake, error)

	// Optional fields: the zero value is valid and means "not known".

	// Caller tells the caller's own user ID from v without sending anything,
	// and where it was read ("ROCKETCHAT_USER_ID", "the sub claim of
	// FLASHBACK_TOKEN"); id is "" when v does not tell. The CLI refuses to
	// reset the caller by mistake (reset-own does it deliberately). Nil: the
	// caller cannot be known before a call.
	Caller func(v Values) (id, source string)
	// SelfResetEndsSession: after ResetOwnMFA the credentials in Values stop
	// working (Rocket.Chat logs the user out everywhere).
	SelfResetEndsSession bool
}

// Missing returns the required settings that v lacks, all of them, in the
// row's order.
func (p *Provider) Missing(v Values) []Setting {
	var out []Setting
	for _, s := range p.Settings {
		if s.Required && strings.TrimSpace(v[s.Key]) == "" {
			out = append(out, s)
		}
	}
	return out
}

// FromEnv reads the row's settings from env (os.Getenv or a test's map).
func (p *Provider) FromEnv(env func(string) string) Values {
	v := make(Values, len(p.Settings))
	for _, s := range p.Settings {
		if x := env(s.Env); x != "" {
			v[s.Key] = x
		}
	}
	return v
}

// all is the table, in the order providers are listed to people.
var all = []*Provider{flashbackRow, entryguardRow, rocketchatRow, casdoorRow, kratosRow, mattermostRow}

// All returns every provider, in listing order.
func All() []*Provider { return slices.Clone(all) }

// Names returns every provider's Name, in listing order.
func Names() []string {
	out := make([]string, len(all))
	for i, p := range all {
		out[i] = p.Name
	}
	return out
}

// Lookup returns the provider called name.
func Lookup(name string) (*Provider, error) {
	for _, p := range all {
		if p.Name == name {
			return p, nil
		}
	}
	return nil, fmt.Errorf("%w: unknown provider %q (one of %s)", mfaclient.ErrInvalidInput, name, strings.Join(Names(), ", "))
}

// withURL appends WithBaseURL when v names a URL: an unset URL means the
// provider's default, and is never passed as "".
func withURL(v Values, opts []mfaclient.Option) []mfaclient.Option {
	if u := v[KeyURL]; u != "" {
		return append(slices.Clip(opts), mfaclient.WithBaseURL(u))
	}
	return opts
}
