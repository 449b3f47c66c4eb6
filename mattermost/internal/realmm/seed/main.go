// Command seed fills a fresh Mattermost server with the users the
// real-server suite needs, through Mattermost's own API, and writes the
// MFAKIT_REAL_MATTERMOST_* variables the tests read. scripts/real/mattermost.sh
// runs it with the server's rate limiter off.
//
//	go run ./mattermost/internal/realmm/seed -url http://127.0.0.1:18065 -bulk 200 -env state/mattermost.env
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/mfakit/mfakit/mattermost/internal/realmm"
)

// password is every seeded user's: the server is throwaway and loopback-only.
const password = "Seed-passw0rd!"

func main() {
	url := flag.String("url", "", "Mattermost server URL")
	bulk := flag.Int("bulk", 200, "users with TOTP for the bulk run")
	perSec := flag.Int("per-sec", 5, "the limiter's PerSec, passed on to the tests")
	maxBurst := flag.Int("max-burst", 20, "the limiter's MaxBurst, passed on to the tests")
	envFile := flag.String("env", "", "file to write the tests' variables to")
	flag.Parse()
	if *url == "" || *envFile == "" {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	env, err := seed(ctx, realmm.API{URL: *url}, *bulk)
	if err != nil {
		log.Fatalf("seed: %v", err)
	}
	env["PER_SEC"] = fmt.Sprint(*perSec)
	env["MAX_BURST"] = fmt.Sprint(*maxBurst)
	var b strings.Builder
	for _, k := range []string{"URL", "ADMIN_ID", "ADMIN_TOKEN", "ADMIN_SESSION", "MEMBER_ID", "MEMBER_TOKEN",
		"TARGET_ID", "SELF_ID", "SELF_TOKEN", "LIMIT_TOKEN", "BULK_TOKEN", "BULK_IDS", "PER_SEC", "MAX_BURST"} {
		fmt.Fprintf(&b, "MFAKIT_REAL_MATTERMOST_%s=%s\n", k, env[k])
	}
	if err := os.WriteFile(*envFile, []byte(b.String()), 0o600); err != nil {
		log.Fatal(err)
	}
	log.Printf("seeded %d users in %s", *bulk+4, time.Since(start).Round(time.Millisecond))
}

func seed(ctx context.Context, anon realmm.API, bulk int) (map[string]string, error) {
	env := map[string]string{"URL": anon.URL}
	admin, err := anon.CreateUser(ctx, "sysadmin", password) // the first user is system_admin
	if err != nil {
		return nil, err
	}
	if !strings.Contains(admin.Roles, "system_admin") {
		return nil, fmt.Errorf("the first user has roles %q, not system_admin: is the database fresh?", admin.Roles)
	}
	session, err := anon.Login(ctx, "sysadmin", password)
	if err != nil {
		return nil, err
	}
	api := anon.As(session)
	env["ADMIN_ID"], env["ADMIN_SESSION"] = admin.ID, session
	// One personal access token per use, so that each has its own bucket
	// in the limiter (VaryByHeader Authorization).
	for _, k := range []string{"ADMIN_TOKEN", "LIMIT_TOKEN", "BULK_TOKEN"} {
		if env[k], err = api.PersonalAccessToken(ctx, admin.ID, strings.ToLower(k)); err != nil {
			return nil, err
		}
	}

	// bob: a member without edit_other_users. alice: the admin's target.
	// carol: resets her own MFA.
	for _, u := range []struct{ name, id, token string }{{"bob", "MEMBER_ID", "MEMBER_TOKEN"}, {"alice", "TARGET_ID", ""}, {"carol", "SELF_ID", "SELF_TOKEN"}} {
		created, err := api.CreateUser(ctx, u.name, password)
		if err != nil {
			return nil, err
		}
		env[u.id] = created.ID
		if u.token != "" {
			// Log in before enrolling: with MFA on, login needs a code.
			// The session stays valid after enrolment.
			if env[u.token], err = anon.Login(ctx, u.name, password); err != nil {
				return nil, err
			}
		}
		if u.name != "bob" {
			if _, err := api.EnrolTOTP(ctx, created.ID); err != nil {
				return nil, err
			}
		}
	}

	ids := make([]string, bulk)
	errs := make([]error, bulk)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range bulk {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			u, err := api.CreateUser(ctx, fmt.Sprintf("bulk%03d", i), password)
			if err == nil {
				_, err = api.EnrolTOTP(ctx, u.ID)
			}
			ids[i], errs[i] = u.ID, err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	env["BULK_IDS"] = strings.Join(ids, ",")
	return env, nil
}
