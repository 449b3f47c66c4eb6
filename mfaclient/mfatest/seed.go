package mfatest

import "fmt"

// Seeder is a fake that adds a user with MFA on, by ID, the way its
// provider stores users. FlashbackFake, EntryGuardFake, RocketChatFake,
// MattermostFake and CasdoorFake are Seeders; a fake whose users are more than a FakeUser
// (a Kratos identity with credentials) implements SeedUser itself.
//
// A Seeder whose provider's IDs cannot be UUIDs (Mattermost: 26 letters and
// digits; Casdoor: "owner/name") also has a method SeedID(i int) string, the i-th seeded user's
// ID in its own form; SeedUsers uses it instead of the package's SeedID.
type Seeder interface {
	SeedUser(id string)
}

// idSeeder is a Seeder with its own form of seeded IDs.
type idSeeder interface {
	Seeder
	SeedID(i int) string
}

// SeedID is the predictable ID of the i-th seeded user (from 1): a UUID
// ("00000000-0000-4000-8000-000000000001"), a shape every provider's client
// accepts, EntryGuard's UUID check included.
func SeedID(i int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
}

// SeedUsers adds n users to f with the IDs SeedID(1) to SeedID(n) (f's
// own SeedID where it has one), MFA on and no role that may reset others,
// and returns their IDs in that order.
func SeedUsers(f Seeder, n int) []string {
	ids := make([]string, n)
	for i := range n {
		ids[i] = SeedID(i + 1)
		if s, ok := f.(idSeeder); ok {
			ids[i] = s.SeedID(i + 1)
		}
		f.SeedUser(ids[i])
	}
	return ids
}

// SeedUser adds a MEMBER with TOTP on.
func (f *FlashbackFake) SeedUser(id string) {
	f.AddUser(FakeUser{ID: id, Role: "MEMBER", MFAEnabled: true, PrimaryMethod: "GOOGLE_AUTH"})
}

// SeedUser adds a MEMBER with MFA on.
func (f *EntryGuardFake) SeedUser(id string) {
	f.AddUser(FakeUser{ID: id, Role: "MEMBER", MFAEnabled: true})
}

// SeedUser adds a "user" with TOTP on, named "seed-<id>".
func (f *RocketChatFake) SeedUser(id string) {
	f.AddUser(FakeUser{ID: id, Username: "seed-" + id, Role: "user", MFAEnabled: true})
}

// SeedID is the predictable ID of the i-th seeded Mattermost user (from
// 1): "seed" and 22 digits, 26 letters and digits as Mattermost's IDs are
// ("seed0000000000000000000001").
func (mm *MattermostFake) SeedID(i int) string {
	return fmt.Sprintf("seed%022d", i)
}

// SeedUser adds a "system_user" with TOTP on, named "seed-<id>".
func (mm *MattermostFake) SeedUser(id string) {
	mm.AddUser(FakeUser{ID: id, Username: "seed-" + id, Role: "system_user", MFAEnabled: true})
}

// SeedID is the predictable ID of the i-th seeded Casdoor user (from 1), an
// "owner/name" in the fake's organization ("mfakit/seed-000001"), the form
// the Casdoor client requires.
func (cd *CasdoorFake) SeedID(i int) string {
	return fmt.Sprintf("%s/seed-%06d", CasdoorOrganization, i)
}

// SeedUser adds a "user" with TOTP on, as the authenticator app is
// Casdoor's preferred method.
func (cd *CasdoorFake) SeedUser(id string) {
	cd.AddUser(FakeUser{ID: id, Role: "user", MFAEnabled: true, PrimaryMethod: "app"}, "")
}
