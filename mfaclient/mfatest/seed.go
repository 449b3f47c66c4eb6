package mfatest

import "fmt"

// Seeder is a fake that adds a user with MFA on, by ID, the way its
// provider stores users. FlashbackFake, EntryGuardFake and RocketChatFake
// are Seeders; a fake whose users are more than a FakeUser (a Kratos
// identity with credentials) implements SeedUser itself.
type Seeder interface {
	SeedUser(id string)
}

// SeedID is the predictable ID of the i-th seeded user (from 1): a UUID
// ("00000000-0000-4000-8000-000000000001"), a shape every provider's client
// accepts, EntryGuard's UUID check included.
func SeedID(i int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
}

// SeedUsers adds n users to f with the IDs SeedID(1) to SeedID(n), MFA on
// and no role that may reset others, and returns their IDs in that order.
func SeedUsers(f Seeder, n int) []string {
	ids := make([]string, n)
	for i := range n {
		ids[i] = SeedID(i + 1)
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
