package conformance

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/mfakit/mfakit/casdoor"
	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/flashback"
	"github.com/mfakit/mfakit/mattermost"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
	"github.com/mfakit/mfakit/rocketchat"
)

// TestLostAnswers runs the one lost-answer rule through every provider's
// public client and stateful fake.
func TestLostAnswers(t *testing.T) {
	RunLostAnswers(t, []LostAnswer{
		{Name: "flashback/ResetMFA", Idempotent: true, Start: func(t *testing.T) (*mfatest.Fake, func(context.Context) error, func() int) {
			fb := mfatest.NewFlashback(t, mfatest.WithoutRateLimit())
			c, err := flashback.New(fb.Owner.Token, mfaclient.WithBaseURL(fb.URL()), burstRetry)
			require.NoError(t, err)
			return fb.Fake, func(ctx context.Context) error { return c.ResetMFA(ctx, fb.Member.ID) },
				func() int { return fb.Resets(fb.Member.ID) }
		}},
		{Name: "entryguard/ResetMFA", Again: mfaclient.ErrMFANotEnabled, Start: func(t *testing.T) (*mfatest.Fake, func(context.Context) error, func() int) {
			eg := mfatest.NewEntryGuard(t, mfatest.WithoutRateLimit())
			c, err := entryguard.New(eg.Admin.Token, mfaclient.WithBaseURL(eg.URL()), burstRetry)
			require.NoError(t, err)
			return eg.Fake, func(ctx context.Context) error { return c.ResetMFA(ctx, eg.Member.ID) },
				func() int { return eg.Resets(eg.Member.ID) }
		}},
		{Name: "mattermost/ResetMFA", Idempotent: true, Start: func(t *testing.T) (*mfatest.Fake, func(context.Context) error, func() int) {
			mm := mfatest.NewMattermost(t, mfatest.WithoutRateLimit())
			c, err := mattermost.New(mm.URL(), mm.Admin.Token, burstRetry)
			require.NoError(t, err)
			return mm.Fake, func(ctx context.Context) error { return c.ResetMFA(ctx, mm.Member.ID) },
				func() int { return mm.Resets(mm.Member.ID) }
		}},
		{Name: "mattermost/ResetOwnMFA", Idempotent: true, Start: func(t *testing.T) (*mfatest.Fake, func(context.Context) error, func() int) {
			mm := mfatest.NewMattermost(t, mfatest.WithoutRateLimit())
			c, err := mattermost.New(mm.URL(), mm.Member.Token, burstRetry)
			require.NoError(t, err)
			return mm.Fake, func(ctx context.Context) error { return c.ResetOwnMFA(ctx) },
				func() int { return mm.Resets(mm.Member.ID) }
		}},
		{Name: "casdoor/ResetMFA", Idempotent: true, Start: func(t *testing.T) (*mfatest.Fake, func(context.Context) error, func() int) {
			cd := mfatest.NewCasdoor(t, mfatest.WithoutRateLimit())
			c, err := casdoor.New(cd.URL(), casdoor.Credentials{ClientID: cd.App.ClientID, ClientSecret: cd.App.ClientSecret}, burstRetry)
			require.NoError(t, err)
			return cd.Fake, func(ctx context.Context) error { return c.ResetMFA(ctx, cd.Member.ID) },
				func() int { return cd.Resets(cd.Member.ID) }
		}},
		{Name: "rocketchat/ResetMFA", Idempotent: true, Start: rocketChatLostAnswer(func(t *testing.T, rc *mfatest.RocketChatFake, c *rocketchat.Client) (*rocketchat.Client, string) {
			require.NoError(t, rc.SetMFA(rc.Admin.ID, false)) // challenged for the password digest, which stays valid
			return c.WithTwoFactorPassword(rc.Admin.Password), rc.Member.ID
		})},
		{Name: "rocketchat/ResetMFA-totp-code", Start: rocketChatLostAnswer(func(t *testing.T, rc *mfatest.RocketChatFake, c *rocketchat.Client) (*rocketchat.Client, string) {
			return c.WithTwoFactorCode(rc.Admin.TOTPCode, rocketchat.TwoFactorTOTP), rc.Member.ID
		})},
		{Name: "rocketchat/ResetMFA-email-code", Again: mfaclient.ErrSecondFactorRequired, Start: rocketChatLostAnswer(func(t *testing.T, rc *mfatest.RocketChatFake, c *rocketchat.Client) (*rocketchat.Client, string) {
			rc.AddUser(emailOnly(rc, rc.Admin.ID))
			_, ok := rocketchat.Challenge(c.ResetMFA(context.Background(), rc.Member.ID)) // mails a code
			require.True(t, ok)
			code, ok := rc.EmailCode(rc.Admin.ID)
			require.True(t, ok)
			return c.WithTwoFactorCode(code, rocketchat.TwoFactorEmail), rc.Member.ID
		})},
		{Name: "rocketchat/ResetMFA-backup-code", Again: mfaclient.ErrSecondFactorRequired, Start: rocketChatLostAnswer(func(t *testing.T, rc *mfatest.RocketChatFake, c *rocketchat.Client) (*rocketchat.Client, string) {
			admin, _ := rc.User(rc.Admin.ID)
			admin.BackupCodes = []string{"a1b2c3d4"}
			rc.AddUser(admin)
			return c.WithTwoFactorCode("a1b2c3d4", rocketchat.TwoFactorTOTP), rc.Member.ID
		})},
		{Name: "rocketchat/ResetOwnMFA", Again: mfaclient.ErrUnauthorized, Start: rocketChatLostAnswer(func(t *testing.T, rc *mfatest.RocketChatFake, c *rocketchat.Client) (*rocketchat.Client, string) {
			return c.WithTwoFactorCode(rc.Admin.TOTPCode, rocketchat.TwoFactorTOTP), ""
		})},
	})
}

// rocketChatLostAnswer starts a Rocket.Chat fake and a client of its admin;
// setup picks the second factor and the target ("" resets the admin's own).
func rocketChatLostAnswer(setup func(t *testing.T, rc *mfatest.RocketChatFake, c *rocketchat.Client) (*rocketchat.Client, string)) func(t *testing.T) (*mfatest.Fake, func(context.Context) error, func() int) {
	return func(t *testing.T) (*mfatest.Fake, func(context.Context) error, func() int) {
		rc := mfatest.NewRocketChat(t, mfatest.WithoutRateLimit())
		c, err := rocketchat.New(rc.URL(), rocketchat.Credentials{UserID: rc.Admin.ID, AuthToken: rc.Admin.Token}, burstRetry)
		require.NoError(t, err)
		c, target := setup(t, rc, c)
		if target == "" {
			return rc.Fake, func(ctx context.Context) error { return c.ResetOwnMFA(ctx) },
				func() int { return rc.Resets(rc.Admin.ID) }
		}
		return rc.Fake, func(ctx context.Context) error { return c.ResetMFA(ctx, target) },
			func() int { return rc.Resets(target) }
	}
}

// emailOnly is the user with this ID as stored, with email 2FA on and TOTP
// off, so that its challenge is by email.
func emailOnly(rc *mfatest.RocketChatFake, id string) mfatest.FakeUser {
	u, _ := rc.User(id)
	u.MFAEnabled, u.EmailTwoFactor = false, true
	return u
}
