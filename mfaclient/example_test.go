package mfaclient_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/mfakit/mfakit/entryguard"
	"github.com/mfakit/mfakit/mfaclient"
	"github.com/mfakit/mfakit/mfaclient/mfatest"
)

// A 429 whose wait exceeds the retry budget comes back at once as a
// *RateLimitError saying how long to wait; within the budget the client
// would have waited and retried by itself.
func ExampleRateLimitError() {
	fake, err := mfatest.StartEntryGuard(mfatest.WithRateLimit(1, time.Minute, mfatest.HintRetryAfterSeconds))
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()

	c, err := entryguard.New(fake.Admin.Token,
		mfaclient.WithBaseURL(fake.URL()),
		mfaclient.WithRetry(mfaclient.RetryPolicy{MaxRetries: 3, MinWait: time.Second, MaxWait: 10 * time.Second}))
	if err != nil {
		log.Fatal(err)
	}
	var r mfaclient.Resetter = c
	fmt.Println("first:", r.ResetMFA(context.Background(), fake.Member.ID))

	err = r.ResetMFA(context.Background(), fake.Member.ID)
	var rl *mfaclient.RateLimitError
	if errors.As(err, &rl) {
		fmt.Println("second: rate limited, retry after", rl.RetryAfter.Round(time.Minute), "- attempts:", rl.Attempts)
	}
	fmt.Println(errors.Is(err, mfaclient.ErrRateLimited))
	// Output:
	// first: <nil>
	// second: rate limited, retry after 1m0s - attempts: 1
	// true
}

// Every failure is classified by exactly one sentinel, whatever the
// provider; the provider's own body is one errors.As away.
func ExampleAPIError() {
	fake, err := mfatest.StartEntryGuard()
	if err != nil {
		log.Fatal(err)
	}
	defer fake.Close()
	c, err := entryguard.New(fake.Admin.Token, mfaclient.WithBaseURL(fake.URL()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	_ = c.ResetMFA(ctx, fake.Member.ID)
	err = c.ResetMFA(ctx, fake.Member.ID) // MFA is already off

	var apiErr *mfaclient.APIError
	var body *entryguard.ErrorResponse
	fmt.Println(errors.Is(err, mfaclient.ErrMFANotEnabled), errors.As(err, &apiErr), errors.As(err, &body))
	fmt.Println(apiErr.StatusCode, apiErr.Code+":", apiErr.Message)
	// Output:
	// true true true
	// 400 Bad Request: MFA is not enabled for this user
}
