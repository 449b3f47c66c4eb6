package registry

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

func TestNamesAreUniqueAndLookedUp(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range All() {
		require.False(t, seen[p.Name], "duplicate provider %q", p.Name)
		seen[p.Name] = true
		got, err := Lookup(p.Name)
		require.NoError(t, err)
		assert.Same(t, p, got)
		assert.NotEmpty(t, p.Title)
		assert.Regexp(t, `^https://`, p.DocsURL)
	}
	_, err := Lookup("okta")
	require.ErrorIs(t, err, mfaclient.ErrInvalidInput)
	assert.Contains(t, err.Error(), "flashback")
}

// Every required setting is reported at once, and a client is never built
// from missing values: New fails with ErrInvalidInput before sending.
func TestMissingSettings(t *testing.T) {
	for _, p := range All() {
		t.Run(p.Name, func(t *testing.T) {
			var required []string
			for _, s := range p.Settings {
				assert.NotEmpty(t, s.Env, "setting %q has no environment variable", s.Key)
				if s.Required {
					required = append(required, s.Env)
				}
			}
			var missing []string
			for _, s := range p.Missing(Values{}) {
				missing = append(missing, s.Env)
			}
			assert.Equal(t, required, missing)
			_, err := p.New(Values{})
			require.ErrorIs(t, err, mfaclient.ErrInvalidInput)
		})
	}
}

func TestFromEnvReadsOnlyTheRowsVariables(t *testing.T) {
	for _, p := range All() {
		t.Run(p.Name, func(t *testing.T) {
			env := map[string]string{"UNRELATED": "x"}
			for _, s := range p.Settings {
				env[s.Env] = "value-of-" + s.Key
			}
			v := p.FromEnv(func(k string) string { return env[k] })
			require.Len(t, v, len(p.Settings))
			for _, s := range p.Settings {
				assert.Equal(t, "value-of-"+s.Key, v[s.Key])
			}
		})
	}
}

// A row's fake and its New fit together: the fake's admin values build a
// client that resets the seeded member on that fake.
func TestRowsFakeAndClientFit(t *testing.T) {
	for _, p := range All() {
		t.Run(p.Name, func(t *testing.T) {
			f, err := p.StartFake(mfatest.WithoutTwoFactorChallenge())
			require.NoError(t, err)
			t.Cleanup(f.Close)
			require.Empty(t, p.Missing(f.Values))
			c, err := p.New(f.Values)
			require.NoError(t, err)
			require.NoError(t, c.Resetter.ResetMFA(context.Background(), f.MemberID))
			resets, ok := f.Server.(interface{ Resets(string) int })
			require.True(t, ok)
			assert.Equal(t, 1, resets.Resets(f.MemberID))
		})
	}
}

// The interfaces each row offers are what its provider offers: self-reset
// where the provider has one (Flashback, Rocket.Chat, Mattermost), another
// user's method where it has that (Casdoor).
func TestRowsOfferWhatTheProviderOffers(t *testing.T) {
	var self, userPrimary []string
	for _, p := range All() {
		v := Values{KeyURL: "http://127.0.0.1:1"}
		for _, s := range p.Settings {
			if s.Required && v[s.Key] == "" {
				v[s.Key] = "x-" + s.Key
			}
		}
		if p.Name == "casdoor" {
			v[KeyClientID], v[KeyClientSecret] = "id", "secret"
		}
		c, err := p.New(v)
		require.NoError(t, err, p.Name)
		assert.Same(t, c.Native, any(c.Resetter), p.Name)
		if c.Self != nil {
			self = append(self, p.Name)
		}
		if c.UserPrimary != nil {
			userPrimary = append(userPrimary, p.Name)
		}
	}
	assert.ElementsMatch(t, []string{"flashback", "rocketchat", "mattermost"}, self)
	assert.ElementsMatch(t, []string{"casdoor"}, userPrimary)
}
