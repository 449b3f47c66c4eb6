//go:build realserver

// Command cmd seeds a freshly started Kratos for scripts/real/kratos.sh and
// prints the seeded identities as MFAKIT_REAL_KRATOS_* variables:
//
//	go run -tags realserver ./internal/realserver/kratosseed/cmd -admin URL -public URL
//
// alice has a password, TOTP and lookup secrets; bob a password and TOTP;
// carol a password only.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/mfakit/mfakit/internal/realserver/kratosseed"
)

func main() {
	admin := flag.String("admin", "", "admin API URL")
	public := flag.String("public", "", "public API URL")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s := &kratosseed.Server{AdminURL: *admin, PublicURL: *public}
	for _, p := range []struct {
		name         string
		totp, lookup bool
	}{{"ALICE", true, true}, {"BOB", true, false}, {"CAROL", false, false}} {
		person, err := s.Seed(ctx, fmt.Sprintf("%s@example.com", lower(p.name)), p.totp, p.lookup)
		if err != nil {
			fmt.Fprintln(os.Stderr, "kratos seed:", err)
			os.Exit(1)
		}
		fmt.Printf("MFAKIT_REAL_KRATOS_%s_ID=%s\n", p.name, person.ID)
	}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
