// Package mfatest helps test programs that use mfakit, without reaching a
// real identity provider.
//
// It offers three tools:
//
//   - Stateful fakes of each provider (StartFlashback, StartEntryGuard,
//     StartRocketChat, StartKratos, or NewFlashback and friends in tests). Each is a real
//     HTTP server on 127.0.0.1 with seeded users, answering as the provider's
//     documentation says: the same status codes, JSON bodies byte for byte,
//     headers, Rocket.Chat's 2FA challenge and rate limiter, and EntryGuard's
//     refusal to reset a user twice. A test can add users, set their MFA
//     state, inject failures (FailNext), latency and rate limits in each
//     provider's style, and read counters: requests, 429s, resets per user.
//     LoseAnswer and GatewayErrorAfter let a call take effect and then lose
//     its answer, to test what a program does when it cannot know.
//     The mfakit serve-fake and demo commands run the same fakes.
//   - A replay server that answers recorded fixtures (Fixture, Load, LoadDir)
//     and checks each request against the one recorded.
//   - A recorder that captures real interactions as fixtures, with
//     credentials replaced by placeholders.
//
// A typical test points a client at a fake and checks what the provider saw:
//
//	fb := mfatest.NewFlashback(t)
//	client, _ := flashback.New(fb.Admin.Token, mfaclient.WithBaseURL(fb.URL()))
//	err := client.ResetMFA(ctx, fb.Member.ID)
//	// fb.Resets(fb.Member.ID) == 1
package mfatest
