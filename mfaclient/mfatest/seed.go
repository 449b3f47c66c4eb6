package mfatest

import "fmt"

// UserAdder is every fake: FlashbackFake, EntryGuardFake, RocketChatFake
// and the fakes of later providers all embed *Fake.
type UserAdder interface {
	AddUser(u FakeUser) FakeUser
}

// SeedID is the predictable ID of the i-th seeded user (from 1): a UUID
// ("00000000-0000-4000-8000-000000000001"), a shape every provider's client
// accepts, EntryGuard's UUID check included.
func SeedID(i int) string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
}

// SeedUsers adds n users to f, with MFA on and the IDs SeedID(1) to
// SeedID(n), and returns their IDs in that order. They have no role that
// may reset others; the username of the i-th is "seed-<i>".
func SeedUsers(f UserAdder, n int) []string {
	ids := make([]string, n)
	for i := range n {
		ids[i] = SeedID(i + 1)
		f.AddUser(FakeUser{ID: ids[i], Username: fmt.Sprintf("seed-%d", i+1), Role: "MEMBER", MFAEnabled: true})
	}
	return ids
}
